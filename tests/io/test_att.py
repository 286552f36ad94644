"""AT&T (HFST/foma) text format: symbols, epsilon spellings, escapes, errors."""

from __future__ import annotations

import pytest
from hypothesis import given

from kleene import FstIOError, SymbolTable
from kleene.io.att import read_att, write_att

from ..helpers import fsts


@given(fst=fsts(semiring="tropical"))
def test_numeric_round_trip(fst):
    text = write_att(fst)
    back = read_att(text, numeric=True)
    assert write_att(back) == text
    if fst.start < 0 or text == "":
        # nothing to write: no start, or an isolated non-final start state
        assert back.num_states == 0
        return
    # isolated non-final states are not written; every other state comes back
    n = back.num_states
    assert back.start == fst.start
    assert (back.indptr == fst.indptr[:n + 1]).all() and back.num_arcs == fst.num_arcs
    assert (back.ilabel == fst.ilabel).all() and (back.olabel == fst.olabel).all()
    assert (back.weight == fst.weight).all() and (back.final == fst.final[:n]).all()
    assert "Infinity" not in text


def test_symbols_are_collected_in_order_with_epsilon_at_zero():
    fst = read_att("0\t1\ta\tb\t0.5\n1\t2\t@0@\tc\n1\t2\t<eps>\t@_EPSILON_SYMBOL_@\n2\t1.5\n")
    table = fst.isymbols
    assert fst.osymbols is table
    assert table.items() == [(0, "<eps>"), (1, "a"), (2, "b"), (3, "c")]
    assert [a[:2] for a in fst.arcs(1)] == [(0, 3), (0, 0)]
    assert fst.final_weight(2) == 1.5 and fst.start == 0


def test_escapes_round_trip():
    fst = read_att("0 1 @_SPACE_@ x@_TAB_@y\n1\n")
    assert fst.isymbols.find(1) == " " and fst.isymbols.find(2) == "x\ty"
    out = write_att(fst)
    assert out == "0\t1\t@_SPACE_@\tx@_TAB_@y\n1\n"
    assert read_att(out).equal(fst)


def test_given_tables_and_unknown_symbol():
    table = SymbolTable("t", ["<eps>", "a", "b"])
    fst = read_att("0 1 a b\n1 2 @0@ a\n2\n", isymbols=table)
    assert fst.isymbols is table and fst.osymbols is table
    assert [a[:2] for a in fst.arcs(1)] == [(0, 1)]
    with pytest.raises(FstIOError) as err:
        read_att("0 1 a b\n1 2 q a\n", isymbols=table, source="m.att")
    assert err.value.line == 2 and "'q'" in str(err.value) and "m.att" in str(err.value)


def test_write_uses_epsilon_option_and_tables():
    fst = read_att("0 1 a @0@ 0.25\n1\n")
    assert write_att(fst, epsilon="<eps>") == "0\t1\ta\t<eps>\t0.25\n1\n"


@pytest.mark.parametrize("text, line", [("0 1 a\n", 1), ("0 1 a b\nx\n", 2),
                                        ("0 1 a b nan\n", 1), ("0 1 a b\n--\n0 1 a b\n", 2)])
def test_errors_name_the_line(text, line):
    with pytest.raises(FstIOError) as err:
        read_att(text)
    assert err.value.line == line


def test_path_and_missing_file(tmp_path):
    path = tmp_path / "m.att"
    fst = read_att("0 1 a b 0.5\n1\n")
    write_att(fst, path)
    assert read_att(path).equal(fst)
    assert read_att(str(path)).equal(fst)
    with pytest.raises(FstIOError, match="nope.att"):
        read_att(tmp_path / "nope.att")


def test_reads_like_hfst_sample():
    # HFST writes transducers this way (tropical weights, @0@ epsilons)
    text = "0\t1\tc\tc\t0.000000\n1\t2\ta\t@0@\t0.000000\n2\t3\tt\tt\t1.500000\n3\t0.000000\n"
    fst = read_att(text)
    assert fst.num_states == 4 and fst.num_arcs == 3 and fst.final_weight(3) == 0.0
    assert fst.arcs(1)[0].olabel == 0 and fst.arcs(2)[0].weight == 1.5
