"""Single-source shortest distance (OpenFst ``ShortestDistance``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from ..errors import FstArgError, FstOpError
from ..kernels import shortest_distance as _k
from ..kernels.graph import reverse_csr

#: Convergence threshold of the cyclic algorithm (OpenFst's ``kShortestDelta``,
#: also pynini's default): the sums stop when a relaxation changes a distance
#: by at most this much. ``DEFAULT_DELTA`` (1/1024) leaves errors of ~1e-3 on
#: slowly converging log/real cycles.
SHORTEST_DELTA = 1e-6

#: Non-negative tropical machines: pops (and moves) of the label-correcting
#: deque per state, on average, before the search continues as Dijkstra's
#: algorithm. Random machines need 1.2-1.4 (where that search is ~2x faster
#: than a heap); a machine that needs many more is one where the order keeps
#: re-relaxing states (up to O(V) times each).
_QUEUE_BUDGET = 4

#: From this many states on, non-negative tropical machines are searched in
#: state-number order (``tropical_sweep``): its ~2-3x more relaxations cost
#: less than the deque's scattered reads once the ~17 bytes per state that
#: the search reads at random (distance, arc offsets, marks) outgrow a
#: 1 MiB L2 cache. Measured on the bench's random machines (5 arcs per
#: state): the deque is 1.3-1.6x faster at 6k-20k states, the sweep 1.2-2.2x
#: faster at 60k-200k. Both give the same distances.
_SWEEP_STATES = 50_000
#: the sweep's budget: pops plus 1/8 of the scanned marks per state (random
#: machines: 2.3-6), after which it continues as Dijkstra's algorithm.
_SWEEP_BUDGET = 8


def shortest_distance(fst: Fst, *, reverse: bool = False, delta: float = SHORTEST_DELTA,
                      max_relaxations: int | None = None) -> np.ndarray:
    """Per-state ``⊕``-sum of path weights.

    With ``reverse=False`` entry ``s`` is the sum over all paths from the start
    state to ``s``; with ``reverse=True`` it is the sum over all paths from
    ``s`` to a final state, each times its final weight (as
    ``pynini.shortestdistance(fst, reverse=True)``; entry ``start`` is the
    machine's total weight). Unreachable states get the semiring zero. The
    result has one entry per state, in the semiring's dtype.

    Any semiring works: tropical (shortest paths), log (total -log
    probability), real, boolean (reachability).

    Preconditions: on cyclic machines the sums must converge. In tropical a
    negative-weight cycle, and in log/real a cycle of weight at least "one"
    (probability >= 1) make them diverge: that raises :class:`FstOpError`
    instead of looping.

    Complexity: O(V + E) on acyclic machines (one pass in topological order).
    On cyclic machines the strategy depends on the semiring and the weights:

    * tropical, every arc weight ``>= 0``: a label-correcting search with
      exact comparisons, in Bertsekas' SLF/LLL deque order (about 1.2-1.4
      relaxations per state on random machines), or from 50,000 states on
      in rounds over the states in number order (2-4 relaxations per
      state, but cache-friendly reads; decreasing order for ``reverse``).
      Either continues as Dijkstra's algorithm after ``4V + 1000`` pops
      (``8V + 1000`` units of work for the rounds), so at most
      O(V·d + (V + E) log V) (d = largest out-degree). The result is the
      minimum over the paths of their float64 sums (each formed from the
      source end), whatever the order; ``delta`` and ``max_relaxations``
      are not needed (no cycle can diverge).
    * otherwise (log, real, boolean; tropical with a negative arc weight):
      Mohri's generic single-source algorithm with a FIFO queue and
      convergence threshold ``delta``: O(V + E) per round, as many rounds as
      the convergence to ``delta`` takes (tropical: at most ~2V rounds,
      Bellman-Ford). OpenFst's visiting order (strongly connected components
      in topological order, a shortest-first queue inside those without
      negative arcs) was measured slower here: finding the components costs
      about as much as the whole search on random machines.

    The FIFO algorithm stops with :class:`FstOpError` after
    ``max_relaxations`` relaxations of one state (default ``2V + 2`` for
    tropical/boolean, ``10V + 100000`` for log/real: a cycle of probability
    0.998 needs a few thousand rounds to converge to ``delta``, while a
    diverging cycle exceeds the budget after at most that many relaxations of
    one of its states).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"shortest_distance expects a kleene.Fst, not {type(fst).__name__}")
    return distances(fst, reverse=reverse, delta=delta,
                     max_relaxations=max_relaxations).astype(fst.semiring.dtype)


def distances(fst: Fst, *, reverse: bool = False, delta: float = SHORTEST_DELTA,
              max_relaxations: int | None = None) -> np.ndarray:
    """:func:`shortest_distance` accumulated and returned in float64 whatever
    the semiring's dtype: sums of many float32 log weights (a lattice's total
    weight) would otherwise lose about 1e-2. Weight pushing uses this."""
    sr = fst.semiring
    n = fst.num_states
    dist = np.full(n, sr.zero, dtype=np.float64)
    if n == 0 or (not reverse and fst.start < 0):
        return dist
    code = sr.code
    order, acyclic = _topological(fst)
    if acyclic:
        if reverse:
            _k.acyclic_reverse(fst.indptr, fst.nextstate, fst.weight, fst.final,
                               order, code, dist)
        else:
            _k.acyclic_forward(fst.indptr, fst.nextstate, fst.weight, order,
                               fst.start, code, dist)
        return dist
    if max_relaxations is None:
        max_relaxations = 2 * n + 2 if sr.idempotent else 10 * n + 100_000
    elif int(max_relaxations) < 1:
        raise FstArgError(f"max_relaxations must be positive, got {max_relaxations}")
    if reverse:
        indptr, nextstate, arc_index = _reversed(fst)
        weight = fst.weight[arc_index]
        dist[:] = fst.final
    else:
        indptr, nextstate, weight = fst.indptr, fst.nextstate, fst.weight
        dist[fst.start] = sr.one
    if sr.name == "tropical" and bool(weight.min() >= 0.0):
        if n >= _SWEEP_STATES:
            status = _k.tropical_sweep(indptr, nextstate, weight, dist,
                                       _SWEEP_BUDGET * n + 1000, bool(reverse))
        else:
            status = _k.tropical_distance(indptr, nextstate, weight, dist,
                                          _QUEUE_BUDGET * n + 1000)
    else:
        status = _k.generic_distance(indptr, nextstate, weight, dist, code,
                                     float(delta), int(max_relaxations))
    _check_status(sr, status, dist, int(max_relaxations))
    return dist


def _topological(fst: Fst):
    """(topological order, acyclic) cached on the machine; records ACYCLIC."""
    cached = fst._cache.get("topological_order")
    if cached is None:
        if fst.props.get(Prop.ACYCLIC) is False:
            cached = (None, False)
        else:
            order, acyclic = _k.topological_order(fst.indptr, fst.nextstate, fst.num_states)
            cached = (order if acyclic else None, bool(acyclic))
            fst._props = fst._props.set(Prop.ACYCLIC, bool(acyclic))
        fst._cache["topological_order"] = cached
    return cached


def _reversed(fst: Fst):
    cached = fst._cache.get("reverse_csr")
    if cached is None:
        cached = reverse_csr(fst.indptr, fst.nextstate, fst.num_states)
        fst._cache["reverse_csr"] = cached
    return cached


def _check_status(sr, status: int, dist: np.ndarray, budget: int) -> None:
    diverged = status != _k.OK
    if not diverged:
        if sr.name in ("tropical", "log"):
            diverged = bool(np.isneginf(dist).any())
        elif sr.name == "real":
            diverged = bool(np.isposinf(dist).any())
        diverged = diverged or bool(np.isnan(dist).any())
    if not diverged:
        return
    if sr.name == "tropical":
        raise FstOpError(
            "shortest_distance: the weights diverge: the machine has a negative-weight "
            "cycle, so there is no shortest distance. Remove the cycle or make its "
            "weight non-negative (e.g. shift weights, or use a log/real semiring "
            "for total weights).")
    raise FstOpError(
        f"shortest_distance: the weights diverge (or did not converge within "
        f"{budget} relaxations per state): a cycle has {sr.name} weight at least "
        f"'one' (probability >= 1), so the path sums are infinite. Normalize the "
        f"weights so every cycle has probability < 1 (e.g. push/renormalize), or, "
        f"if the sums converge slowly, pass a larger max_relaxations or delta.")
