"""Errors of the n-gram language-model layer.

They derive from the :mod:`kleene.errors` classes (and through them from the
matching built-ins), so ``except OSError`` catches a malformed ARPA file and
``except ValueError`` a bad option.
"""

from __future__ import annotations

from ..errors import FstArgError, FstIOError, KleeneError


class LmError(KleeneError):
    """Base class of every error raised by :mod:`kleene.lm`."""


class LmArgError(LmError, FstArgError):
    """An argument to an LM function is invalid (order < 1, bad cutoffs, ...)."""


class LmModelError(LmError, FstArgError):
    """A model breaks an invariant (missing prefix/suffix n-gram, bad shapes)."""


class ArpaFormatError(LmError, FstIOError):
    """An ARPA file is malformed; the message carries the line number."""


class CorpusNotFoundError(LmError, FileNotFoundError):
    """A text corpus (e.g. the Debian KJV bible) is not installed."""


__all__ = ["LmError", "LmArgError", "LmModelError", "ArpaFormatError",
           "CorpusNotFoundError"]
