"""ε-removal (OpenFst ``RmEpsilon``, pynini ``rmepsilon``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import NO_STATE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import rmepsilon as _k

#: OpenFst's ``kShortestDelta``, pynini's default ``delta`` for rmepsilon.
SHORTEST_DELTA = 1e-6

QueueType = Literal["auto", "fifo", "lifo", "shortest", "state", "top"]
_QUEUE_TYPES = ("auto", "fifo", "lifo", "shortest", "state", "top")

# Properties that ε-removal keeps when they hold (it only replaces ε-paths by
# direct arcs with the same labels and destinations).
# (acyclic: every result arc follows an ε-path and then an arc of the input,
# so a cycle of the result would be one of the input, as OpenFst keeps it)
_KEPT_WHEN_TRUE = (Prop.ACCEPTOR, Prop.NO_IEPSILONS, Prop.NO_OEPSILONS,
                   Prop.UNWEIGHTED, Prop.ACYCLIC)


def rmepsilon(fst: Fst, *, connect: bool = True, delta: float = SHORTEST_DELTA,
              weight_threshold: float | None = None, state_threshold: int | None = None,
              queue_type: QueueType = "auto", max_relaxations: int | None = None,
              return_arc_map: bool = False):
    """Removes the ε:ε arcs (input and output label both 0) and returns an
    equivalent machine without them.

    Every state's arcs are replaced by the non-ε arcs of its ε-closure: for
    each state ``q`` reachable from ``s`` by ε:ε arcs with total weight
    ``d(s, q)`` (the ⊕-sum over all ε-paths, cycles included), each non-ε arc
    ``q --a:b/w--> t`` becomes ``s --a:b/(d(s,q) ⊗ w)--> t``, arcs with the
    same ``(ilabel, olabel, nextstate)`` are ⊕-summed, and the final weight
    of ``s`` becomes ``⊕_q d(s, q) ⊗ final(q)``. Works in every semiring
    (tropical, log, real, boolean).

    The result is arc for arc what ``pynini.rmepsilon`` gives: the kernel
    replays OpenFst's in-place schedule (states in reverse topological order
    of the ε-subgraph's components, each closure visited depth first), so
    states keep their ids (before trimming) and arcs come in OpenFst's order.
    Weights agree up to float rounding (distances are summed in float64).
    A machine without a start state has its ε-arcs removed all the same
    (OpenFst returns it untouched) and is emptied when ``connect``.

    Options: ``connect`` trims the result (OpenFst's default). With
    ``weight_threshold`` and/or ``state_threshold`` the result is pruned
    instead (:func:`kleene.prune`, tropical only; its state numbering is
    prune's, so only isomorphic to pynini's). ``queue_type`` is accepted
    for pynini compatibility: the closure distances are always computed with
    a FIFO queue (the same sums up to ``delta``). ``delta`` is the
    convergence threshold of the distances on ε-cycles.

    Preconditions: the ε-closure sums must converge. A negative-weight
    ε-cycle in tropical, or an ε-cycle of weight at least one (probability
    >= 1) in log/real makes them diverge: that raises :class:`FstOpError`
    (OpenFst loops) once a state has been relaxed ``max_relaxations`` times
    in one closure (default ``2V + 2`` for idempotent semirings, ``10V +
    1000`` otherwise).

    Complexity: for each state a shortest-distance computation over the
    ε-arcs its closure reaches and one pass over the closure's arcs; only
    touched states are reset, so an ε-free machine costs O(V + E) and an
    acyclic ε-subgraph O(Σ_s arcs of ε-successors). Output arcs can number
    up to O(V × E) in the worst case. Then O(V + E) to trim. With
    ``connect``, a state that only ε-arcs enter and whose ε-successors are
    private leaves (a union's start, say) is expanded once and read by every
    closure through it, where OpenFst re-walks its ε-arcs each time (same
    arcs, same order). Memory: the expanded arcs once (12 bytes per arc for
    acceptors, whose result shares one label array for both sides, 16 for
    transducers, plus 8 with ``return_arc_map``) and one result array at a
    time besides.

    With ``return_arc_map=True`` returns ``(result, arc_map)``: ``arc_map[k]``
    is the input arc (non-ε) whose labels and destination output arc ``k``
    carries (the first one found where several were summed).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"rmepsilon expects a kleene.Fst, not {type(fst).__name__}")
    if queue_type not in _QUEUE_TYPES:
        raise FstArgError(f"queue_type must be one of {_QUEUE_TYPES}, got {queue_type!r}")
    delta = float(delta)
    if not delta > 0:
        raise FstArgError(f"delta must be positive, got {delta}")
    sr = fst.semiring
    n = fst.num_states
    pruning = weight_threshold is not None or state_threshold is not None
    if pruning and not sr.path:
        raise FstArgError(f"rmepsilon: weight_threshold/state_threshold need a path "
                          f"semiring (tropical), not {sr.name}")
    if max_relaxations is None:
        max_relaxations = 2 * n + 2 if sr.idempotent else 10 * n + 1000
    elif int(max_relaxations) < 1:
        raise FstArgError(f"max_relaxations must be positive, got {max_relaxations}")

    skip = bool(connect or pruning)
    acceptor = bool(fst.props.get(Prop.ACCEPTOR)) or np.array_equal(fst.ilabel, fst.olabel)
    (status, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src,
     new_final) = _k.rmepsilon_states(fst.indptr, fst.ilabel, fst.olabel, fst.nextstate,
                                      fst.weight, fst.final, fst.start, sr.code, delta,
                                      skip, int(max_relaxations), acceptor,
                                      bool(return_arc_map))
    _check(sr, status, new_final, int(max_relaxations))
    trim = connect and not pruning
    keep, new_id, indptr = _k.result_layout(seg_start, seg_len, b_ns, new_final,
                                            fst.start, sr.code, trim)
    num_arcs = int(indptr[-1])

    # The result's arrays are gathered one at a time from the buffers, each
    # buffer freed before the next array is allocated: peak memory is the
    # buffers plus one array, not two copies of every arc array.
    def gather(column, renumber=False):
        return _k.gather_column(column, seg_start, seg_len, b_ns, keep, new_id,
                                num_arcs, renumber)

    il = gather(b_il)
    del b_il
    if acceptor:
        ol = il  # read-only once frozen: the two label arrays can be one
    else:
        ol = gather(b_ol)
    del b_ol
    weight = gather(b_w)
    del b_w
    arc_map = gather(b_src) if return_arc_map else None
    del b_src
    ns = gather(b_ns, renumber=trim)
    del b_ns
    props = Props()
    for p in _KEPT_WHEN_TRUE:
        if fst.props.get(p):
            props = props.set(p, True)
    props = props.set(Prop.NO_EPSILONS, True)
    if trim:
        final = new_final[keep].astype(sr.dtype)
        start = int(new_id[fst.start]) if len(final) else NO_STATE
        props = props.set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True)
    else:
        final = new_final.astype(sr.dtype)
        start = fst.start
    if acceptor:
        props = props.set(Prop.ACCEPTOR, True)
    out = Fst(indptr, il, ol, ns, weight, final, start, sr, fst.isymbols, fst.osymbols,
              props, check=False)
    if pruning:
        from .prune import prune
        out, kept = prune(out, weight=weight_threshold, nstate=state_threshold,
                          delta=delta, return_arc_map=True)
        if arc_map is not None:
            arc_map = arc_map[kept]
    return (out, arc_map) if return_arc_map else out


def _check(sr, status: int, final: np.ndarray, budget: int) -> None:
    diverged = status != _k.OK
    if not diverged:
        if sr.name in ("tropical", "log"):
            diverged = bool(np.isneginf(final).any())
        elif sr.name == "real":
            diverged = bool(np.isposinf(final).any())
    if not diverged:
        return
    if sr.name == "tropical":
        raise FstOpError(
            "rmepsilon: an ε-cycle has negative weight, so the ε-closure distances "
            "diverge (there is no shortest ε-path). Remove the cycle or make its "
            "weight non-negative.")
    raise FstOpError(
        f"rmepsilon: the ε-closure sums diverge (or did not converge within {budget} "
        f"relaxations per state): an ε-cycle has {sr.name} weight at least 'one' "
        f"(probability >= 1). Normalize the weights so every ε-cycle has probability "
        f"< 1, or, if the sums converge slowly, pass a larger max_relaxations or delta.")
