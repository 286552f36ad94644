"""``pynini.lib.utf8``: UTF-8 byte classes as compat machines
(``SINGLE_BYTE``, ``LEADING_BYTE``, ``CONTINUATION_BYTE``, ``VALID_BYTE``,
``VALID_UTF8_CHAR``, ``VALID_UTF8_CHAR_REGIONAL_INDICATOR_SYMBOL``), built on
first use."""

from __future__ import annotations

from ....grammar import charclass as _charclass
from ....grammar.charclass import char_class
from ....grammar.ops import concat, optimize
from .._fst import wrap

_NAMES = ("SINGLE_BYTE", "LEADING_BYTE", "CONTINUATION_BYTE", "VALID_BYTE",
          "VALID_UTF8_CHAR", "VALID_UTF8_CHAR_REGIONAL_INDICATOR_SYMBOL")


def _regional_indicator():
    # U+1F1E6..U+1F1FF (regional indicators A-Z) are F0 9F 87 A6..BF in UTF-8.
    prefix = concat(concat(char_class([0xF0]), char_class([0x9F])), char_class([0x87]))
    return optimize(concat(prefix, char_class(range(0xA6, 0xC0))))


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name == "VALID_UTF8_CHAR_REGIONAL_INDICATOR_SYMBOL":
        value = wrap(_regional_indicator())
    else:
        value = wrap(getattr(_charclass, name))
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES))


__all__ = list(_NAMES)
