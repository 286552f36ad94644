import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.structural import check_arc_map


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("require_superinitial", [True, False])
@given(data=st.data())
def test_matches_pynini(semiring, require_superinitial, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, min_states=0, no_start_ok=True))
    out, arc_map = kleene.reverse(fst, require_superinitial=require_superinitial,
                                  return_arc_map=True)
    expected = pynini.reverse(fst.to_pynini(),
                              require_superinitial=require_superinitial)
    if require_superinitial or fst.start >= 0:
        # without a start state OpenFst's cycle test reads an empty SCC
        # vector (undefined behaviour), so only kleene's own checks apply
        assert_same_fst(out, expected)
    if require_superinitial or out.num_states == fst.num_states + 1:
        check_arc_map([fst], out, arc_map)
    else:
        # every arc is a reversed input arc; those leaving the new start
        # carry the old final weight folded in
        assert np.all(arc_map >= 0)
        assert np.array_equal(out.ilabel, fst.ilabel[arc_map])
        assert np.array_equal(out.olabel, fst.olabel[arc_map])
        plain = out.arc_source != out.start
        assert np.array_equal(out.weight[plain], fst.weight[arc_map][plain])


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_reverse_twice_is_equivalent(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_states=4, max_arcs=6, acceptor=True,
                         epsilons=False, acyclic=True))
    twice = kleene.reverse(kleene.reverse(fst))
    a = pynini.determinize(pynini.rmepsilon(twice.to_pynini()))
    b = pynini.determinize(pynini.rmepsilon(fst.to_pynini()))
    assert pynini.equivalent(a, b, delta=1e-3)


def test_edge_cases():
    out = kleene.reverse(Fst.empty())
    assert out.num_states == 1 and out.start == 0 and out.num_arcs == 0
    assert out.final[0] == np.inf
    # single final start state with weight: no super-initial, weight kept
    single = Fst.from_arrays(1, [], [], [], [], [], final=[0.5])
    out = kleene.reverse(single, require_superinitial=False)
    assert out.num_states == 1 and out.final.tolist() == [0.5]
    # a weighted final state on a cycle needs the super-initial state
    loop = Fst.from_arrays(1, [0], [1], [2], [0.25], [0], final=[0.5])
    assert kleene.reverse(loop, require_superinitial=False).num_states == 2
