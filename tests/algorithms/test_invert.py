import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Prop, SymbolTable

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_matches_pynini(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring))
    fst.properties()  # make every property known, so swap_io is exercised
    out = kleene.invert(fst)
    assert_same_fst(out, pynini.invert(fst.to_pynini()))
    # propagated properties agree with a fresh computation
    fresh = kleene.Fst(out.indptr, out.ilabel, out.olabel, out.nextstate, out.weight,
                       out.final, out.start, out.semiring)
    assert out.props == fresh.properties()
    assert kleene.invert(out).equal(fst)


def test_swaps_symbol_tables():
    a, b = SymbolTable("in", ["<eps>", "x"]), SymbolTable("out", ["<eps>", "y", "z"])
    fst = kleene.Fst.from_arrays(2, [0], [1], [2], [0.0], [1], final=[float("inf"), 0.0],
                                 isymbols=a, osymbols=b)
    out = kleene.invert(fst)
    assert out.isymbols is b and out.osymbols is a
    assert out.ilabel.tolist() == [2] and out.olabel.tolist() == [1]
    assert kleene.invert(kleene.Fst.empty()).num_states == 0
    assert out.has(Prop.ACCEPTOR) is False
