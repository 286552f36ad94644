import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import SymbolTable
from kleene.errors import FstArgError, FstSymbolError

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini

pairs = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 7)), max_size=5,
                 unique_by=lambda p: p[0])


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_pairs_match_pynini(semiring, data):
    require_pynini()
    fst = data.draw(fsts(semiring))
    ip, op = data.draw(pairs), data.draw(pairs)
    out = kleene.relabel(fst, ipairs=ip, opairs=op)
    expected = fst.to_pynini().relabel_pairs(ipairs=ip or None, opairs=op or None) \
        if (ip or op) else fst.to_pynini()
    assert_same_fst(out, expected)


def _tables():
    old = SymbolTable("old", ["<eps>", "a", "b", "c", "d"])
    new = SymbolTable("new")
    for sym in ["<eps>", "d", "zz", "c", "b", "a"]:
        new.add_symbol(sym)
    return old, new


@given(data=st.data())
def test_tables_match_pynini(data):
    pynini = require_pynini()
    old, new = _tables()
    fst = data.draw(fsts("tropical")).replace(isymbols=old, osymbols=old)
    out = kleene.relabel(fst, isymbols=new, osymbols=new)
    assert out.isymbols is new and out.osymbols is new
    p = fst.to_pynini()
    pnew = pynini.SymbolTable("new")
    for key, sym in new:
        pnew.add_symbol(sym, key)
    p.relabel_tables(new_isymbols=pnew, new_osymbols=pnew)
    assert_same_fst(out, p)


def test_unknown_symbols_raise():
    old, new = _tables()
    fst = kleene.Fst.from_arrays(2, [0, 0], [1, 2], [3, 4], [0.0, 0.0], [1, 1],
                                 final=[float("inf"), 0.0], isymbols=old, osymbols=old)
    new.remove_symbol(new.key("b"))
    with pytest.raises(FstSymbolError, match="'b'"):
        kleene.relabel(fst, isymbols=new)
    bare = fst.replace(isymbols=None)
    with pytest.raises(FstArgError, match="no input symbol table"):
        kleene.relabel(bare, isymbols=new)
    short = SymbolTable("short", ["<eps>", "a"])
    with pytest.raises(FstSymbolError, match="label 2"):
        kleene.relabel(fst.replace(isymbols=short), isymbols=new)
    with pytest.raises(FstArgError, match="not both"):
        kleene.relabel(fst, ipairs=[(1, 2)], isymbols=new)
    with pytest.raises(FstArgError, match="non-negative"):
        kleene.relabel(fst, ipairs=[(1, -2)])
    with pytest.raises(FstArgError, match="pairs"):
        kleene.relabel(fst, opairs=[(1,)])


def test_later_pair_wins_and_unmentioned_labels_keep():
    fst = kleene.Fst.from_arrays(2, [0, 0], [1, 2], [3, 4], [0.0, 0.0], [1, 1],
                                 final=[float("inf"), 0.0])
    out = kleene.relabel(fst, ipairs=[(1, 9), (1, 7)], opairs=[(9, 1)])
    assert out.ilabel.tolist() == [7, 2] and out.olabel.tolist() == [3, 4]
