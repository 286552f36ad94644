"""push against pynini and against path-sum / stochasticity checks."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstBuilder, FstOpError, push

from ..helpers import assert_isomorphic, fsts, require_pynini
from ..reference.paths import (Diverges, coaccessible, enumerate_paths,
                               ref_shortest_distance, s_one, s_plus, s_zero)


def _converges(fst, reverse):
    try:
        ref_shortest_distance(fst, reverse=reverse)
        return True
    except Diverges:
        return False


@pytest.mark.parametrize("semiring", ["tropical", "log", "log64"])
@pytest.mark.parametrize("to_final", [False, True])
@pytest.mark.parametrize("remove_total_weight", [False, True])
@given(data=st.data())
def test_matches_pynini(semiring, to_final, remove_total_weight, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, acyclic=data.draw(st.booleans())))
    if not _converges(fst, reverse=not to_final) or not _converges(fst, reverse=to_final):
        with pytest.raises(FstOpError) if not _converges(fst, not to_final) else _noop():
            push(fst, to_final=to_final, remove_total_weight=remove_total_weight)
        return
    ours = push(fst, to_final=to_final, remove_total_weight=remove_total_weight)
    theirs = pynini.push(fst.to_pynini(), push_weights=True, delta=1e-6,
                         reweight_type="to_final" if to_final else "to_initial",
                         remove_total_weight=remove_total_weight)
    assert_isomorphic(ours, theirs, delta=2e-3)


class _noop:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _string_sums(fst, max_arcs):
    name = fst.semiring.name
    sums = {}
    for _, i, o, w in enumerate_paths(fst, max_arcs):
        sums[(i, o)] = s_plus(name, sums.get((i, o), s_zero(name)), w)
    return sums


@pytest.mark.parametrize("semiring", ["log64", "real64", "tropical64"])
@pytest.mark.parametrize("to_final", [False, True])
@given(data=st.data())
def test_preserves_path_weights_and_is_stochastic(semiring, to_final, data):
    fst = data.draw(fsts(semiring, acyclic=True))
    out = push(fst, to_final=to_final)
    name = fst.semiring.name
    before = _string_sums(fst, fst.num_states + 1)
    after = _string_sums(out, out.num_states + 1)
    assert set(before) == set(after)
    for key, w in before.items():
        if name == "real":
            assert math.isclose(w, after[key], rel_tol=1e-6, abs_tol=1e-9)
        else:
            assert math.isclose(w, after[key], rel_tol=1e-6, abs_tol=1e-6)
    if not to_final and fst.start >= 0 and fst.start in coaccessible(fst):
        # every useful state except the (old or new) start sums to one
        useful = coaccessible(out)
        for s in useful:
            if s == out.start:
                continue
            total = s_zero(name)
            if out.is_final(s):
                total = s_plus(name, total, float(out.final[s]))
            for arc in out.arcs(s):
                if arc.nextstate in useful:
                    total = s_plus(name, total, arc.weight)
            assert math.isclose(total, s_one(name), abs_tol=1e-6)


def test_remove_total_weight_towards_initial():
    b = FstBuilder("log64")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 1.0, 1)
    b.add_arc(0, 2, 2, 2.0, 1)
    b.set_final(1, 0.5)
    out = push(b.freeze(), remove_total_weight=True)
    # total weight gone: the pushed machine's path probabilities sum to one
    probs = [math.exp(-w) for _, _, _, w in enumerate_paths(out, 2)]
    assert math.isclose(sum(probs), 1.0, rel_tol=1e-9)


def test_labels_not_implemented():
    with pytest.raises(NotImplementedError, match="label pushing"):
        push(FstBuilder("tropical").freeze(), push_labels=True)


def test_divergent_raises():
    b = FstBuilder("log")
    b.add_states(1)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 0)
    b.set_final(0)
    with pytest.raises(FstOpError, match="diverge"):
        push(b.freeze())


def test_empty_and_no_path():
    assert push(kleene.Fst.empty()).num_states == 0
    b = FstBuilder("tropical")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 1.0, 1)
    fst = b.freeze()
    assert push(fst).equal(fst)
