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

from .subsets import (
    EMPTY,
    add_subset,
    bucket_arcs,
    find_subset,
    grow,
    rehash,
    subset_hash,
    take_bucket,
)

OK = 0
BUDGET = 1


@njit(cache=True)
def determinize_unweighted(indptr, ilabel, nextstate, is_final, start, num_labels,
                           max_states):
    """Subset construction of an ε-free unweighted acceptor (labels in
    ``1 .. num_labels - 1`` on every arc). Returns ``(status, indptr,
    ilabel, nextstate, is_final)`` of the accessible DFA, its arcs sorted by
    label; status ``BUDGET`` when it would exceed ``max_states`` states.

    The arcs of a subset are bucketed by label, each bucket's destinations
    deduplicated and sorted (:mod:`kleene.kernels.subsets`): O(Σ over DFA
    states of the subset's arcs, plus the sorting of each label's
    destinations)."""
    n = indptr.shape[0] - 1
    sub_ptr = np.zeros(64, np.int64)          # subsets, back to back
    elems = np.empty(256, np.int32)
    nsub = 1
    elems[0] = start
    sub_ptr[1] = 1
    cap = 1024                                 # hash table of subsets
    table = np.full(cap, EMPTY, np.int64)
    table[subset_hash(elems, 0, 1) & np.uint64(cap - 1)] = 0
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
        fin = False
        for k in range(lo, hi):
            if is_final[elems[k]]:
                fin = True
        node_dst, node_next, touched, ntouched = bucket_arcs(
            elems, lo, hi, indptr, ilabel, nextstate, head, node_dst, node_next, touched)
        finals = grow(finals, state + 1)
        finals[state] = fin
        labels = np.sort(touched[:ntouched])
        for t in range(ntouched):
            label = labels[t]
            stamp_id += 1
            scratch, m = take_bucket(label, head, node_dst, node_next, stamp, stamp_id, scratch)
            target, slot = find_subset(scratch, m, elems, sub_ptr, table, cap)
            if target < 0:
                if nsub >= max_states:
                    return (BUDGET, out_ptr[:1], out_lab[:0], out_dst[:0], finals[:0])
                target = nsub
                table[slot] = target
                elems, sub_ptr = add_subset(scratch, m, elems, sub_ptr, nsub)
                nsub += 1
                if 2 * nsub > cap:  # keep the table at most half full
                    cap *= 2
                    table = rehash(elems, sub_ptr, nsub, cap)
            out_lab = grow(out_lab, narc + 1)
            out_dst = grow(out_dst, narc + 1)
            out_lab[narc] = label
            out_dst[narc] = target
            narc += 1
        state += 1
        out_ptr = grow(out_ptr, state + 1)
        out_ptr[state] = narc
    return (OK, out_ptr[:nsub + 1].copy(), out_lab[:narc].copy(), out_dst[:narc].copy(),
            finals[:nsub].copy())
