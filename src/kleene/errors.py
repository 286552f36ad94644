"""Exception hierarchy.

Every kleene error derives from :class:`KleeneError` and also from the matching
built-in exception (the pynini habit), so callers may catch either
``kleene.FstArgError`` or plain ``ValueError``.
"""

from __future__ import annotations


class KleeneError(Exception):
    """Base class of every error kleene raises on purpose."""


class FstArgError(KleeneError, ValueError):
    """An argument is invalid: wrong type, unknown option, incompatible machines."""


class FstIndexError(KleeneError, IndexError):
    """A state, arc or symbol index is out of range."""


class FstOpError(KleeneError, RuntimeError):
    """An operation cannot be carried out on this input (e.g. it diverges or
    exceeds a budget)."""


class FstIOError(KleeneError, OSError):
    """A file could not be read or written: malformed content, unknown format."""

    def __init__(self, message: str, *, path: str | None = None,
                 line: int | None = None, offset: int | None = None):
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if offset is not None:
            where.append(f"byte {offset}")
        full = f"{': '.join([', '.join(where), message]) if where else message}"
        super().__init__(full)
        self.path = path
        self.line = line
        self.offset = offset


class FstSymbolError(FstArgError, KeyError):
    """A symbol or key is not in a symbol table."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


__all__ = ["KleeneError", "FstArgError", "FstIndexError", "FstOpError",
           "FstIOError", "FstSymbolError"]
