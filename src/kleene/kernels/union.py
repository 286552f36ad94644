"""OpenFst's ``Union(&a, b)`` of two machines written straight into CSR
arrays (one pass over both; no sort)."""

import numpy as np
from numba import njit

from .semiring import one, zero

# How the second machine's start is reached (chosen by the caller, as OpenFst
# chooses from the first machine's kInitialAcyclic bit):
ARC_FROM_START = 0  # an ε arc appended to the first machine's start state
NEW_START = 1       # a new start state after both machines, ε arcs to both starts
TAKE_START = 2      # the first machine has no start: the second's becomes it


@njit(cache=True)
def union_pair(a_indptr, a_ilabel, a_olabel, a_weight, a_nextstate, a_final, a_start,
               a_origin, b_indptr, b_ilabel, b_olabel, b_weight, b_nextstate, b_final,
               b_start, b_origin, mode, code):
    """States are ``a``'s, then ``b``'s (shifted by ``len(a_final)``), then
    the new start for ``NEW_START``; arcs keep their order, the new ε:ε/1
    arcs go last in their source's list. ``b_start >= 0``.

    ``a_origin`` / ``b_origin`` give each input arc's origin (the arc map),
    written to the output's origin; new arcs get -1.

    Returns ``(indptr, ilabel, olabel, weight, nextstate, final, start, origin)``.
    """
    na = a_final.shape[0]
    nb = b_final.shape[0]
    ma = a_ilabel.shape[0]
    mb = b_ilabel.shape[0]
    b_root = b_start + na
    if mode == NEW_START:
        n = na + nb + 1
        m = ma + mb + 2
        start = na + nb
    elif mode == ARC_FROM_START:
        n = na + nb
        m = ma + mb + 1
        start = a_start
    else:
        n = na + nb
        m = ma + mb
        start = b_root
    indptr = np.empty(n + 1, np.int64)
    il = np.empty(m, np.int32)
    ol = np.empty(m, np.int32)
    w = np.empty(m, a_weight.dtype)
    dst = np.empty(m, np.int32)
    origin = np.empty(m, np.int64)
    final = np.empty(n, a_final.dtype)
    pos = 0
    for s in range(na):
        indptr[s] = pos
        final[s] = a_final[s]
        for k in range(a_indptr[s], a_indptr[s + 1]):
            il[pos] = a_ilabel[k]
            ol[pos] = a_olabel[k]
            w[pos] = a_weight[k]
            dst[pos] = a_nextstate[k]
            origin[pos] = a_origin[k]
            pos += 1
        if mode == ARC_FROM_START and s == a_start:
            il[pos] = 0
            ol[pos] = 0
            w[pos] = one(code)
            dst[pos] = b_root
            origin[pos] = -1
            pos += 1
    for s in range(nb):
        indptr[na + s] = pos
        final[na + s] = b_final[s]
        for k in range(b_indptr[s], b_indptr[s + 1]):
            il[pos] = b_ilabel[k]
            ol[pos] = b_olabel[k]
            w[pos] = b_weight[k]
            dst[pos] = b_nextstate[k] + na
            origin[pos] = b_origin[k]
            pos += 1
    if mode == NEW_START:
        indptr[start] = pos
        final[start] = zero(code)
        for k in range(2):
            il[pos] = 0
            ol[pos] = 0
            w[pos] = one(code)
            dst[pos] = a_start if k == 0 else b_root
            origin[pos] = -1
            pos += 1
    indptr[n] = pos
    return indptr, il, ol, w, dst, final, start, origin
