"""Hashing of arc tuples for :mod:`kleene.algorithms.encode`: numbering the
distinct ``(ilabel, olabel, weight bits)`` keys of an arc list in order of
first appearance with an open-addressing hash table (O(m) expected, where a
sort of 24-byte rows costs O(m log m) with a large constant)."""

import numpy as np
from numba import njit

from .semiring import is_zero, one


@njit(cache=True, inline="always")
def _mix(a, b, c):
    # 64-bit multiplicative mixing of the three key words (splitmix-style)
    h = np.uint64(a) * np.uint64(0x9E3779B97F4A7C15)
    h ^= np.uint64(b) + np.uint64(0x632BE59BD9B4E019) + (h << np.uint64(6)) + (h >> np.uint64(2))
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= np.uint64(c) + np.uint64(0x94D049BB133111EB) + (h << np.uint64(6)) + (h >> np.uint64(2))
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(29)
    return h


@njit(cache=True, inline="always")
def _lookup(slots, mask, key_i, key_o, key_w, k0, k1, k2, count):
    """The rank of key ``(k0, k1, k2)``; a new key gets rank ``count``
    (stored at that row of the key arrays)."""
    pos = _mix(k0, k1, k2) & mask
    while True:
        r = slots[pos]
        if r < 0:
            slots[pos] = count
            key_i[count] = k0
            key_o[count] = k1
            key_w[count] = k2
            return count
        if key_i[r] == k0 and key_o[r] == k1 and key_w[r] == k2:
            return r
        pos = (pos + np.uint64(1)) & mask


@njit(cache=True)
def number_keys(k0, k1, k2):
    """For keys ``(k0[i], k1[i], k2[i])`` (int64 each) returns ``(index,
    first)``: ``index[i]`` is the rank of key ``i`` among the distinct keys
    in order of first appearance, and ``first[r]`` the position of the first
    occurrence of the key of rank ``r``."""
    m = k0.shape[0]
    size = 16
    while size < 2 * m:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, np.int64)   # rank stored in the slot, -1 empty
    key_i = np.empty(m, np.int64)
    key_o = np.empty(m, np.int64)
    key_w = np.empty(m, np.int64)
    first = np.empty(m, np.int64)
    index = np.empty(m, np.int64)
    count = 0
    for i in range(m):
        r = _lookup(slots, mask, key_i, key_o, key_w, k0[i], k1[i], k2[i], count)
        if r == count:
            first[count] = i
            count += 1
        index[i] = r
    return index, first[:count].copy()


@njit(cache=True)
def encode_fresh(indptr, ilabel, olabel, weight_bits, nextstate, final, final_bits, code,
                 labels_too, weights_too, final_label):
    """Encodes a machine with a fresh mapper in one pass (what
    :func:`kleene.algorithms.encode.encode` computes with the general
    mapper, without the intermediate key arrays).

    Keys are ``(ilabel, olabel if labels_too else 0, weight bits if
    weights_too else one)``, numbered 1, 2, ... in order of first appearance
    over the output slots: each state's arcs, then (``weights_too``) its
    final weight as the key ``(final_label, final_label or 0, bits)``.
    ``weight_bits`` / ``final_bits``: the weights as float64 bit patterns
    (with -0.0 made 0.0).
    Returns ``(codes, out_indptr, out_olabel, out_nextstate, key_i, key_o,
    key_w)``: one code per output slot; with ``weights_too`` the CSR layout
    of the machine whose final weights became arcs to the super-final state
    ``n``; and the mapper's table (row ``k - 1`` is code ``k``)."""
    n = indptr.shape[0] - 1
    m = ilabel.shape[0]
    total = m
    if weights_too:
        for s in range(n):
            if not is_zero(code, final[s]):
                total += 1
    size = 16
    while size < 2 * total:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, np.int64)
    key_i = np.empty(total, np.int64)
    key_o = np.empty(total, np.int64)
    key_w = np.empty(total, np.int64)     # float64 bits
    codes = np.empty(total, np.int32)
    out_indptr = np.empty(n + 2 if weights_too else 1, np.int64)
    out_olabel = np.empty(total if weights_too else 0, np.int32)
    out_next = np.empty(total if weights_too else 0, np.int32)
    one_bits = np.full(1, one(code), np.float64).view(np.int64)[0]
    count = 0
    pos = 0
    for s in range(n):
        if weights_too:
            out_indptr[s] = pos
        for a in range(indptr[s], indptr[s + 1]):
            k0 = np.int64(ilabel[a])
            k1 = np.int64(olabel[a]) if labels_too else np.int64(0)
            k2 = weight_bits[a] if weights_too else one_bits
            c = _lookup(slots, mask, key_i, key_o, key_w, k0, k1, k2, count)
            if c == count:
                count += 1
            codes[pos] = c + 1
            if weights_too:
                out_olabel[pos] = c + 1 if labels_too else olabel[a]
                out_next[pos] = nextstate[a]
            pos += 1
        if weights_too and not is_zero(code, final[s]):
            k0 = np.int64(final_label)
            k1 = np.int64(final_label) if labels_too else np.int64(0)
            k2 = final_bits[s]
            c = _lookup(slots, mask, key_i, key_o, key_w, k0, k1, k2, count)
            if c == count:
                count += 1
            codes[pos] = c + 1
            out_olabel[pos] = c + 1 if labels_too else 0
            out_next[pos] = n
            pos += 1
    if weights_too:
        out_indptr[n] = pos
        out_indptr[n + 1] = pos
    return (codes, out_indptr, out_olabel, out_next, key_i[:count].copy(),
            key_o[:count].copy(), key_w[:count].copy())
