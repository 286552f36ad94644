"""The one-best path with OpenFst's tie-breaking (``ShortestPath`` with
``nshortest=1`` and the automatic queue).

OpenFst relaxes arcs in the order its queue hands out states and keeps the
first of several equally good paths (an update needs a strictly better
weight, and a final state replaces the current best only when strictly
better). Which of two tied paths wins therefore depends on the queue; the
automatic queue on an acyclic machine is the topological order of a
depth-first search from the start (reverse finishing order, arcs in index
order), and on a machine whose arc weights are all one or zero a LIFO stack.
These kernels reproduce both, so kleene's best path is pynini's even among
ties (grammars such as NeMo's text normalization have many exact ties).
"""

import numpy as np
from numba import njit

from .semiring import better, is_zero, one, times, zero

LIFO = 0
TOP_ORDER = 1


@njit(cache=True)
def dfs_top_order(indptr, nextstate, start):
    """Depth-first search from ``start`` (arcs in index order). Returns
    ``(acyclic, order)``: ``order`` lists the reached states in reverse
    finishing order (a topological order when ``acyclic``)."""
    n = indptr.shape[0] - 1
    color = np.zeros(n, np.int8)          # 0 new, 1 on the stack, 2 finished
    stack_state = np.empty(n, np.int64)
    stack_arc = np.empty(n, np.int64)
    finished = np.empty(n, np.int64)
    nfinished = 0
    acyclic = True
    depth = 0
    stack_state[0] = start
    stack_arc[0] = indptr[start]
    color[start] = 1
    depth = 1
    while depth > 0:
        s = stack_state[depth - 1]
        a = stack_arc[depth - 1]
        if a < indptr[s + 1]:
            stack_arc[depth - 1] = a + 1
            t = nextstate[a]
            if color[t] == 0:
                color[t] = 1
                stack_state[depth] = t
                stack_arc[depth] = indptr[t]
                depth += 1
            elif color[t] == 1:
                acyclic = False
        else:
            color[s] = 2
            finished[nfinished] = s
            nfinished += 1
            depth -= 1
    return acyclic, finished[:nfinished][::-1].copy()


@njit(cache=True)
def single_shortest_path(indptr, nextstate, weight, final, start, code, mode, order):
    """OpenFst's ``SingleShortestPath`` with a LIFO queue (``mode`` LIFO) or
    the topological ``order`` of an acyclic machine (``mode`` TOP_ORDER).

    Returns ``(f_parent, parent_state, parent_arc)``: the final state the
    best path ends in (-1: no successful path) and, per state, the state and
    arc index it was last improved from. Distances are kept in the weight
    dtype, so sums round as OpenFst's float weights do."""
    n = final.shape[0]
    dist = np.full(n, zero(code), weight.dtype)
    parent_state = np.full(n, -1, np.int64)
    parent_arc = np.full(n, -1, np.int64)
    enqueued = np.zeros(n, np.bool_)
    f_dist = zero(code)
    f_parent = -1
    dist[start] = one(code)
    enqueued[start] = True
    stack = np.empty(n, np.int64)
    top = 0
    pos = 0
    if mode == LIFO:
        stack[0] = start
        top = 1
    while True:
        if mode == LIFO:
            if top == 0:
                break
            top -= 1
            s = stack[top]
        else:
            while pos < order.shape[0] and not enqueued[order[pos]]:
                pos += 1
            if pos == order.shape[0]:
                break
            s = order[pos]
            pos += 1
        enqueued[s] = False
        sd = dist[s]
        if not is_zero(code, final[s]):
            through = times(code, sd, final[s])
            if better(code, through, f_dist):
                f_dist = through
                f_parent = s
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            w = times(code, sd, weight[a])
            if better(code, w, dist[t]):
                dist[t] = w
                parent_state[t] = s
                parent_arc[t] = a
                if not enqueued[t]:
                    enqueued[t] = True
                    if mode == LIFO:
                        stack[top] = t
                        top += 1
    return f_parent, parent_state, parent_arc
