"""Stable counting sort of arcs into CSR order (O(V + E), one pass per array)."""

import numpy as np
from numba import njit


@njit(cache=True)
def coo_to_csr(src, ilabel, olabel, weight, nextstate, num_states):
    """Groups arcs by source state, keeping their relative order.

    Returns ``(indptr, ilabel, olabel, weight, nextstate, order)`` where
    ``order[k]`` is the input position of output arc ``k``. Sources must lie
    in ``[0, num_states)`` (the caller validates).
    """
    m = src.shape[0]
    indptr = np.zeros(num_states + 1, np.int64)
    for k in range(m):
        indptr[src[k] + 1] += 1
    for s in range(num_states):
        indptr[s + 1] += indptr[s]
    fill = indptr[:-1].copy()
    il = np.empty(m, np.int32)
    ol = np.empty(m, np.int32)
    w = np.empty(m, weight.dtype)
    dst = np.empty(m, np.int32)
    order = np.empty(m, np.int64)
    for k in range(m):
        s = src[k]
        pos = fill[s]
        fill[s] = pos + 1
        il[pos] = ilabel[k]
        ol[pos] = olabel[k]
        w[pos] = weight[k]
        dst[pos] = nextstate[k]
        order[pos] = k
    return indptr, il, ol, w, dst, order


@njit(cache=True)
def arc_sources(indptr):
    """The source state of every arc (``indptr`` expanded). O(V + E)."""
    n = indptr.shape[0] - 1
    src = np.empty(indptr[n], np.int32)
    for s in range(n):
        for a in range(indptr[s], indptr[s + 1]):
            src[a] = s
    return src
