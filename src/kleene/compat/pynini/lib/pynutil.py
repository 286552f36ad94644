"""``pynini.lib.pynutil``: ``insert``, ``delete``, ``add_weight`` and
``join`` over kleene's :mod:`kleene.grammar.pynutil`."""

from __future__ import annotations

from ....grammar import pynutil as _pynutil
from .. import _tokens
from .._fst import Fst, wrap
from .._weight import as_float


def _arg(expr):
    if expr.__class__ is Fst:
        return expr._kleene()
    if isinstance(expr, str) and _tokens.default() != "byte":
        return _tokens.machine(expr)
    return expr


def add_weight(expr, weight) -> Fst:
    """``expr`` with ``weight`` ⊗-multiplied onto every path."""
    return wrap(_pynutil.add_weight(_arg(expr), as_float(weight)))


def insert(expr, weight=None) -> Fst:
    """Maps the empty string to ``expr``'s strings (``ε:expr``)."""
    return wrap(_pynutil.insert(_arg(expr), as_float(weight)))


def delete(expr, weight=None) -> Fst:
    """Maps ``expr``'s strings to the empty string (``expr:ε``)."""
    return wrap(_pynutil.delete(_arg(expr), as_float(weight)))


def join(expr, sep) -> Fst:
    """``expr (sep expr)*``."""
    return wrap(_pynutil.join(_arg(expr), _arg(sep)))
