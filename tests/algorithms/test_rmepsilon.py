"""rmepsilon against pynini (arc for arc) and the closed-form reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstBuilder, FstOpError, Prop, get_semiring
from kleene.algorithms.rmepsilon import rmepsilon

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, require_pynini
from ..helpers import fsts as helper_fsts
from ..reference.paths import Diverges
from ..reference.rmepsilon import (arc_dicts, epsilon_closure, assert_same_weights, path_weights,
                                   rmepsilon_reference, weight_close)

# ε-arc weights small (in probability) so that ε-cycles in log/real mostly
# converge; machines whose closure diverges are checked to raise.
_EPS_WEIGHTS = {"tropical": [0.0, 0.5, 1.0, 2.0], "log": [1.5, 2.0, 3.25],
                "real": [0.125, 0.2], "boolean": [1.0]}
_ARC_WEIGHTS = {"tropical": [0.0, 0.5, 1.0, 1.5, 3.25], "log": [0.0, 0.5, 1.0, 2.0],
                "real": [0.25, 0.5, 1.0], "boolean": [1.0]}


@st.composite
def eps_fsts(draw, semiring="tropical", max_states=7, max_arcs=14, acyclic=False,
             eps_weights=None):
    """Random machines where about half the arcs are ε:ε (cycles included
    unless ``acyclic``), several final states."""
    sr = get_semiring(semiring)
    n = draw(st.integers(1, max_states))
    b = FstBuilder(sr)
    b.add_states(n)
    b.set_start(draw(st.integers(0, n - 1)))
    for _ in range(draw(st.integers(0, max_arcs))):
        s = draw(st.integers(0, n - 1))
        if acyclic:
            if s == n - 1:
                continue
            t = draw(st.integers(s + 1, n - 1))
        else:
            t = draw(st.integers(0, n - 1))
        if draw(st.booleans()):
            w = draw(st.sampled_from(eps_weights or _EPS_WEIGHTS[sr.name]))
            b.add_arc(s, 0, 0, w, t)
        else:
            i = draw(st.integers(0, 3))   # not ε:ε, but ε on one side often
            o = draw(st.integers(1 if i == 0 else 0, 3))
            b.add_arc(s, i, o, draw(st.sampled_from(_ARC_WEIGHTS[sr.name])), t)
    for s in range(n):
        if draw(st.integers(0, 2)) == 0:
            b.set_final(s, draw(st.sampled_from(_ARC_WEIGHTS[sr.name])))
    return b.freeze()


def _diverges(fst) -> bool:
    try:
        epsilon_closure(fst)
    except Diverges:
        return True
    return False


def _converged_rmepsilon(fst, **kwargs):
    """rmepsilon of a machine whose ε-closure sums converge (the reference
    says so); an ε-cycle of probability close to one can need more rounds
    than the default budget, which then raises, so retry with a larger one
    (what the error message tells users to do)."""
    try:
        return rmepsilon(fst, **kwargs)
    except FstOpError as exc:
        if "did not converge within" not in str(exc):
            raise
        return rmepsilon(fst, max_relaxations=10**6, **kwargs)


def _pynini_rmepsilon(fst, **kwargs):
    pynini = require_pynini()
    return pynini.rmepsilon(fst.to_pynini(), **kwargs)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("connect", [True, False])
@given(data=st.data())
def test_matches_pynini_arc_for_arc(semiring, connect, data):
    fst = data.draw(eps_fsts(semiring))
    if _diverges(fst):  # OpenFst would loop
        with pytest.raises(FstOpError):
            rmepsilon(fst, connect=connect)
        return
    out, arc_map = _converged_rmepsilon(fst, connect=connect, return_arc_map=True)
    assert_same_fst(out, _pynini_rmepsilon(fst, connect=connect), delta=1e-3)
    assert out.props.get(Prop.NO_EPSILONS)
    assert out.properties().get(Prop.NO_EPSILONS)
    # every output arc carries the labels (and, unconnected, the destination)
    # of the input arc its map names
    assert arc_map.shape == (out.num_arcs,)
    np.testing.assert_array_equal(fst.ilabel[arc_map], out.ilabel)
    np.testing.assert_array_equal(fst.olabel[arc_map], out.olabel)
    if not connect:
        np.testing.assert_array_equal(fst.nextstate[arc_map], out.nextstate)


@pytest.mark.parametrize("semiring", ["tropical", "log", "log64", "real", "real64",
                                      "boolean"])
@given(data=st.data())
def test_closure_matches_reference(semiring, data):
    """Unconnected, every state keeps its id: its arcs and final weight must
    be the closed-form ε-closure's (any semiring, ε-cycles included)."""
    fst = data.draw(eps_fsts(semiring))
    if _diverges(fst):
        with pytest.raises(FstOpError):
            rmepsilon(fst, connect=False)
        return
    arcs, finals = rmepsilon_reference(fst)
    out = _converged_rmepsilon(fst, connect=False)
    assert out.num_states == fst.num_states and out.start == fst.start
    ours = arc_dicts(out)
    for s in range(fst.num_states):
        assert_same_weights(ours[s], arcs[s])
        assert weight_close(float(out.final[s]), finals[s]), (s, out.final[s], finals[s])
    assert not np.any((out.ilabel == 0) & (out.olabel == 0))


@pytest.mark.parametrize("semiring", ["tropical", "log", "real", "boolean"])
@given(data=st.data())
def test_acyclic_path_weights_preserved(semiring, data):
    """rmepsilon(A) ≡ A: the same weight for every (input, output) string pair."""
    fst = data.draw(eps_fsts(semiring, acyclic=True, eps_weights=_ARC_WEIGHTS[semiring]))
    before = path_weights(fst)
    for connect in (True, False):
        assert_same_weights(path_weights(rmepsilon(fst, connect=connect)), before)


@pytest.mark.parametrize("semiring", ["log", "real"])
def test_divergent_epsilon_cycle_raises(semiring):
    one = get_semiring(semiring).one
    b = FstBuilder(semiring)
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 0, 0, one, 1)
    b.add_arc(1, 0, 0, one, 0)   # ε-cycle of probability 1
    b.add_arc(1, 1, 1, one, 1)
    b.set_final(1, one)
    fst = b.freeze()
    with pytest.raises(Diverges):
        rmepsilon_reference(fst)
    with pytest.raises(FstOpError, match="diverge"):
        rmepsilon(fst)


def test_negative_tropical_epsilon_cycle_raises():
    fst = kleene.Fst.from_arrays(2, [0, 1], [0, 0], [0, 0], [1.0, -2.0], [1, 0],
                                 final=[0.0, 0.0])
    with pytest.raises(FstOpError, match="negative"):
        rmepsilon(fst)


def test_pruning_options_match_pynini():
    pynini = require_pynini()
    b = FstBuilder("tropical")
    b.add_states(5)
    b.set_start(0)
    b.add_arc(0, 0, 0, 1.0, 1)
    b.add_arc(0, 0, 0, 4.0, 2)
    b.add_arc(1, 1, 1, 0.5, 3)
    b.add_arc(2, 2, 2, 0.5, 3)
    b.add_arc(3, 0, 0, 0.25, 4)
    b.add_arc(3, 3, 3, 5.0, 4)
    b.set_final(4, 0.0)
    fst = b.freeze()
    ours = rmepsilon(fst, weight_threshold=2.0)
    theirs = pynini.rmepsilon(fst.to_pynini(), weight=2.0)
    assert pynini.isomorphic(ours.to_pynini(), theirs)
    assert ours.num_arcs < rmepsilon(fst).num_arcs


def test_edge_cases_and_errors():
    assert rmepsilon(kleene.Fst.empty()).num_states == 0
    nostart = kleene.Fst(np.array([0, 1]), [0], [0], [0], [0.0], [0.0], -1)
    assert rmepsilon(nostart).num_states == 0
    assert rmepsilon(nostart, connect=False).num_arcs == 0
    fst = kleene.Fst.from_arrays(1, [0], [0], [0], [0.5], [0], final=[0.0])
    with pytest.raises(kleene.FstArgError):
        rmepsilon(fst, queue_type="bogus")
    with pytest.raises(kleene.FstArgError):
        rmepsilon(fst, delta=0.0)
    with pytest.raises(kleene.FstArgError):
        rmepsilon(kleene.Fst.from_arrays(1, [], [], [], [], [], final=[0.0],
                                         semiring="log"), weight_threshold=1.0)
    with pytest.raises(kleene.FstArgError):
        rmepsilon("not an fst")
    # an ε self-loop of weight 0.5 on a final state: final weight stays 0
    out = rmepsilon(fst)
    assert out.num_arcs == 0 and float(out.final[0]) == 0.0


@st.composite
def word_grammars(draw, semiring):
    """``(∪ words)* · (∪ words)`` and variants, built with kleene's union,
    closure and concat: states that only ε-arcs enter (union starts) whose
    ε-successors are word starts, the case rmepsilon expands once and reuses
    in every closure that reaches it (nested unions give nested trees)."""
    words = st.text(alphabet="abcd", min_size=1, max_size=3)
    weights = st.sampled_from(_ARC_WEIGHTS[get_semiring(semiring).name])

    def word_union():
        accs = [kleene.accep(w, weight=draw(weights), semiring=semiring)
                for w in draw(st.lists(words, min_size=1, max_size=4))]
        fst = kleene.union(*accs)
        if draw(st.booleans()):  # a union of unions: a tree two levels deep
            fst = kleene.union(fst, kleene.union(*accs[:2]))
        return fst

    left, right = word_union(), word_union()
    shape = draw(st.sampled_from(["star_concat", "concat", "plus"]))
    if shape == "star_concat":
        return kleene.concat(kleene.closure(left), right)
    if shape == "concat":
        return kleene.concat(left, right, word_union())
    return kleene.closure(kleene.concat(left, right), closure_type="plus")


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_grammar_closures_match_pynini_arc_for_arc(semiring, data):
    fst = data.draw(word_grammars(semiring))
    out, arc_map = rmepsilon(fst, return_arc_map=True)
    assert_same_fst(out, _pynini_rmepsilon(fst), delta=1e-4)
    np.testing.assert_array_equal(fst.ilabel[arc_map], out.ilabel)
    np.testing.assert_array_equal(fst.olabel[arc_map], out.olabel)
    assert_same_fst(rmepsilon(fst), _pynini_rmepsilon(fst), delta=1e-4)


@given(helper_fsts("tropical", acyclic=True, max_states=6, max_arcs=12))
def test_acyclicity_is_passed_on(fst):
    assert fst.has(Prop.ACYCLIC)
    out = rmepsilon(fst)
    assert out.props.get(Prop.ACYCLIC) is True
    # and it is true: recompute it from the arrays
    assert out.replace(props=kleene.Props()).has(Prop.ACYCLIC)
