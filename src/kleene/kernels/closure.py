"""OpenFst's plus/star closure written straight into CSR arrays (one pass)."""

import numpy as np
from numba import njit

from .semiring import is_zero, one


@njit(cache=True)
def closure_csr(indptr, ilabel, olabel, weight, nextstate, final, start, code, star):
    """Every final state gets an ``ε:ε`` arc, weighted by its final weight, to
    ``start`` after its own arcs; with ``star`` a new final state ``V`` is
    added with an ``ε:ε/1`` arc to ``start``. Requires ``start >= 0``.

    Returns ``(indptr, ilabel, olabel, weight, nextstate, final, arc_map)``.
    """
    n = final.shape[0]
    n_out = n + 1 if star else n
    m_extra = 0
    for s in range(n):
        if not is_zero(code, final[s]):
            m_extra += 1
    m = ilabel.shape[0]
    m_out = m + m_extra + (1 if star else 0)
    out_ptr = np.empty(n_out + 1, np.int64)
    il = np.empty(m_out, np.int32)
    ol = np.empty(m_out, np.int32)
    w = np.empty(m_out, weight.dtype)
    dst = np.empty(m_out, np.int32)
    arc_map = np.empty(m_out, np.int64)
    fin = np.empty(n_out, final.dtype)
    pos = 0
    for s in range(n):
        out_ptr[s] = pos
        for a in range(indptr[s], indptr[s + 1]):
            il[pos] = ilabel[a]
            ol[pos] = olabel[a]
            w[pos] = weight[a]
            dst[pos] = nextstate[a]
            arc_map[pos] = a
            pos += 1
        f = final[s]
        fin[s] = f
        if not is_zero(code, f):
            il[pos] = 0
            ol[pos] = 0
            w[pos] = f
            dst[pos] = start
            arc_map[pos] = -1
            pos += 1
    if star:
        out_ptr[n] = pos
        fin[n] = one(code)
        il[pos] = 0
        ol[pos] = 0
        w[pos] = one(code)
        dst[pos] = start
        arc_map[pos] = -1
        pos += 1
    out_ptr[n_out] = pos
    return out_ptr, il, ol, w, dst, fin, arc_map
