"""Graph helper for :mod:`kleene.algorithms.encode` (``RmFinalEpsilon`` needs
to know which states can still reach a final state)."""

import numpy as np
from numba import njit

from .semiring import is_zero


@njit(cache=True)
def coaccessible(indptr, nextstate, final, code):
    """Boolean mask of the states from which a final state is reachable
    (reverse BFS over a reversed CSR built here). O(V + E)."""
    n = final.shape[0]
    m = nextstate.shape[0]
    rev_ptr = np.zeros(n + 1, np.int64)
    for a in range(m):
        rev_ptr[nextstate[a] + 1] += 1
    for s in range(n):
        rev_ptr[s + 1] += rev_ptr[s]
    rev_src = np.empty(m, np.int64)
    fill = rev_ptr[:-1].copy()
    for s in range(n):
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            rev_src[fill[t]] = s
            fill[t] += 1
    co = np.zeros(n, np.bool_)
    queue = np.empty(n, np.int64)
    tail = 0
    for s in range(n):
        if not is_zero(code, final[s]):
            co[s] = True
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        t = queue[head]
        head += 1
        for k in range(rev_ptr[t], rev_ptr[t + 1]):
            s = rev_src[k]
            if not co[s]:
                co[s] = True
                queue[tail] = s
                tail += 1
    return co
