"""Per-state stable arc sorting on a packed ``(primary, secondary)`` key."""

import numpy as np
from numba import njit


@njit(cache=True)
def arcsort_order(indptr, primary, secondary):
    """The permutation that stably sorts each state's arcs by
    ``(primary, secondary)``; states already in order are left untouched.
    Labels are non-negative int32, so the key packs into one int64."""
    return arcsort_permutation(indptr, primary, secondary)[0]


@njit(cache=True)
def arcsort_permutation(indptr, primary, secondary):
    """:func:`arcsort_order` and the number of states it reorders (0: the
    permutation is the identity)."""
    m = primary.shape[0]
    order = np.arange(m)
    n = indptr.shape[0] - 1
    reordered = 0
    for s in range(n):
        lo = indptr[s]
        hi = indptr[s + 1]
        if hi - lo < 2:
            continue
        in_order = True
        for a in range(lo + 1, hi):
            if (primary[a - 1] > primary[a]
                    or (primary[a - 1] == primary[a] and secondary[a - 1] > secondary[a])):
                in_order = False
                break
        if in_order:
            continue
        reordered += 1
        key = np.empty(hi - lo, np.int64)
        for a in range(lo, hi):
            key[a - lo] = (np.int64(primary[a]) << 32) | np.int64(secondary[a])
        local = np.argsort(key, kind="mergesort")
        for j in range(hi - lo):
            order[lo + j] = lo + local[j]
    return order, reordered
