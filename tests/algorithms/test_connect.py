import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, Prop

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.structural import check_arc_map, useful_states


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_matches_pynini(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_states=8, no_start_ok=True))
    out, arc_map = kleene.connect(fst, return_arc_map=True)
    if fst.start >= 0:
        assert_same_fst(out, pynini.connect(fst.to_pynini()))
    else:  # OpenFst leaves a machine without start untouched; kleene empties it
        assert out.num_states == 0
    check_arc_map([fst], out, arc_map)
    assert out.num_states == len(useful_states(fst))
    assert out.properties().get(Prop.ACCESSIBLE | Prop.COACCESSIBLE)
    assert out.props.get(Prop.ACCESSIBLE) and out.props.get(Prop.COACCESSIBLE)


def test_edge_cases():
    empty = Fst.empty()
    assert kleene.connect(empty).num_states == 0
    # states but no start: nothing is accessible
    nostart = Fst(np.array([0, 0]), [], [], [], [], [0.0], -1)
    out = kleene.connect(nostart)
    assert out.num_states == 0 and out.start == -1
    # single final state with a self-loop survives as is
    loop = Fst.from_arrays(1, [0], [1], [1], [0.5], [0], final=[0.0])
    assert kleene.connect(loop).equal(loop)
    # a start that reaches no final state: everything goes
    dead = Fst.from_arrays(2, [0], [1], [1], [0.5], [1], final=[np.inf, np.inf])
    assert kleene.connect(dead).num_states == 0
