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

Memory (the working set is what a large composition pays for): a state is
one int64 key ``(q1 * |Q2| + q2) * 3 + filter_state`` (the tuple is decoded
from it when the state is expanded), the hash table maps keys to state ids
at load <= 1/2, buffers grow by 1.5x with room reserved once per expanded
state (no growth checks per arc), the arc maps are kept only when asked
for, and the buffers are cut to size one at a time, each freed before the
next is copied. :mod:`kleene.kernels.compose_special` shares the helpers
below; only the gathering of candidate moves differs.
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
TOO_MANY_STATES = 9   # more states than int32 ids can number (no limit given)

MAX_STATES = 2**31 - 1

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
def _home_slot(key, bits):
    # Fibonacci hashing: the top ``bits`` bits of key * 2^64/φ
    return np.int64((np.uint64(key) * np.uint64(11400714819323198485))
                    >> np.uint64(64 - bits))


@njit(inline="always", cache=True)
def _probe(table, bits, keys, key):
    """The slot of ``key`` in the open-addressing ``table`` of state ids
    (-1 = empty; state ``s`` has key ``keys[s]``; linear probing): where it
    is, or the empty slot where it belongs. The table holds 4-byte ids, not
    keys: the keys are read from ``keys``, which is 8 bytes a state and, in
    breadth-first order, mostly in cache."""
    mask = (np.int64(1) << bits) - 1
    slot = _home_slot(key, bits)
    while True:
        s = table[slot]
        if s < 0 or keys[s] == key:
            return slot
        slot = (slot + 1) & mask


@njit(cache=True)
def _new_table(keys, num_states, bits):
    """A table of ``2 ** bits`` slots holding states ``0 .. num_states-1``."""
    table = np.full(np.int64(1) << bits, -1, np.int32)
    mask = (np.int64(1) << bits) - 1
    for s in range(num_states):
        slot = _home_slot(keys[s], bits)
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = s
    return table


@njit(cache=True)
def _grow(arr, size):
    """``arr`` copied into a buffer of at least ``size`` elements (1.5x its
    length at least, so appends stay amortized O(1))."""
    out = np.empty(max(size, arr.shape[0] + (arr.shape[0] >> 1) + 16), arr.dtype)
    for i in range(arr.shape[0]):
        out[i] = arr[i]
    return out


@njit(cache=True)
def _fit(arr, size):
    """The first ``size`` elements of ``arr`` in an array of their own
    (``arr`` itself when it already has that length)."""
    if arr.shape[0] == size:
        return arr
    out = np.empty(size, arr.dtype)
    for i in range(size):
        out[i] = arr[i]
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
def _reserve_states(keys, out_ptr, fin, need):
    """The per-state buffers with room for ``need`` states."""
    return _grow(keys, need), _grow(out_ptr, need + 1), _grow(fin, need)


@njit(cache=True)
def _reserve_arcs(il, ol, dst, w, map1, map2, need, want_maps):
    """The per-arc buffers with room for ``need`` arcs (the maps only when
    they are kept)."""
    if want_maps:
        map1 = _grow(map1, need)
        map2 = _grow(map2, need)
    return (_grow(il, need), _grow(ol, need), _grow(dst, need), _grow(w, need),
            map1, map2)


@njit(inline="always", cache=True)
def _state_budget(max_states):
    """The number of states the kernels may create: ``max_states``, or as
    many as int32 ids allow (a negative ``max_states``: no limit given)."""
    if max_states < 0 or max_states > MAX_STATES:
        return np.int64(MAX_STATES)
    return np.int64(max_states)


@njit(inline="always", cache=True)
def _first_state(table, bits, keys, start1, start2, n2, max_states):
    """Enters the start tuple ``(start1, start2, 0)`` as state 0; returns
    ``(num_states, status)``."""
    if start1 < 0 or start2 < 0:
        return 0, OK
    if max_states == 0:
        return 0, STATE_LIMIT
    key = (np.int64(start1) * n2 + start2) * 3
    keys[0] = key
    table[_probe(table, bits, keys, key)] = 0
    return 1, OK


@njit(inline="always", cache=True)
def _open_state(code, key, n2, indptr1, final1, ne1, indptr2, final2, ne2):
    """Decodes state tuple ``key`` and says what the filter needs to know
    about it: ``(q1, q2, fs, final weight, noeps1, alleps1, noeps2,
    alleps2)`` (see :func:`next_filter_state`)."""
    fs = key % 3
    pair = key // 3
    q1 = pair // n2
    q2 = pair - q1 * n2
    if is_zero(code, final1[q1]) or is_zero(code, final2[q2]):
        final = zero(code)
    else:
        final = times(code, final1[q1], final2[q2])
    noeps1 = ne1[q1] == 0
    alleps1 = ne1[q1] == indptr1[q1 + 1] - indptr1[q1] and is_zero(code, final1[q1])
    noeps2 = ne2[q2] == 0
    alleps2 = ne2[q2] == indptr2[q2 + 1] - indptr2[q2] and is_zero(code, final2[q2])
    return q1, q2, fs, final, noeps1, alleps1, noeps2, alleps2


@njit(inline="always", cache=True)
def _follow_moves(cand1, cand2, candw, cando, nc, special, code, filter_code, state,
                  arcs1, arcs2, n2, table, bits, keys, num_states, max_states,
                  out_arcs, num_arcs, want_maps):
    """Runs the ``nc`` candidate moves of the state ``(q1, q2, fs)`` through
    the compose filter: finds or numbers each destination tuple and appends
    its arc. The state and arc buffers must have room for ``nc`` more.

    ``cand1[c]``/``cand2[c]`` are the arcs of a and b (``STAY``: that side
    stays). With ``special`` (the special matchers), ``candw[c]`` is the
    weight of the φ arcs followed to reach ``cand2[c]`` and ``cando[c]``
    the output label written in place of b's (-1: b's own).

    ``state`` is ``(q1, q2, fs, noeps1, alleps1, noeps2, alleps2)``,
    ``arcs1`` a's ``(ilabel, olabel, nextstate, weight)``, ``arcs2`` b's
    ``(olabel, nextstate, weight)``, ``out_arcs`` the buffers ``(ilabel,
    olabel, nextstate, weight, map1, map2)`` (tuples: CPython passes more
    than 30 arguments as ``*args``, which numba cannot inline).

    Returns ``(status, num_states, num_arcs, table, bits)``: the table is
    replaced when it grows."""
    q1, q2, fs, noeps1, alleps1, noeps2, alleps2 = state
    ilabel1, olabel1, nextstate1, weight1 = arcs1
    olabel2, nextstate2, weight2 = arcs2
    il, ol, dst, w, map1, map2 = out_arcs
    status = OK
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
        nfs = next_filter_state(filter_code, fs, move, noeps1, alleps1, noeps2, alleps2)
        if nfs < 0:
            continue
        n1 = q1 if k1 == STAY else np.int64(nextstate1[k1])
        m2 = q2 if k2 == STAY else np.int64(nextstate2[k2])
        key = (n1 * n2 + m2) * 3 + nfs
        slot = _probe(table, bits, keys, key)
        target = np.int64(table[slot])
        if target < 0:
            if num_states >= max_states:
                status = STATE_LIMIT
                break
            target = num_states
            keys[target] = key
            table[slot] = target
            num_states += 1
            if 2 * num_states > (np.int64(1) << bits):  # keep the load under 1/2
                bits += 1
                table = _new_table(keys, num_states, bits)
        if k1 == STAY:
            il[num_arcs] = 0
            wa = one(code)
        else:
            il[num_arcs] = ilabel1[k1]
            wa = np.float64(weight1[k1])
        if k2 == STAY:
            ol[num_arcs] = 0
            wb = one(code)
        else:
            ol[num_arcs] = olabel2[k2]
            wb = np.float64(weight2[k2])
            if special:
                if cando[c] >= 0:
                    ol[num_arcs] = cando[c]
                wb = times(code, candw[c], wb)
        w[num_arcs] = times(code, wa, wb)
        dst[num_arcs] = target
        if want_maps:
            map1[num_arcs] = k1
            map2[num_arcs] = k2
        num_arcs += 1
    return status, num_states, num_arcs, table, bits


@njit(cache=True)
def compose_csr(indptr1, ilabel1, olabel1, nextstate1, weight1, final1, start1,
                indptr2, ilabel2, olabel2, nextstate2, weight2, final2, start2,
                code, filter_code, match_mode, max_states, want_maps):
    """Composes a (arrays ``*1``) with b (arrays ``*2``).

    ``match_mode``: 0 both sorted (a by output, b by input label; walk the
    side with fewer arcs), 1 walk a and search b (b input-sorted), 2 walk b
    and search a (a output-sorted). ``max_states`` < 0: no limit.

    Returns ``(status, indptr, ilabel, olabel, nextstate, weight, final,
    map1, map2)`` cut to size; ``map1[k]``/``map2[k]`` are the arcs of a
    and b output arc k was made from (-1 where that side stayed), empty
    unless ``want_maps``. Status ``STATE_LIMIT`` when more than
    ``max_states`` states would be needed."""
    ne1 = _epsilon_counts(indptr1, olabel1)
    ne2 = _epsilon_counts(indptr2, ilabel2)
    n2 = final2.shape[0]
    keys = np.empty(256, np.int64)
    out_ptr = np.zeros(257, np.int64)
    fin = np.empty(256, final1.dtype)
    bits = 10
    table = np.full(1 << bits, -1, np.int32)
    cap_a = 1024
    il = np.empty(cap_a, np.int32)
    ol = np.empty(cap_a, np.int32)
    dst = np.empty(cap_a, np.int32)
    w = np.empty(cap_a, weight1.dtype)
    map1 = np.empty(cap_a if want_maps else 0, np.int64)
    map2 = np.empty(cap_a if want_maps else 0, np.int64)
    cand1 = np.empty(64, np.int64)
    cand2 = np.empty(64, np.int64)
    no_weights = np.empty(0, np.float64)      # the special matchers' columns
    no_labels = np.empty(0, np.int64)
    num_states, status = _first_state(table, bits, keys, start1, start2, n2,
                                      _state_budget(max_states))
    num_arcs = 0
    head = 0
    while head < num_states and status == OK:
        q1, q2, fs, final, noeps1, alleps1, noeps2, alleps2 = _open_state(
            code, keys[head], n2, indptr1, final1, ne1, indptr2, final2, ne2)
        fin[head] = final
        lo1 = indptr1[q1]
        hi1 = indptr1[q1 + 1]
        lo2 = indptr2[q2]
        hi2 = indptr2[q2 + 1]
        if match_mode == 1:
            walk_a = True
        elif match_mode == 2:
            walk_a = False
        else:
            walk_a = hi1 - lo1 <= hi2 - lo2
        # Gather the candidate moves in OpenFst's order: the walked side's
        # stay against the searched side's ε arcs, then per walked arc (an ε
        # arc first against the searched side's stay) its matches.
        if walk_a:
            lo_w, hi_w, lo_s, hi_s, ne_s = lo1, hi1, lo2, hi2, ne2[q2]
            walked, searched = olabel1, ilabel2
        else:
            lo_w, hi_w, lo_s, hi_s, ne_s = lo2, hi2, lo1, hi1, ne1[q1]
            walked, searched = ilabel2, olabel1
        if ne_s + 1 > cand1.shape[0]:
            cand1 = _grow(cand1, ne_s + 1)
            cand2 = _grow(cand2, ne_s + 1)
        nc = 0
        for k in range(lo_s, lo_s + ne_s):
            cand1[nc] = STAY
            cand2[nc] = k
            nc += 1
        for kw in range(lo_w, hi_w):
            label = walked[kw]
            if label == 0:
                first = lo_s
                last = lo_s + ne_s
            else:
                first = _lower_bound(searched, lo_s + ne_s, hi_s, label)
                last = first
                while last < hi_s and searched[last] == label:
                    last += 1
            if nc + 1 + last - first > cand1.shape[0]:
                cand1 = _grow(cand1, nc + 1 + last - first)
                cand2 = _grow(cand2, nc + 1 + last - first)
            if label == 0:
                cand1[nc] = kw
                cand2[nc] = STAY
                nc += 1
            for ks in range(first, last):
                cand1[nc] = kw
                cand2[nc] = ks
                nc += 1
        if not walk_a:      # the columns hold (b's arc, a's arc): swap them
            cand1, cand2 = cand2, cand1
        # room for every candidate to add a state and an arc
        if num_states + nc > keys.shape[0]:
            keys, out_ptr, fin = _reserve_states(keys, out_ptr, fin, num_states + nc)
        if num_arcs + nc > il.shape[0]:
            il, ol, dst, w, map1, map2 = _reserve_arcs(il, ol, dst, w, map1, map2,
                                                       num_arcs + nc, want_maps)
        status, num_states, num_arcs, table, bits = _follow_moves(
            cand1, cand2, no_weights, no_labels, nc, False, code, filter_code,
            (q1, q2, fs, noeps1, alleps1, noeps2, alleps2),
            (ilabel1, olabel1, nextstate1, weight1), (olabel2, nextstate2, weight2), n2,
            table, bits, keys, num_states, _state_budget(max_states),
            (il, ol, dst, w, map1, map2), num_arcs, want_maps)
        head += 1
        out_ptr[head] = num_arcs
    return _cut_to_size(status, num_states, num_arcs, out_ptr, il, ol, dst, w, fin,
                        map1, map2, want_maps, max_states)


@njit(inline="always", cache=True)
def _cut_to_size(status, num_states, num_arcs, out_ptr, il, ol, dst, w, fin, map1, map2,
                 want_maps, max_states):
    """The kernels' result tuple: every buffer cut to its length, one at a
    time (inlined, so each buffer is released as soon as its copy is made:
    the peak is the buffers plus one copy, not plus all of them).
    ``max_states`` is the caller's: ``STATE_LIMIT`` without one means the
    int32 ids ran out."""
    if status == STATE_LIMIT and _state_budget(max_states) != max_states:
        status = TOO_MANY_STATES
    if status != OK:
        num_states = 0
        num_arcs = 0
    map_len = num_arcs if want_maps else 0
    out_ptr = _fit(out_ptr, num_states + 1)
    fin = _fit(fin, num_states)
    map2 = _fit(map2, map_len)
    map1 = _fit(map1, map_len)
    w = _fit(w, num_arcs)
    dst = _fit(dst, num_arcs)
    ol = _fit(ol, num_arcs)
    il = _fit(il, num_arcs)
    return status, out_ptr, il, ol, dst, w, fin, map1, map2
