"""Unweighted subset construction for the rewrite-rule compiler.

Every machine cdrewrite determinizes is unweighted: the context filters
(``Σ*·β``) and, for unweighted rules, the label-encoded rule itself. Without
residual weights a determinized state is just a set of input states, so
the construction needs none of the general kernel's machinery (residual
weights, string tries, quantization): each subset's arcs are bucketed by
label and each bucket becomes one destination subset. On the 100-pair benchmark rule this is about 10x faster
than the weighted kernel (``kleene.kernels.determinize``).
"""

import numpy as np
from numba import njit

OK = 0
BUDGET = 1

_EMPTY = -1
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _grow(arr, need):
    if need <= arr.shape[0]:
        return arr
    out = np.empty(max(need, 2 * arr.shape[0], 16), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _subset_hash(elems, lo, hi):
    h = np.uint64(hi - lo)
    for k in range(lo, hi):
        h = (h ^ np.uint64(elems[k])) * _HASH_MUL
        h ^= h >> np.uint64(29)
    return h


@njit(cache=True)
def _sort_small(values, m):
    """Sorts ``values[:m]`` in place: insertion sort for the usual handful
    of destinations (no allocation), numpy's sort beyond."""
    if m > 24:
        values[:m] = np.sort(values[:m])
        return
    for i in range(1, m):
        v = values[i]
        j = i - 1
        while j >= 0 and values[j] > v:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = v


@njit(cache=True)
def _same(elems, lo, hi, cand, clo, chi):
    if hi - lo != chi - clo:
        return False
    for k in range(hi - lo):
        if elems[lo + k] != cand[clo + k]:
            return False
    return True


@njit(cache=True)
def determinize_unweighted(indptr, ilabel, nextstate, is_final, start, num_labels,
                           max_states):
    """Subset construction of an ε-free unweighted acceptor (labels in
    ``1 .. num_labels - 1`` on every arc). Returns ``(status, indptr,
    ilabel, nextstate, is_final)`` of the accessible DFA, its arcs sorted by
    label; status ``BUDGET`` when it would exceed ``max_states`` states.

    The arcs of a subset are bucketed by label (linked lists headed in a
    dense per-label array), each bucket's destinations deduplicated with
    a stamp per input state and sorted: O(Σ over DFA states of the
    subset's arcs, plus the sorting of each label's destinations)."""
    n = indptr.shape[0] - 1
    sub_ptr = np.zeros(64, np.int64)          # subsets, back to back
    elems = np.empty(256, np.int32)
    nsub = 1
    elems[0] = start
    sub_ptr[1] = 1
    cap = 1024                                 # hash table of subsets
    table = np.full(cap, _EMPTY, np.int64)
    table[_subset_hash(elems, 0, 1) & np.uint64(cap - 1)] = 0
    out_ptr = np.zeros(64, np.int64)
    out_lab = np.empty(1024, np.int32)
    out_dst = np.empty(1024, np.int32)
    finals = np.zeros(64, np.bool_)
    narc = 0
    head = np.full(num_labels, -1, np.int64)   # label -> last node of its bucket
    node_dst = np.empty(1024, np.int32)
    node_next = np.empty(1024, np.int64)
    touched = np.empty(256, np.int32)
    stamp = np.zeros(n, np.int64)
    stamp_id = 0
    scratch = np.empty(64, np.int32)
    state = 0
    while state < nsub:
        lo, hi = sub_ptr[state], sub_ptr[state + 1]
        count = 0
        ntouched = 0
        fin = False
        for k in range(lo, hi):
            s = elems[k]
            if is_final[s]:
                fin = True
            a0, a1 = indptr[s], indptr[s + 1]
            node_dst = _grow(node_dst, count + a1 - a0)
            node_next = _grow(node_next, count + a1 - a0)
            for a in range(a0, a1):
                label = ilabel[a]
                if head[label] < 0:
                    touched = _grow(touched, ntouched + 1)
                    touched[ntouched] = label
                    ntouched += 1
                node_dst[count] = nextstate[a]
                node_next[count] = head[label]
                head[label] = count
                count += 1
        finals = _grow(finals, state + 1)
        finals[state] = fin
        labels = np.sort(touched[:ntouched])
        for t in range(ntouched):
            label = labels[t]
            stamp_id += 1
            m = 0
            node = head[label]
            head[label] = -1
            while node >= 0:
                d = node_dst[node]
                if stamp[d] != stamp_id:
                    stamp[d] = stamp_id
                    scratch = _grow(scratch, m + 1)
                    scratch[m] = d
                    m += 1
                node = node_next[node]
            _sort_small(scratch, m)
            h = _subset_hash(scratch, 0, m)
            slot = h & np.uint64(cap - 1)
            target = -1
            while table[slot] != _EMPTY:
                c = table[slot]
                if _same(scratch, 0, m, elems, sub_ptr[c], sub_ptr[c + 1]):
                    target = c
                    break
                slot = (slot + np.uint64(1)) & np.uint64(cap - 1)
            if target < 0:
                if nsub >= max_states:
                    return (BUDGET, out_ptr[:1], out_lab[:0], out_dst[:0], finals[:0])
                target = nsub
                table[slot] = target
                sub_ptr = _grow(sub_ptr, nsub + 2)
                base = sub_ptr[nsub]
                elems = _grow(elems, base + m)
                elems[base:base + m] = scratch[:m]
                sub_ptr[nsub + 1] = base + m
                nsub += 1
                if 2 * nsub > cap:  # keep the table at most half full
                    cap *= 2
                    table = np.full(cap, _EMPTY, np.int64)
                    for c in range(nsub):
                        sc = _subset_hash(elems, sub_ptr[c], sub_ptr[c + 1]) & np.uint64(cap - 1)
                        while table[sc] != _EMPTY:
                            sc = (sc + np.uint64(1)) & np.uint64(cap - 1)
                        table[sc] = c
            out_lab = _grow(out_lab, narc + 1)
            out_dst = _grow(out_dst, narc + 1)
            out_lab[narc] = label
            out_dst[narc] = target
            narc += 1
        state += 1
        out_ptr = _grow(out_ptr, state + 1)
        out_ptr[state] = narc
    return (OK, out_ptr[:nsub + 1].copy(), out_lab[:narc].copy(), out_dst[:narc].copy(),
            finals[:nsub].copy())
