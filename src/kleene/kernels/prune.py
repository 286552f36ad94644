"""Pruning kernel: a best-first visit of the states by ``α[s] ⊗ β[s]`` (the
weight of the best successful path through ``s``) that drops arcs and final
weights outside the weight limit and stops admitting states after a budget.
"""

import numpy as np
from numba import njit

from .semiring import better, is_zero, one, times, zero


@njit(cache=True)
def _before(code, hkey, hstate, i, j):
    if hkey[i] == hkey[j]:
        return hstate[i] < hstate[j]
    return better(code, hkey[i], hkey[j])


@njit(cache=True)
def prune_states(indptr, nextstate, weight, final, start, beta, code, has_limit, limit,
                 state_threshold):
    """Returns ``(discovery, keep_arc, keep_final)``: the kept states in the
    order they were discovered (the output numbering) and masks of the kept
    arcs and final weights.

    States are visited best-first by ``α ⊗ β`` where ``α`` is the best prefix
    weight found so far (Dijkstra-like; exact for non-negative weights). At a
    visited state, the final weight is kept when ``α ⊗ final`` is within
    ``limit`` and an arc when ``α ⊗ w ⊗ β[next]`` is and, when
    ``state_threshold >= 0``, fewer than ``state_threshold`` states have been
    discovered so far (OpenFst's rule: once the budget is spent every further
    arc is dropped); a kept arc discovers (queues) its destination, and every
    discovered state is eventually visited. Ties are broken by lower state id.
    O((V + E) log E)."""
    n = final.shape[0]
    m = nextstate.shape[0]
    alpha = np.full(n, zero(code), np.float64)
    visited = np.zeros(n, np.bool_)
    admitted = np.zeros(n, np.bool_)
    keep_arc = np.zeros(m, np.bool_)
    keep_final = np.zeros(n, np.bool_)
    cap = m + 1    # one entry for the start plus at most one per arc relaxation
    hkey = np.empty(cap, np.float64)    # lazy heap: stale entries are skipped
    hstate = np.empty(cap, np.int64)
    heap = np.empty(cap, np.int64)
    hsize = 0
    nentries = 0
    discovery = np.empty(n, np.int64)
    discovery[0] = start
    alpha[start] = one(code)
    admitted[start] = True
    num_admitted = 1
    hkey[0] = times(code, alpha[start], beta[start])
    hstate[0] = start
    heap[0] = 0
    hsize = 1
    nentries = 1
    while hsize > 0:
        top = heap[0]
        hsize -= 1
        heap[0] = heap[hsize]
        k = 0
        while True:
            c = 2 * k + 1
            if c >= hsize:
                break
            if c + 1 < hsize and _before(code, hkey, hstate, heap[c + 1], heap[c]):
                c += 1
            if _before(code, hkey, hstate, heap[c], heap[k]):
                heap[k], heap[c] = heap[c], heap[k]
                k = c
            else:
                break
        s = hstate[top]
        if visited[s]:
            continue
        visited[s] = True
        a_s = alpha[s]
        if not is_zero(code, final[s]):
            keep_final[s] = not (has_limit and better(code, limit, times(code, a_s, final[s])))
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            prefix = times(code, a_s, weight[a])
            if has_limit and better(code, limit, times(code, prefix, beta[t])):
                continue
            # once the state budget is spent, every further arc is dropped,
            # even one into an already discovered state (OpenFst's rule)
            if state_threshold >= 0 and num_admitted >= state_threshold:
                continue
            keep_arc[a] = True
            improved = better(code, prefix, alpha[t])
            if improved:
                alpha[t] = prefix
            if not admitted[t]:
                admitted[t] = True
                discovery[num_admitted] = t
                num_admitted += 1
            elif visited[t] or not improved:
                continue
            # (re)queue t with its improved key
            q = nentries
            nentries += 1
            hkey[q] = times(code, alpha[t], beta[t])
            hstate[q] = t
            j = hsize
            heap[j] = q
            hsize += 1
            while j > 0:
                p = (j - 1) // 2
                if _before(code, hkey, hstate, heap[j], heap[p]):
                    heap[j], heap[p] = heap[p], heap[j]
                    j = p
                else:
                    break
    return discovery[:num_admitted], keep_arc, keep_final
