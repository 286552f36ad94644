"""n-shortest-paths kernel (Mohri & Riley 2002): a best-first search over
(state, prefix weight) pairs ordered by ``prefix ⊗ distance-to-final``.

Every popped pair is a node of a search tree rooted at the start state; a
pair whose state is the virtual super-final state closes a complete path.
Because the priority adds the exact distance to the final states, complete
paths come out in order of weight; a state is expanded at most ``nshortest``
times (a later prefix through it cannot be among the n best).

With ``unique`` the search also tracks each pair's (input, output) string
prefix in two tries and expands each (state, input prefix, output prefix) at
most once; complete paths with an already emitted string pair are skipped.
The per-state limit stays valid: n expanded distinct prefixes of a state each
extend any suffix to a distinct string that is no worse.

Ties are broken by pair creation order: prefixes popped earlier first, and at
one state the "stop here" option before its arcs, arcs in index order.
"""

import numpy as np
from numba import njit

from .semiring import better, is_zero, one, times, zero

SUPER_FINAL = -2


@njit(cache=True)
def _grow(arr, size):
    out = np.empty(max(2 * arr.shape[0], size), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _before(code, key, i, j):
    """Heap order: better key first, then the earlier-created pair."""
    if key[i] == key[j]:
        return i < j
    return better(code, key[i], key[j])


@njit(cache=True)
def _heap_push(heap, size, key, code, p):
    k = size
    heap[k] = p
    while k > 0:
        parent = (k - 1) // 2
        if _before(code, key, heap[k], heap[parent]):
            heap[k], heap[parent] = heap[parent], heap[k]
            k = parent
        else:
            break


@njit(cache=True)
def _heap_pop(heap, size, key, code):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and _before(code, key, heap[left + 1], heap[left]):
            child = left + 1
        if _before(code, key, heap[child], heap[k]):
            heap[k], heap[child] = heap[child], heap[k]
            k = child
        else:
            break
    return top


@njit(cache=True)
def nshortest_search(indptr, ilabel, olabel, nextstate, weight, final, start, beta,
                     code, nshortest, unique, has_limit, limit, state_threshold):
    """Runs the search; returns ``(parent, arc, state, final_pairs)``: for each
    created pair its parent pair, input arc (-1 for the final option) and
    state (``SUPER_FINAL`` for complete paths), and the complete-path pairs in
    order of weight. ``limit`` (tropical only, when ``has_limit``) prunes
    pairs whose priority exceeds it. ``state_threshold`` >= 0 bounds the
    number of expanded pairs. O(n (V + E) log(n (V + E)))."""
    n = final.shape[0]
    cap = 64
    p_parent = np.empty(cap, np.int64)
    p_arc = np.empty(cap, np.int64)
    p_state = np.empty(cap, np.int64)
    p_weight = np.empty(cap, np.float64)
    p_key = np.empty(cap, np.float64)
    p_inode = np.empty(cap, np.int64)
    p_onode = np.empty(cap, np.int64)
    heap = np.empty(cap, np.int64)
    found = np.empty(max(nshortest, 1), np.int64)
    nfound = 0
    count = np.zeros(n, np.int64)
    # tries of string prefixes: (node, label) -> child; node 0 is the root
    # (the dummy entries only fix the dict types; no real key is negative)
    itrie = {(np.int64(-1), np.int64(-1)): np.int64(-1)}
    otrie = {(np.int64(-1), np.int64(-1)): np.int64(-1)}
    seen = {(np.int64(-1), np.int64(-1), np.int64(-1)): True}
    inodes = 1
    onodes = 1
    p_parent[0] = -1
    p_arc[0] = -1
    p_state[0] = start
    p_weight[0] = one(code)
    p_key[0] = beta[start]
    p_inode[0] = 0
    p_onode[0] = 0
    npairs = 1
    heap[0] = 0
    hsize = 1
    expanded = 0
    while hsize > 0 and nfound < nshortest:
        p = _heap_pop(heap, hsize, p_key, code)
        hsize -= 1
        s = p_state[p]
        if unique:
            skey = (s, p_inode[p], p_onode[p])
            if skey in seen:
                continue
            seen[skey] = True
        if s == SUPER_FINAL:
            found[nfound] = p
            nfound += 1
            continue
        count[s] += 1
        if count[s] > nshortest:
            continue
        expanded += 1
        if state_threshold >= 0 and expanded > state_threshold:
            break
        w = p_weight[p]
        # children: the stop option, then the arcs in order
        nchild = indptr[s + 1] - indptr[s] + 1
        need = npairs + nchild
        if need > p_parent.shape[0]:
            p_parent = _grow(p_parent, need)
            p_arc = _grow(p_arc, need)
            p_state = _grow(p_state, need)
            p_weight = _grow(p_weight, need)
            p_key = _grow(p_key, need)
            p_inode = _grow(p_inode, need)
            p_onode = _grow(p_onode, need)
        if hsize + nchild > heap.shape[0]:
            heap = _grow(heap, hsize + nchild)
        for k in range(-1, indptr[s + 1] - indptr[s]):
            if k < 0:
                if is_zero(code, final[s]):
                    continue
                nw = times(code, w, final[s])
                key = nw
                t = SUPER_FINAL
                a = -1
                inode = p_inode[p]
                onode = p_onode[p]
            else:
                a = indptr[s] + k
                t = nextstate[a]
                if is_zero(code, beta[t]):
                    continue
                nw = times(code, w, weight[a])
                key = times(code, nw, beta[t])
                inode = p_inode[p]
                onode = p_onode[p]
                if unique:
                    if ilabel[a] != 0:
                        tk = (inode, np.int64(ilabel[a]))
                        if tk in itrie:
                            inode = itrie[tk]
                        else:
                            itrie[tk] = inodes
                            inode = inodes
                            inodes += 1
                    if olabel[a] != 0:
                        tk = (onode, np.int64(olabel[a]))
                        if tk in otrie:
                            onode = otrie[tk]
                        else:
                            otrie[tk] = onodes
                            onode = onodes
                            onodes += 1
            if has_limit and key > limit:
                continue
            q = npairs
            npairs += 1
            p_parent[q] = p
            p_arc[q] = a
            p_state[q] = t
            p_weight[q] = nw
            p_key[q] = key
            p_inode[q] = inode
            p_onode[q] = onode
            _heap_push(heap, hsize, p_key, code, q)
            hsize += 1
    return p_parent[:npairs], p_arc[:npairs], p_state[:npairs], found[:nfound]


@njit(cache=True)
def build_paths(parent, arc, state, found, ilabel, olabel, weight, final, code):
    """Turns the complete-path pairs into a tree-shaped machine: one output
    state per pair on a kept path (parents numbered before children).
    Returns ``(num_states, src, ilabel, olabel, weight, dst, arc_map, final)``
    with arcs in creation order."""
    npairs = parent.shape[0]
    out_of = np.full(npairs, -1, np.int64)
    out_final = np.empty(npairs + 1, final.dtype)
    nstates = 0
    m = 0
    src = np.empty(npairs, np.int32)
    dst = np.empty(npairs, np.int32)
    il = np.empty(npairs, np.int32)
    ol = np.empty(npairs, np.int32)
    w = np.empty(npairs, weight.dtype)
    amap = np.empty(npairs, np.int64)
    chain = np.empty(npairs, np.int64)
    for k in range(found.shape[0]):
        end = parent[found[k]]          # the pair whose state stops here
        # collect the pairs from the root to ``end`` that have no state yet
        depth = 0
        p = end
        while p >= 0 and out_of[p] < 0:
            chain[depth] = p
            depth += 1
            p = parent[p]
        for j in range(depth - 1, -1, -1):
            q = chain[j]
            out_of[q] = nstates
            out_final[nstates] = zero(code)
            nstates += 1
            if parent[q] >= 0:
                a = arc[q]
                src[m] = out_of[parent[q]]
                dst[m] = out_of[q]
                il[m] = ilabel[a]
                ol[m] = olabel[a]
                w[m] = weight[a]
                amap[m] = a
                m += 1
        out_final[out_of[end]] = final[state[end]]
    return nstates, src[:m], il[:m], ol[:m], w[:m], dst[:m], amap[:m], out_final[:nstates]
