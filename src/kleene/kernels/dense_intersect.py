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


@njit(cache=True)
def _grown(arr, need):
    """``arr`` itself, or a copy with room for at least ``need`` entries."""
    if need <= arr.shape[0]:
        return arr
    out = np.empty(max(need, 2 * arr.shape[0]), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


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
    num_states = indptr.shape[0] - 1
    batch = lengths.shape[0]
    # stamp[s] == frame counter: s is in the current forward frontier;
    # mark/ids by frame parity: s alive at that frame, and its lattice id
    stamp = np.full(num_states, -1, np.int64)
    mark = np.full((2, num_states), -1, np.int64)
    ids = np.zeros((2, num_states), np.int64)
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
    num_out_states = 0
    num_out_arcs = 0
    counter = 0  # frame counters are unique over the batch: no resets needed
    for b in range(batch):
        state_offsets[b] = num_out_states
        arc_offsets[b] = num_out_arcs
        s0 = start[graph_of[b]]
        length = lengths[b]
        base = counter
        counter += length + 1
        if s0 < 0:
            continue
        # forward: frontier[off[t]:off[t+1]] are the states reachable at t
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
            frontier[off[t + 1]:n] = np.sort(frontier[off[t + 1]:n])
            off[t + 2] = n
        # backward: alive[i] when frontier[i] also reaches a final state at
        # the last frame
        alive = np.zeros(n, np.bool_)
        for i in range(off[length], off[length + 1]):
            s = frontier[i]
            if final_ok[s]:
                alive[i] = True
                mark[length % 2, s] = base + length
        for t in range(length - 1, -1, -1):
            p, q = t % 2, (t + 1) % 2
            for i in range(off[t], off[t + 1]):
                s = frontier[i]
                for e in range(indptr[s], indptr[s + 1]):
                    if mark[q, dst[e]] == base + t + 1:
                        alive[i] = True
                        mark[p, s] = base + t
                        break
        if not alive[0]:
            continue
        # number frame 0, then for each t number frame t+1 and emit t's arcs
        # (sources in (t, q) order, so arcs come out sorted by source)
        for t in range(length + 1):
            p = t % 2
            for i in range(off[t], off[t + 1]):
                if alive[i]:
                    s = frontier[i]
                    ids[p, s] = num_out_states
                    mark[p, s] = base + t  # (the backward pass's marks are stale)
                    if num_out_states >= state_graph.shape[0]:
                        state_graph = _grown(state_graph, num_out_states + 1)
                        state_frame = _grown(state_frame, num_out_states + 1)
                    state_graph[num_out_states] = s
                    state_frame[num_out_states] = t
                    num_out_states += 1
            if t == 0:
                continue
            q = (t - 1) % 2
            for i in range(off[t - 1], off[t]):
                if not alive[i]:
                    continue
                s = frontier[i]
                need = num_out_arcs + indptr[s + 1] - indptr[s]
                if need > arc_src.shape[0]:
                    arc_src = _grown(arc_src, need)
                    arc_dst = _grown(arc_dst, need)
                    arc_graph = _grown(arc_graph, need)
                    arc_frame = _grown(arc_frame, need)
                for e in range(indptr[s], indptr[s + 1]):
                    d = dst[e]
                    if mark[p, d] == base + t:
                        arc_src[num_out_arcs] = ids[q, s]
                        arc_dst[num_out_arcs] = ids[p, d]
                        arc_graph[num_out_arcs] = e
                        arc_frame[num_out_arcs] = t - 1
                        num_out_arcs += 1
        lattice_start[b] = state_offsets[b]
    state_offsets[batch] = num_out_states
    arc_offsets[batch] = num_out_arcs
    return (state_graph[:num_out_states].copy(), state_frame[:num_out_states].copy(),
            state_offsets, arc_src[:num_out_arcs].copy(), arc_dst[:num_out_arcs].copy(),
            arc_graph[:num_out_arcs].copy(), arc_frame[:num_out_arcs].copy(), arc_offsets,
            lattice_start)
