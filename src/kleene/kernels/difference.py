"""``a − b`` for an acceptor ``a`` and an ε-free unweighted acceptor ``b``,
determinizing ``b`` lazily: only the subsets of ``b``'s states that some
prefix of ``a`` reaches are built.

The result is the accessible part of ``a ∘ complement(det(b))`` (the
composition OpenFst and kleene's eager path compute): states are pairs
``(state of a, subset of b's states)``, the empty subset standing for the
complement's sink; a pair is final when ``a``'s state is final and the subset
holds no final state of ``b``. When ``b`` is large and ``a`` small (``x −
exceptions`` with a big exception list, or a small machine minus a large
grammar) this visits a few pairs where the eager path determinizes all of
``b``.
"""

import numpy as np
from numba import njit

from .subsets import (
    EMPTY,
    add_subset,
    bucket_arcs,
    find_subset,
    grow,
    mix,
    rehash,
    take_bucket,
)

OK = 0
BUDGET = 1


@njit(cache=True)
def lazy_difference(a_indptr, a_ilabel, a_weight, a_nextstate, a_final, a_start,
                    b_indptr, b_ilabel, b_nextstate, b_is_final, b_start, num_labels,
                    zero_weight, max_states):
    """The product described in the module docstring, arcs of each pair in
    ``a``'s arc order. A subset's transitions are computed once, for all its
    labels, the first time a pair needs one (the arcs of its states bucketed
    by label, as the unweighted subset construction does); ``num_labels``
    bounds ``b``'s labels. Returns ``(status, indptr, ilabel, weight,
    nextstate, final, origin)`` (``origin``: the arc of ``a`` each output arc
    copies); status ``BUDGET`` beyond ``max_states`` pairs."""
    nb = b_indptr.shape[0] - 1
    # -- subsets of b's states, with their transition rows once computed -------------
    elems = np.empty(64, np.int32)
    sub_ptr = np.zeros(16, np.int64)
    sub_final = np.zeros(16, np.bool_)
    row_lo = np.full(16, -1, np.int64)     # -1: row not computed yet
    row_hi = np.full(16, -1, np.int64)
    row_lab = np.empty(256, np.int32)      # labels of each row, sorted
    row_dst = np.empty(256, np.int64)
    nrow = 0
    sub_cap = 1024
    sub_table = np.full(sub_cap, EMPTY, np.int64)
    head = np.full(num_labels, -1, np.int64)
    node_dst = np.empty(256, np.int32)
    node_next = np.empty(256, np.int64)
    touched = np.empty(64, np.int32)
    stamp = np.zeros(nb, np.int64)
    stamp_id = 0
    scratch = np.empty(64, np.int32)
    # -- pairs ----------------------------------------------------------------------------
    pair_a = np.empty(64, np.int64)
    pair_s = np.empty(64, np.int64)
    pair_cap = 1024
    pair_table = np.full(pair_cap, EMPTY, np.int64)
    out_ptr = np.zeros(65, np.int64)
    out_lab = np.empty(256, np.int32)
    out_w = np.empty(256, a_weight.dtype)
    out_dst = np.empty(256, np.int64)
    out_org = np.empty(256, np.int64)
    narc = 0

    scratch[0] = b_start
    _, slot0 = find_subset(scratch, 1, elems, sub_ptr, sub_table, sub_cap)
    elems, sub_ptr = add_subset(scratch, 1, elems, sub_ptr, 0)
    sub_table[slot0] = 0
    sub_final[0] = b_is_final[b_start]
    nsub = 1
    pair_a[0] = a_start
    pair_s[0] = 0
    npair = 1
    pair_table[mix(mix(np.uint64(0), a_start), 0) & np.uint64(pair_cap - 1)] = 0

    p = 0
    while p < npair:
        qa = pair_a[p]
        sid = pair_s[p]
        if sid >= 0 and row_lo[sid] < 0:
            # the subset's row: every label its states' arcs carry -> next subset
            node_dst, node_next, touched, ntouched = bucket_arcs(
                elems, sub_ptr[sid], sub_ptr[sid + 1], b_indptr, b_ilabel, b_nextstate, head,
                node_dst, node_next, touched)
            labels = np.sort(touched[:ntouched])
            row_lab = grow(row_lab, nrow + ntouched)
            row_dst = grow(row_dst, nrow + ntouched)
            row_lo[sid] = nrow
            for t in range(ntouched):
                label = labels[t]
                stamp_id += 1
                scratch, m = take_bucket(label, head, node_dst, node_next, stamp, stamp_id,
                                         scratch)
                nsid, slot = find_subset(scratch, m, elems, sub_ptr, sub_table, sub_cap)
                if nsid < 0:
                    nsid = nsub
                    sub_table[slot] = nsid
                    elems, sub_ptr = add_subset(scratch, m, elems, sub_ptr, nsub)
                    sub_final = grow(sub_final, nsub + 1)
                    row_lo = grow(row_lo, nsub + 1)
                    row_hi = grow(row_hi, nsub + 1)
                    row_lo[nsub] = -1
                    fin = False
                    for k in range(m):
                        if b_is_final[scratch[k]]:
                            fin = True
                    sub_final[nsub] = fin
                    nsub += 1
                    if 2 * nsub > sub_cap:  # keep the table at most half full
                        sub_cap *= 2
                        sub_table = rehash(elems, sub_ptr, nsub, sub_cap)
                row_lab[nrow] = label
                row_dst[nrow] = nsid
                nrow += 1
            row_hi[sid] = nrow
        for arc in range(a_indptr[qa], a_indptr[qa + 1]):
            label = a_ilabel[arc]
            if label == 0 or sid < 0:
                nsid = sid
            else:
                lo, hi = row_lo[sid], row_hi[sid]
                while lo < hi:  # the row is sorted by label
                    mid = (lo + hi) // 2
                    if row_lab[mid] < label:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < row_hi[sid] and row_lab[lo] == label:
                    nsid = row_dst[lo]
                else:
                    nsid = -1  # no arc: the complement's sink
            qn = a_nextstate[arc]
            hp = mix(mix(np.uint64(0), qn), nsid) & np.uint64(pair_cap - 1)
            target = -1
            while pair_table[hp] != EMPTY:
                c = pair_table[hp]
                if pair_a[c] == qn and pair_s[c] == nsid:
                    target = c
                    break
                hp = (hp + np.uint64(1)) & np.uint64(pair_cap - 1)
            if target < 0:
                if npair >= max_states:
                    return (BUDGET, out_ptr[:1], out_lab[:0], out_w[:0], out_dst[:0],
                            out_w[:0], out_org[:0])
                target = npair
                pair_table[hp] = target
                pair_a = grow(pair_a, npair + 1)
                pair_s = grow(pair_s, npair + 1)
                pair_a[npair] = qn
                pair_s[npair] = nsid
                npair += 1
                if 2 * npair > pair_cap:
                    pair_cap *= 2
                    pair_table = np.full(pair_cap, EMPTY, np.int64)
                    for c in range(npair):
                        hc = mix(mix(np.uint64(0), pair_a[c]), pair_s[c]) & \
                            np.uint64(pair_cap - 1)
                        while pair_table[hc] != EMPTY:
                            hc = (hc + np.uint64(1)) & np.uint64(pair_cap - 1)
                        pair_table[hc] = c
            out_lab = grow(out_lab, narc + 1)
            out_w = grow(out_w, narc + 1)
            out_dst = grow(out_dst, narc + 1)
            out_org = grow(out_org, narc + 1)
            out_lab[narc] = label
            out_w[narc] = a_weight[arc]
            out_dst[narc] = target
            out_org[narc] = arc
            narc += 1
        p += 1
        out_ptr = grow(out_ptr, p + 1)
        out_ptr[p] = narc
    final = np.empty(npair, a_weight.dtype)
    for c in range(npair):
        s = pair_s[c]
        if s >= 0 and sub_final[s]:
            final[c] = zero_weight
        else:
            final[c] = a_final[pair_a[c]]
    return (OK, out_ptr[:npair + 1].copy(), out_lab[:narc].copy(), out_w[:narc].copy(),
            out_dst[:narc].copy(), final, out_org[:narc].copy())
