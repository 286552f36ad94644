"""accep / string / label codecs, differential against pynini.accep and
pynini's Fst.string()."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, FstArgError, FstBuilder, FstOpError, FstSymbolError, SymbolTable
from kleene.core.strings import (accep, decode_label_batch, decode_labels, encode_labels,
                                 string)

from ..helpers import assert_same_fst, fsts, require_pynini

ARC_TYPES = {"tropical": "standard", "log": "log", "log64": "log64"}

# Any Unicode scalar value except NUL (an error in kleene, an epsilon in
# pynini) and the characters with bracket syntax.
plain_text = st.text(st.characters(blacklist_categories=("Cs",),
                                   blacklist_characters="\x00[]\\"), max_size=30)
token_types = st.sampled_from(["byte", "utf8"])


def _labels(pfst):
    return [a.ilabel for s in pfst.states() for a in pfst.arcs(s)]


# -- accep ----------------------------------------------------------------------
@given(text=plain_text, token_type=token_types)
def test_accep_matches_pynini_plain_text(text, token_type):
    pynini = require_pynini()
    assert_same_fst(accep(text, token_type=token_type),
                    pynini.accep(text, token_type=token_type))


@given(text=plain_text, token_type=token_types,
       semiring=st.sampled_from(sorted(ARC_TYPES)),
       weight=st.sampled_from([None, 0.0, 1.5, -2.25, 7.0]))
def test_accep_weight_on_final_state_matches_pynini(text, token_type, semiring, weight):
    pynini = require_pynini()
    ours = accep(text, token_type=token_type, weight=weight, semiring=semiring)
    theirs = pynini.accep(text, token_type=token_type, weight=weight,
                          arc_type=ARC_TYPES[semiring])
    assert ours.semiring.arc_type == theirs.arc_type()
    assert_same_fst(ours, theirs)


def test_accep_non_ascii_labels():
    pynini = require_pynini()
    text = "é€😀 naïve Ωμέγα"
    for token_type in ("byte", "utf8"):
        ours = accep(text, token_type=token_type)
        assert ours.ilabel.tolist() == _labels(pynini.accep(text, token_type=token_type))
    assert accep(text, token_type="utf8").ilabel.tolist() == [ord(c) for c in text]
    assert accep(text).ilabel.tolist() == list(text.encode("utf-8"))


@given(text=plain_text, token_type=token_types,
       weight=st.sampled_from([None, 1.5, float("inf")]))
def test_accep_known_properties_match_computed(text, token_type, weight):
    ours = accep(text, token_type=token_type, weight=weight)
    assert ours.props.known == int(kleene.core.properties.ALL_PROPS)
    fresh = Fst(ours.indptr, ours.ilabel, ours.olabel, ours.nextstate, ours.weight,
                ours.final, ours.start, ours.semiring)
    assert ours.props == fresh.properties()


def test_accep_zero_weight_accepts_nothing():
    f = accep("ab", weight=float("inf"))
    assert not f.has(kleene.Prop.COACCESSIBLE)
    assert list(f.paths()) == []


# Pieces that pynini and kleene both read: escapes and [N] integer labels.
_bracket_piece = st.one_of(
    st.text(st.sampled_from("abcé€"), min_size=1, max_size=3),
    st.sampled_from(["\\[", "\\]", "\\\\", "\\", "\\a", "[a]", "[\\[]", "[\\]]",
                     "[\\\\]", "[0x41]", "[012]", "[7]"]),
    st.integers(1, 70000).map(lambda n: f"[{n}]"))


@given(pieces=st.lists(_bracket_piece, max_size=6), token_type=token_types)
def test_accep_escapes_and_integer_brackets_match_pynini(pieces, token_type):
    pynini = require_pynini()
    # pieces may combine ("\\" + "\\[" is an escaped backslash and a bare
    # bracket): then both must refuse the text
    text = "".join(pieces)
    try:
        expected = _labels(pynini.accep(text, token_type=token_type))
    except pynini.FstStringCompilationError:
        with pytest.raises(FstArgError, match="unmatched|nested"):
            accep(text, token_type=token_type)
    else:
        assert accep(text, token_type=token_type).ilabel.tolist() == expected


@pytest.mark.parametrize("text", ["a[b", "a]b", "]", "[", "\\[ab]", "[[a]]", "[5]]",
                                  "[ab\\]"])
def test_unmatched_brackets_raise_where_pynini_raises(text):
    pynini = require_pynini()
    with pytest.raises(pynini.FstStringCompilationError):
        pynini.accep(text)
    for token_type in ("byte", "utf8"):
        with pytest.raises(FstArgError, match="bracket|'\\['|'\\]'"):
            accep(text, token_type=token_type)


@pytest.mark.parametrize("text", ["[BOS]", "a[foo bar]b", "[é]", "[+5]", "[-1]", "[]",
                                  "[08]", "[0x]"])
def test_generated_symbols_are_refused(text):
    # pynini would invent a generated symbol (or a negative label) here
    with pytest.raises(FstArgError, match="generated symbol|out of range"):
        accep(text)


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "[0]", "[00]"])
@pytest.mark.parametrize("token_type", ["byte", "utf8"])
def test_nul_is_refused(text, token_type):
    with pytest.raises(FstArgError, match="epsilon"):
        accep(text, token_type=token_type)


def test_nul_becomes_epsilon_in_pynini():
    # the reason kleene refuses NUL: pynini's machine would not accept "a\0b"
    pynini = require_pynini()
    assert 0 in _labels(pynini.accep("a\x00b"))


def test_bracketed_label_out_of_int32_range():
    with pytest.raises(FstArgError, match="out of range"):
        accep("[99999999999]")


def test_unencodable_text_and_bad_arguments():
    with pytest.raises(FstArgError, match="cannot be encoded"):
        accep("a\ud800b")
    with pytest.raises(FstArgError, match="token_type"):
        accep("ab", token_type="utf16")
    with pytest.raises(FstArgError, match="str"):
        accep(b"ab")
    with pytest.raises(FstArgError, match="semiring"):
        accep("ab", semiring="nope")


# -- symbol tables --------------------------------------------------------------
def _tables(pynini):
    words = ["<eps>", "hello", "world", "héllo", "x"]
    ours = SymbolTable("words")
    theirs = pynini.SymbolTable("words")
    for w in words:
        ours.add_symbol(w)
        theirs.add_symbol(w)
    ours.add_symbol("big", 1000)
    theirs.add_symbol("big", 1000)
    return ours, theirs


def test_accep_with_symbol_table_matches_pynini():
    pynini = require_pynini()
    ours, theirs = _tables(pynini)
    for text in ["hello world", "big héllo x hello", "", "hello <eps> world"]:
        k = accep(text, token_type=ours)
        p = pynini.accep(text, token_type=theirs)
        assert_same_fst(k, p)
        assert k.isymbols is ours and k.osymbols is ours
        assert string(k, token_type=ours) == p.string(token_type=theirs)


def test_accep_epsilon_symbol_clears_no_epsilon_props():
    table = SymbolTable("t", ["<eps>", "a"])
    f = accep("a <eps> a", token_type=table)
    assert f.props.get(kleene.Prop.NO_EPSILONS) is False
    fresh = Fst(f.indptr, f.ilabel, f.olabel, f.nextstate, f.weight, f.final, f.start)
    assert f.props == fresh.properties()


def test_symbol_table_splits_on_any_whitespace():
    table = SymbolTable("t", ["<eps>", "a", "b"])
    assert accep("  a \t b\n a ", token_type=table).ilabel.tolist() == [1, 2, 1]


def test_unknown_symbol_names_symbol_and_table():
    table = SymbolTable("my_words", ["<eps>", "hello"])
    with pytest.raises(FstSymbolError, match="'bob'.*'my_words'") as info:
        accep("hello bob", token_type=table)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_decode_unknown_key_names_table():
    table = SymbolTable("my_words", ["<eps>", "hello"])
    with pytest.raises(FstSymbolError, match="7.*my_words"):
        decode_labels([1, 7], table)


# -- string() -------------------------------------------------------------------
@given(text=plain_text, token_type=token_types)
def test_string_round_trips(text, token_type):
    f = accep(text, token_type=token_type, weight=2.0)
    assert string(f, token_type=token_type) == text
    assert f.string(token_type=token_type) == text


@st.composite
def string_shaped(draw):
    """A random chain transducer (epsilons on either side), with unreachable
    extra states sometimes."""
    n = draw(st.integers(0, 8))
    b = FstBuilder()
    b.add_states(n + 1)
    b.set_start(0)
    for s in range(n):
        i = draw(st.sampled_from([0, 97, 98, 99]))
        o = draw(st.sampled_from([0, 120, 121, 122]))
        b.add_arc(s, i, o, draw(st.sampled_from([0.0, 1.5])), s + 1)
    b.set_final(n, draw(st.sampled_from([0.0, 2.0])))
    if draw(st.booleans()):
        extra = b.add_state()
        b.add_arc(extra, 97, 97, 0.0, 0)
    return b.freeze(), n


@given(drawn=string_shaped())
def test_string_reads_output_side_like_pynini(drawn):
    require_pynini()
    fst, n = drawn
    assert string(fst) == fst.to_pynini().string()
    chain_outputs = [fst.arcs(s)[0].olabel for s in range(n)]
    assert string(fst) == "".join(chr(o) for o in chain_outputs if o)


@given(fst=fsts(acyclic=True, max_states=5, max_arcs=6, no_start_ok=True))
def test_string_raises_exactly_where_pynini_does(fst):
    # acyclic only: pynini's string() loops forever on a cyclic chain
    pynini = require_pynini()
    try:
        expected = fst.to_pynini().string()
    except pynini.FstOpError:
        with pytest.raises(FstOpError, match="not a string machine"):
            string(fst)
    else:
        assert string(fst) == expected


def test_string_errors_say_why():
    b = FstBuilder()
    b.add_states(3)
    b.set_start(0)
    b.add_arc(0, 97, 97, 0, 1)
    b.add_arc(0, 98, 98, 0, 2)
    b.set_final(1)
    b.set_final(2)
    with pytest.raises(FstOpError, match="state 0 has 2 outgoing arcs"):
        string(b.freeze())
    with pytest.raises(FstOpError, match="no start state"):
        string(Fst.empty())
    final_with_arc = accep("ab").to_builder()
    final_with_arc.set_final(1)
    with pytest.raises(FstOpError, match="final state 1 has outgoing arcs"):
        string(final_with_arc.freeze())
    dead = accep("ab", weight=float("inf"))
    with pytest.raises(FstOpError, match="state 2 has 0 outgoing arcs"):
        string(dead)


def test_string_on_cycle_raises_instead_of_hanging():
    b = FstBuilder()
    b.add_states(2)
    b.set_start(0)
    b.add_arc(0, 97, 97, 0, 1)
    b.add_arc(1, 98, 98, 0, 0)
    with pytest.raises(FstOpError, match="cycle"):
        string(b.freeze())


# -- codecs ---------------------------------------------------------------------
@given(text=plain_text, token_type=token_types)
def test_encode_decode_round_trip(text, token_type):
    labels = encode_labels(text, token_type)
    assert labels.dtype == np.int32
    assert decode_labels(labels, token_type) == text
    with_eps = np.insert(labels, np.arange(0, labels.size + 1, 2), 0)
    assert decode_labels(with_eps, token_type) == text


def test_decode_errors():
    with pytest.raises(FstArgError, match="not a byte"):
        decode_labels([97, 300], "byte")
    with pytest.raises(FstArgError, match="not valid UTF-8") as info:
        decode_labels([97, 200], "byte")
    assert isinstance(info.value, ValueError)
    assert decode_labels([97, 200], "byte", errors="replace") == "a\ufffd"
    with pytest.raises(FstArgError, match="Unicode scalar"):
        decode_labels([0xD800], "utf8")
    with pytest.raises(FstArgError, match="Unicode scalar"):
        decode_labels([0x110000], "utf8")
    with pytest.raises(FstArgError, match="negative"):
        decode_labels([-3], "byte")
    with pytest.raises(FstArgError, match="one-dimensional"):
        decode_labels([[97]], "byte")


@given(texts=st.lists(plain_text, max_size=5),
       token_type=st.sampled_from(["byte", "utf8", "table"]))
def test_decode_label_batch_matches_one_at_a_time(texts, token_type):
    if token_type == "table":
        token_type = SymbolTable("t", ["<eps>", "x", "y"])
        texts = [" ".join("xy"[len(t) % 2] for _ in t) for t in texts]
    encoded = [encode_labels(t, token_type) for t in texts]
    labels = np.concatenate([np.zeros(0, np.int32)] + encoded)
    offsets = np.cumsum([0] + [e.size for e in encoded])
    assert list(decode_label_batch(labels, offsets, token_type)) == [
        decode_labels(e, token_type) for e in encoded]


def test_decode_label_batch_is_lazy_about_errors():
    batch = decode_label_batch([97, 0, 300, 98], [0, 2, 3, 4], "byte")
    assert next(batch) == "a"
    with pytest.raises(FstArgError, match="not a byte"):
        next(batch)


def test_decode_utf8_of_bytes_matches_pynini():
    # pynini decodes each byte label as a code point in utf8 mode
    pynini = require_pynini()
    assert (string(accep("é"), token_type="utf8")
            == pynini.accep("é").string(token_type="utf8"))


def test_lazy_exports_resolve():
    assert kleene.accep is accep
    assert kleene.accep("ab").string() == "ab"
