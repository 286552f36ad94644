"""Hashing of arc tuples for :mod:`kleene.algorithms.encode`: numbering the
distinct ``(ilabel, olabel, weight bits)`` keys of an arc list in order of
first appearance with an open-addressing hash table (O(m) expected, where a
sort of 24-byte rows costs O(m log m) with a large constant)."""

import numpy as np
from numba import njit


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
    first = np.empty(m, np.int64)
    index = np.empty(m, np.int64)
    count = 0
    for i in range(m):
        a = k0[i]
        b = k1[i]
        c = k2[i]
        pos = _mix(a, b, c) & mask
        while True:
            r = slots[pos]
            if r < 0:
                slots[pos] = count
                first[count] = i
                index[i] = count
                count += 1
                break
            j = first[r]
            if k0[j] == a and k1[j] == b and k2[j] == c:
                index[i] = r
                break
            pos = (pos + np.uint64(1)) & mask
    return index, first[:count].copy()
