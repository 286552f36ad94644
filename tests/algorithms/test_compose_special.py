"""compose with φ (failure), σ (any) and ρ (rest) matchers.

pynini does not expose OpenFst's Phi/Sigma/Rho matchers, so the oracles
are: the naive reference (tests/reference/compose.py, which implements the
matchers from their definitions), hand-worked examples, a by-hand backoff
walk of G for φ, and explicit expansion of σ/ρ arcs into ordinary arcs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kleene import Fst, FstArgError, FstOpError, Prop
from kleene.algorithms.arcsort import arcsort
from kleene.algorithms.compose import compose
from kleene.algorithms.invert import invert
from kleene.algorithms.project import project
from kleene.core.builder import FstBuilder

from ..helpers import fsts
from ..reference.compose import path_weights, reference_fst
from .test_compose import assert_same_weights

SPECIAL = 4  # the special label; ordinary labels are 1..3
INF = np.inf


def _clip_outputs(fst, top=3):
    """fst with output labels above ``top`` lowered to ``top`` (so that the
    non-special machine never carries the special label)."""
    return Fst(fst.indptr.copy(), fst.ilabel.copy(), np.minimum(fst.olabel, top),
               fst.nextstate.copy(), fst.weight.copy(), fst.final.copy(), fst.start,
               fst.semiring)


def _string(labels, semiring="tropical"):
    n = len(labels)
    return Fst.from_arrays(n + 1, list(range(n)), labels, labels, [0.0] * n,
                           list(range(1, n + 1)), final=[INF] * n + [0.0],
                           semiring=semiring)


@given(fsts("log", max_states=4, max_arcs=8, num_labels=3),
       fsts("log", max_states=4, max_arcs=10, num_labels=4),
       st.sampled_from(["phi", "sigma", "rho"]), st.booleans(),
       st.sampled_from(["sequence", "alt_sequence", "match", "no_match"]))
def test_matches_reference(a, b, kind, acceptor, compose_filter):
    a = _clip_outputs(a)
    if acceptor:
        b = project(b)
    sb = b if b.has(Prop.ILABEL_SORTED) else arcsort(b)
    try:
        want, _ = reference_fst(a, sb, compose_filter=compose_filter, match="input",
                                special=(kind, SPECIAL, True))
    except AssertionError:  # φ non-determinism or a φ cycle
        with pytest.raises(FstOpError, match="φ"):
            compose(a, b, phi_label=SPECIAL, compose_filter=compose_filter)
        return
    got, maps = compose(a, b, compose_filter=compose_filter, connect=False,
                        return_arc_map=True, **{f"{kind}_label": SPECIAL})
    assert got.equal(want)
    # without arc maps the kernel keeps none: the machine must not change
    assert compose(a, b, compose_filter=compose_filter, connect=False,
                   **{f"{kind}_label": SPECIAL}).equal(got, delta=0)
    map_a, map_b = maps
    assert ((map_a >= 0) | (map_b >= 0)).all()
    # a's input label, or ε where a stayed (index -1 picks the appended 0)
    assert (got.ilabel == np.append(a.ilabel, 0)[map_a]).all()


# -- φ: hand-worked examples and the backoff walk -----------------------------------

def _backoff_lm():
    """A two-state backoff acceptor (tropical costs):

        state 0 (context "1"): 1/1.0 -> 0, φ/0.5 -> 1, final 0.25
        state 1 (unigram):     1/2.0 -> 0, 2/3.0 -> 1, φ/7.0 self-loop, final 0
    """
    b = FstBuilder("tropical")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 1.0, 0)
    b.add_arc(0, SPECIAL, SPECIAL, 0.5, 1)
    b.add_arc(1, 1, 1, 2.0, 0)
    b.add_arc(1, 2, 2, 3.0, 1)
    b.add_arc(1, SPECIAL, SPECIAL, 7.0, 1)
    b.set_final(0, 0.25)
    b.set_final(1, 0.0)
    return b.freeze()


@pytest.mark.parametrize("labels,cost", [
    ([1], 1.0 + 0.25),                   # direct
    ([1, 2], 1.0 + 0.5 + 3.0 + 0.0),     # 2 is missing at 0: back off (0.5) then 3.0
    ([2, 1], 0.5 + 3.0 + 2.0 + 0.25),    # back off, 2 at the unigram, 1 back to 0
    ([3], 0.5 + 7.0 + 0.0),              # 3 is nowhere: the φ self-loop reads it
    ([2, 3, 2], 0.5 + 3.0 + 7.0 + 3.0),  # from 1, 3 loops (7.0), 2 stays at 1
])
def test_phi_by_hand(labels, cost):
    text = _string(labels)
    out = compose(text, _backoff_lm(), phi_label=SPECIAL)
    weights = path_weights(out)
    assert list(weights) == [(tuple(labels), tuple(labels))]  # acceptor: φ rewritten
    assert weights[(tuple(labels), tuple(labels))] == pytest.approx(cost)
    # the same with the LM on the left and φ on its output side
    left = compose(_backoff_lm(), text, phi_label=SPECIAL, special_side="a")
    assert path_weights(left) == pytest.approx(weights)


def test_phi_without_loop_raises_instead_of_hanging():
    text = _string([3])
    with pytest.raises(FstOpError, match="φ"):
        compose(text, _backoff_lm(), phi_label=SPECIAL, phi_loop=False)
    # labels the unigram state has still work without the loop option
    assert path_weights(compose(_string([2]), _backoff_lm(), phi_label=SPECIAL,
                                phi_loop=False)) == {((2,), (2,)): 3.5}


def backoff_walk(g, labels, sr):
    """⊕ over G's paths reading ``labels``, following the φ arc (label
    SPECIAL) of a state whenever it has no arc for the next label, a φ
    self-loop reading the label itself; the final weight is the end state's."""
    def walk(q, i, seen):
        if i == len(labels):
            return g.final_weight(q)
        arcs = g.arcs(q)
        exact = [x for x in arcs if x.ilabel == labels[i]]
        if exact:
            total = sr.zero
            for x in exact:
                total = sr.plus(total, sr.times(x.weight, walk(x.nextstate, i + 1, set())))
            return float(total)
        phis = [x for x in arcs if x.ilabel == SPECIAL]
        if not phis:
            return sr.zero
        (x,) = phis
        if x.nextstate == q:
            return float(sr.times(x.weight, walk(q, i + 1, set())))
        if q in seen:
            raise RecursionError("φ cycle")
        return float(sr.times(x.weight, walk(x.nextstate, i, seen | {q})))
    return walk(g.start, 0, set())


def _deterministic_phi(g):
    """g as an ε-free acceptor with at most one φ arc per state."""
    b = FstBuilder(g.semiring)
    b.add_states(g.num_states)
    b.set_start(g.start)
    for q in g.states():
        seen_phi = False
        for x in g.arcs(q):
            label = x.ilabel or 1
            if label == SPECIAL:
                if seen_phi:
                    continue
                seen_phi = True
            b.add_arc(q, label, label, x.weight, x.nextstate)
        if g.is_final(q):
            b.set_final(q, g.final_weight(q))
    return b.freeze()


@given(fsts("tropical", max_states=4, max_arcs=10, num_labels=4, min_states=1),
       st.lists(st.integers(1, 3), max_size=4), st.sampled_from(["a", "b"]))
def test_phi_equals_backoff_walk(g, labels, side):
    g = _deterministic_phi(g)
    sr = g.semiring
    try:
        want = backoff_walk(g, labels, sr)
    except RecursionError:
        with pytest.raises(FstOpError, match="φ"):
            compose(_string(labels), g, phi_label=SPECIAL)
        return
    if side == "b":
        out = compose(_string(labels), g, phi_label=SPECIAL)
    else:
        out = compose(g, _string(labels), phi_label=SPECIAL, special_side="a")
    got = path_weights(out)
    if want == sr.zero:
        assert got == {}
    else:
        assert list(got) == [(tuple(labels), tuple(labels))]
        assert got[(tuple(labels), tuple(labels))] == pytest.approx(want, abs=1e-4)


# -- σ and ρ: against explicit expansion -------------------------------------------

def expand_special(fst, kind, labels=(1, 2, 3), tape="input"):
    """fst with every σ/ρ arc (special label on ``tape``) replaced by one
    ordinary arc per label it matches: σ every label, ρ every label no
    other arc of the state has on that tape. On an acceptor the other tape
    is rewritten too (rewrite mode "auto")."""
    acceptor = fst.has(Prop.ACCEPTOR)
    b = FstBuilder(fst.semiring)
    b.add_states(fst.num_states)
    if fst.start >= 0:
        b.set_start(fst.start)
    for q in fst.states():
        arcs = fst.arcs(q)
        key = (lambda x: x.ilabel) if tape == "input" else (lambda x: x.olabel)
        present = {key(x) for x in arcs}
        for x in arcs:
            if key(x) != SPECIAL:
                b.add_arc(q, x.ilabel, x.olabel, x.weight, x.nextstate)
                continue
            for label in labels:
                if kind == "rho" and label in present:
                    continue
                il, ol = x.ilabel, x.olabel
                if tape == "input" or (acceptor and il == SPECIAL):
                    il = label
                if tape == "output" or (acceptor and ol == SPECIAL):
                    ol = label
                b.add_arc(q, il, ol, x.weight, x.nextstate)
        if fst.is_final(q):
            b.set_final(q, fst.final_weight(q))
    return b.freeze()


@given(fsts("log", max_states=4, max_arcs=7, num_labels=3, acyclic=True),
       fsts("log", max_states=4, max_arcs=9, num_labels=4, acyclic=True),
       st.sampled_from(["sigma", "rho"]), st.booleans(), st.sampled_from(["a", "b"]))
def test_sigma_rho_equal_explicit_expansion(other, special, kind, acceptor, side):
    if acceptor:
        special = project(special)
    option = {f"{kind}_label": SPECIAL}
    if side == "b":
        other = _clip_outputs(other)
        got = compose(other, special, special_side="b", **option)
        want = compose(other, expand_special(special, kind, tape="input"))
    else:
        other = invert(_clip_outputs(invert(other)))
        special = invert(special)
        got, maps = compose(special, other, special_side="a", return_arc_map=True, **option)
        want = compose(expand_special(special, kind, tape="output"), other)
        assert ((maps[0] >= 0) | (maps[1] >= 0)).all()
    assert_same_weights(path_weights(got), path_weights(want))


def test_sigma_plain_arc_map():
    a = _string([1, 2])
    b = Fst.from_arrays(1, [0], [SPECIAL], [SPECIAL], [0.5], [0], final=[0.0])
    out, maps = compose(a, b, sigma_label=SPECIAL, return_arc_map=True)
    assert path_weights(out) == {((1, 2), (1, 2)): 1.0}  # σ rewritten on the acceptor
    assert maps[0].tolist() == [0, 1] and maps[1].tolist() == [0, 0]
    # a transducer keeps σ on its output tape
    t = Fst.from_arrays(1, [0], [SPECIAL], [3], [0.5], [0], final=[0.0])
    assert path_weights(compose(a, t, sigma_label=SPECIAL)) == {((1, 2), (3, 3)): 1.0}


def test_special_errors():
    text = _string([1])
    lm = _backoff_lm()
    with pytest.raises(FstArgError, match="at most one"):
        compose(text, lm, phi_label=SPECIAL, rho_label=5)
    with pytest.raises(FstArgError, match="positive"):
        compose(text, lm, phi_label=0)
    with pytest.raises(FstArgError, match="special label"):
        compose(_string([SPECIAL]), lm, phi_label=SPECIAL)
    two_phis = Fst.from_arrays(2, [0, 0], [SPECIAL, SPECIAL], [SPECIAL, SPECIAL],
                               [0.0, 1.0], [1, 0], final=[INF, 0.0])
    with pytest.raises(FstOpError, match="more than one φ"):
        compose(_string([2]), two_phis, phi_label=SPECIAL)
    cycle = Fst.from_arrays(2, [0, 1], [SPECIAL, SPECIAL], [SPECIAL, SPECIAL],
                            [0.0, 1.0], [1, 0], final=[INF, 0.0])
    with pytest.raises(FstOpError, match="cycle"):
        compose(_string([2]), cycle, phi_label=SPECIAL)
    with pytest.raises(FstArgError, match="special_side"):
        compose(text, lm, phi_label=SPECIAL, special_side="c")
