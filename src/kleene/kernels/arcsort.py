"""Per-state stable arc sorting on a packed ``(primary, secondary)`` key.

Labels are non-negative int32, so ``primary << 32 | secondary`` is one int64
whose order is the lexicographic order of the pair. Each state's keys are
copied to a small scratch row and sorted there with their arc indices:
up to 8 arcs (most rows of real machines) by a branch-free rank count, up
to 24 by insertion sort, longer ones by a stable merge sort. ``arcsort_arrays``
writes the sorted arc arrays directly, so the common call needs no
permutation array and no separate gathers.
"""

import numpy as np
from numba import njit

# Rows up to this out-degree are insertion-sorted (O(d^2) compares, but no
# recursion or merging overhead); longer ones are merge-sorted.
INSERTION_MAX = 24


@njit(cache=True, inline="always")
def _key(primary, secondary, a):
    return (np.int64(primary[a]) << 32) | np.int64(secondary[a])


@njit(cache=True, inline="always")
def _insertion_sort_row(key, idx, d):
    """Sorts ``key[:d]`` stably in place, moving ``idx[:d]`` along, in
    O(d^2); returns whether anything moved."""
    moved = False
    for b in range(1, d):
        cur = key[b]
        cur_idx = idx[b]
        j = b
        while j > 0 and key[j - 1] > cur:  # strict: equal keys keep their order
            key[j] = key[j - 1]
            idx[j] = idx[j - 1]
            j -= 1
        key[j] = cur
        idx[j] = cur_idx
        moved |= j != b
    return moved


@njit(cache=True)
def _merge_sort_row(key, idx, d, tmp_key, tmp_idx):
    """Sorts ``key[:d]`` stably in place, moving ``idx[:d]`` along
    (bottom-up merge sort, O(d log d)); ``tmp_*`` are scratch of at least
    ``d``. Returns whether anything moved."""
    moved = False
    for k in range(1, d):
        if key[k] < key[k - 1]:
            moved = True
            break
    if not moved:
        return False
    src_key, src_idx, dst_key, dst_idx = key, idx, tmp_key, tmp_idx
    in_scratch = False  # whether the latest pass wrote to tmp_*
    width = 1
    while width < d:
        start = 0
        while start < d:
            mid = min(start + width, d)
            end = min(start + 2 * width, d)
            i = start
            j = mid
            k = start
            while i < mid and j < end:
                if src_key[j] < src_key[i]:  # strict: ties take the left run
                    dst_key[k] = src_key[j]
                    dst_idx[k] = src_idx[j]
                    j += 1
                else:
                    dst_key[k] = src_key[i]
                    dst_idx[k] = src_idx[i]
                    i += 1
                k += 1
            while i < mid:
                dst_key[k] = src_key[i]
                dst_idx[k] = src_idx[i]
                i += 1
                k += 1
            while j < end:
                dst_key[k] = src_key[j]
                dst_idx[k] = src_idx[j]
                j += 1
                k += 1
            start = end
        src_key, dst_key = dst_key, src_key
        src_idx, dst_idx = dst_idx, src_idx
        in_scratch = not in_scratch
        width *= 2
    if in_scratch:
        for k in range(d):
            key[k] = src_key[k]
            idx[k] = src_idx[k]
    return True


@njit(cache=True, inline="always")
def _sort_row(primary, secondary, lo, hi, key, idx, tmp_key, tmp_idx):
    """Loads the keys and indices of arcs ``lo..hi`` into ``key``/``idx``
    (scratch of at least ``hi - lo``) and sorts them stably; returns
    whether the row was out of order."""
    d = hi - lo
    for k in range(d):
        key[k] = _key(primary, secondary, lo + k)
        idx[k] = lo + k
    if d <= INSERTION_MAX:
        return _insertion_sort_row(key, idx, d)
    return _merge_sort_row(key, idx, d, tmp_key, tmp_idx)


# Rows up to this out-degree are ranked with a fixed 8 x 8 comparison (no
# data-dependent branches: LLVM unrolls and vectorises it).
RANK_MAX = 8
_PAD = np.int64(0x7FFFFFFFFFFFFFFF)  # above every packed key (labels < 2**31)


@njit(cache=True, inline="always")
def _rank_sort_short(primary, secondary, lo, d, key8, rank8, idx):
    """Stable sort of a row of ``d <= RANK_MAX`` arcs by ranking: arc ``i``
    goes to ``#{j: key_j < key_i} + #{j < i: key_j == key_i}``. Fills
    ``idx[:d]`` with the sorted arc indices (``key8``, ``rank8``: scratch of
    ``RANK_MAX``); returns whether any moved.
    O(RANK_MAX^2) branch-free compares, cheaper than insertion sort's
    mispredicted branches on random short rows."""
    for k in range(RANK_MAX):
        key8[k] = _key(primary, secondary, lo + k) if k < d else _PAD
    for i in range(RANK_MAX):  # fixed trip counts: unrolled, vectorised
        ki = key8[i]
        r = 0
        for j in range(RANK_MAX):
            r += (key8[j] < ki) | ((key8[j] == ki) & (j < i))
        rank8[i] = r
    moved = False
    for i in range(d):
        r = rank8[i]
        moved |= r != i
        idx[r] = lo + i
    return moved


@njit(cache=True)
def _first_unsorted(indptr, primary, secondary):
    """The first state whose arcs are out of ``(primary, secondary)`` order,
    or -1. O(V + E), no allocation."""
    n = indptr.shape[0] - 1
    for s in range(n):
        lo = indptr[s]
        hi = indptr[s + 1]
        if hi - lo < 2:
            continue
        prev = _key(primary, secondary, lo)
        for a in range(lo + 1, hi):
            cur = _key(primary, secondary, a)
            if cur < prev:
                return s
            prev = cur
    return -1


@njit(cache=True)
def arcsort_arrays(indptr, primary, secondary, nextstate, weight_words, want_order):
    """Sorts every state's arcs stably by ``(primary, secondary)`` and
    returns the arc arrays in the new order.

    ``weight_words`` is the weight array viewed as ``uint32`` (one word per
    arc for float32 weights, two for float64), so one compiled kernel serves
    both widths. Returns ``(reordered, primary, secondary, nextstate,
    weight_words, order)``: ``reordered`` is 0 when every state is already
    in order (the arrays returned are then empty: keep the input ones), else
    the number of states reordered; ``order[k]`` is the input arc that
    output arc ``k`` is (empty unless ``want_order``).

    O(V + E), plus O(d^2) (d <= ``INSERTION_MAX``) or O(d log d) for each
    state of out-degree d; O(E) memory for the outputs, and scratch for the
    longest row."""
    m = primary.shape[0]
    n = indptr.shape[0] - 1
    ww = weight_words.shape[0] // m if m else 1
    first = _first_unsorted(indptr, primary, secondary)
    if first < 0:
        e32 = np.empty(0, np.int32)
        return 0, e32, e32.copy(), e32.copy(), np.empty(0, np.uint32), np.empty(0, np.int64)
    p_out = np.empty(m, np.int32)
    s_out = np.empty(m, np.int32)
    n_out = np.empty(m, np.int32)
    w_out = np.empty(m * ww, np.uint32)
    order = np.empty(m if want_order else 0, np.int64)
    cap = INSERTION_MAX
    key = np.empty(cap, np.int64)
    idx = np.empty(cap, np.int64)
    tmp_key = np.empty(cap, np.int64)
    tmp_idx = np.empty(cap, np.int64)
    key8 = np.empty(RANK_MAX, np.int64)
    rank8 = np.empty(RANK_MAX, np.int64)
    reordered = 0
    for s in range(n):  # (from 0, not ``first``: slice copies cost seconds of compile)
        lo = indptr[s]
        hi = indptr[s + 1]
        d = hi - lo
        if d > cap:
            cap = d
            key = np.empty(cap, np.int64)
            idx = np.empty(cap, np.int64)
            tmp_key = np.empty(cap, np.int64)
            tmp_idx = np.empty(cap, np.int64)
        if d <= RANK_MAX:
            moved = _rank_sort_short(primary, secondary, lo, d, key8, rank8, idx)
        else:
            moved = _sort_row(primary, secondary, lo, hi, key, idx, tmp_key, tmp_idx)
        reordered += moved
        for k in range(d):
            a = idx[k]
            o = lo + k
            p_out[o] = primary[a]
            s_out[o] = secondary[a]
            n_out[o] = nextstate[a]
            w_out[o * ww] = weight_words[a * ww]
            if ww == 2:
                w_out[o * ww + 1] = weight_words[a * ww + 1]
        if want_order:
            for k in range(d):
                order[lo + k] = idx[k]
    return reordered, p_out, s_out, n_out, w_out, order
