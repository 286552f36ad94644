"""Small helpers every pynini grammar uses (``pynini.lib.pynutil``):
:func:`insert`, :func:`delete`, :func:`add_weight`, :func:`join`."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from .builders import WeightLike, _weight_value, cross
from .coerce import FstLike, string_pair_machine, to_fst
from .ops import closure, concat


def add_weight(x: FstLike, weight: WeightLike) -> Fst:
    """``x`` with ``weight`` ⊗-multiplied in front of every path, built as
    pynutil does: the empty string with final weight ``weight``,
    concatenated with ``x``. Complexity: O(V + E)."""
    fst = to_fst(x)
    prefix = string_pair_machine(_NO_LABELS, _NO_LABELS, fst.semiring,
                                 _weight_value(weight), nonzero=True)
    return concat(prefix, fst)


_NO_LABELS = np.zeros(0, np.int32)
_NO_LABELS.setflags(write=False)


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


__all__ = ["add_weight", "delete", "insert", "join"]
