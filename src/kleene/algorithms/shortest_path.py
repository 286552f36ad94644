"""The n best paths as a machine (OpenFst ``ShortestPath``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError
from ..kernels import shortest_path as _k
from ..kernels import single_shortest_path as _ssp
from ..semirings import DEFAULT_DELTA
from .shortest_distance import shortest_distance


def shortest_path(fst: Fst, *, nshortest: int = 1, unique: bool = False,
                  delta: float = DEFAULT_DELTA, weight_threshold: float | None = None,
                  state_threshold: int | None = None, return_arc_map: bool = False):
    """A machine holding the ``nshortest`` best successful paths of ``fst``.

    The result is a tree rooted at the start state: the paths share their
    common prefixes of arcs (output states are the nodes of the search tree,
    numbered so that parents precede children: the result is top-sorted and
    acyclic). Arcs keep their input labels and weights, so each output path's
    weight is its weight in ``fst``. With fewer than ``nshortest`` successful
    paths all of them are returned; with none, the empty machine.

    Options:
        unique: return the n best *distinct* (input string, output string)
            pairs (epsilons removed), each through its best path. OpenFst
            determinizes for this and so requires an acceptor or a functional
            transducer; kleene searches over string prefixes directly and
            accepts any transducer (for functional ones the results agree).
            OpenFst also treats epsilon as a symbol there (its determinization
            keeps epsilons), so ``a`` and ``a ε`` count as two strings in
            pynini and as one here.
        weight_threshold: drop paths whose weight exceeds the best path's
            weight plus this (tropical only).
        state_threshold: stop after expanding this many search states (an
            upper bound on the result's size, like OpenFst's).
        delta: convergence threshold of the distance computation.

    Ties between equal-weight paths: with ``nshortest=1`` (and no
    thresholds) on an acyclic machine, or on one whose arc weights are all
    one or zero, the path is OpenFst's: its single-shortest-path search with
    the automatic queue (state order if the machine is known to be
    top-sorted, else a LIFO stack when all arc weights are one or zero, else
    the topological order of a depth-first search), keeping the first of
    equally good paths, so the result is pynini's ``shortestpath`` even among
    exact ties when both libraries know the same properties of the machine
    (``unique`` changes nothing for one path). Otherwise ties are broken deterministically: prefixes found
    earlier first, and at each state the "stop here" option before the arcs,
    arcs in index order.

    Preconditions: a path semiring (tropical or boolean); for log/real weights
    the "best" path is undefined (OpenFst requires the path property). No
    negative-weight cycles (raises :class:`FstOpError` from the distance
    computation).

    Complexity: shortest distance to the final states (O(V + E) acyclic,
    Bellman-Ford-like otherwise), then Mohri & Riley's n-best search in
    O(n (V + E) log(n (V + E))) time and O(n (V + E)) memory.

    With ``return_arc_map=True`` returns ``(result, arc_map)``: for each
    output arc, the index of the input arc it copies.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"shortest_path expects a kleene.Fst, not {type(fst).__name__}")
    sr = fst.semiring
    if not sr.path:
        raise FstArgError(
            f"shortest_path needs a path semiring (tropical or boolean); {sr} weights have "
            f"no single best path. Convert the machine to tropical first (weights as "
            f"-log probabilities stay the same), as OpenFst requires.")
    nshortest = int(nshortest)
    if nshortest < 0:
        raise FstArgError(f"nshortest must be non-negative, got {nshortest}")
    if weight_threshold is not None and sr.name != "tropical":
        raise FstArgError("weight_threshold is only meaningful for tropical weights")
    if state_threshold is not None and int(state_threshold) < 0:
        raise FstArgError(f"state_threshold must be non-negative, got {state_threshold}")
    if nshortest == 0 or fst.start == NO_STATE or fst.num_states == 0:
        return _finish(_empty(fst), np.zeros(0, np.int64), return_arc_map)
    if nshortest == 1 and weight_threshold is None and state_threshold is None:
        best = _openfst_single_path(fst, return_arc_map)
        if best is not None:
            return best
    beta = shortest_distance(fst, reverse=True, delta=min(delta, 1e-6))
    if beta[fst.start] == sr.zero:
        return _finish(_empty(fst), np.zeros(0, np.int64), return_arc_map)
    has_limit = weight_threshold is not None
    # small slack so rounding in the summed priorities never drops the best path
    limit = float(beta[fst.start]) + float(weight_threshold) + delta if has_limit else 0.0
    parent, arc, state, found = _k.nshortest_search(
        fst.indptr, fst.ilabel, fst.olabel, fst.nextstate, fst.weight, fst.final,
        fst.start, beta, sr.code, nshortest, bool(unique), has_limit, limit,
        -1 if state_threshold is None else int(state_threshold))
    num, src, il, ol, w, dst, amap, final = _k.build_paths(
        parent, arc, state, found, fst.ilabel, fst.olabel, fst.weight, fst.final, sr.code)
    indptr = np.zeros(num + 1, INDPTR_DTYPE)
    np.cumsum(np.bincount(src, minlength=num), out=indptr[1:])
    order = np.argsort(src, kind="stable")
    props = (Props().set(Prop.ACYCLIC, True).set(Prop.TOP_SORTED, True)
             .set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True))
    out = Fst(indptr, il[order], ol[order], dst[order], w[order], final,
              0 if num else NO_STATE, sr, fst.isymbols, fst.osymbols, props, check=False)
    return _finish(out, amap[order], return_arc_map)


def _openfst_single_path(fst: Fst, return_arc_map: bool):
    """The one-best path as OpenFst's automatic queue finds it (see
    :mod:`kleene.kernels.single_shortest_path`), or None for a cyclic,
    weighted machine (whose SCC-by-SCC queue discipline is not reproduced).
    O(V + E)."""
    sr = fst.semiring
    w = fst.weight
    # OpenFst's automatic queue, in its order of precedence: a machine known
    # to be top-sorted is visited in state order; otherwise one whose arc
    # weights are all one or zero by a LIFO stack; otherwise an acyclic one
    # in the topological order of a depth-first search.
    if fst.props.get(Prop.TOP_SORTED):
        mode, order = _ssp.TOP_ORDER, np.arange(fst.num_states, dtype=np.int64)
    elif bool(np.all((w == sr.one) | (w == sr.zero))):
        mode, order = _ssp.LIFO, np.zeros(0, np.int64)
    else:
        acyclic, order = _ssp.dfs_top_order(fst.indptr, fst.nextstate, fst.start)
        if not acyclic:
            return None
        mode = _ssp.TOP_ORDER
    f_parent, parent_state, parent_arc = _ssp.single_shortest_path(
        fst.indptr, fst.nextstate, w, fst.final, fst.start, sr.code, mode, order)
    if f_parent < 0:
        return _finish(_empty(fst), np.zeros(0, np.int64), return_arc_map)
    arcs = []
    state = f_parent
    # back to the start, whose own parent is unset: no improving path re-enters
    # it (acyclic, or every arc weight one or zero)
    while parent_arc[state] >= 0:
        arcs.append(parent_arc[state])
        state = parent_state[state]
    arcs = np.asarray(arcs[::-1], np.int64)
    k = arcs.shape[0]
    final = np.full(k + 1, sr.zero, sr.dtype)
    final[k] = fst.final[f_parent]
    props = (Props().set(Prop.ACYCLIC, True).set(Prop.TOP_SORTED, True)
             .set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True))
    out = Fst(np.arange(k + 2, dtype=INDPTR_DTYPE).clip(max=k), fst.ilabel[arcs],
              fst.olabel[arcs], np.arange(1, k + 1, dtype=STATE_DTYPE), fst.weight[arcs],
              final, 0, sr, fst.isymbols, fst.osymbols, props, check=False)
    return _finish(out, arcs, return_arc_map)


def _empty(fst: Fst) -> Fst:
    return Fst.empty(fst.semiring).replace(isymbols=fst.isymbols, osymbols=fst.osymbols)


def _finish(out, arc_map, return_arc_map):
    return (out, np.ascontiguousarray(arc_map, dtype=np.int64)) if return_arc_map else out
