"""OpenFst's plus/star closure written straight into CSR arrays (one pass)."""

import numpy as np
from numba import njit

from .arc_buffers import new_arcs, put_arc
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
    out = new_arcs(m_out, weight)
    fin = np.empty(n_out, final.dtype)
    pos = 0
    for s in range(n):
        out_ptr[s] = pos
        for a in range(indptr[s], indptr[s + 1]):
            pos = put_arc(out, pos, ilabel[a], olabel[a], weight[a], nextstate[a], a)
        f = final[s]
        fin[s] = f
        if not is_zero(code, f):
            pos = put_arc(out, pos, 0, 0, f, start, -1)
    if star:
        out_ptr[n] = pos
        fin[n] = one(code)
        pos = put_arc(out, pos, 0, 0, one(code), start, -1)
    out_ptr[n_out] = pos
    il, ol, w, dst, arc_map = out
    return out_ptr, il, ol, w, dst, fin, arc_map
