"""Pruning kernel: a best-first visit of the states by ``α[s] ⊗ β[s]`` (the
weight of the best successful path through ``s``) that drops arcs and final
weights outside the weight limit and stops admitting states after a budget.

The queue is OpenFst's ``Heap`` (fst/heap.h) step for step, so states whose
keys tie are visited in OpenFst's order: an inserted or improved state rises
past parents that are not strictly better (the later of two tied states comes
out first), and a pop moves the last leaf to the root and sifts it down past
children that are strictly better. Keys are float32 sums, as OpenFst's.
"""

import numpy as np
from numba import njit

from .semiring import better, is_zero, one, times, zero


@njit(inline="always", cache=True)
def _swap(heap, pos, i, j):
    a = heap[i]
    b = heap[j]
    heap[i] = b
    heap[j] = a
    pos[b] = i
    pos[a] = j


@njit(inline="always", cache=True)
def _sift_up(code, key, heap, pos, i):
    # OpenFst's Heap::Insert(value, i): rise while the parent is not strictly better
    while i > 0:
        p = (i - 1) // 2
        if better(code, key[heap[p]], key[heap[i]]):
            break
        _swap(heap, pos, i, p)
        i = p


@njit(inline="always", cache=True)
def _sift_down(code, key, heap, pos, size, i):
    # OpenFst's Heap::Heapify(i): sink below a strictly better child
    while True:
        l = 2 * i + 1
        r = l + 1
        best = i
        if l < size and better(code, key[heap[l]], key[heap[i]]):
            best = l
        if r < size and better(code, key[heap[r]], key[heap[best]]):
            best = r
        if best == i:
            return
        _swap(heap, pos, i, best)
        i = best


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
    discovered state is eventually visited. Ties are broken as OpenFst's heap
    breaks them. A state enters the heap at most once (at most E + 1 are
    discovered) and each kept arc updates it at most once: O((V + E) log E)."""
    n = final.shape[0]
    alpha = np.full(n, zero(code), np.float64)
    key = np.full(n, zero(code), np.float64)     # float32 α ⊗ β, the heap's order
    visited = np.zeros(n, np.bool_)
    admitted = np.zeros(n, np.bool_)
    queued = np.zeros(n, np.bool_)
    keep_arc = np.zeros(nextstate.shape[0], np.bool_)
    keep_final = np.zeros(n, np.bool_)
    heap = np.empty(n, np.int64)
    pos = np.empty(n, np.int64)
    discovery = np.empty(n, np.int64)
    discovery[0] = start
    alpha[start] = one(code)
    key[start] = np.float32(times(code, alpha[start], beta[start]))
    admitted[start] = True
    num_admitted = 1
    heap[0] = start
    pos[start] = 0
    queued[start] = True
    hsize = 1
    while hsize > 0:
        s = heap[0]
        _swap(heap, pos, 0, hsize - 1)
        hsize -= 1
        _sift_down(code, key, heap, pos, hsize, 0)
        queued[s] = False
        visited[s] = True
        a_s = alpha[s]
        if not is_zero(code, final[s]):
            keep_final[s] = not (has_limit and better(code, limit, times(code, a_s, final[s])))
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            prefix = np.float32(times(code, a_s, weight[a]))
            if has_limit and better(code, limit, times(code, prefix, beta[t])):
                continue
            # once the state budget is spent, every further arc is dropped,
            # even one into an already discovered state (OpenFst's rule)
            if state_threshold >= 0 and num_admitted >= state_threshold:
                continue
            keep_arc[a] = True
            if better(code, prefix, alpha[t]):
                alpha[t] = prefix
                key[t] = np.float32(times(code, prefix, beta[t]))
            if not admitted[t]:
                admitted[t] = True
                discovery[num_admitted] = t
                num_admitted += 1
            if visited[t]:
                continue
            if not queued[t]:
                queued[t] = True
                heap[hsize] = t
                pos[t] = hsize
                hsize += 1
                _sift_up(code, key, heap, pos, hsize - 1)
            else:
                # OpenFst's Heap::Update: rise if strictly better than the
                # parent, else sink (a no-op when the key did not change)
                i = pos[t]
                if i > 0 and better(code, key[t], key[heap[(i - 1) // 2]]):
                    _sift_up(code, key, heap, pos, i)
                else:
                    _sift_down(code, key, heap, pos, hsize, i)
    return discovery[:num_admitted], keep_arc, keep_final
