"""Trimming (OpenFst's ``Connect``) in one pass: the useful states are found
and the surviving arcs copied into new CSR arrays by one kernel call."""

import numpy as np
from numba import njit

from .arc_buffers import new_arcs, put_arc
from .graph import accessible_states, coaccessible_states


@njit(cache=True)
def connect_csr(indptr, ilabel, olabel, weight, nextstate, final, start, code):
    """Keeps the states that are accessible and coaccessible, in their order,
    and the arcs between them, in their order.

    Returns ``(indptr, ilabel, olabel, weight, nextstate, final, start,
    arc_map)`` with ``arc_map[k]`` the input arc that output arc ``k`` is and
    ``start`` -1 when no state survives. O(V + E).
    """
    n = final.shape[0]
    keep = accessible_states(indptr, nextstate, start)
    co = coaccessible_states(indptr, nextstate, final, code)
    new_id = np.empty(n, np.int64)
    n_out = 0
    for s in range(n):
        if keep[s] and co[s]:
            new_id[s] = n_out
            n_out += 1
        else:
            new_id[s] = -1
    m_out = 0
    for s in range(n):
        if new_id[s] >= 0:
            for a in range(indptr[s], indptr[s + 1]):
                if new_id[nextstate[a]] >= 0:
                    m_out += 1
    out_ptr = np.empty(n_out + 1, np.int64)
    out = new_arcs(m_out, weight)
    fin = np.empty(n_out, final.dtype)
    pos = 0
    for s in range(n):
        t = new_id[s]
        if t < 0:
            continue
        out_ptr[t] = pos
        fin[t] = final[s]
        for a in range(indptr[s], indptr[s + 1]):
            d = new_id[nextstate[a]]
            if d >= 0:
                pos = put_arc(out, pos, ilabel[a], olabel[a], weight[a], d, a)
    out_ptr[n_out] = pos
    new_start = new_id[start] if n_out > 0 else -1
    il, ol, w, dst, arc_map = out
    return out_ptr, il, ol, w, dst, fin, new_start, arc_map
