"""Shortest-distance kernels: topological order, the linear-time acyclic
recurrences and Mohri's generic single-source algorithm for cyclic machines
(log, real, boolean; cyclic tropical machines use :mod:`kleene.kernels.sd_scc`).

All kernels work over CSR arrays and dispatch semiring arithmetic on ``code``.
Status codes returned by :func:`generic_distance`:

* ``OK`` (0): converged.
* ``BUDGET`` (1): some state was relaxed more than ``max_relaxations`` times
  (a divergent cycle: weight >= one in log/real, negative in tropical).
* ``NOT_FINITE`` (2): a distance became NaN or overflowed (diverged).
"""

import numpy as np
from numba import njit

from .semiring import approx_equal, is_zero, one, plus, times, zero

OK = 0
BUDGET = 1
NOT_FINITE = 2


@njit(cache=True)
def topological_order(indptr, nextstate, num_states):
    """Kahn's algorithm over all states. Returns ``(order, acyclic)``; when the
    machine has a cycle ``order`` lists only the states outside any cycle's
    reach and ``acyclic`` is False. O(V + E)."""
    indeg = np.zeros(num_states, np.int64)
    for a in range(nextstate.shape[0]):
        indeg[nextstate[a]] += 1
    order = np.empty(num_states, np.int64)
    head = 0
    tail = 0
    for s in range(num_states):
        if indeg[s] == 0:
            order[tail] = s
            tail += 1
    while head < tail:
        s = order[head]
        head += 1
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            indeg[t] -= 1
            if indeg[t] == 0:
                order[tail] = t
                tail += 1
    return order[:tail], tail == num_states


@njit(cache=True)
def acyclic_forward(indptr, nextstate, weight, order, start, code, dist):
    """Distances from ``start`` in topological ``order``; fills ``dist``
    (pre-set to zero). O(V + E)."""
    dist[start] = one(code)
    for k in range(order.shape[0]):
        s = order[k]
        d = dist[s]
        if is_zero(code, d):
            continue
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            dist[t] = plus(code, dist[t], times(code, d, weight[a]))


@njit(cache=True)
def acyclic_reverse(indptr, nextstate, weight, final, order, code, dist):
    """Distances to the final states (``final[s] ⊕ ⊕_a w[a] ⊗ dist[next]``) in
    reverse topological ``order``; fills ``dist``. O(V + E)."""
    for k in range(order.shape[0] - 1, -1, -1):
        s = order[k]
        d = final[s]
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            if not is_zero(code, dist[t]):
                d = plus(code, d, times(code, weight[a], dist[t]))
        dist[s] = d


@njit(cache=True)
def generic_distance(indptr, nextstate, weight, dist, code, delta, max_relaxations):
    """Mohri's generic single-source shortest distance with a FIFO queue.

    ``dist`` holds the source weights on entry (one at the start state, or the
    final weights on a reversed machine) and the distances on exit. Each state
    keeps a residual ``r``: the weight added to ``dist`` since it was last
    relaxed; relaxing pushes ``r ⊗ w`` along every arc. A state is re-queued
    when its distance changes by more than ``delta``. Returns a status code.
    O(E * relaxations per state)."""
    n = dist.shape[0]
    resid = dist.copy()
    queue = np.empty(n, np.int64)   # circular FIFO, each state at most once
    in_queue = np.zeros(n, np.bool_)
    pops = np.zeros(n, np.int64)
    head = 0
    size = 0
    for s in range(n):
        if not is_zero(code, dist[s]):
            queue[(head + size) % n] = s
            size += 1
            in_queue[s] = True
    while size > 0:
        s = queue[head]
        head = (head + 1) % n
        size -= 1
        in_queue[s] = False
        pops[s] += 1
        if pops[s] > max_relaxations:
            return BUDGET
        r = resid[s]
        resid[s] = zero(code)
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            w = times(code, r, weight[a])
            if is_zero(code, w):
                continue
            old = dist[t]
            new = plus(code, old, w)
            if new != new:
                return NOT_FINITE
            if not approx_equal(code, old, new, delta):
                dist[t] = new
                resid[t] = plus(code, resid[t], w)
                if not in_queue[t]:
                    queue[(head + size) % n] = t
                    size += 1
                    in_queue[t] = True
    return OK
