"""Shortest-distance kernels: topological order, the linear-time acyclic
recurrences, Mohri's generic single-source algorithm for cyclic machines, and
for cyclic tropical machines whose weights are all ``>= 0`` a label-correcting
search (SLF/LLL order) that falls back to Dijkstra's algorithm.

All kernels work over CSR arrays; all but :func:`tropical_distance` dispatch
semiring arithmetic on ``code``.
Status codes returned by :func:`generic_distance` and
:func:`tropical_distance`:

* ``OK`` (0): converged.
* ``BUDGET`` (1): some state was relaxed more than ``max_relaxations`` times
  (a divergent cycle: weight >= one in log/real, negative in tropical).
* ``NOT_FINITE`` (2): a distance became NaN or overflowed (diverged).
"""

import math

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
            if math.isnan(new):
                return NOT_FINITE
            if not approx_equal(code, old, new, delta):
                dist[t] = new
                resid[t] = plus(code, resid[t], w)
                if not in_queue[t]:
                    queue[(head + size) % n] = t
                    size += 1
                    in_queue[t] = True
    return OK


@njit(cache=True)
def tropical_distance(indptr, nextstate, weight, dist, budget):
    """Tropical shortest distance when every arc weight is ``>= 0`` (not NaN),
    from every state whose ``dist`` is finite on entry (the start state, or
    the final states of a reversed machine); fills ``dist``.

    A label-correcting search with exact comparisons: a state is queued again
    whenever its distance drops. Floating addition of a weight ``>= 0`` never
    decreases a sum, so it stops at the exact fixpoint ``dist[t] =
    min(dist[t], dist[s] + w)``, the minimum over the paths of their sums
    formed from the source, whatever the visiting order. The order is
    Bertsekas' SLF/LLL deque, which pops fewer states than a FIFO queue
    (random machines, forward: 1.3 pops per state instead of 2.4): a newly
    queued state goes to the front when its distance is below the front's
    (small label first), and a front state whose distance exceeds the
    queue's mean is moved to the back before popping (large label last;
    ``qsum`` tracks the sum of the queued distances, a heuristic that only
    steers the order). Once ``budget`` pops and moves are spent, the states
    still queued seed Dijkstra's algorithm (:func:`_dijkstra_run`), which
    finishes with each state popped at most once more. Returns a status code
    (``NOT_FINITE``: a NaN sum).

    Complexity: O(V + E) per round of the queue, at most
    O(budget * out-degree + (V + E) log V) in all."""
    n = dist.shape[0]
    ring = np.empty(n, np.int64)        # the deque: ring[head], ... (size states)
    queued = np.zeros(n, np.bool_)
    head = 0
    size = 0
    qsum = 0.0
    for s in range(n):
        if dist[s] < np.inf:
            ring[size] = s
            size += 1
            queued[s] = True
            qsum += dist[s]
    work = 0
    while size > 0:
        if work >= budget:
            return _dijkstra_run(indptr, nextstate, weight, dist, ring, head, size)
        # large label last: at most size - 1 moves (some state is <= the mean)
        moves = 0
        while moves < size - 1 and dist[ring[head]] * size > qsum:
            s = ring[head]
            head += 1
            if head == n:
                head = 0
            tail = head + size - 1
            if tail >= n:
                tail -= n
            ring[tail] = s
            moves += 1
        s = ring[head]
        head += 1
        if head == n:
            head = 0
        size -= 1
        queued[s] = False
        work += 1 + moves
        d = dist[s]
        qsum = qsum - d if size > 0 else 0.0
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            cand = d + weight[a]
            if cand < dist[t]:
                if queued[t]:
                    qsum += cand - dist[t]
                    dist[t] = cand
                    continue
                dist[t] = cand
                queued[t] = True
                qsum += cand
                if size > 0 and cand < dist[ring[head]]:
                    head -= 1           # small label first
                    if head < 0:
                        head = n - 1
                    ring[head] = t
                else:
                    tail = head + size
                    if tail >= n:
                        tail -= n
                    ring[tail] = t
                size += 1
            elif math.isnan(cand):
                return NOT_FINITE
    return OK


@njit(cache=True)
def tropical_sweep(indptr, nextstate, weight, dist, budget, descending):
    """:func:`tropical_distance` in state-number order: the same exact
    fixpoint (weights ``>= 0``, not NaN), reached by rounds that relax the
    marked states in increasing number, or decreasing with ``descending``
    (Bellman-Ford with Gauss-Seidel updates: a state marked ahead of the
    sweep is relaxed in the same round, one behind it in the next). Machines
    numbered roughly in topological order (composition, breadth-first
    numbering, lattices) then need few rounds when searched forward in
    increasing order and, on their reversed arcs, in decreasing order. It pops more states than the SLF/LLL deque
    (random machines: 1.9-3.6 per state, ~10-17 rounds), but reads the arc
    arrays, ``indptr`` and ``dist[s]`` in address order, which on machines
    whose arrays outgrow the CPU caches is up to twice as fast. Each round
    scans the marks between the least and greatest marked state. Once the
    pops plus 1/8 of the scanned marks reach ``budget``, the marked states
    seed Dijkstra's algorithm. Returns a status code.

    Complexity: O(V + E) per round, at most O(budget * out-degree +
    (V + E) log V) in all."""
    n = dist.shape[0]
    marked = np.zeros(n, np.bool_)
    lo = n
    hi = -1
    for s in range(n):
        if dist[s] < np.inf:
            marked[s] = True
            lo = min(lo, s)
            hi = max(hi, s)
    work = 0
    while hi >= lo:
        if work >= budget:
            ring = np.empty(n, np.int64)
            size = 0
            for s in range(lo, hi + 1):
                if marked[s]:
                    ring[size] = s
                    size += 1
            return _dijkstra_run(indptr, nextstate, weight, dist, ring, 0, size)
        first = lo
        last = hi
        work += (last - first + 1) >> 3
        lo = n
        hi = -1
        for k in range(first, last + 1):
            s = first + last - k if descending else k
            if not marked[s]:
                continue
            marked[s] = False
            work += 1
            d = dist[s]
            for a in range(indptr[s], indptr[s + 1]):
                t = nextstate[a]
                cand = d + weight[a]
                if cand < dist[t]:
                    dist[t] = cand
                    if not marked[t]:
                        marked[t] = True
                        if (first <= t < s) if descending else (s < t <= last):
                            continue    # ahead of the sweep: this round
                        lo = min(lo, t)
                        hi = max(hi, t)
                elif math.isnan(cand):
                    return NOT_FINITE
    return OK


@njit(cache=True)
def _dijkstra_run(indptr, nextstate, weight, dist, ring, head, size):
    """Dijkstra's algorithm from the ``size`` states of the circular queue
    ``ring`` starting at ``head`` (every other state has relaxed its arcs
    with its current distance). Weights ``>= 0``: keys never decrease, so a
    state popped with its current distance is final and never pushed again.
    O((V + E) log V)."""
    n = dist.shape[0]
    cap = n + nextstate.shape[0]
    hkey = np.empty(cap, np.float64)
    hstate = np.empty(cap, np.int64)
    count = 0
    for i in range(size):
        s = ring[(head + i) % n]
        count = _heap_push(hkey, hstate, count, dist[s], s)
    while count > 0:
        d = hkey[0]
        s = hstate[0]
        count = _heap_pop(hkey, hstate, count)
        if d != dist[s]:
            continue            # superseded by a smaller key pushed later
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            cand = d + weight[a]
            if cand < dist[t]:
                dist[t] = cand
                count = _heap_push(hkey, hstate, count, cand, t)
            elif math.isnan(cand):
                return NOT_FINITE
    return OK


# A 4-ary min-heap of (key, state) pairs with lazy deletion: a state is pushed
# again when its distance drops, and the stale entry is skipped when popped.
# Four children share a cache line of keys, halving the depth of a binary heap.

@njit(inline="always", cache=True)
def _heap_push(hkey, hstate, size, k, s):
    """Add ``(k, s)`` to the heap of ``size`` entries; returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 2
        if not k < hkey[parent]:
            break
        hkey[i] = hkey[parent]
        hstate[i] = hstate[parent]
        i = parent
    hkey[i] = k
    hstate[i] = s
    return size + 1


@njit(inline="always", cache=True)
def _heap_pop(hkey, hstate, size):
    """Remove the root (the least key) of the heap; returns the new size."""
    size -= 1
    if size == 0:
        return 0
    k = hkey[size]
    s = hstate[size]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        last = min(first + 4, size)
        best = first
        bk = hkey[first]
        for c in range(first + 1, last):
            if hkey[c] < bk:
                bk = hkey[c]
                best = c
        if not bk < k:
            break
        hkey[i] = bk
        hstate[i] = hstate[best]
        i = best
    hkey[i] = k
    hstate[i] = s
    return size
