"""Weight and state-budget pruning (OpenFst ``Prune``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..errors import FstArgError
from ..kernels import prune as _k
from ..semirings import DEFAULT_DELTA
from .shortest_distance import shortest_distance


def prune(fst: Fst, *, weight: float | None = None, nstate: int | None = None,
          delta: float = DEFAULT_DELTA, return_arc_map: bool = False):
    """Removes the arcs and states that are not on a good enough path.

    With ``weight = t`` an arc (final weight) is kept only if the best
    successful path through it has weight at most ``best + t`` (tropical
    semantics; ``best`` is the machine's shortest distance), up to ``delta``
    for rounding (OpenFst compares exactly: a path less than ``delta`` over
    the limit is kept here and dropped by pynini). With ``nstate = k`` at
    most ``k`` states are kept: states are visited best-first by the weight
    of the best path through them
    (``α[s] ⊗ β[s]``, ties broken as OpenFst's heap breaks them, so the
    numbering and the states kept match pynini's) and a state is admitted only
    while fewer than ``k`` have been; once ``k`` states are in, every arc
    examined later is dropped. Like pynini's (constructive) ``prune``, the
    result numbers states in the order they were discovered (the start is
    0) and keeps each state's surviving arcs in order; it is not connected:
    with no weight threshold, visited states that reach no final state stay.
    A machine with no successful path, or a negative threshold, gives the
    empty machine.

    Preconditions: a path semiring (tropical; boolean for ``nstate`` only);
    no negative-weight cycles (raises :class:`FstOpError`). The best-first
    visit is exact for non-negative weights, as OpenFst's.

    Complexity: shortest distance to the final states, then
    O((V + E) log E) for the best-first visit and O(V + E) to rebuild.

    With ``return_arc_map=True`` returns ``(result, arc_map)`` with the input
    index of every kept arc.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"prune expects a kleene.Fst, not {type(fst).__name__}")
    sr = fst.semiring
    if not sr.path:
        raise FstArgError(f"prune needs a path semiring (tropical); convert the {sr} "
                          f"machine to tropical first (OpenFst requires the path property)")
    if weight is not None and sr.name != "tropical":
        raise FstArgError("prune: a weight threshold needs tropical weights")
    if nstate is not None and int(nstate) < 0:
        raise FstArgError(f"nstate must be non-negative, got {nstate}")
    n = fst.num_states
    if fst.start == NO_STATE or n == 0 or nstate == 0 or (
            weight is not None and float(weight) < 0):
        return _result(Fst.empty(sr).replace(isymbols=fst.isymbols, osymbols=fst.osymbols),
                       np.zeros(0, np.int64), return_arc_map)
    beta = shortest_distance(fst, reverse=True)
    if beta[fst.start] == sr.zero:      # no successful path: OpenFst empties it
        return _result(Fst.empty(sr).replace(isymbols=fst.isymbols, osymbols=fst.osymbols),
                       np.zeros(0, np.int64), return_arc_map)
    has_limit = weight is not None and float(weight) != np.inf
    limit = float(beta[fst.start]) + float(weight) + delta if has_limit else 0.0
    discovery, keep_arc, keep_final = _k.prune_states(
        fst.indptr, fst.nextstate, fst.weight, fst.final, fst.start,
        beta.astype(np.float64), sr.code, has_limit, limit,
        -1 if nstate is None else int(nstate))
    num = discovery.shape[0]
    new_id = np.full(n, -1, np.int64)
    new_id[discovery] = np.arange(num)
    kept = np.flatnonzero(keep_arc)
    kept = kept[np.argsort(new_id[fst.arc_source[kept]], kind="stable")]
    indptr = np.zeros(num + 1, INDPTR_DTYPE)
    np.cumsum(np.bincount(new_id[fst.arc_source[kept]], minlength=num), out=indptr[1:])
    final = np.where(keep_final, fst.final, sr.zero).astype(sr.dtype)[discovery]
    out = Fst(indptr, fst.ilabel[kept], fst.olabel[kept],
              new_id[fst.nextstate[kept]].astype(STATE_DTYPE), fst.weight[kept],
              np.ascontiguousarray(final), 0, sr, fst.isymbols, fst.osymbols, check=False)
    return _result(out, kept.astype(np.int64), return_arc_map)


def _result(out, arc_map, return_arc_map):
    return (out, arc_map) if return_arc_map else out
