"""The batch fast paths of FAR reading and writing (kleene.io.far_batch,
kleene.kernels.far) against the per-machine code they replace: property
bits of top-sorted machines, trusted machine construction, array joining,
native manifests and batched native reads."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kleene import Fst
from kleene.core.symbols import SymbolTable
from kleene.errors import FstIOError
from kleene.io.far import FarReader, read_far, write_far

from ..helpers import fsts
from .far_expected import expected_archive_bytes

_TMP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mixed_archives(draw):
    """{key: machine}: top-sorted machines (the kernel's sweep path; some
    without a start state or without states) among general ones."""
    sr = draw(st.sampled_from(["tropical", "log64"]))
    n = draw(st.integers(1, 8))
    machines = {}
    for i in range(n):
        acyclic = draw(st.booleans())
        machines[f"k{i}"] = draw(fsts(sr, min_states=0, max_states=7, max_arcs=10,
                                      acyclic=acyclic, no_start_ok=True))
    return machines


@_TMP
@given(mixed_archives(), st.sampled_from(["sttable", "stlist"]))
def test_batch_property_words_match_per_machine_encoding(tmp_path, machines, far_type):
    """The batch kernel's property words (sweeps for top-sorted machines)
    equal write_binary's, which computes each machine's properties with the
    general kernels: the archive is byte for byte the per-machine one."""
    path = str(tmp_path / "p.far")
    write_far(path, machines, far_type=far_type)
    with open(path, "rb") as fh:
        assert fh.read() == expected_archive_bytes(machines, far_type)


def test_top_sorted_reachability_cases(tmp_path):
    """Hand-picked top-sorted machines whose accessible / coaccessible bits
    differ: start not at 0, a dead end, an unreachable final state."""
    from kleene.core.builder import FstBuilder
    from kleene.io.binary import openfst_property_bits
    from kleene.io.far_sttable import encode_entry

    def machine(n, arcs, finals, start):
        b = FstBuilder()
        b.add_states(n)
        if start is not None:
            b.set_start(start)
        for s, t in arcs:
            b.add_arc(s, 1, 1, 0.0, t)
        for s in finals:
            b.set_final(s, 0.0)
        return b.freeze()

    cases = {
        "a": machine(3, [(0, 1), (1, 2)], [2], 0),          # a string
        "b": machine(3, [(0, 2), (1, 2)], [2], 1),          # state 0 unreachable
        "c": machine(3, [(0, 1), (0, 2)], [1], 0),          # state 2 a dead end
        "d": machine(2, [(0, 1)], [1], None),               # no start state
        "e": machine(0, [], [], None),                      # no states
    }
    path = str(tmp_path / "r.far")
    write_far(path, cases)
    with open(path, "rb") as fh:
        data = fh.read()
    for key, fst in cases.items():
        assert encode_entry(key, fst) in data  # its bytes, property word included
    bits = {key: openfst_property_bits(fst) for key, fst in cases.items()}
    accessible, coaccessible = 1 << 40, 1 << 42
    assert bits["a"] & accessible and bits["a"] & coaccessible
    assert not bits["b"] & accessible and bits["b"] & coaccessible
    assert bits["c"] & accessible and not bits["c"] & coaccessible


def test_trusted_fst_is_the_checked_constructor(tmp_path):
    from kleene.io.far_batch import frozen, trusted_fst
    arrays = [np.array([0, 1, 1], np.int64), np.array([3], np.int32),
              np.array([4], np.int32), np.array([1], np.int32),
              np.array([0.5], np.float32), np.array([np.inf, 0.0], np.float32)]
    frozen(*arrays)
    table = SymbolTable("t", ["<eps>", "a"])
    ref = Fst(*arrays, 0, isymbols=table)
    got = trusted_fst(*arrays, 0, ref.semiring, table, None)
    for name in Fst.__slots__:
        if name == "_cache":
            assert got._cache == {} and got._cache is not ref._cache
        else:
            assert getattr(got, name) is getattr(ref, name), name
    assert got.equal(ref, delta=0.0)
    assert not got.ilabel.flags.writeable


def test_concat_joins_like_numpy_and_falls_back():
    from kleene.io.far_batch import concat
    same = [np.arange(3, dtype=np.int32), np.zeros(0, np.int32), np.array([7], np.int32)]
    got = concat(same, np.int32)
    np.testing.assert_array_equal(got, np.concatenate(same))
    assert got.dtype == np.int32 and got.flags.writeable
    strided = np.arange(10, dtype=np.int32)[::2]          # not contiguous
    mixed = [np.arange(2, dtype=np.int64), np.array([5], np.int32)]
    swapped = [np.array([1, 2], ">i4"), np.array([3], ">i4")]  # other byte order
    for arrays in ([strided, same[0]], mixed, swapped):
        got = concat(arrays, np.int32)
        np.testing.assert_array_equal(got, np.concatenate(arrays).astype(np.int32))
        assert got.dtype == np.int32
    assert concat([], np.float32).shape == (0,)


def _chain(n: int, label_base: int = 1) -> Fst:
    from kleene.core.builder import FstBuilder
    b = FstBuilder()
    b.add_states(n + 1)
    b.set_start(0)
    for i in range(n):
        b.add_arc(i, label_base + i, label_base + i, 0.5, i + 1)
    b.set_final(n, 0.25)
    return b.freeze()


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_native_batched_reads_match_lookups(tmp_path, monkeypatch, batch):
    import kleene.io.far as far_module
    monkeypatch.setattr(far_module, "_READ_BATCH", batch)
    table = SymbolTable("t", ["<eps>", "a", "b", "c", "d"])
    machines = {f"k{i}": _chain(i % 4) for i in range(7)}
    machines["k3"] = machines["k3"].replace(isymbols=table, osymbols=table)
    path = str(tmp_path / "n.far")
    write_far(path, machines, far_type="native")
    got = read_far(path)
    assert list(got) == sorted(machines)
    with FarReader(path) as reader:
        for key, fst in machines.items():
            assert got[key].equal(fst, delta=0.0)
            assert reader[key].equal(fst, delta=0.0)
            assert not got[key].indptr.flags.writeable
    assert got["k3"].isymbols is not table and got["k3"].isymbols.items() == table.items()
    assert got["k2"].isymbols is None


def _rewrite_manifest(path: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for info, data in members:
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            zf.writestr(info.filename, data)


def _as_version_1(manifest: dict) -> None:
    """Rewrites a version-2 manifest in version 1's layout (one object per
    entry), which readers still accept."""
    keys = manifest.pop("keys")
    irefs = manifest.pop("isymbols") or [None] * len(keys)
    orefs = manifest.pop("osymbols") or [None] * len(keys)
    manifest["format_version"] = 1
    manifest["entries"] = [{"key": k, "isymbols": i, "osymbols": o}
                           for k, i, o in zip(keys, irefs, orefs)]


def _version_1_then(change):
    def both(manifest):
        _as_version_1(manifest)
        change(manifest)
    return both


def test_version_1_archives_still_read(tmp_path):
    path = str(tmp_path / "v1.far")
    table = SymbolTable("t", ["<eps>", "a", "b"])
    machines = {"a": _chain(1).replace(isymbols=table), "b": _chain(2),
                "c": _chain(1).replace(osymbols=table)}
    write_far(path, machines, far_type="native")
    _rewrite_manifest(path, _as_version_1)
    with zipfile.ZipFile(path) as zf:
        assert "entries" in json.loads(zf.read("manifest.json"))
    got = read_far(path)
    assert list(got) == ["a", "b", "c"]
    for key, fst in machines.items():
        assert got[key].equal(fst, delta=0.0)
    assert got["a"].isymbols.items() == table.items() and got["a"].osymbols is None
    assert got["c"].osymbols.items() == table.items() and got["b"].isymbols is None


@pytest.mark.parametrize("change, message", [
    (lambda m: m["keys"].__setitem__(1, ""), "manifest key 1"),
    (lambda m: m["keys"].__setitem__(2, 7), "manifest key 2"),
    (lambda m: m["keys"].__setitem__(2, "a"), "out of order"),
    (lambda m: m.pop("keys"), "no key list"),
    (lambda m: m.update(isymbols=[0, 5, None]), r"isymbols\[1\]"),
    (lambda m: m.update(isymbols=[0, None]), "one reference per key"),
    (lambda m: m.update(osymbols=[None, [0], None]), r"osymbols\[1\]"),
    (lambda m: m.update(osymbols=[None, True, None]), r"osymbols\[1\]"),
    (lambda m: m.update(format_version=3), "version 3 is not supported"),
    (lambda m: m.update(format_version=2.0), "version 2.0 is not supported"),
])
def test_native_manifest_errors(tmp_path, change, message):
    path = str(tmp_path / "m2.far")
    table = SymbolTable("t", ["<eps>", "a"])
    write_far(path, {"a": _chain(1).replace(isymbols=table), "b": _chain(1),
                     "c": _chain(1)}, far_type="native")
    _rewrite_manifest(path, change)
    with pytest.raises(FstIOError, match=message):
        read_far(path)


@pytest.mark.parametrize("change, message", [
    (lambda m: m["entries"][1].update(isymbols=True), "manifest entry 1"),
    (lambda m: m["entries"][0].update(osymbols=[0]), "manifest entry 0"),
    (lambda m: m["entries"][2].update(isymbols=1), "manifest entry 2"),
    (lambda m: m["entries"][1].update(key=""), "manifest entry 1"),
    (lambda m: m["entries"][2].update(key="a"), "out of order"),
    (lambda m: m["entries"].__setitem__(1, ["b"]), "manifest entry 1"),
])
def test_native_manifest_errors_unchanged(tmp_path, change, message):
    """A version-1 manifest the fast check declines gets the checking
    loop's error."""
    path = str(tmp_path / "m.far")
    table = SymbolTable("t", ["<eps>", "a"])
    write_far(path, {"a": _chain(1).replace(isymbols=table), "b": _chain(1),
                     "c": _chain(1)}, far_type="native")
    _rewrite_manifest(path, _version_1_then(change))
    with pytest.raises(FstIOError, match=message):
        read_far(path)


def test_read_far_names_the_first_repeated_key_across_batches(tmp_path, monkeypatch):
    import kleene.io.far as far_module
    from kleene.io.far import FarWriter
    monkeypatch.setattr(far_module, "_READ_BATCH", 2)
    path = str(tmp_path / "d.far")
    with FarWriter(path) as writer:
        for key in ["a", "b", "c", "c", "d", "d"]:
            writer[key] = _chain(1)
    with pytest.raises(FstIOError, match="repeats the key 'c'"):
        read_far(path)


@pytest.mark.parametrize("keys", [["a", "b~", "zz"], ["a", "é", "日本"], ["x" * 40]])
def test_sttable_entry_table_keys_and_ranges(tmp_path, keys):
    """The kernel-checked index (keys gathered and decoded at once when
    ASCII, one by one otherwise) gives the keys, and ranges that hold each
    machine."""
    from kleene.io.far_sttable import EntryTable, read_entry_fst, sttable_entries
    machines = {k: _chain(i + 1) for i, k in enumerate(keys)}
    path = str(tmp_path / "k.far")
    write_far(path, machines)
    with open(path, "rb") as fh:
        data = fh.read()
    table = sttable_entries(data, path)
    assert isinstance(table, EntryTable)
    assert table.keys == sorted(keys) and len(table) == len(keys)
    assert table[0:2] == list(table)[0:2] and table[-1] == list(table)[-1]
    for key, start, end in table:
        assert read_entry_fst(data, start, end, key, path).equal(machines[key], delta=0.0)
    with FarReader(path) as reader:
        assert reader.keys() == sorted(keys)
        assert reader[keys[-1]].equal(machines[keys[-1]], delta=0.0)
