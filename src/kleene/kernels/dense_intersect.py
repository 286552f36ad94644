"""Topology of the intersection of graphs with dense frame sequences (the
kernel behind :func:`kleene.torch.intersect_dense.intersect_dense`).

A graph arc with an input label consumes one frame; an epsilon-input arc
consumes none. So the lattice of sequence ``b`` has the states ``(t, q)``,
``0 <= t <= lengths[b]``, an arc ``(t, q) -> (t+1, r)`` for every labelled
graph arc ``q -> r`` and an arc ``(t, q) -> (t, r)`` for every epsilon arc
(the graph's epsilon arcs must be acyclic). The kernel keeps the pairs
reachable from ``(0, start)`` and co-reachable to ``(lengths[b], f)`` with
``f`` final, and numbers them by ``(b, t, rank[q])``, where ``rank`` orders
the graph states so that epsilon arcs go to higher ranks (the identity for
an epsilon-free graph): that numbering is a topological order of the
lattice. Arcs come out sorted by (source state, graph arc). Scores are not
touched here: the caller gathers them with torch, so autograd sees plain
indexing.
"""

import numpy as np
from numba import njit


# Compile time matters (CI starts with a cold cache): the buffer helpers
# copy in plain loops (slice assignment and np.empty(n, arr.dtype) compile
# seconds slower), and the helpers called from several places are compiled
# once on their own rather than inlined at each call.
@njit(cache=True)
def _grown(arr, need):
    """A copy of the int64 ``arr`` with room for at least ``need`` entries."""
    size = max(2 * arr.shape[0], need)
    out = np.empty(size, np.int64)
    for i in range(arr.shape[0]):
        out[i] = arr[i]
    return out


@njit(cache=True)
def _head(arr, n):
    """A copy of ``arr[:n]`` (int64)."""
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = arr[i]
    return out


@njit(cache=True)
def _sort_by_rank(a, lo, hi, rank):
    """Sorts ``a[lo:hi]`` in place by ``rank[a[i]]``: insertion sort for short
    ranges (frontiers come out nearly sorted), heapsort otherwise.
    Hand-written because compiling ``np.sort`` costs several seconds of a
    cold start."""
    n = hi - lo
    if n <= 32:
        for i in range(lo + 1, hi):
            x = a[i]
            j = i - 1
            while j >= lo and rank[a[j]] > rank[x]:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = x
        return
    for root in range(n // 2 - 1, -1, -1):
        _sift(a, lo, root, n, rank)
    for end in range(n - 1, 0, -1):
        a[lo], a[lo + end] = a[lo + end], a[lo]
        _sift(a, lo, 0, end, rank)


@njit(cache=True)
def _sift(a, lo, root, n, rank):
    """Restores the max-heap (by rank) below ``root`` of ``a[lo:lo+n]``."""
    while True:
        child = 2 * root + 1
        if child >= n:
            return
        if child + 1 < n and rank[a[lo + child + 1]] > rank[a[lo + child]]:
            child += 1
        if rank[a[lo + root]] >= rank[a[lo + child]]:
            return
        a[lo + root], a[lo + child] = a[lo + child], a[lo + root]
        root = child


@njit(inline="always")
def _eps_closure(indptr, dst, is_eps, frontier, lo, n, stamp, value):
    """Appends to ``frontier[lo:n]`` every state reachable from it by
    epsilon arcs, stamping them ``value``; returns ``(frontier, n)``."""
    i = lo
    while i < n:
        s = frontier[i]
        if n + indptr[s + 1] - indptr[s] > frontier.shape[0]:
            frontier = _grown(frontier, n + indptr[s + 1] - indptr[s])
        for e in range(indptr[s], indptr[s + 1]):
            if is_eps[e]:
                d = dst[e]
                if stamp[d] != value:
                    stamp[d] = value
                    frontier[n] = d
                    n += 1
        i += 1
    return frontier, n


@njit(inline="always")
def _forward_frontiers(indptr, dst, is_eps, rank, has_eps, s0, length, base, stamp, frontier):
    """States reachable from ``s0`` at each frame: returns ``(frontier,
    off)`` with ``frontier[off[t]:off[t+1]]`` the states at frame ``t`` in
    rank order. ``stamp[s] == base + t`` marks ``s`` as already in frame t."""
    off = np.empty(length + 2, np.int64)
    off[0] = 0
    n = 0
    # frame t's states: s0 (t = 0) or the labelled arcs out of frame t-1,
    # then their epsilon closure, sorted by rank
    for t in range(length + 1):
        if t == 0:
            frontier[0] = s0
            stamp[s0] = base
            n = 1
        else:
            for i in range(off[t - 1], off[t]):
                s = frontier[i]
                if n + indptr[s + 1] - indptr[s] > frontier.shape[0]:
                    frontier = _grown(frontier, n + indptr[s + 1] - indptr[s])
                for e in range(indptr[s], indptr[s + 1]):
                    d = dst[e]
                    if not is_eps[e] and stamp[d] != base + t:
                        stamp[d] = base + t
                        frontier[n] = d
                        n += 1
        if has_eps and n > off[t]:
            frontier, n = _eps_closure(indptr, dst, is_eps, frontier, off[t], n, stamp, base + t)
        _sort_by_rank(frontier, off[t], n, rank)
        off[t + 1] = n
    return frontier, off


@njit(inline="always")
def _coreachable(indptr, dst, is_eps, final_ok, frontier, off, length, base, mark):
    """``alive[i]``: ``frontier[i]`` (at its frame) also reaches a final state
    at frame ``length``. Returns ``(alive, number alive, arcs between alive
    pairs)``; ``mark[(t % 2) * width + s] == base + t`` marks ``s`` alive at
    ``t`` (``width`` = the number of graph states). A frame is visited in
    decreasing rank, so its epsilon successors are settled first."""
    width = indptr.shape[0] - 1
    alive = np.zeros(off[length + 1], np.bool_)
    num_alive = 0
    num_arcs = 0
    for t in range(length, -1, -1):
        p, q = t % 2, (t + 1) % 2
        for i in range(off[t + 1] - 1, off[t] - 1, -1):
            s = frontier[i]
            ok = t == length and final_ok[s]
            for e in range(indptr[s], indptr[s + 1]):
                if is_eps[e]:
                    if mark[p * width + dst[e]] == base + t:
                        num_arcs += 1
                        ok = True
                elif t < length and mark[q * width + dst[e]] == base + t + 1:
                    num_arcs += 1
                    ok = True
            if ok:
                alive[i] = True
                num_alive += 1
                mark[p * width + s] = base + t
    return alive, num_alive, num_arcs


@njit(cache=True)
def dense_lattice(indptr, dst, is_eps, rank, final_ok, start, graph_of, lengths):
    """The trimmed lattice topology of a batch.

    Arguments (int64 arrays unless said otherwise):

    * ``indptr`` ``(S+1,)``, ``dst`` ``(E,)``: the graphs' arcs in CSR order,
      global state and arc ids (machines concatenated).
    * ``is_eps`` ``(E,)`` bool: the arc has no input label (consumes no frame).
    * ``rank`` ``(S,)``: a state order in which every epsilon arc goes up
      (``arange(S)`` when there are none); the epsilon arcs must be acyclic.
    * ``final_ok`` ``(S,)`` bool: the state has a final score above ``-inf``.
    * ``start`` ``(G,)``: global start state of each graph, ``-1`` if empty.
    * ``graph_of`` ``(B,)``: which graph sequence ``b`` uses.
    * ``lengths`` ``(B,)``: frames of each sequence (``>= 0``).

    Returns ``(state_graph, state_frame, state_offsets, arc_src, arc_dst,
    arc_graph, arc_frame, arc_offsets, lattice_start)``: per lattice state
    its graph state and frame; per lattice arc its global source/destination
    lattice state, graph arc and the frame of its source; ``(B+1,)``
    offsets; ``(B,)`` start states (``-1`` for an empty lattice). O(sum
    over b of the arcs leaving the forward-reachable pairs, plus a sort of
    each frame's states) time, O(S + lattice) memory.
    """
    width = indptr.shape[0] - 1
    batch = lengths.shape[0]
    has_eps = False
    for e in range(is_eps.shape[0]):
        if is_eps[e]:
            has_eps = True
            break
    # stamp[s] == frame counter: s is in the current forward frontier;
    # mark/ids by frame parity (entry parity * width + s): s alive at that
    # frame, and its lattice id. Frame counters are unique over the batch,
    # so nothing is ever reset.
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
        frontier, off = _forward_frontiers(indptr, dst, is_eps, rank, has_eps, s0, length, base,
                                           stamp, frontier)
        alive, num_alive, num_arcs = _coreachable(indptr, dst, is_eps, final_ok, frontier, off,
                                                  length, base, mark)
        if num_alive == 0:
            continue
        if ns + num_alive > state_graph.shape[0]:
            state_graph = _grown(state_graph, ns + num_alive)
            state_frame = _grown(state_frame, ns + num_alive)
        if na + num_arcs > arc_src.shape[0]:
            arc_src = _grown(arc_src, na + num_arcs)
            arc_dst = _grown(arc_dst, na + num_arcs)
            arc_graph = _grown(arc_graph, na + num_arcs)
            arc_frame = _grown(arc_frame, na + num_arcs)
        # number frame t, then emit the arcs leaving frame t-1 (into t-1 by
        # epsilon, into t otherwise): sources come in numbering order, so
        # arcs come out sorted by source state
        for t in range(length + 2):
            p = t % 2
            if t <= length:
                for i in range(off[t], off[t + 1]):
                    if alive[i]:
                        s = frontier[i]
                        ids[p * width + s] = ns
                        mark[p * width + s] = base + t  # (backward marks are stale)
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
                    if is_eps[e]:
                        if mark[q * width + d] != base + t - 1:
                            continue
                        target = ids[q * width + d]
                    else:
                        if t > length or mark[p * width + d] != base + t:
                            continue
                        target = ids[p * width + d]
                    arc_src[na] = ids[q * width + s]
                    arc_dst[na] = target
                    arc_graph[na] = e
                    arc_frame[na] = t - 1
                    na += 1
        lattice_start[b] = state_offsets[b]
    state_offsets[batch] = ns
    arc_offsets[batch] = na
    return (_head(state_graph, ns), _head(state_frame, ns), state_offsets, _head(arc_src, na),
            _head(arc_dst, na), _head(arc_graph, na), _head(arc_frame, na), arc_offsets,
            lattice_start)
