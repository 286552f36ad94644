"""OpenFst's ``Concat`` of two machines written straight into CSR arrays
(one pass over both; no sort)."""

import numpy as np
from numba import njit

from .arc_buffers import copy_arcs, new_arcs, put_arc
from .semiring import is_zero, zero


@njit(cache=True)
def concat_pair(p_indptr, p_ilabel, p_olabel, p_weight, p_nextstate, p_final, p_start,
                p_origin, q_indptr, q_ilabel, q_olabel, q_weight, q_nextstate, q_final,
                q_start, q_origin, prepend, code):
    """The machine of ``p · q``: every final state of ``p`` stops being final
    and gets an ``ε:ε`` arc, weighted by its final weight, to ``q``'s start
    (none when ``q_start < 0``).

    Two layouts, those of OpenFst's two destructive forms:

    - ``prepend`` false (``Concat(&p, q)``): ``p``'s states, then ``q``'s;
      the new arcs go after a state's own arcs; the start is ``p``'s.
    - ``prepend`` true (``Concat(p, &q)``): ``q``'s states, then ``p``'s;
      the new arcs go before a state's own arcs; the start is ``p``'s
      (shifted), or a new, last state with no arcs when ``p_start < 0``.

    ``p_origin`` / ``q_origin`` are the input arcs' arc-map entries; new
    arcs get -1. Returns ``(indptr, ilabel, olabel, weight, nextstate,
    final, start, origin)``.
    """
    np_ = p_final.shape[0]
    nq = q_final.shape[0]
    mp = p_ilabel.shape[0]
    mq = q_ilabel.shape[0]
    p_shift = nq if prepend else 0
    q_shift = 0 if prepend else np_
    extra = 0
    if q_start >= 0:
        for s in range(np_):
            if not is_zero(code, p_final[s]):
                extra += 1
    n = np_ + nq
    start = p_start + p_shift
    if p_start < 0:
        # only reached with prepend (the caller leaves p · q = p otherwise)
        start = n
        n += 1
    m = mp + mq + extra
    indptr = np.empty(n + 1, np.int64)
    out = new_arcs(m, p_weight)
    final = np.empty(n, p_final.dtype)
    q_root = q_start + q_shift
    pos = 0
    for part in range(2):
        if (part == 0) == prepend:
            # q's states, unchanged but shifted
            for s in range(nq):
                indptr[s + q_shift] = pos
                final[s + q_shift] = q_final[s]
                pos = copy_arcs(out, pos, q_indptr, q_ilabel, q_olabel, q_weight,
                                q_nextstate, q_origin, s, q_shift)
            continue
        for s in range(np_):
            indptr[s + p_shift] = pos
            final[s + p_shift] = zero(code)
            f = p_final[s]
            link = q_start >= 0 and not is_zero(code, f)
            if link and prepend:
                pos = put_arc(out, pos, 0, 0, f, q_root, -1)
            pos = copy_arcs(out, pos, p_indptr, p_ilabel, p_olabel, p_weight,
                            p_nextstate, p_origin, s, p_shift)
            if link and not prepend:
                pos = put_arc(out, pos, 0, 0, f, q_root, -1)
    if p_start < 0:
        indptr[start] = pos
        final[start] = zero(code)
    indptr[n] = pos
    il, ol, w, dst, origin = out
    return indptr, il, ol, w, dst, final, start, origin
