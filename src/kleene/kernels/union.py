"""OpenFst's ``Union(&a, b)`` of two machines written straight into CSR
arrays (one pass over both; no sort)."""

import numpy as np
from numba import njit

from .arc_buffers import copy_arcs, new_arcs, put_arc
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
    out = new_arcs(m, a_weight)
    final = np.empty(n, a_final.dtype)
    pos = 0
    for s in range(na):
        indptr[s] = pos
        final[s] = a_final[s]
        pos = copy_arcs(out, pos, a_indptr, a_ilabel, a_olabel, a_weight, a_nextstate,
                        a_origin, s, 0)
        if mode == ARC_FROM_START and s == a_start:
            pos = put_arc(out, pos, 0, 0, one(code), b_root, -1)
    for s in range(nb):
        indptr[na + s] = pos
        final[na + s] = b_final[s]
        pos = copy_arcs(out, pos, b_indptr, b_ilabel, b_olabel, b_weight, b_nextstate,
                        b_origin, s, na)
    if mode == NEW_START:
        indptr[start] = pos
        final[start] = zero(code)
        pos = put_arc(out, pos, 0, 0, one(code), a_start, -1)
        pos = put_arc(out, pos, 0, 0, one(code), b_root, -1)
    indptr[n] = pos
    il, ol, w, dst, origin = out
    return indptr, il, ol, w, dst, final, start, origin
