"""Fuzzing the binary reader: truncated and mutated valid files must parse to a
valid machine or raise FstIOError, never crash, hang or allocate absurdly."""

from __future__ import annotations

import struct

import numpy as np
from hypothesis import given, settings, strategies as st

from kleene import Fst
from kleene.core.symbols import SymbolTable
from kleene.errors import FstIOError
from kleene.io.binary import read_binary, write_binary

from ..helpers import fsts


@st.composite
def encoded(draw):
    sr = draw(st.sampled_from(["tropical", "log64", "real"]))
    fst = draw(fsts(sr, min_states=0, max_states=5, max_arcs=8, no_start_ok=True))
    if draw(st.booleans()):
        fst = fst.replace(isymbols=SymbolTable("i", ["<eps>", "a", "b", "c", "d"]))
    fst_type = draw(st.sampled_from(["vector", "const"]))
    align = fst_type == "const" and draw(st.booleans())
    return write_binary(fst, fst_type=fst_type, align=align)


# Values that hit boundaries: signs, int32/int64 limits, NaN/inf bit patterns.
_INTERESTING = [0, 1, 2, 3, 0xFF, 0x7F, 0x80, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000,
                0x7FC00000, 0x7F800000]


def _check(data: bytes) -> None:
    try:
        fst = read_binary(data, source="fuzz")
    except FstIOError as exc:
        assert "fuzz" in str(exc)
        return
    assert isinstance(fst, Fst)
    # What was accepted must be a valid machine: re-validate from scratch.
    Fst(fst.indptr.copy(), fst.ilabel.copy(), fst.olabel.copy(), fst.nextstate.copy(),
        fst.weight.copy(), fst.final.copy(), fst.start, fst.semiring, check=True)
    assert read_binary(write_binary(fst)).equal(fst, delta=0.0)


@settings(max_examples=60)
@given(encoded(), st.data())
def test_truncations(data, choice):
    cut = choice.draw(st.integers(0, max(0, len(data) - 1)))
    _check(data[:cut])


@settings(max_examples=150)
@given(encoded(), st.data())
def test_mutations(data, choice):
    buf = bytearray(data)
    for _ in range(choice.draw(st.integers(1, 3))):
        kind = choice.draw(st.sampled_from(["byte", "word", "qword", "insert", "delete"]))
        at = choice.draw(st.integers(0, len(buf) - 1))
        if kind == "byte":
            buf[at] = choice.draw(st.integers(0, 255))
        elif kind == "word" and at + 4 <= len(buf):
            struct.pack_into("<I", buf, at, choice.draw(st.sampled_from(_INTERESTING)))
        elif kind == "qword" and at + 8 <= len(buf):
            value = choice.draw(st.sampled_from([-1, -2, 1 << 31, 1 << 40, (1 << 63) - 1]))
            struct.pack_into("<q", buf, at, value)
        elif kind == "insert":
            buf[at:at] = bytes(choice.draw(st.lists(st.integers(0, 255), max_size=8)))
        elif kind == "delete":
            del buf[at:at + choice.draw(st.integers(1, 8))]
    _check(bytes(buf))


def test_random_garbage_after_magic():
    rng = np.random.default_rng(0)
    magic = struct.pack("<i", 2125659606)
    for size in (0, 3, 17, 64, 300):
        _check(magic + rng.integers(0, 256, size, dtype=np.uint8).tobytes())
