"""Accessibility and coaccessibility of states (the graph part of ``connect``)."""

import numpy as np
from numba import njit

from .semiring import is_zero


@njit(cache=True)
def _reverse_csr(indptr, nextstate, n):
    """For every state, the source states of its incoming arcs (CSR)."""
    m = nextstate.shape[0]
    rev_indptr = np.zeros(n + 1, np.int64)
    for a in range(m):
        rev_indptr[nextstate[a] + 1] += 1
    for s in range(n):
        rev_indptr[s + 1] += rev_indptr[s]
    fill = rev_indptr[:-1].copy()
    rev_src = np.empty(m, np.int32)
    for s in range(n):
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            rev_src[fill[t]] = s
            fill[t] += 1
    return rev_indptr, rev_src


@njit(cache=True)
def useful_states(indptr, nextstate, final, start, code):
    """Marks the states that are both accessible (reachable from ``start``)
    and coaccessible (reach a final state). O(V + E)."""
    n = final.shape[0]
    access = np.zeros(n, np.bool_)
    keep = np.zeros(n, np.bool_)
    if start < 0 or n == 0:
        return keep
    stack = np.empty(n, np.int64)
    top = 0
    access[start] = True
    stack[top] = start
    top += 1
    while top > 0:
        top -= 1
        s = stack[top]
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            if not access[t]:
                access[t] = True
                stack[top] = t
                top += 1
    rev_indptr, rev_src = _reverse_csr(indptr, nextstate, n)
    # Backward search from accessible final states, restricted to accessible
    # states (a state on a path from start to a final state is accessible).
    for s in range(n):
        if access[s] and not is_zero(code, final[s]):
            keep[s] = True
            stack[top] = s
            top += 1
    while top > 0:
        top -= 1
        t = stack[top]
        for a in range(rev_indptr[t], rev_indptr[t + 1]):
            s = rev_src[a]
            if access[s] and not keep[s]:
                keep[s] = True
                stack[top] = s
                top += 1
    return keep
