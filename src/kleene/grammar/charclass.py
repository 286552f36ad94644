"""Character classes as acceptors, like ``pynini.lib.byte`` and
``pynini.lib.utf8``.

Byte classes (one byte label per character, token type ``"byte"``):
``BYTE`` (1..255), ``DIGIT``, ``LOWER``, ``UPPER``, ``ALPHA``, ``ALNUM``,
``HEX`` (alias ``XDIGIT``), ``SPACE`` (tab, newline, carriage return and
space, as pynini), ``NOT_SPACE``, ``NOT_QUOTE`` (every byte but ``"``),
``PUNCT``, ``GRAPH`` (33..126) and ``PRINT`` (32..126; not in pynini).

UTF-8 over bytes (``pynini.lib.utf8``): ``SINGLE_BYTE``,
``CONTINUATION_BYTE``, ``LEADING_BYTE``, ``VALID_BYTE`` and
``VALID_UTF8_CHAR`` (one well-formed UTF-8 encoded code point, as a
sequence of byte labels).

Every class is a two-state (for ``VALID_UTF8_CHAR``, a small deterministic)
tropical acceptor built on first access and cached, so importing this
module costs nothing. :func:`sigma_star` closes a class.
"""

from __future__ import annotations

import string as _string

import numpy as np

from ..core.fst import Fst
from ..errors import FstArgError
from ..semirings import get_semiring

_RANGES: dict[str, list[int]] = {
    "BYTE": list(range(1, 256)),
    "DIGIT": list(range(48, 58)),
    "LOWER": list(range(97, 123)),
    "UPPER": list(range(65, 91)),
    "HEX": list(range(48, 58)) + list(range(65, 71)) + list(range(97, 103)),
    "SPACE": [9, 10, 13, 32],
    "PUNCT": [ord(c) for c in _string.punctuation],
    "GRAPH": list(range(33, 127)),
    "PRINT": list(range(32, 127)),
    "SINGLE_BYTE": list(range(1, 0x80)),
    "CONTINUATION_BYTE": list(range(0x80, 0xC0)),
    "LEADING_BYTE": list(range(0xC2, 0xF5)),
}
_RANGES["ALPHA"] = _RANGES["UPPER"] + _RANGES["LOWER"]
_RANGES["ALNUM"] = _RANGES["DIGIT"] + _RANGES["ALPHA"]
_RANGES["XDIGIT"] = _RANGES["HEX"]
_RANGES["NOT_SPACE"] = [b for b in range(1, 256) if b not in _RANGES["SPACE"]]
_RANGES["NOT_QUOTE"] = [b for b in range(1, 256) if b != ord('"')]
_RANGES["VALID_BYTE"] = (_RANGES["SINGLE_BYTE"] + _RANGES["CONTINUATION_BYTE"]
                         + _RANGES["LEADING_BYTE"])

_cache: dict[str, Fst] = {}


def char_class(labels, *, semiring="tropical") -> Fst:
    """The acceptor of single-label strings, one per label in ``labels``
    (two states, one arc per label, sorted). O(len(labels))."""
    labels = np.unique(np.asarray(list(labels), dtype=np.int64))
    if labels.size and labels[0] <= 0:
        raise FstArgError("character class labels must be positive (0 is epsilon)")
    sr = get_semiring(semiring)
    n = labels.shape[0]
    return Fst.from_arrays(2, np.zeros(n, dtype=np.int64), labels, labels,
                           np.full(n, sr.one), np.ones(n, dtype=np.int64),
                           final=np.array([sr.zero, sr.one]), semiring=sr)


def _valid_utf8_char() -> Fst:
    """A deterministic byte acceptor of one well-formed UTF-8 sequence
    (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)."""
    # states: 0 start, 1 final, 2/3/4 need 1/2/3 more continuation bytes,
    # 5: after E0 (next A0..BF), 6: after ED (next 80..9F),
    # 7: after F0 (next 90..BF), 8: after F4 (next 80..8F)
    arcs: list[tuple[int, int, int]] = []

    def add(src, lo, hi, dst):
        arcs.extend((src, b, dst) for b in range(lo, hi + 1))

    add(0, 0x01, 0x7F, 1)
    add(0, 0xC2, 0xDF, 2)
    add(0, 0xE0, 0xE0, 5)
    add(0, 0xE1, 0xEC, 3)
    add(0, 0xED, 0xED, 6)
    add(0, 0xEE, 0xEF, 3)
    add(0, 0xF0, 0xF0, 7)
    add(0, 0xF1, 0xF3, 4)
    add(0, 0xF4, 0xF4, 8)
    add(2, 0x80, 0xBF, 1)
    add(3, 0x80, 0xBF, 2)
    add(4, 0x80, 0xBF, 3)
    add(5, 0xA0, 0xBF, 2)
    add(6, 0x80, 0x9F, 2)
    add(7, 0x90, 0xBF, 3)
    add(8, 0x80, 0x8F, 3)
    src, lab, dst = (np.array(x, dtype=np.int64) for x in zip(*arcs))
    final = np.full(9, np.inf)
    final[1] = 0.0
    return Fst.from_arrays(9, src, lab, lab, np.zeros(src.shape[0]), dst, final=final)


def sigma_star(cls: "Fst | str" = "BYTE") -> Fst:
    """The closure ``cls*`` of a class (given as a machine or by name, e.g.
    ``sigma_star("BYTE")`` or ``sigma_star("VALID_UTF8_CHAR")``). O(size)."""
    from .ops import closure
    if isinstance(cls, str):
        cls = __getattr__(cls)
    return closure(cls)


def __getattr__(name: str) -> Fst:
    """Builds a class on first access (module-level lazy attribute)."""
    fst = _cache.get(name)
    if fst is not None:
        return fst
    if name == "VALID_UTF8_CHAR":
        fst = _valid_utf8_char()
    elif name in _RANGES:
        fst = char_class(_RANGES[name])
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _cache[name] = fst
    return fst


CLASS_NAMES = tuple(sorted(_RANGES)) + ("VALID_UTF8_CHAR",)

__all__ = ["char_class", "sigma_star", "CLASS_NAMES", *CLASS_NAMES]
