"""kleene.core.symbols.SymbolTable: editing, look-ups, copies and the OpenFst
text format, read and written both ways with pynini."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kleene import FstArgError, FstIOError, FstSymbolError, SymbolTable

from ..helpers import require_pynini

# Symbols as the text format can carry them: no whitespace, not empty.
symbols_st = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
                     min_size=1, max_size=8)
tables_st = st.dictionaries(symbols_st, st.integers(0, 10**6), max_size=20).map(
    lambda d: {sym: key for key, sym in {k: s for s, k in d.items()}.items()})


def _table(mapping, name="t"):
    table = SymbolTable(name)
    for sym, key in mapping.items():
        table.add_symbol(sym, key)
    return table


# -- editing and look-ups -------------------------------------------------------
def test_add_assigns_next_available_key():
    t = SymbolTable("t")
    assert t.add_symbol("<eps>") == 0
    assert t.add_symbol("a") == 1
    assert t.add_symbol("b", 10) == 10
    assert t.available_key() == 11
    assert t.add_symbol("c") == 11
    assert t.add_symbol("a") == 1, "re-adding returns the existing key"
    assert len(t) == t.num_symbols() == 4


def test_available_key_matches_pynini():
    pynini = require_pynini()
    ours, theirs = SymbolTable("t"), pynini.SymbolTable("t")
    for sym, key in [("a", None), ("b", 5), ("a", None), ("c", None), ("d", 2)]:
        args = (sym,) if key is None else (sym, key)
        assert ours.add_symbol(*args) == theirs.add_symbol(*args)
        assert ours.available_key() == theirs.available_key()


def test_find_member_key_symbol():
    t = SymbolTable("letters", ["<eps>", "a", "b"])
    assert t.find("a") == 1 and t.find(2) == "b"
    assert t.find("zz") == -1 and t.find(99) == ""
    assert t.key("b") == 2 and t.symbol(1) == "a"
    assert "a" in t and 2 in t and "zz" not in t and 7 not in t
    with pytest.raises(FstSymbolError, match="'zz'.*'letters'"):
        t.key("zz")
    with pytest.raises(FstSymbolError, match="99.*'letters'"):
        t.symbol(99)
    with pytest.raises(KeyError):  # FstSymbolError is also a KeyError
        t.key("zz")


def test_iteration_is_insertion_order():
    t = SymbolTable("t")
    for sym, key in [("z", 5), ("y", 1), ("x", 3)]:
        t.add_symbol(sym, key)
    assert list(t) == [(5, "z"), (1, "y"), (3, "x")]
    assert t.items() == list(t)


def test_remove_symbol():
    t = SymbolTable("t", ["<eps>", "a", "b"])
    t.remove_symbol(1)
    assert "a" not in t and 1 not in t and len(t) == 2
    t.remove_symbol(42)  # absent: no effect
    assert len(t) == 2


def test_bad_additions_raise():
    t = SymbolTable("t", ["<eps>", "a"])
    with pytest.raises(FstArgError, match="already holds"):
        t.add_symbol("b", 1)
    with pytest.raises(FstArgError, match="non-negative"):
        t.add_symbol("b", -1)
    with pytest.raises(FstArgError, match="strings"):
        t.add_symbol(3)


def test_copy_is_independent_and_equal():
    t = SymbolTable("t", ["<eps>", "a"])
    c = t.copy()
    assert c == t and c.name == t.name and c.available_key() == t.available_key()
    c.add_symbol("b")
    assert "b" not in t and c != t


def test_add_table():
    a = SymbolTable("a", ["<eps>", "x"])
    b = SymbolTable("b", ["<eps>", "y", "x"])
    a.add_table(b)
    assert a.find("y") == 2 and a.find("x") == 1 and len(a) == 3


# -- text format ----------------------------------------------------------------
@given(mapping=tables_st)
def test_text_round_trip(mapping, tmp_path_factory):
    path = tmp_path_factory.mktemp("syms") / "table.txt"
    table = _table(mapping, "mine")
    table.write_text(path)
    back = SymbolTable.read_text(path)
    assert back == table and list(back) == list(table)
    assert back.name == "table.txt"
    assert SymbolTable.read_text(path, name="given").name == "given"
    assert SymbolTable.from_text(table.to_text()) == table


@given(mapping=tables_st)
def test_pynini_writes_kleene_reads(mapping, tmp_path_factory):
    pynini = require_pynini()
    path = str(tmp_path_factory.mktemp("syms") / "p.txt")
    theirs = pynini.SymbolTable("p")
    for sym, key in mapping.items():
        theirs.add_symbol(sym, key)
    theirs.write_text(path)
    ours = SymbolTable.read_text(path)
    assert list(ours) == list(theirs)
    assert ours.available_key() == theirs.available_key()


@given(mapping=tables_st)
def test_kleene_writes_pynini_reads(mapping, tmp_path_factory):
    pynini = require_pynini()
    path = str(tmp_path_factory.mktemp("syms") / "k.txt")
    _table(mapping).write_text(path)
    theirs = pynini.SymbolTable.read_text(path)
    assert list(theirs) == list(_table(mapping))


def test_reads_spaces_tabs_and_blank_lines(tmp_path):
    path = tmp_path / "loose.txt"
    path.write_text("a 1\nb\t2\n\n   c    5  \n", encoding="utf-8")
    pynini = require_pynini()
    assert list(SymbolTable.read_text(path)) == list(pynini.SymbolTable.read_text(str(path)))


@pytest.mark.parametrize("content, line, pynini_fails", [
    ("a\t1\nb c\t3\n", 2, True),          # three columns
    ("a\t1\n\nb\tx\n", 3, True),          # key not an integer
    ("a 1 extra\n", 1, True),
    ("solo\n", 1, True),                  # one column
    ("a\t1\nb\t-2\n", 2, False),          # negative key (pynini keeps it)
    ("a\t1\na\t2\n", 2, False),           # duplicate symbol (pynini drops it)
    ("a\t1\nb\t1\n", 2, False),           # duplicate key (pynini corrupts)
])
def test_malformed_files_name_the_line(tmp_path, content, line, pynini_fails):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FstIOError, match=f"line {line}") as info:
        SymbolTable.read_text(path)
    assert info.value.line == line and info.value.path == str(path)
    assert isinstance(info.value, OSError)
    pynini = require_pynini()
    if pynini_fails:
        with pytest.raises(pynini.FstIOError):
            pynini.SymbolTable.read_text(str(path))


def test_unreadable_files(tmp_path):
    with pytest.raises(FstIOError, match="cannot read"):
        SymbolTable.read_text(tmp_path / "missing.txt")
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("caf\xe9\t1\n".encode("latin-1"))
    with pytest.raises(FstIOError, match="UTF-8"):
        SymbolTable.read_text(binary)
    with pytest.raises(FstIOError, match="cannot write"):
        SymbolTable("t", ["a"]).write_text(tmp_path / "no" / "such" / "dir.txt")
