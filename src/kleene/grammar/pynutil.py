"""Small helpers every pynini grammar uses (``pynini.lib.pynutil``):
:func:`insert`, :func:`delete`, :func:`add_weight`, :func:`join`."""

from __future__ import annotations

from .builders import WeightLike, _weight_value, cross
from .coerce import FstLike, to_fst
from .ops import closure, concat
from ..core.fst import Fst


def add_weight(x: FstLike, weight: WeightLike) -> Fst:
    """``x`` with ``weight`` ⊗-multiplied in front of every path, built as
    pynutil does: the empty string with final weight ``weight``,
    concatenated with ``x``. Complexity: O(V + E)."""
    fst = to_fst(x)
    prefix = to_fst("", semiring=fst.semiring)
    prefix = prefix.replace(final=_final_of_empty(prefix, weight))
    return concat(prefix, fst)


def _final_of_empty(prefix: Fst, weight: WeightLike):
    final = prefix.final.copy()
    final[0] = prefix.semiring.coerce(_weight_value(weight))
    return final


def insert(x: FstLike, weight: WeightLike = None) -> Fst:
    """The transducer ``ε × x``: inserts the strings of ``x`` (with
    ``weight`` added in front when given). Complexity: O(V + E)."""
    result = cross("", x)
    return result if weight is None else add_weight(result, weight)


def delete(x: FstLike, weight: WeightLike = None) -> Fst:
    """The transducer ``x × ε``: deletes the strings of ``x`` (with
    ``weight`` added in front when given). Complexity: O(V + E)."""
    result = cross(x, "")
    return result if weight is None else add_weight(result, weight)


def join(x: FstLike, sep: FstLike) -> Fst:
    """``x (sep x)*``: one or more ``x`` separated by ``sep``.
    Complexity: O(V_x + E_x + V_sep + E_sep)."""
    return concat(x, closure(concat(sep, x)))


__all__ = ["insert", "delete", "add_weight", "join"]
