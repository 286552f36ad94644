"""Depth-first topological order of states (the graph part of ``topsort``)."""

import numpy as np
from numba import njit

ACYCLIC = 0
CYCLIC = 1


@njit(cache=True)
def topological_order(indptr, nextstate, start):
    """Returns ``(status, order)`` with ``order[s]`` the new id of state ``s``.

    The order is OpenFst's: reverse finishing order of a depth-first search
    that follows arcs in their stored order, rooted first at ``start`` and
    then at every still-unvisited state in increasing id order. ``status`` is
    ``CYCLIC`` (and ``order`` meaningless) when a back arc is found. O(V + E).
    """
    n = indptr.shape[0] - 1
    WHITE, GREY, BLACK = 0, 1, 2
    color = np.zeros(n, np.int8)
    cursor = np.zeros(n, np.int64)
    stack = np.empty(n, np.int64)
    finish = np.empty(n, np.int64)
    nfinished = 0
    for k in range(-1, n):
        root = start if k == -1 else k
        if root < 0 or color[root] != WHITE:
            continue
        top = 0
        stack[top] = root
        top += 1
        color[root] = GREY
        cursor[root] = indptr[root]
        while top > 0:
            s = stack[top - 1]
            a = cursor[s]
            if a < indptr[s + 1]:
                cursor[s] = a + 1
                t = nextstate[a]
                if color[t] == WHITE:
                    color[t] = GREY
                    cursor[t] = indptr[t]
                    stack[top] = t
                    top += 1
                elif color[t] == GREY:
                    return CYCLIC, finish
            else:
                color[s] = BLACK
                finish[nfinished] = s
                nfinished += 1
                top -= 1
    order = np.empty(n, np.int64)
    for i in range(n):
        order[finish[n - 1 - i]] = i
    return ACYCLIC, order
