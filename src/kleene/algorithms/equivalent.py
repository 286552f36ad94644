"""Equivalence of deterministic acceptors (OpenFst ``Equivalent``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import NO_STATE, Fst
from ..core.properties import Prop
from ..errors import FstArgError
from ..kernels import equivalent as _k
from ..semirings import DEFAULT_DELTA
from .connect import connect
from .shortest_distance import distances


def _pushed(fst: Fst, delta: float):
    """Arc and final weights pushed towards the start (float64, arcs sorted
    by label) and the total weight, which the start keeps aside."""
    sr = fst.semiring
    order = np.lexsort((fst.ilabel, fst.arc_source))
    weight = fst.weight.astype(np.float64)[order]
    nextstate = fst.nextstate[order]
    src = fst.arc_source[order]
    final = fst.final.astype(np.float64)
    if fst.has(Prop.UNWEIGHTED):
        return fst.ilabel[order], nextstate, weight, final, float(sr.one)
    d = distances(fst, reverse=True, delta=min(float(delta), 1e-6)).astype(np.float64)
    nonzero = final != sr.zero
    if sr.name in ("tropical", "log"):
        weight = weight + d[nextstate] - d[src]
        final = np.where(nonzero, final - d, final)
    elif sr.name == "real":
        weight = weight * d[nextstate] / d[src]
        final = np.where(nonzero, final / d, final)
    return fst.ilabel[order], nextstate, weight, final, float(d[fst.start])


def equivalent(a: Fst, b: Fst, *, delta: float = DEFAULT_DELTA) -> bool:
    """Whether two deterministic epsilon-free acceptors give every string the
    same weight (within ``delta``).

    Both machines are trimmed and their weights pushed towards the start
    state (the total weight, kept aside, must agree); then pairs of states
    reached by the same strings are merged in a union-find forest
    (Hopcroft-Karp) and must agree on finality, final weight and, label by
    label, on arc weights.

    Deviations from OpenFst, which pushes with a new start state when the
    start lies on a cycle and quantizes weights to multiples of ``delta``
    before comparing labels: OpenFst then calls a machine whose start is on
    a cycle different from an equivalent one whose start is not, and two
    weights that straddle a quantization boundary different; kleene compares
    the total weights and the pushed weights within ``delta`` instead.

    Preconditions: both are epsilon-free, input-deterministic acceptors over
    the same semiring (raises :class:`FstArgError` otherwise, where OpenFst
    fails); weights are pushable (see :func:`~kleene.push`).

    Complexity: two shortest-distance computations, O(E log E) sorting, and
    O(E α(V)) union-find.
    """
    for k, x in enumerate((a, b)):
        if not isinstance(x, Fst):
            raise FstArgError(f"equivalent expects kleene.Fst arguments, not {type(x).__name__}")
        if not (x.has(Prop.ACCEPTOR) and x.has(Prop.NO_EPSILONS)
                and x.has(Prop.I_DETERMINISTIC)):
            which = "1st" if k == 0 else "2nd"
            raise FstArgError(f"equivalent: the {which} argument is not an epsilon-free "
                              "deterministic acceptor; rmepsilon and determinize it first "
                              "(or use randequivalent)")
    if (a.semiring.name, a.semiring.dtype) != (b.semiring.name, b.semiring.dtype):
        raise FstArgError(f"equivalent: the machines have different semirings "
                          f"({a.semiring} and {b.semiring})")
    a, b = connect(a), connect(b)
    empty_a = a.start == NO_STATE or a.num_states == 0
    empty_b = b.start == NO_STATE or b.num_states == 0
    if empty_a or empty_b:
        return empty_a and empty_b
    i1, n1, w1, f1, t1 = _pushed(a, delta)
    i2, n2, w2, f2, t2 = _pushed(b, delta)
    if not (t1 == t2 or abs(t1 - t2) <= delta):
        return False
    return bool(_k.same_language(a.indptr, i1, n1, w1, f1, a.start,
                                 b.indptr, i2, n2, w2, f2, b.start,
                                 float(a.semiring.zero), float(delta)))
