"""prune against pynini (arc-for-arc) and the float64 reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstArgError, FstBuilder, prune

from ..helpers import assert_same_fst, fsts, require_pynini
from ..reference.paths import ref_prune_arcs


@st.composite
def tie_free_fsts(draw, **kwargs):
    """Random machines with continuous weights, so best-first visiting order
    (which OpenFst breaks arbitrarily on ties) is unambiguous."""
    fst = draw(fsts("tropical", **kwargs))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    weight = rng.uniform(0, 4, fst.num_arcs).astype(np.float32)
    final = np.where(np.isinf(fst.final), np.inf,
                     rng.uniform(0, 4, fst.num_states)).astype(np.float32)
    return fst.replace(weight=weight, final=final)


@pytest.mark.parametrize("acyclic", [True, False])
@given(data=st.data())
def test_weight_threshold_matches_pynini_and_reference(acyclic, data):
    fst = data.draw(fsts("tropical", acyclic=acyclic))
    thr = data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]))
    out, arc_map = prune(fst, weight=thr, return_arc_map=True)
    ref = ref_prune_arcs(fst, thr)
    if ref is not None:
        ref_arcs, ref_finals = ref
        assert sorted(arc_map.tolist()) == sorted(ref_arcs)
        # output state -> input state, through the arc map
        in_state = {0: fst.start}
        for k in range(out.num_arcs):
            in_state[int(out.nextstate[k])] = int(fst.nextstate[arc_map[k]])
        assert len(in_state) == out.num_states
        finals = sorted(in_state[s] for s in range(out.num_states) if out.is_final(s))
        assert finals == sorted(s for s in ref_finals if s in in_state.values())
    pynini = require_pynini()
    assert_same_fst(out, pynini.prune(fst.to_pynini(), weight=thr))


@pytest.mark.parametrize("acyclic", [True, False])
@given(data=st.data())
def test_state_threshold_matches_pynini(acyclic, data):
    pynini = require_pynini()
    fst = data.draw(tie_free_fsts(acyclic=acyclic, max_states=8, max_arcs=16))
    nstate = data.draw(st.integers(1, 9))
    weight = data.draw(st.sampled_from([None, 1.0, 3.0]))
    out = prune(fst, nstate=nstate, weight=weight)
    assert out.num_states <= nstate
    kw = {} if weight is None else {"weight": weight}
    assert_same_fst(out, pynini.prune(fst.to_pynini(), nstate=nstate, **kw))


@given(data=st.data())
def test_arc_map_points_at_copied_arcs(data):
    fst = data.draw(fsts("tropical"))
    out, arc_map = prune(fst, weight=1.0, return_arc_map=True)
    assert arc_map.shape == (out.num_arcs,)
    np.testing.assert_array_equal(out.ilabel, fst.ilabel[arc_map])
    np.testing.assert_array_equal(out.olabel, fst.olabel[arc_map])
    np.testing.assert_array_equal(out.weight, fst.weight[arc_map])


def test_no_threshold_keeps_everything_reachable():
    b = FstBuilder("tropical")
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 1, 1, 1.0, 1)
    b.set_final(1)
    out = prune(b.freeze())
    assert out.num_states == 2 and out.num_arcs == 1   # unreachable state 2 goes


def test_edge_cases():
    assert prune(kleene.Fst.empty(), weight=1.0).num_states == 0
    b = FstBuilder("tropical")
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 1, 1, 1.0, 1)
    fst = b.freeze()                     # no final state
    assert prune(fst, nstate=0).num_states == 0
    assert prune(fst, weight=1.0).num_states == 0   # no successful path
    assert prune(fst).num_states == 0


def test_log_rejected():
    with pytest.raises(FstArgError, match="tropical"):
        prune(FstBuilder("log").freeze(), weight=1.0)
