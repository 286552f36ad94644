"""Isomorphism test (OpenFst ``Isomorphic``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..errors import FstArgError, FstOpError
from ..kernels import isomorphic as _k
from ..semirings import DEFAULT_DELTA
from .minimize import quantize


def _arc_order(fst: Fst, delta: float) -> np.ndarray:
    """Arc indices sorted within each state by (ilabel, olabel, quantized
    weight, nextstate), as OpenFst's isomorphism test sorts them."""
    qw = quantize(fst.weight.astype(np.float64), delta)
    return np.lexsort((fst.nextstate, qw, fst.olabel, fst.ilabel,
                       fst.arc_source)).astype(np.int64)


def isomorphic(a: Fst, b: Fst, *, delta: float = DEFAULT_DELTA) -> bool:
    """Whether ``a`` and ``b`` are the same machine up to state numbering and
    arc order, weights equal within ``delta``.

    States reachable from the start states are paired breadth-first, the
    arcs of paired states being matched after sorting them by
    ``(ilabel, olabel, weight)``. Unreachable states are ignored, as in
    OpenFst. Two machines without start states are isomorphic.

    Deviations from OpenFst: the pairing must be one-to-one (OpenFst only
    checks that each state of ``a`` has one partner, so it can call a machine
    isomorphic to one that merges two of its states); and where a state of
    ``a`` has two arcs with the same labels and (within ``delta``) weight,
    so that the sorted order does not determine the pairing, and the guess
    fails, kleene raises :class:`FstOpError` (OpenFst prints "Cannot determine
    if inputs are isomorphic" and returns false).

    Preconditions: the same semiring.

    Complexity: O(V + E log E) (sorting arcs), the pairing itself O(V + E).
    """
    for x in (a, b):
        if not isinstance(x, Fst):
            raise FstArgError(f"isomorphic expects kleene.Fst arguments, not {type(x).__name__}")
    if a.semiring.name != b.semiring.name:
        raise FstArgError(f"isomorphic: the machines have different semirings "
                          f"({a.semiring} and {b.semiring})")
    status = _k.pair_states(
        a.indptr, a.ilabel, a.olabel, a.nextstate, a.weight.astype(np.float64),
        a.final.astype(np.float64), a.start, _arc_order(a, delta),
        b.indptr, b.ilabel, b.olabel, b.nextstate, b.weight.astype(np.float64),
        b.final.astype(np.float64), b.start, _arc_order(b, delta), float(delta))
    if status == _k.UNDECIDED:
        raise FstOpError("isomorphic: cannot decide: a state has several arcs with the "
                         "same labels and weight (non-deterministic as an unweighted "
                         "machine), so arcs cannot be paired by sorting")
    return status == _k.ISOMORPHIC
