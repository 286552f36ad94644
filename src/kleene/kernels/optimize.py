"""Kernels of :func:`kleene.algorithms.optimize.optimize`."""

import numpy as np
from numba import njit


@njit(cache=True)
def strong_components(indptr, nextstate):
    """Strongly connected component id of every state (iterative Tarjan).
    O(V + E)."""
    n = indptr.shape[0] - 1
    index = np.full(n, -1, np.int64)
    low = np.zeros(n, np.int64)
    on_stack = np.zeros(n, np.bool_)
    comp = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    work_state = np.empty(n, np.int64)
    work_arc = np.empty(n, np.int64)
    top = 0
    depth = 0
    counter = 0
    ncomp = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = counter
        low[root] = counter
        counter += 1
        stack[top] = root
        top += 1
        on_stack[root] = True
        work_state[0] = root
        work_arc[0] = indptr[root]
        depth = 1
        while depth > 0:
            s = work_state[depth - 1]
            a = work_arc[depth - 1]
            if a < indptr[s + 1]:
                work_arc[depth - 1] = a + 1
                t = nextstate[a]
                if index[t] == -1:
                    index[t] = counter
                    low[t] = counter
                    counter += 1
                    stack[top] = t
                    top += 1
                    on_stack[t] = True
                    work_state[depth] = t
                    work_arc[depth] = indptr[t]
                    depth += 1
                elif on_stack[t] and index[t] < low[s]:
                    low[s] = index[t]
                continue
            depth -= 1
            if depth > 0:
                parent = work_state[depth - 1]
                if low[s] < low[parent]:
                    low[parent] = low[s]
            if low[s] == index[s]:
                while True:
                    top -= 1
                    t = stack[top]
                    on_stack[t] = False
                    comp[t] = ncomp
                    if t == s:
                        break
                ncomp += 1
    return comp
