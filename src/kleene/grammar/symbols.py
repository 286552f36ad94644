"""Generated symbols: the labels of bracketed names such as ``[BOS]`` or
``[TOKEN]`` in byte and utf8 strings.

pynini gives every new bracketed name a label from one process-wide table,
starting at U+F0000 (the first code point of Supplementary Private Use
Area-A), and reserves two fixed labels for the context markers of
:func:`~kleene.grammar.cdrewrite`: ``[BOS]`` is U+F8FE and ``[EOS]`` is
U+F8FF. kleene uses the same numbers, so machines built from the same
strings carry the same labels in both libraries (when the names are first
seen in the same order).
"""

from __future__ import annotations

import threading

from ..core.symbols import SymbolTable
from ..errors import FstArgError

#: Label of ``[BOS]``, the beginning-of-string marker in rewrite contexts.
BOS = 0xF8FE
#: Label of ``[EOS]``, the end-of-string marker in rewrite contexts.
EOS = 0xF8FF
#: Label given to the first generated symbol; later ones count up from here.
FIRST_GENERATED = 0xF0000
#: One past the last label the table hands out (the end of plane 16).
_LAST_GENERATED = 0x10FFFE

_FIXED = {"BOS": BOS, "EOS": EOS}
_lock = threading.Lock()
_by_name: dict[str, int] = {}
_by_label: dict[int, str] = {}


def generated_label(name: str) -> int:
    """The label of the generated symbol ``name`` (without brackets),
    creating it on first use. ``BOS`` and ``EOS`` have fixed labels.
    Thread-safe; O(1)."""
    fixed = _FIXED.get(name)
    if fixed is not None:
        return fixed
    if not name or any(c.isspace() for c in name):
        raise FstArgError(f"generated symbol name {name!r} must be non-empty and "
                          f"contain no whitespace")
    with _lock:
        label = _by_name.get(name)
        if label is None:
            label = FIRST_GENERATED + len(_by_name)
            if label > _LAST_GENERATED:
                raise FstArgError("too many generated symbols (the private-use "
                                  "planes are exhausted)")
            _by_name[name] = label
            _by_label[label] = name
        return label


def generated_name(label: int) -> str | None:
    """The name of a generated (or fixed ``BOS``/``EOS``) label, or None."""
    if label == BOS:
        return "BOS"
    if label == EOS:
        return "EOS"
    return _by_label.get(int(label))


def generated_symbols() -> SymbolTable:
    """A snapshot of the generated symbols as a symbol table (epsilon at 0,
    then every generated name at its label), like ``pynini.generated_symbols``."""
    table = SymbolTable("**Generated symbols")
    table.add_symbol("<epsilon>", 0)
    with _lock:
        for name, label in _by_name.items():
            table.add_symbol(name, label)
    return table
