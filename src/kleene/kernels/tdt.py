"""The duration-transducer lattice behind the TDT and multi-blank RNN-T
losses: forward and backward passes over the ``T x (U + 1)`` grid of (frame,
labels emitted) states where every arc also says how many frames it skips.

A state ``(t, u)`` has two kinds of outgoing arcs, each with a list of
durations:

* label arcs ``k`` (duration ``ldur[k] >= 0``) to ``(t + ldur[k], u + 1)``,
  weight ``wl[b, t, u, k]``, only for ``u < U_b`` and ``t + ldur[k] < T_b``:
  a label never ends a path;
* blank arcs ``k`` (duration ``bdur[k] >= 1``) to ``(t + bdur[k], u)``,
  weight ``wb[b, t, u, k]``, for ``t + bdur[k] < T_b``, and the final arc
  when ``u == U_b`` and ``t + bdur[k] == T_b`` exactly.

TDT uses the same durations for both kinds (blank without 0), the multi-blank
transducer a single label duration 0 and one blank duration per blank symbol,
the standard RNN-T ``ldur = [0]``, ``bdur = [1]``. The caller folds the
token, duration and sigma terms into ``wl``/``wb``. Everything is float64:
one compiled specialization serves every caller.
"""

import numpy as np
from numba import njit, prange

from .logspace import NEG_INF as _NEG_INF
from .logspace import log_add as _logadd


@njit(parallel=True, cache=True)
def duration_lattice(wl, wb, ldur, bdur, frames, labels, want_grad, total, occ_l, occ_b):
    """Fills ``total`` (B,) with the log of the summed path weights of every
    sequence and, when ``want_grad``, ``occ_l``/``occ_b`` (shaped like
    ``wl``/``wb``, zeroed by the caller) with each arc's occupation
    probability ``exp(alpha[src] + arc + beta[dst] - total)``. A sequence with
    no complete path gets ``total = -inf`` and zero occupations.

    ``wl`` is (B, T, U+1, DL), ``wb`` (B, T, U+1, DB), ``ldur``/``bdur`` int64
    durations (``bdur >= 1``), ``frames``/``labels`` the (B,) lengths with
    ``1 <= frames[b] <= T`` and ``0 <= labels[b] <= U`` (checked by the
    caller). Time O(B T U (DL + DB)), scratch O(T U) per sequence; sequences
    run in parallel (prange over the batch).
    """
    nbatch = wl.shape[0]
    nframe = wl.shape[1]
    nstate_u = wl.shape[2]
    nl = ldur.shape[0]
    nb = bdur.shape[0]
    for b in prange(nbatch):
        tb = frames[b]
        ub = labels[b]
        alpha = np.full((nframe, nstate_u), _NEG_INF)
        alpha[0, 0] = 0.0
        for t in range(tb):
            for u in range(ub + 1):
                if t == 0 and u == 0:
                    continue
                acc = _NEG_INF
                for k in range(nb):
                    s = t - bdur[k]
                    if s >= 0:
                        acc = _logadd(acc, alpha[s, u] + wb[b, s, u, k])
                if u > 0:
                    for k in range(nl):
                        s = t - ldur[k]
                        if s >= 0:
                            acc = _logadd(acc, alpha[s, u - 1] + wl[b, s, u - 1, k])
                alpha[t, u] = acc
        tot = _NEG_INF
        for k in range(nb):
            s = tb - bdur[k]
            if s >= 0:
                tot = _logadd(tot, alpha[s, ub] + wb[b, s, ub, k])
        total[b] = tot
        if not want_grad or tot == _NEG_INF:
            continue
        beta = np.full((nframe, nstate_u), _NEG_INF)
        for t in range(tb - 1, -1, -1):
            for u in range(ub, -1, -1):
                acc = _NEG_INF
                for k in range(nb):
                    e = t + bdur[k]
                    if e < tb:
                        acc = _logadd(acc, beta[e, u] + wb[b, t, u, k])
                    elif e == tb and u == ub:
                        acc = _logadd(acc, wb[b, t, u, k])
                if u < ub:
                    for k in range(nl):
                        e = t + ldur[k]
                        if e < tb:
                            acc = _logadd(acc, beta[e, u + 1] + wl[b, t, u, k])
                beta[t, u] = acc
        # occupation of every arc; a state off every complete path keeps 0
        for t in range(tb):
            for u in range(ub + 1):
                al = alpha[t, u]
                if al == _NEG_INF or beta[t, u] == _NEG_INF:
                    continue
                base = al - tot
                for k in range(nb):
                    e = t + bdur[k]
                    if e < tb:
                        dst = beta[e, u]
                        if dst != _NEG_INF:
                            occ_b[b, t, u, k] = np.exp(base + wb[b, t, u, k] + dst)
                    elif e == tb and u == ub:
                        occ_b[b, t, u, k] = np.exp(base + wb[b, t, u, k])
                if u < ub:
                    for k in range(nl):
                        e = t + ldur[k]
                        if e < tb:
                            dst = beta[e, u + 1]
                            if dst != _NEG_INF:
                                occ_l[b, t, u, k] = np.exp(base + wl[b, t, u, k] + dst)
