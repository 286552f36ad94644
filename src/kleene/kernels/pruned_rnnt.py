"""The monotone alignment recursion behind the k2-style RNN-T losses
(``rnnt_loss_simple``, ``rnnt_loss_pruned``): a forward pass over the
``(S + 1) x (T + 1)`` lattice of (symbols emitted, frames consumed) pairs and,
on request, a backward pass giving the occupation probability of every arc.

With ``px`` (symbol arcs) and ``py`` (termination/blank arcs) in log space and
a box ``[s0, s1] x [t0, t1]`` per sequence::

    alpha[s0, t0] = 0
    regular:  alpha[s, t] = logadd(alpha[s-1, t] + px[s-1, t],   alpha[s, t-1] + py[s, t-1])
    modified: alpha[s, t] = logadd(alpha[s-1, t-1] + px[s-1, t-1], alpha[s, t-1] + py[s, t-1])
    total = alpha[s1, t1]

A symbol arc stays on its frame in the regular topology and moves to the next
frame in the modified one (at most one symbol per frame). Arcs that leave the
box are ignored, so padding outside it may hold anything. Everything is
computed in float64; one compiled specialization serves float32 and float64
callers, which convert.
"""

import numpy as np
from numba import njit, prange

from .logspace import NEG_INF, log_add


@njit(parallel=True, cache=True)
def alignment_recursion(px, py, boundary, modified, want_grad, total, px_grad, py_grad):
    """Fills ``total`` (B,) with ``alpha[s1, t1]`` per sequence and, when
    ``want_grad``, ``px_grad``/``py_grad`` (shaped like ``px``/``py``, zeroed
    by the caller) with each arc's occupation probability
    ``exp(alpha[src] + arc + beta[dst] - total)``; they stay zero for a
    sequence whose total is ``-inf`` (no path).

    ``px`` is (B, S, T+1) for the regular topology and (B, S, T) for the
    modified one, ``py`` is (B, S+1, T), ``boundary`` (B, 4) int64 rows
    ``[s0, t0, s1, t1]`` with ``0 <= s0 <= s1 <= S`` and ``0 <= t0 <= t1 <= T``
    (checked by the caller). Time O(B S T), memory O(S T) per sequence;
    sequences run in parallel (prange over the batch).
    """
    nbatch = px.shape[0]
    nsym = py.shape[1] - 1
    nframe = py.shape[2]
    for b in prange(nbatch):
        s0 = boundary[b, 0]
        t0 = boundary[b, 1]
        s1 = boundary[b, 2]
        t1 = boundary[b, 3]
        alpha = np.full((nsym + 1, nframe + 1), NEG_INF)
        alpha[s0, t0] = 0.0
        for t in range(t0, t1 + 1):
            for s in range(s0, s1 + 1):
                if s == s0 and t == t0:
                    continue
                a = NEG_INF
                if s > s0:
                    if not modified:
                        a = alpha[s - 1, t] + px[b, s - 1, t]
                    elif t > t0:
                        a = alpha[s - 1, t - 1] + px[b, s - 1, t - 1]
                c = NEG_INF
                if t > t0:
                    c = alpha[s, t - 1] + py[b, s, t - 1]
                alpha[s, t] = log_add(a, c)
        tot = alpha[s1, t1]
        total[b] = tot
        if not want_grad or tot == NEG_INF:
            continue
        beta = np.full((nsym + 1, nframe + 1), NEG_INF)
        beta[s1, t1] = 0.0
        for t in range(t1, t0 - 1, -1):
            for s in range(s1, s0 - 1, -1):
                if s == s1 and t == t1:
                    continue
                a = NEG_INF
                if s < s1:
                    if not modified:
                        a = px[b, s, t] + beta[s + 1, t]
                    elif t < t1:
                        a = px[b, s, t] + beta[s + 1, t + 1]
                c = NEG_INF
                if t < t1:
                    c = py[b, s, t] + beta[s, t + 1]
                beta[s, t] = log_add(a, c)
        # occupation of each arc inside the box (others stay 0)
        for t in range(t0, t1 + 1):
            for s in range(s0, s1 + 1):
                al = alpha[s, t]
                if al == NEG_INF:
                    continue
                if s < s1:
                    if not modified:
                        dst = beta[s + 1, t]
                        if dst != NEG_INF:
                            px_grad[b, s, t] = np.exp(al + px[b, s, t] + dst - tot)
                    elif t < t1:
                        dst = beta[s + 1, t + 1]
                        if dst != NEG_INF:
                            px_grad[b, s, t] = np.exp(al + px[b, s, t] + dst - tot)
                if t < t1:
                    dst = beta[s, t + 1]
                    if dst != NEG_INF:
                        py_grad[b, s, t] = np.exp(al + py[b, s, t] + dst - tot)
