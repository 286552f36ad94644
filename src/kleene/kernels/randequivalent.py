"""The machine restricted to one (input, output) string pair, for
:mod:`kleene.algorithms.randequivalent`: the accessible part of the product
of the machine with the two strings (what composing the string acceptors on
both sides gives), as arrays."""

import numpy as np
from numba import njit, types
from numba.typed import Dict

from .semiring import is_zero

OK = 0
TOO_BIG = 1


@njit(cache=True)
def string_pair_product(indptr, ilabel, olabel, nextstate, weight, final, start, x, y,
                        code, max_states):
    """States are (q, i, j): machine state q having read x[:i] and written
    y[:j]; an arc may consume the next input symbol or epsilon and the next
    output symbol or epsilon. Returns (src, dst, w, final, num_states, status);
    state 0 is the start. O(product size)."""
    lx = x.shape[0]
    ly = y.shape[0]
    ids = Dict.empty(key_type=types.int64, value_type=types.int64)
    stride_i = np.int64(ly + 1)
    stride_q = np.int64((lx + 1) * (ly + 1))
    q_of = np.empty(16, np.int64)
    i_of = np.empty(16, np.int64)
    j_of = np.empty(16, np.int64)
    src = np.empty(16, np.int64)
    dst = np.empty(16, np.int64)
    w = np.empty(16, np.float64)
    nstates = 0
    narcs = 0
    ids[np.int64(start) * stride_q] = 0
    q_of[0] = start
    i_of[0] = 0
    j_of[0] = 0
    nstates = 1
    head = 0
    while head < nstates:
        q = q_of[head]
        i = i_of[head]
        j = j_of[head]
        for a in range(indptr[q], indptr[q + 1]):
            il = ilabel[a]
            ol = olabel[a]
            ni = i
            nj = j
            if il != 0:
                if i >= lx or x[i] != il:
                    continue
                ni = i + 1
            if ol != 0:
                if j >= ly or y[j] != ol:
                    continue
                nj = j + 1
            key = np.int64(nextstate[a]) * stride_q + ni * stride_i + nj
            t = ids.get(key, -1)
            if t < 0:
                if nstates >= max_states:
                    return src[:0], dst[:0], w[:0], np.zeros(0), nstates, TOO_BIG
                t = nstates
                ids[key] = t
                if t >= q_of.shape[0]:
                    q_of = np.concatenate((q_of, np.empty(q_of.shape[0], np.int64)))
                    i_of = np.concatenate((i_of, np.empty(i_of.shape[0], np.int64)))
                    j_of = np.concatenate((j_of, np.empty(j_of.shape[0], np.int64)))
                q_of[t] = nextstate[a]
                i_of[t] = ni
                j_of[t] = nj
                nstates += 1
            if narcs >= src.shape[0]:
                src = np.concatenate((src, np.empty(src.shape[0], np.int64)))
                dst = np.concatenate((dst, np.empty(dst.shape[0], np.int64)))
                w = np.concatenate((w, np.empty(w.shape[0], np.float64)))
            src[narcs] = head
            dst[narcs] = t
            w[narcs] = weight[a]
            narcs += 1
        head += 1
    fin = np.empty(nstates, np.float64)
    for s in range(nstates):
        if i_of[s] == lx and j_of[s] == ly and not is_zero(code, final[q_of[s]]):
            fin[s] = final[q_of[s]]
        else:
            fin[s] = np.inf if (code == 0 or code == 1) else 0.0
    return src[:narcs], dst[:narcs], w[:narcs], fin, nstates, OK
