"""``pynini.lib.byte``: byte character classes as compat machines
(``BYTE``, ``DIGIT``, ``LOWER``, ``UPPER``, ``ALPHA``, ``ALNUM``, ``HEX``,
``SPACE``, ``NOT_SPACE``, ``NOT_QUOTE``, ``PUNCT``, ``GRAPH``), built on first
use from :mod:`kleene.grammar.charclass`."""

from __future__ import annotations

from ....grammar import charclass as _charclass
from .._fst import wrap

_NAMES = ("BYTE", "DIGIT", "LOWER", "UPPER", "ALPHA", "ALNUM", "HEX", "SPACE",
          "NOT_SPACE", "NOT_QUOTE", "PUNCT", "GRAPH")


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = wrap(getattr(_charclass, name))
    globals()[name] = value  # one shared machine per class, as pynini's module constants
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES))


__all__ = list(_NAMES)
