"""OpenFst's ``Reverse`` with a super-initial state, written straight into
CSR arrays (one counting pass, one copy pass)."""

import numpy as np
from numba import njit

from .semiring import is_zero, one, zero


@njit(cache=True)
def reverse_superinitial(indptr, ilabel, olabel, weight, nextstate, final, start, code,
                         want_origin):
    """State ``s`` becomes ``s + 1``; the new start 0 has an ``ε:ε`` arc,
    weighted by the final weight, to every old final state (in state
    order); every arc ``s -> t`` becomes ``t + 1 -> s + 1``, the arcs of a
    state ordered by old source state, then old arc order; the old start
    becomes final with weight one.

    Returns ``(indptr, ilabel, olabel, weight, nextstate, final, origin)``,
    ``origin`` being the input arc each arc reverses (-1 for the ε arcs);
    empty unless ``want_origin`` (its scattered writes are a fifth of the
    pass).
    """
    n = final.shape[0]
    m = ilabel.shape[0]
    num_finals = 0
    for s in range(n):
        if not is_zero(code, final[s]):
            num_finals += 1
    out_ptr = np.zeros(n + 2, np.int64)
    out_ptr[1] = num_finals
    for a in range(m):
        out_ptr[nextstate[a] + 2] += 1
    for t in range(1, n + 1):
        out_ptr[t + 1] += out_ptr[t]
    total = m + num_finals
    il = np.empty(total, np.int32)
    ol = np.empty(total, np.int32)
    w = np.empty(total, weight.dtype)
    dst = np.empty(total, np.int32)
    origin = np.empty(total if want_origin else 0, np.int64)
    pos = 0
    for s in range(n):
        f = final[s]
        if not is_zero(code, f):
            il[pos] = 0
            ol[pos] = 0
            w[pos] = f
            dst[pos] = s + 1
            if want_origin:
                origin[pos] = -1
            pos += 1
    fill = out_ptr[1:n + 1].copy()
    for s in range(n):
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            p = fill[t]
            fill[t] = p + 1
            il[p] = ilabel[a]
            ol[p] = olabel[a]
            w[p] = weight[a]
            dst[p] = s + 1
            if want_origin:
                origin[p] = a
    fin = np.empty(n + 1, final.dtype)
    for s in range(n + 1):
        fin[s] = zero(code)
    if start >= 0:
        fin[start + 1] = one(code)
    return out_ptr, il, ol, w, dst, fin, origin
