"""Topology of the intersection of graphs with dense frame sequences (the
kernel behind :func:`kleene.torch.intersect_dense.intersect_dense`).

Every graph arc consumes one frame, so the lattice of sequence ``b`` has the
states ``(t, q)``, ``0 <= t <= lengths[b]``, and an arc ``(t, q) -> (t+1, r)``
for every graph arc ``q -> r``. The kernel keeps the pairs reachable from
``(0, start)`` and co-reachable to ``(lengths[b], f)`` with ``f`` final, and
numbers them by ``(b, t, q)``; arcs come out sorted by ``(b, t, graph arc)``,
hence by source state. Scores are not touched here: the caller gathers them
with torch, so autograd sees plain indexing.
"""

import numpy as np
from numba import njit


# (the buffer helpers copy in plain loops: numba compiles slice assignment
# and np.empty(n, arr.dtype) several seconds slower on a cold cache)
@njit(inline="always")
def _grown(arr, need):
    """A copy of the int64 ``arr`` with room for at least ``need`` entries."""
    size = max(2 * arr.shape[0], need)
    out = np.empty(size, np.int64)
    for i in range(arr.shape[0]):
        out[i] = arr[i]
    return out


@njit(inline="always")
def _head(arr, n):
    """A copy of ``arr[:n]`` (int64)."""
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = arr[i]
    return out


@njit(inline="always")
def _sort_range(a, lo, hi):
    """Sorts ``a[lo:hi]`` in place: insertion sort for short ranges (frontiers
    come out nearly sorted), heapsort otherwise. Hand-written because
    compiling ``np.sort`` costs several seconds of a cold start."""
    n = hi - lo
    if n <= 32:
        for i in range(lo + 1, hi):
            x = a[i]
            j = i - 1
            while j >= lo and a[j] > x:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = x
        return
    for root in range(n // 2 - 1, -1, -1):
        _sift(a, lo, root, n)
    for end in range(n - 1, 0, -1):
        a[lo], a[lo + end] = a[lo + end], a[lo]
        _sift(a, lo, 0, end)


@njit(inline="always")
def _sift(a, lo, root, n):
    """Restores the max-heap below ``root`` of the heap ``a[lo:lo+n]``."""
    while True:
        child = 2 * root + 1
        if child >= n:
            return
        if child + 1 < n and a[lo + child + 1] > a[lo + child]:
            child += 1
        if a[lo + root] >= a[lo + child]:
            return
        a[lo + root], a[lo + child] = a[lo + child], a[lo + root]
        root = child


@njit(inline="always")
def _forward_frontiers(indptr, dst, s0, length, base, stamp, frontier):
    """States reachable from ``s0`` after each frame: returns ``(frontier,
    off)`` with ``frontier[off[t]:off[t+1]]`` the sorted states at frame
    ``t``. ``stamp[s] == base + t`` marks ``s`` as already in frame ``t``."""
    off = np.empty(length + 2, np.int64)
    off[0] = 0
    frontier[0] = s0
    off[1] = 1
    n = 1
    stamp[s0] = base
    for t in range(length):
        for i in range(off[t], off[t + 1]):
            s = frontier[i]
            if n + indptr[s + 1] - indptr[s] > frontier.shape[0]:
                frontier = _grown(frontier, n + indptr[s + 1] - indptr[s])
            for e in range(indptr[s], indptr[s + 1]):
                d = dst[e]
                if stamp[d] != base + t + 1:
                    stamp[d] = base + t + 1
                    frontier[n] = d
                    n += 1
        _sort_range(frontier, off[t + 1], n)
        off[t + 2] = n
    return frontier, off


@njit(inline="always")
def _coreachable(indptr, dst, final_ok, frontier, off, length, base, mark):
    """``alive[i]``: ``frontier[i]`` (at its frame) also reaches a final state
    at frame ``length``. Returns ``(alive, number alive, arcs between alive
    pairs)``; ``mark[(t % 2) * width + s] == base + t`` marks ``s`` alive at ``t``."""
    width = indptr.shape[0] - 1
    alive = np.zeros(off[length + 1], np.bool_)
    num_alive = 0
    num_arcs = 0
    for i in range(off[length], off[length + 1]):
        s = frontier[i]
        if final_ok[s]:
            alive[i] = True
            num_alive += 1
            mark[(length % 2) * width + s] = base + length
    for t in range(length - 1, -1, -1):
        p, q = t % 2, (t + 1) % 2
        for i in range(off[t], off[t + 1]):
            s = frontier[i]
            for e in range(indptr[s], indptr[s + 1]):
                if mark[q * width + dst[e]] == base + t + 1:
                    num_arcs += 1
                    if not alive[i]:
                        alive[i] = True
                        num_alive += 1
                        mark[p * width + s] = base + t
    return alive, num_alive, num_arcs


@njit(cache=True)
def dense_lattice(indptr, dst, final_ok, start, graph_of, lengths):
    """The trimmed lattice topology of a batch.

    Arguments (all int64 except ``final_ok``, a boolean per state):

    * ``indptr`` ``(S+1,)``, ``dst`` ``(E,)``: the graphs' arcs in CSR order,
      global state and arc ids (machines concatenated).
    * ``final_ok`` ``(S,)``: the state has a final score above ``-inf``.
    * ``start`` ``(G,)``: global start state of each graph, ``-1`` if empty.
    * ``graph_of`` ``(B,)``: which graph sequence ``b`` uses.
    * ``lengths`` ``(B,)``: frames of each sequence (``>= 0``).

    Returns ``(state_graph, state_frame, state_offsets, arc_src, arc_dst,
    arc_graph, arc_frame, arc_offsets, lattice_start)``: per lattice state
    its graph state and frame; per lattice arc its global source/destination
    lattice state, graph arc and frame; ``(B+1,)`` offsets; ``(B,)`` start
    states (``-1`` for an empty lattice). O(sum over b of the arcs leaving
    the forward-reachable pairs) time, O(S + lattice) memory.
    """
    width = indptr.shape[0] - 1
    batch = lengths.shape[0]
    # stamp[s] == frame counter: s is in the current forward frontier;
    # mark/ids by frame parity (entry parity * width + s): s alive at that
    # frame, and its lattice id.
    # Frame counters are unique over the batch, so nothing is ever reset.
    stamp = np.full(width, -1, np.int64)
    mark = np.full(2 * width, -1, np.int64)
    ids = np.zeros(2 * width, np.int64)
    state_graph = np.empty(16, np.int64)
    state_frame = np.empty(16, np.int64)
    arc_src = np.empty(16, np.int64)
    arc_dst = np.empty(16, np.int64)
    arc_graph = np.empty(16, np.int64)
    arc_frame = np.empty(16, np.int64)
    state_offsets = np.zeros(batch + 1, np.int64)
    arc_offsets = np.zeros(batch + 1, np.int64)
    lattice_start = np.full(batch, -1, np.int64)
    frontier = np.empty(16, np.int64)
    ns = 0  # lattice states so far
    na = 0  # lattice arcs so far
    counter = 0
    for b in range(batch):
        state_offsets[b] = ns
        arc_offsets[b] = na
        s0 = start[graph_of[b]]
        length = lengths[b]
        base = counter
        counter += length + 1
        if s0 < 0:
            continue
        frontier, off = _forward_frontiers(indptr, dst, s0, length, base, stamp, frontier)
        alive, num_alive, num_arcs = _coreachable(indptr, dst, final_ok, frontier, off, length,
                                                  base, mark)
        if not alive[0]:
            continue
        if ns + num_alive > state_graph.shape[0]:
            state_graph = _grown(state_graph, ns + num_alive)
            state_frame = _grown(state_frame, ns + num_alive)
        if na + num_arcs > arc_src.shape[0]:
            arc_src = _grown(arc_src, na + num_arcs)
            arc_dst = _grown(arc_dst, na + num_arcs)
            arc_graph = _grown(arc_graph, na + num_arcs)
            arc_frame = _grown(arc_frame, na + num_arcs)
        # number frame t, then emit the arcs from frame t-1 into it: sources
        # come in (t, q) order, so arcs come out sorted by source state
        for t in range(length + 1):
            p = t % 2
            for i in range(off[t], off[t + 1]):
                if alive[i]:
                    s = frontier[i]
                    ids[p * width + s] = ns
                    mark[p * width + s] = base + t  # (the backward pass's marks are stale)
                    state_graph[ns] = s
                    state_frame[ns] = t
                    ns += 1
            if t == 0:
                continue
            q = (t - 1) % 2
            for i in range(off[t - 1], off[t]):
                if not alive[i]:
                    continue
                s = frontier[i]
                for e in range(indptr[s], indptr[s + 1]):
                    d = dst[e]
                    if mark[p * width + d] == base + t:
                        arc_src[na] = ids[q * width + s]
                        arc_dst[na] = ids[p * width + d]
                        arc_graph[na] = e
                        arc_frame[na] = t - 1
                        na += 1
        lattice_start[b] = state_offsets[b]
    state_offsets[batch] = ns
    arc_offsets[batch] = na
    return (_head(state_graph, ns), _head(state_frame, ns), state_offsets, _head(arc_src, na),
            _head(arc_dst, na), _head(arc_graph, na), _head(arc_frame, na), arc_offsets,
            lattice_start)
