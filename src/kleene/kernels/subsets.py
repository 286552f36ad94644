"""Building blocks of the unweighted subset constructions: the DFA kernel
of :mod:`kleene.kernels.cdrewrite` (cdrewrite's filters, unweighted
determinization) and the lazy one of :mod:`kleene.kernels.difference`.

A subset of states is a sorted run of ``elems`` between two offsets of
``sub_ptr``; subsets are found again through an open-addressing hash table
of their ids. A subset's successors are found by bucketing its states'
arcs by label (linked lists headed in a dense per-label array) and
deduplicating each bucket's destinations with a stamp per state.
"""

import numpy as np
from numba import njit

EMPTY = -1
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def grow(arr, need):
    """``arr``, or a copy at least twice as long when it holds fewer than
    ``need`` items (new slots uninitialized)."""
    if need <= arr.shape[0]:
        return arr
    out = np.empty(max(need, 2 * arr.shape[0], 16), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True, inline="always")
def mix(h, x):
    """One step of the multiplicative hash of a sequence of integers."""
    h = (h ^ np.uint64(x)) * _HASH_MUL
    return h ^ (h >> np.uint64(29))


@njit(cache=True)
def subset_hash(elems, lo, hi):
    h = np.uint64(hi - lo)
    for k in range(lo, hi):
        h = mix(h, elems[k])
    return h


@njit(cache=True)
def sort_small(values, m):
    """Sorts ``values[:m]`` in place: insertion sort for the usual handful of
    destinations (no allocation), numpy's sort beyond."""
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
def find_subset(cand, m, elems, sub_ptr, table, cap):
    """``(id, slot)`` of the subset ``cand[:m]`` (sorted): its id and the
    table slot holding it, or -1 and the empty slot it would take."""
    slot = subset_hash(cand, 0, m) & np.uint64(cap - 1)
    while table[slot] != EMPTY:
        c = table[slot]
        c0 = sub_ptr[c]
        if sub_ptr[c + 1] - c0 == m:
            same = True
            for k in range(m):
                if elems[c0 + k] != cand[k]:
                    same = False
                    break
            if same:
                return c, slot
        slot = (slot + np.uint64(1)) & np.uint64(cap - 1)
    return -1, slot


@njit(cache=True)
def rehash(elems, sub_ptr, nsub, cap):
    """A table of ``cap`` slots holding subsets ``0 .. nsub - 1``."""
    table = np.full(cap, EMPTY, np.int64)
    for c in range(nsub):
        slot = subset_hash(elems, sub_ptr[c], sub_ptr[c + 1]) & np.uint64(cap - 1)
        while table[slot] != EMPTY:
            slot = (slot + np.uint64(1)) & np.uint64(cap - 1)
        table[slot] = c
    return table


@njit(cache=True)
def add_subset(cand, m, elems, sub_ptr, nsub):
    """Appends ``cand[:m]`` as subset ``nsub``; returns the (possibly
    reallocated) ``elems`` and ``sub_ptr``."""
    sub_ptr = grow(sub_ptr, nsub + 2)
    base = sub_ptr[nsub]
    elems = grow(elems, base + m)
    elems[base:base + m] = cand[:m]
    sub_ptr[nsub + 1] = base + m
    return elems, sub_ptr


@njit(cache=True)
def bucket_arcs(elems, lo, hi, indptr, ilabel, nextstate, head, node_dst, node_next,
                touched):
    """Links the arcs of states ``elems[lo:hi]`` into per-label lists
    (``head[label]``: last node; ``head`` must be all -1 on entry). Returns
    ``(node_dst, node_next, touched, ntouched)``: ``touched[:ntouched]`` are
    the labels seen, in order of first appearance."""
    count = 0
    ntouched = 0
    for k in range(lo, hi):
        s = elems[k]
        a0, a1 = indptr[s], indptr[s + 1]
        node_dst = grow(node_dst, count + a1 - a0)
        node_next = grow(node_next, count + a1 - a0)
        for a in range(a0, a1):
            label = ilabel[a]
            if head[label] < 0:
                touched = grow(touched, ntouched + 1)
                touched[ntouched] = label
                ntouched += 1
            node_dst[count] = nextstate[a]
            node_next[count] = head[label]
            head[label] = count
            count += 1
    return node_dst, node_next, touched, ntouched


@njit(cache=True)
def take_bucket(label, head, node_dst, node_next, stamp, stamp_id, scratch):
    """The distinct destinations of ``label``'s bucket, sorted, in
    ``scratch[:m]``; empties the bucket (``head[label] = -1``). ``stamp_id``
    must be fresh (larger than every stamp so far). Returns ``(scratch,
    m)``."""
    m = 0
    node = head[label]
    head[label] = -1
    while node >= 0:
        d = node_dst[node]
        if stamp[d] != stamp_id:
            stamp[d] = stamp_id
            scratch = grow(scratch, m + 1)
            scratch[m] = d
            m += 1
        node = node_next[node]
    sort_small(scratch, m)
    return scratch, m
