"""Character classes against pynini.lib.byte / pynini.lib.utf8."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kleene.grammar import charclass

from ..helpers import require_pynini

PYNINI_BYTE = ["ALNUM", "ALPHA", "BYTE", "DIGIT", "GRAPH", "HEX", "LOWER", "NOT_QUOTE",
               "NOT_SPACE", "PUNCT", "SPACE", "UPPER"]
PYNINI_UTF8 = ["SINGLE_BYTE", "CONTINUATION_BYTE", "LEADING_BYTE", "VALID_BYTE",
               "VALID_UTF8_CHAR"]


@pytest.mark.parametrize("name", PYNINI_BYTE)
def test_byte_classes_equal_pynini(name):
    pynini = require_pynini()
    from pynini.lib import byte
    ours = getattr(charclass, name).to_pynini()
    assert pynini.equivalent(ours, getattr(byte, name).copy().optimize())


@pytest.mark.parametrize("name", PYNINI_UTF8)
def test_utf8_classes_equal_pynini(name):
    pynini = require_pynini()
    from pynini.lib import utf8
    ours = getattr(charclass, name).to_pynini()
    assert pynini.equivalent(ours, getattr(utf8, name).copy().optimize())


def test_valid_utf8_char_accepts_each_encoded_character():
    pynini = require_pynini()
    ours = charclass.VALID_UTF8_CHAR.to_pynini()
    for ch in ["a", "é", "€", "𝄞", "\u07ff", "\ud7ff", "\U0010ffff"]:
        assert (pynini.accep(pynini.escape(ch)) @ ours).num_states() > 0, ch
    for bad in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]]:
        text = "".join(f"[{b}]" for b in bad)
        assert (pynini.accep(text) @ ours).num_states() == 0, bad


def test_aliases_cached_and_unknown():
    assert charclass.XDIGIT.ilabel.tolist() == charclass.HEX.ilabel.tolist()
    assert charclass.PRINT.ilabel.tolist() == list(range(32, 127))
    assert charclass.DIGIT is charclass.DIGIT
    with pytest.raises(AttributeError):
        charclass.NOT_A_CLASS  # noqa: B018
    star = charclass.sigma_star("DIGIT")
    assert star.final[star.start] == 0.0


def test_classes_are_built_on_first_use_not_at_import():
    # importing the grammar layer builds no class machine (a speed target
    # for import belongs in benchmarks/; this checks the mechanism)
    code = ("import kleene.grammar.charclass as c, kleene.grammar.builders, "
            "kleene.grammar.ops, kleene.grammar.pynutil; before = len(c._cache); "
            "c.DIGIT; print(before, len(c._cache))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["0", "1"]
