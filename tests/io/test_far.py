"""FAR archives: interop with pynini both ways (sttable and stlist), the
native format, FarReader/FarWriter semantics, and fuzzing of malformed files."""

from __future__ import annotations

import json
import os
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kleene
from kleene import Fst
from kleene.core.symbols import SymbolTable
from kleene.errors import FstArgError, FstIndexError, FstIOError, FstSymbolError
from kleene.io.far import FarReader, FarWriter, far_type_of, read_far, write_far

from ..helpers import assert_same_fst, fsts, require_pynini
from .far_expected import expected_archive_bytes

ARC_TYPES = {"tropical": "standard", "log": "log", "log64": "log64"}
_TMP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

keys_strategy = st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=0x4FF),
                                 min_size=1, max_size=6),
                         min_size=0, max_size=6, unique=True)


@st.composite
def archives(draw, semirings=("tropical", "log", "log64")):
    """(semiring name, {key: machine}) with random machines and keys."""
    sr = draw(st.sampled_from(semirings))
    keys = draw(keys_strategy)
    machines = {}
    for key in keys:
        fst = draw(fsts(sr, min_states=0, max_states=5, max_arcs=8))
        if draw(st.integers(0, 3)) == 0:
            fst = fst.replace(isymbols=SymbolTable("in", ["<eps>", "a", "b", "c", "d"]),
                              osymbols=SymbolTable("out", ["<eps>", "x", "y", "z", "w"]))
        machines[key] = fst
    return sr, machines


def _same_symbols(a: Fst, b: Fst) -> None:
    for ta, tb in ((a.isymbols, b.isymbols), (a.osymbols, b.osymbols)):
        assert (ta is None) == (tb is None)
        if ta is not None:
            assert ta.items() == tb.items() and ta.name == tb.name


# -- interop with pynini ----------------------------------------------------------

@_TMP
@given(archives(), st.sampled_from(["sttable", "stlist"]))
def test_pynini_writes_kleene_reads(tmp_path, archive, far_type):
    pynini = require_pynini()
    sr, machines = archive
    path = str(tmp_path / f"p.{far_type}.far")
    with pynini.Far(path, mode="w", arc_type=ARC_TYPES[sr], far_type=far_type) as far:
        for key in sorted(machines):
            far[key] = machines[key].to_pynini()
    got = read_far(path)
    assert list(got) == sorted(machines)
    for key, fst in got.items():
        assert_same_fst(fst, machines[key].to_pynini(), delta=0.0)
        _same_symbols(fst, machines[key])
    with FarReader(path) as reader:
        assert reader.far_type == far_type
        assert reader.arc_type == (ARC_TYPES[sr] if machines else None)


@_TMP
@given(archives(), st.sampled_from(["sttable", "stlist"]))
def test_kleene_writes_pynini_reads(tmp_path, archive, far_type):
    pynini = require_pynini()
    sr, machines = archive
    path = str(tmp_path / f"k.{far_type}.far")
    write_far(path, machines, far_type=far_type)
    seen = []
    for key, pfst in pynini.Far(path):
        assert_same_fst(machines[key], pfst, delta=0.0)
        back = kleene.from_pynini(pfst)
        _same_symbols(back, machines[key])
        seen.append(key)
    assert seen == sorted(machines)
    if machines:
        far = pynini.Far(path)
        assert far.far_type() == far_type and far.arc_type() == ARC_TYPES[sr]


def _zero_property_fields(data: bytes, positions) -> bytes:
    """Zeroes the 8-byte property field of each entry's FST header (the only
    field where kleene and pynini may differ)."""
    buf = bytearray(data)
    for fst_at in positions:
        pos = fst_at + 4
        for _ in range(2):  # FST type and arc type strings
            pos += 4 + struct.unpack_from("<i", buf, pos)[0]
        buf[pos + 8:pos + 16] = bytes(8)  # after version and flags
    return bytes(buf)


def test_bytes_match_pynini_except_property_bits(tmp_path):
    pynini = require_pynini()
    from kleene.io.far_sttable import read_sttable_index
    words = ["apple", "banana", "cherry", "dätte", "élan"]
    pmachines = {w: pynini.cross(w, w.upper()) for w in words}
    ppath, kpath = str(tmp_path / "p.far"), str(tmp_path / "k.far")
    with pynini.Far(ppath, mode="w") as far:
        for w in words:
            far[w] = pmachines[w]
    write_far(kpath, {w: kleene.from_pynini(p) for w, p in pmachines.items()})
    pdata, kdata = open(ppath, "rb").read(), open(kpath, "rb").read()
    assert len(pdata) == len(kdata)
    index = read_sttable_index(pdata, ppath)
    assert index == read_sttable_index(kdata, kpath)
    starts = [start for _, start, _ in index]
    assert _zero_property_fields(pdata, starts) == _zero_property_fields(kdata, starts)


def test_empty_archives_both_ways(tmp_path):
    pynini = require_pynini()
    for far_type in ("sttable", "stlist"):
        ppath = str(tmp_path / f"p{far_type}.far")
        with pynini.Far(ppath, mode="w", far_type=far_type):
            pass
        assert read_far(ppath) == {}
        kpath = str(tmp_path / f"k{far_type}.far")
        write_far(kpath, {}, far_type=far_type)
        assert open(kpath, "rb").read() == open(ppath, "rb").read()
        assert list(pynini.Far(kpath)) == []


def test_many_entries_both_ways(tmp_path):
    pynini = require_pynini()
    words = [f"w{i:04d}" for i in range(600)]
    ppath, kpath = str(tmp_path / "p.far"), str(tmp_path / "k.far")
    with pynini.Far(ppath, mode="w", arc_type="log") as far:
        for i, w in enumerate(words):
            far[w] = pynini.arcmap(pynini.accep(w, weight=i * 0.5), map_type="to_log")
    got = read_far(ppath)
    assert list(got) == words
    with FarReader(ppath) as reader:
        for w in ("w0000", "w0321", "w0599"):
            assert_same_fst(reader[w], pynini.Far(ppath)[w], delta=0.0)
    write_far(kpath, reversed(list(got.items())))  # unsorted input: sorted on write
    far = pynini.Far(kpath)
    assert [k for k, _ in far] == words
    assert far.find("w0450")
    assert_same_fst(got["w0450"], far.get_fst(), delta=0.0)


# -- FarReader semantics, checked against pynini.Far ------------------------------

@_TMP
@given(st.lists(st.sampled_from("abcdefg"), min_size=0, max_size=5, unique=True),
       st.lists(st.text("abcdefgh", min_size=1, max_size=2), min_size=1, max_size=6))
def test_cursor_matches_pynini(tmp_path, keys, probes):
    pynini = require_pynini()
    path = str(tmp_path / "c.far")
    with pynini.Far(path, mode="w") as far:
        for key in sorted(keys):
            far[key] = pynini.accep(key)
    theirs = pynini.Far(path)
    with FarReader(path) as ours:
        assert ours.keys() == sorted(keys) and len(ours) == len(keys)
        for probe in probes:
            assert ours.find(probe) == theirs.find(probe)
            assert ours.done() == theirs.done()
            if not ours.done():
                assert ours.get_key() == theirs.get_key()
                assert_same_fst(ours.get_fst(), theirs.get_fst(), delta=0.0)
                ours.next()
                theirs.next()
                assert ours.done() == theirs.done()
                if not ours.done():
                    assert ours.get_key() == theirs.get_key()
            assert (probe in ours) == (probe in keys)


def test_reader_errors_and_lifetime(tmp_path):
    path = str(tmp_path / "a.far")
    write_far(path, {"x": _chain(2)})
    reader = FarReader(path)
    with pytest.raises(FstSymbolError, match="no entry 'y'"):
        reader["y"]
    with pytest.raises(KeyError):
        reader["y"]
    assert reader.get("y") is None
    assert not reader.find("y") and reader.get_key() == "x"  # stays on the last entry
    reader.next()
    assert reader.done()
    with pytest.raises(FstIndexError, match="past its last entry"):
        reader.get_key()
    reader.reset()
    assert reader.get_key() == "x"
    reader.close()
    assert reader.closed
    with pytest.raises(FstArgError, match="closed"):
        reader.keys()
    with pytest.raises(FstIOError, match="cannot read FAR"):
        FarReader(str(tmp_path / "missing.far"))
    other = tmp_path / "plain.fst"
    _chain(2).write(str(other))
    with pytest.raises(FstIOError, match="not a FAR archive"):
        FarReader(str(other))


def _chain(n: int, semiring="tropical") -> Fst:
    from kleene.core.builder import FstBuilder
    from kleene.semirings import get_semiring
    b = FstBuilder(get_semiring(semiring))
    b.add_states(n + 1)
    b.set_start(0)
    for i in range(n):
        b.add_arc(i, i + 1, i + 1, 0.5, i + 1)
    b.set_final(n, 0.25)
    return b.freeze()


def test_kleene_read_points_to_read_far(tmp_path):
    for far_type in ("sttable", "stlist", "native"):
        path = str(tmp_path / f"{far_type}.far")
        write_far(path, {"a": _chain(1)}, far_type=far_type)
        with pytest.raises(FstIOError, match="read_far"):
            kleene.read(path)


# -- FarWriter semantics ------------------------------------------------------------

@pytest.mark.parametrize("far_type", ["sttable", "stlist", "native"])
def test_writer_rules(tmp_path, far_type):
    path = str(tmp_path / "w.far")
    with FarWriter(path, far_type=far_type) as writer:
        writer.add("b", _chain(1))
        with pytest.raises(FstArgError, match="increasing order"):
            writer.add("a", _chain(1))
        with pytest.raises(FstArgError, match="non-empty"):
            writer.add("", _chain(1))
        with pytest.raises(FstArgError, match="semiring|holds"):
            writer.add("c", _chain(1, "log"))
        writer["b"] = _chain(2)  # equal keys are allowed, as in OpenFst
        writer["c"] = _chain(3)
        assert not os.path.exists(path)  # moved into place on close
    with FarReader(path) as reader:
        assert [(k, f.num_arcs) for k, f in reader] == [("b", 1), ("b", 2), ("c", 3)]
        assert reader["b"].num_arcs == 1  # the first of equal keys, as pynini's find
    with pytest.raises(FstIOError, match="repeats the key 'b'"):
        read_far(path)
    with pytest.raises(FstArgError, match="appears twice"):
        write_far(path, [("k", _chain(1)), ("k", _chain(2))], far_type=far_type)


def test_writer_leaves_nothing_on_error(tmp_path):
    path = tmp_path / "broken.far"
    with pytest.raises(RuntimeError):
        with FarWriter(str(path)) as writer:
            writer.add("a", _chain(1))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FstArgError, match="far_type"):
        FarWriter(str(path), far_type="zip")
    with pytest.raises(FstIOError, match="cannot write FAR"):
        write_far(str(tmp_path / "no" / "dir.far"), {"a": _chain(1)})


@_TMP
@given(archives(semirings=("tropical", "log64", "real", "boolean")),
       st.sampled_from(["sttable", "stlist", "native"]), st.sampled_from(["vector", "const"]))
def test_round_trip_every_format(tmp_path, archive, far_type, fst_type):
    _, machines = archive
    path = str(tmp_path / "r.far")
    write_far(path, machines, far_type=far_type, fst_type=fst_type)
    got = read_far(path)
    assert list(got) == sorted(machines)
    for key, fst in got.items():
        assert fst.equal(machines[key], delta=0.0)
        assert fst.semiring == machines[key].semiring
        _same_symbols(fst, machines[key])
    assert far_type_of(open(path, "rb").read(64)) == far_type


def test_native_is_a_plain_zip_of_npy_arrays(tmp_path):
    path = str(tmp_path / "n.far")
    table = SymbolTable("t", ["<eps>", "a", "b", "c"])
    write_far(path, {"b": _chain(2).replace(isymbols=table), "a": _chain(1),
                     "c": _chain(3).replace(isymbols=table)}, far_type="native")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[:2] == ["kleene-far", "manifest.json"]
        manifest = json.loads(zf.read("manifest.json"))
        with zf.open("ilabel.npy") as fh:
            ilabel = np.lib.format.read_array(fh, allow_pickle=False)
    assert manifest["keys"] == ["a", "b", "c"]
    assert manifest["isymbols"] == [None, 0, 0] and manifest["osymbols"] is None
    assert len(manifest["tables"]) == 1  # stored once, shared by b and c
    np.testing.assert_array_equal(ilabel, [1, 1, 2, 1, 2, 3])
    got = read_far(path)
    assert got["b"].isymbols is not got["c"].isymbols  # each machine owns a copy


# -- malformed files ------------------------------------------------------------------

@st.composite
def encoded_archives(draw):
    _, machines = draw(archives(semirings=("tropical", "log64")))
    if not machines:
        machines = {"k": draw(fsts("tropical", max_states=3, max_arcs=4))}
    far_type = draw(st.sampled_from(["sttable", "stlist", "native"]))
    return machines, far_type


def _check_malformed(path: str) -> None:
    try:
        with FarReader(path) as reader:
            _ = reader.arc_type
            for _key, fst in reader:
                assert isinstance(fst, Fst)
            for key in reader.keys()[:2]:
                assert isinstance(reader[key], Fst)
    except FstIOError as exc:
        assert path in str(exc)
        return


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoded_archives(), st.data())
def test_truncations_raise_fst_io_error(tmp_path, archive, data):
    machines, far_type = archive
    path = str(tmp_path / "t.far")
    write_far(path, machines, far_type=far_type)
    raw = open(path, "rb").read()
    cut = data.draw(st.integers(0, len(raw) - 1))
    with open(path, "wb") as fh:
        fh.write(raw[:cut])
    with pytest.raises(FstIOError, match=r"t\.far"):  # no format survives a cut
        read_far(path)
    _check_malformed(path)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoded_archives(), st.data())
def test_mutations_never_crash(tmp_path, archive, data):
    machines, far_type = archive
    path = str(tmp_path / "m.far")
    write_far(path, machines, far_type=far_type)
    buf = bytearray(open(path, "rb").read())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(buf) - 1))
        kind = data.draw(st.sampled_from(["byte", "qword", "delete"]))
        if kind == "byte":
            buf[at] = data.draw(st.integers(0, 255))
        elif kind == "qword":
            value = data.draw(st.sampled_from([0, 1, -1, 2**31 - 1, 2**62, -(2**40)]))
            buf[at:at + 8] = struct.pack("<q", value)[:len(buf) - at]
        else:
            del buf[at:at + data.draw(st.integers(1, 8))]
        if not buf:
            break
    with open(path, "wb") as fh:
        fh.write(bytes(buf))
    _check_malformed(path)


def test_malformed_index_names_offset(tmp_path):
    path = str(tmp_path / "i.far")
    write_far(path, {"a": _chain(1), "b": _chain(2)})
    raw = bytearray(open(path, "rb").read())
    raw[-8:] = struct.pack("<q", 10**12)  # absurd entry count
    open(path, "wb").write(bytes(raw))
    with pytest.raises(FstIOError, match=rf"i\.far, byte {len(raw) - 8}: index declares"):
        read_far(path)
    raw = bytearray(open(path, "rb").read())
    raw[-8:] = struct.pack("<q", 2)
    raw[8:12] = struct.pack("<i", 0)  # empty first key
    open(path, "wb").write(bytes(raw))
    with pytest.raises(FstIOError, match=r"byte 8: empty entry key"):
        read_far(path)


def test_arrays_are_copies_not_views_of_the_file(tmp_path):
    path = str(tmp_path / "v.far")
    write_far(path, {"a": _chain(3)}, fst_type="const")
    reader = FarReader(path)
    fst = reader["a"]
    reader.close()  # must not fail although the machine outlives the mapping
    assert np.array_equal(fst.ilabel, [1, 2, 3])


def test_native_arcs_checked_against_their_own_machine(tmp_path):
    path = str(tmp_path / "bad.far")
    write_far(path, {"a": _chain(1), "b": _chain(3)}, far_type="native")
    raw = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("nextstate.npy")
    # The member ends with 4 int32 destinations: entry a's one arc, then b's
    # three. Point a's arc at state 3, which exists only in b.
    body_end = info.header_offset + 30 + len("nextstate.npy") + info.file_size
    first_arc = body_end - 4 * 4  # 4 int32 destinations: a's 1 then b's 3
    raw[first_arc:first_arc + 4] = struct.pack("<i", 3)
    open(path, "wb").write(bytes(raw))
    with pytest.raises(FstIOError, match="bad.far.*outside its machine"):
        read_far(path)


# -- the batch reader and writer (far_batch) agree with the per-machine code ------------

def _slow_read(data: bytes, entries, source: str):
    """Each entry through the checking per-machine reader: machines or the error."""
    from kleene.io.far_sttable import read_entry_fst
    try:
        return [read_entry_fst(data, a, b, key, source) for key, a, b in entries]
    except FstIOError as exc:
        return str(exc)


def _fast_read(data: bytes, entries, source: str):
    from kleene.io.far_sttable import read_entries
    try:
        return read_entries(data, entries, source)
    except FstIOError as exc:
        return str(exc)


def _assert_same_outcome(fast, slow) -> None:
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        assert a.equal(b, delta=0.0) and a.semiring is b.semiring
        np.testing.assert_array_equal(a.indptr, b.indptr)
        _same_symbols(a, b)


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archives(), st.data())
def test_batch_reader_matches_checking_reader_on_mutated_archives(tmp_path, archive, data):
    """Whatever the bytes, the batch reader returns the same machines as the
    per-machine reader, or raises the same error (message and offset)."""
    from kleene.io.far_sttable import read_sttable_index
    _, machines = archive
    if not machines:
        return
    path = str(tmp_path / "m.far")
    write_far(path, machines)
    raw = bytearray(open(path, "rb").read())
    entries = read_sttable_index(bytes(raw), path)
    lo, hi = entries[0][1], entries[-1][2]  # mutate the machines, not the index
    for _ in range(data.draw(st.integers(0, 3))):
        if data.draw(st.booleans()):
            at = data.draw(st.integers(lo, hi - 1))
            raw[at] = data.draw(st.integers(0, 255))
        else:  # a whole int32 field: a label, state, count or weight
            at = data.draw(st.integers(lo, hi - 4))
            value = data.draw(st.sampled_from([-1, -7, 0, 1, 5, 2**31 - 1, -2**31,
                                               0x7FC00000, 0x7F800000, 0xFF800000 - 2**32]))
            struct.pack_into("<i", raw, at, value)
    mutated = bytes(raw)
    _assert_same_outcome(_fast_read(mutated, entries, path), _slow_read(mutated, entries, path))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archives(), st.sampled_from(["sttable", "stlist"]), st.integers(1, 4))
def test_small_batches_write_the_bytes_of_one_machine_at_a_time(tmp_path, monkeypatch,
                                                                 archive, far_type, batch):
    """Batched encoding (every batch size) writes exactly the bytes of
    encode_entry (= write_binary per machine), and reads back in batches."""
    import kleene.io.far as far_module
    _, machines = archive
    monkeypatch.setattr(far_module, "_WRITE_BATCH", batch)
    monkeypatch.setattr(far_module, "_READ_BATCH", batch)
    path = str(tmp_path / f"b.{far_type}")
    write_far(path, machines, far_type=far_type)
    assert open(path, "rb").read() == expected_archive_bytes(machines, far_type)
    got = read_far(path)
    assert list(got) == sorted(machines)
    for key, fst in got.items():
        assert fst.equal(machines[key], delta=0.0)
        _same_symbols(fst, machines[key])


def test_symbol_tables_are_captured_when_added(tmp_path):
    table = SymbolTable("t", ["<eps>", "a"])
    base = Fst(np.array([0, 1, 1]), np.array([1]), np.array([1]), np.array([1]),
               np.zeros(1, np.float32), np.array([np.inf, 0], np.float32), 0)
    fst = base.replace(isymbols=table, osymbols=table)
    path = str(tmp_path / "s.far")
    with FarWriter(path) as writer:
        writer["a"] = fst
        table.add_symbol("b")  # after "a" was added: not part of its entry
        writer["b"] = fst
    got = read_far(path)
    assert [s for _, s in got["a"].isymbols.items()] == ["<eps>", "a"]
    assert [s for _, s in got["b"].isymbols.items()] == ["<eps>", "a", "b"]
    assert got["a"].isymbols is not got["a"].osymbols


def test_bad_entry_inside_a_batch_names_its_key_and_offset(tmp_path):
    from kleene.io.far_sttable import read_sttable_index
    machines = {f"k{i}": Fst(np.array([0, 1, 1]), np.array([i + 1]), np.array([i + 1]),
                             np.array([1]), np.zeros(1, np.float32),
                             np.array([np.inf, 0], np.float32), 0) for i in range(6)}
    path = str(tmp_path / "bad.far")
    write_far(path, machines)
    raw = bytearray(open(path, "rb").read())
    entries = read_sttable_index(bytes(raw), path)
    key, _, end = entries[3]
    # The last arc record of entry k3: ilabel at end - 12 (float32 final) - 16.
    label_at = end - 12 - 16
    assert struct.unpack_from("<i", raw, label_at)[0] == 4
    struct.pack_into("<i", raw, label_at, -7)
    open(path, "wb").write(bytes(raw))
    with pytest.raises(FstIOError) as info:
        read_far(path)
    assert info.value.offset == label_at and "'k3'" in str(info.value)
    assert "negative input label" in str(info.value) and path in str(info.value)
    with FarReader(path) as reader:  # the other entries still load one by one
        assert reader["k2"].equal(machines["k2"])
        with pytest.raises(FstIOError, match="negative input label"):
            reader["k3"]
