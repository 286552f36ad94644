"""OpenFst binary format: differential tests against pynini in both directions,
byte comparisons, symbol tables, and malformed input."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, FstBuilder
from kleene.core.symbols import SymbolTable
from kleene.errors import FstArgError, FstIOError
from kleene.io import pynini_bridge
from kleene.io.binary import (FST_MAGIC, is_openfst_binary, openfst_property_bits,
                              read_binary, read_binary_file, write_binary,
                              write_binary_file)
from kleene.io.symbols_binary import (read_symbol_table_binary,
                                      read_symbol_table_binary_file,
                                      write_symbol_table_binary,
                                      write_symbol_table_binary_file)

from ..helpers import PYNINI_SEMIRINGS, fsts, require_pynini

FORMATS = ["vector", "const"]


def _symbols(draw, name):
    table = SymbolTable(name)
    table.add_symbol("<eps>", 0)
    keys = draw(st.lists(st.integers(1, 40), unique=True, max_size=6))
    for k in keys:
        table.add_symbol(draw(st.sampled_from(["a", "b", "ü", "x y", "tok"])) + str(k), k)
    return table


@st.composite
def machines(draw, semirings=PYNINI_SEMIRINGS, with_start=False):
    sr = draw(st.sampled_from(semirings))
    fst = draw(fsts(sr, min_states=0, no_start_ok=not with_start))
    if with_start and fst.num_states and fst.start < 0:
        fst = fst.replace(start=0)
    if draw(st.booleans()):
        fst = fst.replace(isymbols=_symbols(draw, "in"))
    if draw(st.booleans()):
        fst = fst.replace(osymbols=_symbols(draw, "out"))
    return fst


def _reference_pynini(fst: Fst):
    """pynini's machine built arc by arc (independent of the binary code)."""
    sr = fst.semiring
    arc_type = {"tropical": "standard", "log": "log", "log64": "log64"}[str(sr)]
    return pynini_bridge._to_pynini_arc_by_arc(fst, arc_type)


def _reference_kleene(pfst) -> Fst:
    name = pynini_bridge._ARC_TYPE_TO_SEMIRING[pfst.arc_type()]
    return pynini_bridge._from_pynini_arc_by_arc(pfst, name)


def _pynini_bytes(pfst, fst_type: str) -> bytes:
    import pywrapfst
    if fst_type == "const":
        pfst = pywrapfst.convert(pfst, "const")
    return pfst.write_to_string()


def _properties_offset(data: bytes) -> int:
    pos = 4
    for _ in range(2):  # fst type, arc type
        pos += 4 + struct.unpack_from("<i", data, pos)[0]
    return pos + 8  # version, flags


def _mask_const64_padding(data: bytes, fst: Fst) -> bytes:
    """Zeroes the 4 padding bytes of each 24-byte float64 const arc (OpenFst
    leaves them uninitialised)."""
    if fst.semiring.bits != 64:
        return data
    out = bytearray(data)
    base = len(out) - 24 * fst.num_arcs
    for a in range(fst.num_arcs):
        out[base + 24 * a + 20: base + 24 * a + 24] = b"\0\0\0\0"
    return bytes(out)


# -- differential: pynini writes, kleene reads ----------------------------------

@given(machines(), st.sampled_from(FORMATS))
def test_pynini_written_read_by_kleene(fst, fst_type):
    require_pynini()
    if fst_type == "const" and fst.start < 0 and fst.num_states:
        # OpenFst 1.8 (pynini 2.1.7) segfaults computing the properties of a
        # start-less machine with cycles, which fstconvert does.
        fst = fst.replace(start=0)
    pfst = _reference_pynini(fst)
    got = read_binary(_pynini_bytes(pfst, fst_type))
    expected = _reference_kleene(pfst)
    assert got.equal(expected, delta=0.0)
    assert got.semiring == fst.semiring
    assert got.isymbols == fst.isymbols and got.osymbols == fst.osymbols
    assert (got.isymbols and got.isymbols.name) == (fst.isymbols and fst.isymbols.name)


# -- differential: kleene writes, pynini reads ----------------------------------

@given(machines(), st.sampled_from(FORMATS), st.booleans())
def test_kleene_written_read_by_pynini(fst, fst_type, align):
    pynini = require_pynini()
    import pywrapfst
    data = write_binary(fst, fst_type=fst_type, align=align and fst_type == "const")
    theirs = pywrapfst.Fst.read_from_string(data)
    assert theirs.fst_type() == fst_type
    reference = _reference_pynini(fst)
    assert str(theirs) == str(reference)
    assert pynini.isomorphic(pynini.Fst.read_from_string(data), reference)
    assert pynini.equal(pynini.Fst.read_from_string(data), reference)
    for mine, ref in ((theirs.input_symbols(), reference.input_symbols()),
                      (theirs.output_symbols(), reference.output_symbols())):
        assert (mine is None) == (ref is None)
        if mine is not None:
            assert list(mine) == sorted(ref) and mine.name() == ref.name()
    # and kleene reads its own output back unchanged
    assert read_binary(data).equal(fst, delta=0.0)


@given(machines(with_start=True), st.sampled_from(FORMATS))
def test_bytes_match_pynini_except_property_bits(fst, fst_type):
    require_pynini()
    import pywrapfst
    pfst = _reference_pynini(fst)
    if fst_type == "const":
        pfst = pywrapfst.convert(pfst, "const")
    # pynini writes the bits its machine has cached; make that all of them.
    full = pfst.properties(pywrapfst.FST_PROPERTIES, True).value
    theirs = _mask_const64_padding(pfst.write_to_string(), fst) if fst_type == "const" \
        else pfst.write_to_string()
    mine = write_binary(fst, fst_type=fst_type)
    if fst_type == "const":
        mine = _mask_const64_padding(mine, fst)
    off = _properties_offset(mine)
    assert len(mine) == len(theirs)
    assert mine[:off] == theirs[:off]
    assert mine[off + 8:] == theirs[off + 8:]
    (bits,) = struct.unpack_from("<Q", mine, off)
    assert bits & ~full == 0, f"kleene claims bits OpenFst denies: {bits & ~full:#x}"
    assert bits == openfst_property_bits(fst, fst_type)


def test_pynini_bridge_uses_binary_and_matches_arc_by_arc():
    pynini = require_pynini()
    p = pynini.cdrewrite(pynini.cross("a", "bb"), "", "c", pynini.closure(
        pynini.union("a", "b", "c"))).optimize()
    k = kleene.from_pynini(p)
    assert k.equal(_reference_kleene(p), delta=0.0)
    back = k.to_pynini()
    assert str(back) == str(p) and pynini.isomorphic(back, p)


# -- symbol tables ---------------------------------------------------------------

@given(st.data())
def test_symbol_table_bytes_match_pynini(data):
    pynini = require_pynini()
    table = _symbols(data.draw, data.draw(st.sampled_from(["", "words", "ünï"])))
    theirs = pynini.SymbolTable(table.name)
    for key, sym in table:
        theirs.add_symbol(sym, key)
    ours = write_symbol_table_binary(table)
    assert ours == theirs.write_to_string()
    back, end = read_symbol_table_binary(b"xx" + ours, 2)
    assert end == len(ours) + 2 and back == table and back.name == table.name


def test_symbol_table_files(tmp_path):
    pynini = require_pynini()
    table = SymbolTable("t", ["<eps>", "a", "b"])
    path = tmp_path / "t.syms"
    write_symbol_table_binary_file(table, path)
    assert list(pynini.SymbolTable.read(str(path))) == list(table)
    assert read_symbol_table_binary_file(path) == table
    path.write_bytes(path.read_bytes() + b"!")
    with pytest.raises(FstIOError, match="unexpected bytes"):
        read_symbol_table_binary_file(path)


def test_symbol_table_duplicates_rejected():
    good = write_symbol_table_binary(SymbolTable("t", ["a", "b"]))
    bad = good.replace(b"\x01\x00\x00\x00b", b"\x01\x00\x00\x00a")
    with pytest.raises(FstIOError, match="duplicate"):
        read_symbol_table_binary(bad, 0)


# -- format details --------------------------------------------------------------

def _small(semiring="tropical") -> Fst:
    b = FstBuilder(semiring)
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 1, 2, 0.5, 1)
    b.add_arc(0, 0, 0, 1.5, 2)
    b.add_arc(1, 3, 3, 0.0, 2)
    b.set_final(2, 2.5)
    return b.freeze()


def test_magic_and_header():
    data = write_binary(_small())
    assert is_openfst_binary(data) and not is_openfst_binary(b"#!fst")
    assert struct.unpack_from("<i", data)[0] == FST_MAGIC
    assert data[8:14] == b"vector" and data[18:26] == b"standard"


def test_vector_with_unknown_state_count_reads_to_the_end():
    pynini = require_pynini()
    fst = _small()
    data = bytearray(write_binary(fst))
    off = _properties_offset(data) + 16  # after properties and start
    data[off:off + 8] = struct.pack("<q", -1)
    assert read_binary(bytes(data)).equal(fst, delta=0.0)
    assert str(pynini.Fst.read_from_string(bytes(data))) == str(fst.to_pynini())


@pytest.mark.parametrize("semiring", ["real", "real64", "boolean", "tropical64"])
def test_kleene_only_semirings_round_trip(semiring):
    fst = _small(semiring)
    for fst_type in FORMATS:
        back = read_binary(write_binary(fst, fst_type=fst_type))
        assert back.semiring == fst.semiring and back.equal(fst, delta=0.0)


def test_memoryview_and_files(tmp_path):
    fst = _small("log64")
    data = write_binary(fst, fst_type="const")
    assert read_binary(memoryview(data)).equal(fst, delta=0.0)
    path = tmp_path / "m.fst"
    write_binary_file(fst, path, fst_type="vector")
    assert read_binary_file(path).equal(fst, delta=0.0)
    with pytest.raises(FstIOError, match="missing.fst"):
        read_binary_file(tmp_path / "missing.fst")
    with pytest.raises(FstIOError, match="nodir"):
        write_binary_file(fst, tmp_path / "nodir" / "x.fst")
    with pytest.raises(FstArgError):
        write_binary(fst, fst_type="compact")


def test_const_with_shared_arc_blocks_is_gathered():
    # OpenFst only requires pos + narcs <= num_arcs; two states may share arcs.
    fst = _small()
    data = bytearray(write_binary(fst, fst_type="const"))
    states_at = len(data) - 3 * 16 - 3 * 20
    struct.pack_into("<II", data, states_at + 20 + 4, 0, 2)  # state 1 reuses arcs 0, 1
    got = read_binary(bytes(data))
    assert got.num_arcs == 4 and got.arcs(1) == fst.arcs(0)
    assert got.arcs(0) == fst.arcs(0)


# -- malformed input ------------------------------------------------------------

def _raises(data: bytes, match: str):
    with pytest.raises(FstIOError, match=match) as info:
        read_binary(data, source="bad.fst")
    assert "bad.fst" in str(info.value) and info.value.offset is not None
    return info.value


@pytest.mark.parametrize("fst_type", FORMATS)
def test_every_truncation_is_an_error(fst_type):
    fst = _small("log64").replace(isymbols=SymbolTable("s", ["<eps>", "a", "b", "c"]))
    data = write_binary(fst, fst_type=fst_type)
    for cut in range(len(data)):
        with pytest.raises(FstIOError, match="bad.fst"):
            read_binary(data[:cut], source="bad.fst")


def test_bad_headers():
    data = write_binary(_small())
    _raises(b"\0\0\0\0" + data[4:], "magic")
    err = _raises(data.replace(b"\x06\x00\x00\x00vector", b"\x06\x00\x00\x00vectoR"),
                  "unknown FST type 'vectoR'")
    assert err.offset == 4
    _raises(data.replace(b"standard", b"standarX"), "unknown arc type 'standarX'")
    off = _properties_offset(data)
    huge = bytearray(data)
    struct.pack_into("<q", huge, off + 16, 1 << 40)
    _raises(bytes(huge), "states")
    bad_start = bytearray(data)
    struct.pack_into("<q", bad_start, off + 8, 7)
    _raises(bytes(bad_start), "start state 7")
    long_string = bytearray(data)
    struct.pack_into("<i", long_string, 4, 1 << 30)
    _raises(bytes(long_string), "claims")
    const = bytearray(write_binary(_small(), fst_type="const"))
    struct.pack_into("<q", const, _properties_offset(const) + 24, 1 << 31)
    _raises(bytes(const), "arcs")


def test_bad_bodies():
    fst = _small()
    data = write_binary(fst)
    body = len(data) - (3 * 12 + 3 * 16)
    first_arc = body + 12
    for field_at, value, match in ((0, -3, "negative input label"),
                                   (4, -1, "negative output label"),
                                   (12, 9, "destination state out of range")):
        bad = bytearray(data)
        struct.pack_into("<i", bad, first_arc + field_at, value)
        err = _raises(bytes(bad), match)
        assert err.offset == first_arc + field_at
    nan = bytearray(data)
    struct.pack_into("<f", nan, first_arc + 8, float("nan"))
    _raises(bytes(nan), "NaN weight")
    neg = bytearray(data)
    struct.pack_into("<q", neg, body + 4, -2)
    _raises(bytes(neg), "negative arc count")
    many = bytearray(data)
    struct.pack_into("<q", many, body + 4, 1 << 50)
    _raises(bytes(many), "past the end")
    const = bytearray(write_binary(fst, fst_type="const"))
    states_at = len(const) - 3 * 16 - 3 * 20
    struct.pack_into("<I", const, states_at + 8, 99)
    _raises(bytes(const), "exceed")


def test_pynini_rejects_nothing_kleene_wrote_with_symbols_only_on_output():
    require_pynini()
    import pywrapfst
    fst = _small().replace(osymbols=SymbolTable("o", ["<eps>", "x", "y", "z"]))
    theirs = pywrapfst.Fst.read_from_string(write_binary(fst))
    assert theirs.input_symbols() is None
    assert list(theirs.output_symbols()) == list(fst.osymbols)


def test_write_rejects_non_fst():
    with pytest.raises(FstArgError):
        write_binary("not an fst")
    with pytest.raises(FstArgError):
        write_binary(_small(), fst_type="vector", align=True)
    assert np.all(read_binary(write_binary(Fst.empty())).final == np.zeros(0))
