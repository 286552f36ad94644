"""Breadth-first pairing of states for :mod:`kleene.algorithms.isomorphic`."""

import numpy as np
from numba import njit

ISOMORPHIC = 1
DIFFERENT = 0
UNDECIDED = 2      # different under this pairing, but ties made the pairing a guess


@njit(inline="always", cache=True)
def _close(a, b, delta):
    return a == b or abs(a - b) <= delta


@njit(cache=True)
def pair_states(indptr1, ilabel1, olabel1, nextstate1, weight1, final1, start1, order1,
                indptr2, ilabel2, olabel2, nextstate2, weight2, final2, start2, order2,
                delta):
    """Pairs the states reachable from the starts, arcs matched in the given
    per-state orders (sorted by labels then weight); the pairing must be a
    bijection. Returns a status (see the constants). O(V + E)."""
    if start1 < 0 or start2 < 0:
        return ISOMORPHIC if (start1 < 0 and start2 < 0) else DIFFERENT
    n1 = final1.shape[0]
    n2 = final2.shape[0]
    to2 = np.full(n1, -1, np.int64)
    to1 = np.full(n2, -1, np.int64)
    queue = np.empty(n1, np.int64)
    head = 0
    tail = 0
    to2[start1] = start2
    to1[start2] = start1
    queue[tail] = start1
    tail += 1
    ties = False
    while head < tail:
        s1 = queue[head]
        head += 1
        s2 = to2[s1]
        if not _close(final1[s1], final2[s2], delta):
            return UNDECIDED if ties else DIFFERENT
        lo1, hi1 = indptr1[s1], indptr1[s1 + 1]
        lo2, hi2 = indptr2[s2], indptr2[s2 + 1]
        if hi1 - lo1 != hi2 - lo2:
            return UNDECIDED if ties else DIFFERENT
        for k in range(hi1 - lo1):
            a1 = order1[lo1 + k]
            a2 = order2[lo2 + k]
            if k > 0:
                p = order1[lo1 + k - 1]
                if (ilabel1[p] == ilabel1[a1] and olabel1[p] == olabel1[a1]
                        and _close(weight1[p], weight1[a1], delta)):
                    ties = True
            if (ilabel1[a1] != ilabel2[a2] or olabel1[a1] != olabel2[a2]
                    or not _close(weight1[a1], weight2[a2], delta)):
                return UNDECIDED if ties else DIFFERENT
            t1 = nextstate1[a1]
            t2 = nextstate2[a2]
            if to2[t1] == -1 and to1[t2] == -1:
                to2[t1] = t2
                to1[t2] = t1
                queue[tail] = t1
                tail += 1
            elif to2[t1] != t2 or to1[t2] != t1:
                return UNDECIDED if ties else DIFFERENT
    return ISOMORPHIC
