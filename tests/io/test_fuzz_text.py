"""Fuzzing the readers: mutated files must give a valid machine or an
FstIOError, never another exception and never a hang. For OpenFst text the
vectorised parser must also agree with the line-by-line reference parser."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene import Fst, FstIOError, SymbolTable
from kleene.io import text as text_io
from kleene.io.att import read_att, write_att
from kleene.io.native import native_bytes, native_from_bytes
from kleene.io.text import compile_text, print_fst

from ..helpers import fsts

TOKENS = ["0", "1", "-1", "7", "99999999999", "2147483648", "Infinity", "-Infinity",
          "nan", "inf", "0.5", "1e999", "1_0", "+3", "a", "<eps>", "@0@", "\t", " ",
          "\n", "\r\n", "\x00", "\u0663", "\udcff", "--", "é", "0x10", ".", "e5"]
TABLE = SymbolTable("t", ["<eps>", "a", "b", "é"])


@st.composite
def mutated_texts(draw, base_strategy):
    text = draw(base_strategy)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "token"]))
        pos = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 3)):]
        elif kind == "replace":
            text = text[:pos] + draw(st.characters(max_codepoint=0x700)) + text[pos + 1:]
        else:
            tokens = text.split("\t")
            i = draw(st.integers(0, max(0, len(tokens) - 1)))
            tokens[i] = draw(st.sampled_from(TOKENS))
            text = "\t".join(tokens)
    return text


def _printed(acceptor=False):
    return fsts(max_states=5, max_arcs=8, acceptor=acceptor).map(
        lambda f: print_fst(f, acceptor=acceptor))


def _assert_valid(fst: Fst):
    # re-validate every array from scratch
    Fst(fst.indptr.copy(), fst.ilabel.copy(), fst.olabel.copy(), fst.nextstate.copy(),
        fst.weight.copy(), fst.final.copy(), fst.start, fst.semiring)


def _slow(text, acceptor, isymbols=None):
    lookup = text_io._symbol_lookup(isymbols) if isymbols else text_io._int_lookup
    lines = text.split("\n")
    cols = text_io._parse_lines_slow(
        lines, acceptor=acceptor, ilookup=lookup, olookup=lookup,
        isym_name=isymbols.name if isymbols else None,
        osym_name=isymbols.name if isymbols else None,
        state_limit=max(text_io._DEFAULT_MIN_STATE_LIMIT, 4 * len(lines)),
        source="<string>", semiring=text_io.get_semiring("tropical"))
    return text_io._build(cols, text_io.get_semiring("tropical"), isymbols, isymbols)


def _check_text(text, acceptor=False, isymbols=None):
    try:
        fst = compile_text(text, acceptor=acceptor, isymbols=isymbols, osymbols=isymbols)
    except FstIOError:
        fast_error = True
    else:
        fast_error = False
        _assert_valid(fst)
    try:
        reference = _slow(text, acceptor, isymbols)
    except FstIOError:
        assert fast_error, "the vectorised parser accepted what the line parser rejects"
        return
    assert not fast_error, "the vectorised parser rejected what the line parser accepts"
    assert fst.equal(reference) and fst.start == reference.start


@settings(max_examples=100)
@given(text=mutated_texts(_printed()))
def test_mutated_text_is_read_or_rejected_cleanly(text):
    _check_text(text)


@settings(max_examples=50)
@given(text=mutated_texts(_printed(acceptor=True)))
def test_mutated_acceptor_text_with_symbols(text):
    _check_text(text, acceptor=True)
    for k in range(4):
        text = text.replace(f"\t{k}", f"\t{TABLE.find(k)}")
    _check_text(text, acceptor=True, isymbols=TABLE)


@settings(max_examples=50)
@given(text=mutated_texts(fsts(max_states=5, max_arcs=8).map(write_att)))
def test_mutated_att_is_read_or_rejected_cleanly(text):
    for numeric in (False, True):
        try:
            fst = read_att(text, numeric=numeric)
        except FstIOError:
            continue
        _assert_valid(fst)


@st.composite
def mutated_native(draw):
    data = bytearray(native_bytes(draw(fsts(max_states=5, max_arcs=8))))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = bytes(draw(st.lists(st.integers(0, 255), min_size=1, max_size=8)))
        else:
            del data[pos:pos + draw(st.integers(1, 16))]
        if not data:
            break
    return bytes(data)


@settings(max_examples=100)
@given(data=mutated_native())
def test_mutated_native_is_read_or_rejected_cleanly(data):
    try:
        fst = native_from_bytes(data)
    except FstIOError:
        return
    _assert_valid(fst)
    assert fst.weight.dtype == np.dtype(fst.semiring.dtype)


WEIGHT_SPELLINGS = st.one_of(
    st.floats(allow_nan=False).map(repr),
    st.floats(width=32, allow_nan=False).map(lambda v: "%g" % v),
    st.from_regex(r"[+-]?[0-9]{0,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["inf", "-Infinity", "INFINITY", "nan", "1e", ".", "0x1p3", "١"]))


@settings(max_examples=100)
@given(fst=fsts(max_states=5, max_arcs=8), spellings=st.lists(WEIGHT_SPELLINGS, min_size=1,
                                                             max_size=20))
def test_weight_spellings_give_the_line_parsers_exact_weights(fst, spellings):
    lines = print_fst(fst, show_weight_one=True).split("\n")
    for k, line in enumerate(lines):
        cols = line.split("\t")
        if len(cols) in (2, 5):
            cols[-1] = spellings[k % len(spellings)]
            lines[k] = "\t".join(cols)
    text = "\n".join(lines)
    _check_text(text)
    try:
        fast = compile_text(text)
    except FstIOError:
        return
    reference = _slow(text, False)
    np.testing.assert_array_equal(fast.weight, reference.weight)
    np.testing.assert_array_equal(fast.final, reference.final)
    assert (np.signbit(fast.weight) == np.signbit(reference.weight)).all()
