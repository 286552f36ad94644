"""The Spanish G2P rules of :mod:`kleene.examples.spanish_g2p` written as
ordered Python ``re`` substitutions: an independent reference (no automata)."""

from __future__ import annotations

import re

_FRONT = "[eiéí]"
_SIMPLE = {"z": "s", "j": "x", "v": "b", "ñ": "ɲ", "h": ""}
_RULES = [
    (r"x", "ks"),
    (r"ch", "tʃ"),
    (r"ll", "ʝ"),
    (rf"g(?={_FRONT})", "x"),
    (rf"qu(?={_FRONT})", "k"),
    (rf"gu(?={_FRONT})", "g"),
    (r"gü", "gw"),
    (rf"c(?={_FRONT})", "s"),
    (r"c", "k"),
    (r"[zjvñh]", lambda m: _SIMPLE[m.group()]),  # one simultaneous rule
    (r"y$", "i"),
    (r"y", "ʝ"),
    (r"rr", "R"),
    (r"(?:^|(?<=[lns]))r", "R"),
    (r"r", "ɾ"),
    (r"R", "r"),
    (r"[áéíóú]", lambda m: "aeiou"["áéíóú".index(m.group())]),
]


def transcribe(word: str) -> str:
    for pattern, replacement in _RULES:
        word = re.sub(pattern, replacement, word)
    return word
