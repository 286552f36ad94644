"""The vector-body kernels of the binary reader and writer: larger machines
than the hypothesis tests draw (states without arcs, long rows, float32 and
float64 weights), unaligned and writable buffers, exact round trips, pynini
in both directions, and which error wins when several fields are bad."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from kleene import Fst
from kleene.errors import FstIOError
from kleene.io.binary import (
    read_binary,
    read_binary_file,
    write_binary,
    write_binary_file,
)

from ..helpers import require_pynini


def _machine(seed, semiring="tropical", num_states=300):
    rng = np.random.default_rng(seed)
    degrees = rng.integers(0, 12, num_states)
    degrees[rng.random(num_states) < 0.2] = 0
    degrees[0] = 40
    src = np.repeat(np.arange(num_states), degrees)
    m = src.shape[0]
    ilabel = rng.integers(0, 2**31 - 1, m)
    olabel = rng.integers(0, 50, m)
    weight = rng.normal(size=m) * 3
    weight[::7] = np.inf
    nextstate = rng.integers(0, num_states, m)
    final = np.where(rng.random(num_states) < 0.3, rng.normal(size=num_states), np.inf)
    return Fst.from_arrays(num_states, src, ilabel, olabel, weight, nextstate,
                           final=final, start=int(rng.integers(num_states)),
                           semiring=semiring)


def _assert_identical(a: Fst, b: Fst):
    assert a.semiring == b.semiring and a.start == b.start
    for name in ("indptr", "ilabel", "olabel", "nextstate", "weight", "final"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name


@pytest.mark.parametrize("semiring", ["tropical", "log64", "real64"])
def test_round_trip_is_exact(semiring, tmp_path):
    fst = _machine(1, semiring)
    data = write_binary(fst)
    _assert_identical(read_binary(data), fst)
    path = tmp_path / "m.fst"
    write_binary_file(fst, path)
    assert path.read_bytes() == data
    _assert_identical(read_binary_file(path), fst)


@pytest.mark.parametrize("semiring", ["tropical", "log64"])
def test_unaligned_and_writable_buffers(semiring):
    data = write_binary(_machine(2, semiring))
    want = read_binary(data)
    for shift in (1, 2, 3):
        padded = bytearray(b"\0" * shift + data)
        _assert_identical(read_binary(memoryview(padded)[shift:]), want)
    _assert_identical(read_binary(bytearray(data)), want)


@pytest.mark.parametrize("arc_type", ["standard", "log64"])
def test_pynini_both_ways(arc_type, tmp_path):
    pynini = require_pynini()
    fst = _machine(3, "tropical" if arc_type == "standard" else "log64")
    # pynini reads kleene's file as the same machine ...
    path = tmp_path / "k.fst"
    write_binary_file(fst, path)
    theirs = pynini.Fst.read(str(path))
    assert theirs.arc_type() == arc_type and theirs.num_states() == fst.num_states
    assert sum(theirs.num_arcs(s) for s in theirs.states()) == fst.num_arcs
    # ... and kleene reads pynini's bytes as the same machine, arc for arc
    _assert_identical(read_binary(theirs.write_to_string()), fst)


def _arc_at(data: bytes, fst: Fst, arc: int) -> int:
    """Byte offset of ``arc`` in the vector body of ``data`` (float32)."""
    body = len(data) - (12 * fst.num_states + 16 * fst.num_arcs)
    s = int(np.searchsorted(fst.indptr, arc, side="right")) - 1
    return body + 12 * (s + 1) + 16 * arc


def test_first_error_is_the_same_as_the_field_by_field_checks():
    fst = _machine(4)
    data = write_binary(fst)
    bad = bytearray(data)
    struct.pack_into("<i", bad, _arc_at(data, fst, 3) + 4, -1)   # olabel of arc 3
    struct.pack_into("<i", bad, _arc_at(data, fst, 60), -7)      # ilabel of arc 60
    struct.pack_into("<i", bad, _arc_at(data, fst, 9) + 12, -2)  # nextstate of arc 9
    with pytest.raises(FstIOError, match="arc 60: negative input label") as err:
        read_binary(bytes(bad))
    assert err.value.offset == _arc_at(data, fst, 60)
    struct.pack_into("<q", bad, 66 - 24, fst.num_states)          # start out of range
    with pytest.raises(FstIOError, match="start state"):
        read_binary(bytes(bad))


def test_nan_payloads_and_infinities():
    fst = _machine(5, "log64")
    data = write_binary(fst)
    body = len(data) - (16 * fst.num_states + 20 * fst.num_arcs)
    # a NaN whose only mantissa bit is the lowest (high word 0x7ff00000)
    quiet_low = bytearray(data)
    struct.pack_into("<Q", quiet_low, body, 0x7FF0000000000001)
    with pytest.raises(FstIOError, match="state 0: NaN final weight"):
        read_binary(bytes(quiet_low))
    # -inf and +inf are weights, not errors
    inf = bytearray(data)
    struct.pack_into("<d", inf, body, -np.inf)
    assert read_binary(bytes(inf)).final[0] == -np.inf
