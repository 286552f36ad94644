"""kleene's native .npz format: exact round trips, no pickle, clear errors."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene import FstIOError, SymbolTable
from kleene.io.native import (is_native, load_native, native_bytes, native_from_bytes,
                              save_native)
from kleene.io.text import compile_text

from ..helpers import ALL_SEMIRING_NAMES, fsts


def _same(a, b):
    assert a.semiring == b.semiring and a.start == b.start
    for name in ("indptr", "ilabel", "olabel", "nextstate", "weight", "final"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.isymbols == b.isymbols and a.osymbols == b.osymbols


@pytest.mark.parametrize("semiring", ALL_SEMIRING_NAMES)
@settings(max_examples=15)
@given(data=st.data())
def test_round_trip_every_semiring(semiring, data):
    fst = data.draw(fsts(semiring=semiring, no_start_ok=True))
    _same(native_from_bytes(native_bytes(fst)), fst)


def test_round_trip_with_symbols_and_file(tmp_path):
    table = SymbolTable("letters", ["<eps>", "a", "b c", "é"])
    fst = compile_text("0 1 a b_c\n1 2 é <eps>\n", isymbols=table,
                       osymbols=SymbolTable("o", ["<eps>", "a", "b_c"]))
    path = tmp_path / "m.kl"  # no .npz is appended
    save_native(fst, path)
    assert path.exists() and is_native(path.read_bytes())
    back = load_native(path)
    _same(back, fst)
    assert back.isymbols.name == "letters" and back.isymbols.find("é") == 3
    empty = fst.replace(isymbols=SymbolTable("empty"))
    _same(native_from_bytes(native_bytes(empty, compress=True)), empty)


def test_never_unpickles(tmp_path):
    buf = io.BytesIO()
    np.savez(buf, format=np.array(["kleene-native"], dtype=object))
    with pytest.raises(FstIOError):
        native_from_bytes(buf.getvalue())


@pytest.mark.parametrize("mutate", ["truncate", "not_zip", "wrong_format", "bad_version",
                                    "bad_semiring", "bad_indptr", "missing_array",
                                    "bad_dest", "2d", "npy"])
def test_malformed_files_raise_fstioerror(mutate):
    fst = compile_text("0 1 1 2 0.5\n1\n")
    data = native_bytes(fst)
    with np.load(io.BytesIO(data)) as z:
        arrays = dict(z)
    if mutate == "truncate":
        data = data[: len(data) // 2]
    elif mutate == "not_zip":
        data = b"hello"
    elif mutate == "npy":
        buf = io.BytesIO()
        np.save(buf, np.zeros(3))
        data = buf.getvalue()
    else:
        if mutate == "wrong_format":
            arrays["format"] = np.asarray("other")
        elif mutate == "bad_version":
            arrays["format_version"] = np.asarray(99)
        elif mutate == "bad_semiring":
            arrays["semiring"] = np.asarray("nope")
        elif mutate == "bad_indptr":
            arrays["indptr"] = np.asarray([0, 5, 1])
        elif mutate == "missing_array":
            del arrays["weight"]
        elif mutate == "bad_dest":
            arrays["nextstate"] = np.asarray([7])
        elif mutate == "2d":
            arrays["final"] = np.zeros((2, 2))
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        data = buf.getvalue()
    with pytest.raises(FstIOError):
        native_from_bytes(data, source="x.npz")


def test_missing_file(tmp_path):
    with pytest.raises(FstIOError, match="absent.npz"):
        load_native(tmp_path / "absent.npz")
    assert zipfile.is_zipfile(io.BytesIO(native_bytes(compile_text("0\n"))))
