import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Prop, SymbolTable
from kleene.errors import FstArgError

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("project_type", ["input", "output"])
@given(data=st.data())
def test_matches_pynini(semiring, project_type, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring))
    fst.properties()
    out = kleene.project(fst, project_type=project_type)
    assert_same_fst(out, pynini.project(fst.to_pynini(), project_type))
    assert out.props.get(Prop.ACCEPTOR) is True
    fresh = kleene.Fst(out.indptr, out.ilabel, out.olabel, out.nextstate, out.weight,
                       out.final, out.start, out.semiring)
    assert out.props == fresh.properties()


def test_symbol_tables_and_errors():
    a, b = SymbolTable("in", ["<eps>", "x"]), SymbolTable("out", ["<eps>", "y", "z"])
    fst = kleene.Fst.from_arrays(2, [0], [1], [2], [0.0], [1], final=[float("inf"), 0.0],
                                 isymbols=a, osymbols=b)
    up = kleene.project(fst, project_type="input")
    assert up.isymbols is a and up.osymbols is a and up.olabel.tolist() == [1]
    down = kleene.project(fst, project_type="output")
    assert down.isymbols is b and down.osymbols is b and down.ilabel.tolist() == [2]
    with pytest.raises(FstArgError, match="project_type"):
        kleene.project(fst, project_type="both")
