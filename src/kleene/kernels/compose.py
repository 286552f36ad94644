"""Composition kernel: breadth-first expansion of state tuples
``(q1, q2, filter_state)`` over both machines' CSR arrays (OpenFst's
``ComposeFst`` expanded eagerly, with its numbering and arc order).

At each pair the arcs of one side are walked in order and their labels
looked up by binary search among the other side's sorted labels (OpenFst's
``SortedMatcher``); with ``match_mode`` 0 the side with fewer arcs is walked
(a on ties), as OpenFst does when both inputs are sorted. Before each walked
arc with an ε label comes the other side's implicit "stay" move, and before
everything the walked side's stay paired with the searched side's ε arcs:
exactly the order in which ``ComposeFstImpl::OrderedExpand`` tries them. The
compose filter then allows or blocks each candidate move and gives the
filter state of its destination.
"""

import numpy as np
from numba import njit

from .semiring import is_zero, one, times, zero

# Compose filters (the ``filter_code`` argument).
TRIVIAL = 0
NULL = 1
NO_MATCH = 2
SEQUENCE = 3
ALT_SEQUENCE = 4
MATCH = 5

# Kinds of candidate moves.
MOVE_EPS1 = 0    # a takes an arc with output ε, b stays
MOVE_EPS2 = 1    # b takes an arc with input ε, a stays
MOVE_EPSEPS = 2  # a's output ε meets b's input ε (both move)
MOVE_MATCH = 3   # a real label is matched (both move)

OK = 0
STATE_LIMIT = 1

STAY = -1


@njit(inline="always", cache=True)
def next_filter_state(filter_code, fs, move, noeps1, alleps1, noeps2, alleps2):
    """The filter state after ``move`` from filter state ``fs``; -1 blocks it.

    ``noeps1``: a has no output-ε arc at q1; ``alleps1``: a has only
    output-ε arcs at q1 and q1 is not final (a must move first); the same
    for b's input-ε arcs at q2. These are OpenFst's Trivial/Null/NoMatch/
    Sequence/AltSequence/Match compose filters."""
    if filter_code == TRIVIAL:
        return 0
    if filter_code == NULL:  # ε is an ordinary label: no one-sided moves
        return -1 if (move == MOVE_EPS1 or move == MOVE_EPS2) else 0
    if filter_code == NO_MATCH:  # never match ε with ε
        return -1 if move == MOVE_EPSEPS else 0
    if filter_code == SEQUENCE:  # a's ε moves first, then b's
        if move == MOVE_EPS2:
            if alleps1:
                return -1
            return 0 if noeps1 else 1
        if move == MOVE_EPS1:
            return 0 if fs == 0 else -1
        return -1 if move == MOVE_EPSEPS else 0
    if filter_code == ALT_SEQUENCE:  # b's ε moves first, then a's
        if move == MOVE_EPS1:
            if alleps2:
                return -1
            return 0 if noeps2 else 1
        if move == MOVE_EPS2:
            return -1 if fs == 1 else 0
        return -1 if move == MOVE_EPSEPS else 0
    # MATCH: prefer ε:ε matches; one-sided runs (1: a's, 2: b's) don't mix
    if move == MOVE_EPS1:
        if fs == 0:
            if noeps2:
                return 0
            return -1 if alleps2 else 1
        return 1 if fs == 1 else -1
    if move == MOVE_EPS2:
        if fs == 0:
            if noeps1:
                return 0
            return -1 if alleps1 else 2
        return 2 if fs == 2 else -1
    if move == MOVE_EPSEPS:
        return 0 if fs == 0 else -1
    return 0


@njit(inline="always", cache=True)
def _lower_bound(labels, lo, hi, label):
    while lo < hi:
        mid = (lo + hi) >> 1
        if labels[mid] < label:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(inline="always", cache=True)
def _probe(table, bits, key):
    """The slot of ``key`` in the open-addressing ``table`` (pairs
    ``[key, state]``, key -1 = empty; Fibonacci hashing, linear probing):
    where it is, or the empty slot where it belongs."""
    mask = (np.int64(1) << bits) - 1
    slot = np.int64((np.uint64(key) * np.uint64(11400714819323198485))
                    >> np.uint64(64 - bits))
    while True:
        k = table[2 * slot]
        if k == key or k < 0:
            return slot
        slot = (slot + 1) & mask


@njit(cache=True)
def _rehash(table, bits):
    """``table`` moved into one with ``2 ** bits`` slots."""
    out = np.full(2 << bits, -1, np.int64)
    for slot in range(table.shape[0] // 2):
        key = table[2 * slot]
        if key >= 0:
            t = _probe(out, bits, key)
            out[2 * t] = key
            out[2 * t + 1] = table[2 * slot + 1]
    return out


@njit(cache=True)
def _grow(arr, size):
    out = np.empty(max(size, 2 * arr.shape[0]), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _epsilon_counts(indptr, labels):
    n = indptr.shape[0] - 1
    counts = np.zeros(n, np.int64)
    for s in range(n):
        c = 0
        for k in range(indptr[s], indptr[s + 1]):
            if labels[k] == 0:
                c += 1
        counts[s] = c
    return counts


@njit(cache=True)
def compose_csr(indptr1, ilabel1, olabel1, nextstate1, weight1, final1, start1,
                indptr2, ilabel2, olabel2, nextstate2, weight2, final2, start2,
                code, filter_code, match_mode, max_states):
    """Composes a (arrays ``*1``) with b (arrays ``*2``).

    ``match_mode``: 0 both sorted (a by output, b by input label; walk the
    side with fewer arcs), 1 walk a and search b (b input-sorted), 2 walk b
    and search a (a output-sorted). ``max_states`` < 0: no limit.

    Returns ``(status, indptr, ilabel, olabel, nextstate, weight, final,
    map1, map2)`` trimmed to size; ``map1[k]``/``map2[k]`` are the arcs of a
    and b output arc k was made from (-1 where that side stayed). Status
    ``STATE_LIMIT`` when more than ``max_states`` states would be needed."""
    ne1 = _epsilon_counts(indptr1, olabel1)
    ne2 = _epsilon_counts(indptr2, ilabel2)
    cap_s = 256
    tup1 = np.empty(cap_s, np.int64)
    tup2 = np.empty(cap_s, np.int64)
    tupf = np.empty(cap_s, np.int64)
    out_ptr = np.zeros(cap_s + 1, np.int64)
    fin = np.empty(cap_s, final1.dtype)
    bits = 10
    table = np.full(2 << bits, -1, np.int64)
    n2 = final2.shape[0]
    cap_a = 1024
    il = np.empty(cap_a, np.int32)
    ol = np.empty(cap_a, np.int32)
    dst = np.empty(cap_a, np.int32)
    w = np.empty(cap_a, weight1.dtype)
    map1 = np.empty(cap_a, np.int64)
    map2 = np.empty(cap_a, np.int64)
    cand1 = np.empty(64, np.int64)
    cand2 = np.empty(64, np.int64)
    num_states = 0
    num_arcs = 0
    status = OK
    if start1 >= 0 and start2 >= 0:
        tup1[0] = start1
        tup2[0] = start2
        tupf[0] = 0
        key = (np.int64(start1) * n2 + start2) * 3
        slot = _probe(table, bits, key)
        table[2 * slot] = key
        table[2 * slot + 1] = 0
        num_states = 1
        if max_states == 0:
            status = STATE_LIMIT
            num_states = 0
    head = 0
    while head < num_states and status == OK:
        q1 = tup1[head]
        q2 = tup2[head]
        fs = tupf[head]
        if is_zero(code, final1[q1]) or is_zero(code, final2[q2]):
            fin[head] = zero(code)
        else:
            fin[head] = times(code, final1[q1], final2[q2])
        lo1 = indptr1[q1]
        hi1 = indptr1[q1 + 1]
        lo2 = indptr2[q2]
        hi2 = indptr2[q2 + 1]
        noeps1 = ne1[q1] == 0
        alleps1 = ne1[q1] == hi1 - lo1 and is_zero(code, final1[q1])
        noeps2 = ne2[q2] == 0
        alleps2 = ne2[q2] == hi2 - lo2 and is_zero(code, final2[q2])
        if match_mode == 1:
            walk_a = True
        elif match_mode == 2:
            walk_a = False
        else:
            walk_a = hi1 - lo1 <= hi2 - lo2
        # Gather the candidate moves in OpenFst's order.
        nc = 0
        if walk_a:
            for k2 in range(lo2, lo2 + ne2[q2]):
                if nc == cand1.shape[0]:
                    cand1 = _grow(cand1, nc + 1)
                    cand2 = _grow(cand2, nc + 1)
                cand1[nc] = STAY
                cand2[nc] = k2
                nc += 1
            for k1 in range(lo1, hi1):
                label = olabel1[k1]
                if label == 0:
                    first = lo2
                    if nc == cand1.shape[0]:
                        cand1 = _grow(cand1, nc + 1)
                        cand2 = _grow(cand2, nc + 1)
                    cand1[nc] = k1
                    cand2[nc] = STAY
                    nc += 1
                else:
                    first = _lower_bound(ilabel2, lo2 + ne2[q2], hi2, label)
                k2 = first
                while k2 < hi2 and ilabel2[k2] == label:
                    if nc == cand1.shape[0]:
                        cand1 = _grow(cand1, nc + 1)
                        cand2 = _grow(cand2, nc + 1)
                    cand1[nc] = k1
                    cand2[nc] = k2
                    nc += 1
                    k2 += 1
        else:
            for k1 in range(lo1, lo1 + ne1[q1]):
                if nc == cand1.shape[0]:
                    cand1 = _grow(cand1, nc + 1)
                    cand2 = _grow(cand2, nc + 1)
                cand1[nc] = k1
                cand2[nc] = STAY
                nc += 1
            for k2 in range(lo2, hi2):
                label = ilabel2[k2]
                if label == 0:
                    first = lo1
                    if nc == cand1.shape[0]:
                        cand1 = _grow(cand1, nc + 1)
                        cand2 = _grow(cand2, nc + 1)
                    cand1[nc] = STAY
                    cand2[nc] = k2
                    nc += 1
                else:
                    first = _lower_bound(olabel1, lo1 + ne1[q1], hi1, label)
                k1 = first
                while k1 < hi1 and olabel1[k1] == label:
                    if nc == cand1.shape[0]:
                        cand1 = _grow(cand1, nc + 1)
                        cand2 = _grow(cand2, nc + 1)
                    cand1[nc] = k1
                    cand2[nc] = k2
                    nc += 1
                    k1 += 1
        # Filter the candidates, find or add destination tuples, emit arcs.
        for c in range(nc):
            k1 = cand1[c]
            k2 = cand2[c]
            if k2 == STAY:
                move = MOVE_EPS1
            elif k1 == STAY:
                move = MOVE_EPS2
            elif olabel1[k1] == 0:
                move = MOVE_EPSEPS
            else:
                move = MOVE_MATCH
            nfs = next_filter_state(filter_code, fs, move, noeps1, alleps1,
                                    noeps2, alleps2)
            if nfs < 0:
                continue
            n1 = q1 if k1 == STAY else np.int64(nextstate1[k1])
            m2 = q2 if k2 == STAY else np.int64(nextstate2[k2])
            key = (n1 * n2 + m2) * 3 + nfs
            slot = _probe(table, bits, key)
            if table[2 * slot] == key:
                target = table[2 * slot + 1]
            else:
                if max_states >= 0 and num_states >= max_states:
                    status = STATE_LIMIT
                    break
                target = num_states
                if num_states == tup1.shape[0]:
                    tup1 = _grow(tup1, num_states + 1)
                    tup2 = _grow(tup2, num_states + 1)
                    tupf = _grow(tupf, num_states + 1)
                    fin = _grow(fin, num_states + 1)
                    out_ptr = _grow(out_ptr, num_states + 2)
                tup1[target] = n1
                tup2[target] = m2
                tupf[target] = nfs
                table[2 * slot] = key
                table[2 * slot + 1] = target
                num_states += 1
                if 2 * num_states > (np.int64(1) << bits):  # keep the load under 1/2
                    bits += 1
                    table = _rehash(table, bits)
            if num_arcs == il.shape[0]:
                il = _grow(il, num_arcs + 1)
                ol = _grow(ol, num_arcs + 1)
                dst = _grow(dst, num_arcs + 1)
                w = _grow(w, num_arcs + 1)
                map1 = _grow(map1, num_arcs + 1)
                map2 = _grow(map2, num_arcs + 1)
            if k1 == STAY:
                il[num_arcs] = 0
                wa = one(code)
            else:
                il[num_arcs] = ilabel1[k1]
                wa = weight1[k1]
            if k2 == STAY:
                ol[num_arcs] = 0
                wb = one(code)
            else:
                ol[num_arcs] = olabel2[k2]
                wb = weight2[k2]
            w[num_arcs] = times(code, wa, wb)
            dst[num_arcs] = target
            map1[num_arcs] = k1
            map2[num_arcs] = k2
            num_arcs += 1
        head += 1
        out_ptr[head] = num_arcs
    if status != OK:
        num_states = 0
        num_arcs = 0
    return (status, out_ptr[:num_states + 1].copy(), il[:num_arcs].copy(),
            ol[:num_arcs].copy(), dst[:num_arcs].copy(), w[:num_arcs].copy(),
            fin[:num_states].copy(), map1[:num_arcs].copy(), map2[:num_arcs].copy())
