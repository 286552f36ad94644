"""Graph primitives shared by the algorithms: reversed CSR, reachability from
the start, co-reachability of the final states, and cycle tests. All O(V + E)."""

import numpy as np
from numba import njit

from .semiring import is_zero


@njit(cache=True)
def reverse_csr(indptr, nextstate, num_states):
    """CSR of the reversed arcs: ``(rindptr, rnext, arc_index)`` where the
    reversed arc ``k`` goes to the source of input arc ``arc_index[k]``;
    reversed arcs of a state are in increasing input-arc order."""
    m = nextstate.shape[0]
    rindptr = np.zeros(num_states + 1, np.int64)
    for a in range(m):
        rindptr[nextstate[a] + 1] += 1
    for s in range(num_states):
        rindptr[s + 1] += rindptr[s]
    fill = rindptr[:num_states].copy()
    rnext = np.empty(m, np.int32)
    arc_index = np.empty(m, np.int64)
    for s in range(num_states):
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            k = fill[t]
            fill[t] += 1
            rnext[k] = s
            arc_index[k] = a
    return rindptr, rnext, arc_index


@njit(cache=True)
def accessible_states(indptr, nextstate, start):
    """Mask of the states reachable from ``start`` (none when ``start < 0``)."""
    n = indptr.shape[0] - 1
    seen = np.zeros(n, np.bool_)
    if start < 0 or start >= n:
        return seen
    stack = np.empty(n, np.int64)
    seen[start] = True
    stack[0] = start
    top = 1
    while top > 0:
        top -= 1
        s = stack[top]
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            if not seen[t]:
                seen[t] = True
                stack[top] = t
                top += 1
    return seen


@njit(cache=True)
def coaccessible_states(indptr, nextstate, final, code):
    """Mask of the states from which a final state is reachable."""
    n = final.shape[0]
    rindptr, rnext, _ = reverse_csr(indptr, nextstate, n)
    co = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)
    top = 0
    for s in range(n):
        if not is_zero(code, final[s]):
            co[s] = True
            stack[top] = s
            top += 1
    while top > 0:
        top -= 1
        t = stack[top]
        for k in range(rindptr[t], rindptr[t + 1]):
            s = rnext[k]
            if not co[s]:
                co[s] = True
                stack[top] = s
                top += 1
    return co


@njit(cache=True)
def on_cycle(indptr, nextstate, state):
    """Whether ``state`` reaches itself through one or more arcs (OpenFst's
    "not initial-acyclic" when ``state`` is the start)."""
    n = indptr.shape[0] - 1
    seen = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)
    stack[0] = state
    top = 1
    while top > 0:
        top -= 1
        s = stack[top]
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            if t == state:
                return True
            if not seen[t]:
                seen[t] = True
                stack[top] = t
                top += 1
    return False
