"""Forward-backward kernels over a ragged batch of acyclic machines (the CPU
engine of :mod:`kleene.torch.forward` and :mod:`kleene.torch.viterbi`).

The batch is one graph: global state ids, arcs sorted by source state
(``indptr`` is the out-arc CSR over all states), per-machine ranges given
by ``state_offsets``. Scores are log-scores, higher is better (the torch
layer's convention): the log semiring adds paths with ``logaddexp``, the
tropical (max) semiring keeps the best one. Everything is computed in
float64; callers convert.

Tie-breaking (shared with the pure-torch implementation, so both pick the
same Viterbi path): a state's best incoming arc is the one with the
smallest arc index among those reaching its maximum, and a machine's best
final state is the smallest state id reaching the machine's total.

Status codes of :func:`topology`: ``OK`` (0) or ``CYCLIC`` (1).
"""

import numpy as np
from numba import njit

from .logspace import log_add

OK = 0
CYCLIC = 1

_NEG_INF = -np.inf


@njit(cache=True)
def topology(indptr, dst):
    """Kahn's algorithm over every state of the batch. Returns ``(status,
    order, level, culprit)``: ``order`` lists the states so that every arc
    goes forward in it (ties by state id, FIFO), ``level[s]`` is the length
    of the longest arc path ending in ``s`` (0 for states without incoming
    arcs), so every arc rises by at least one level. With a cycle, ``status``
    is ``CYCLIC`` and ``culprit`` a state on or behind a cycle. O(V + E)."""
    n = indptr.shape[0] - 1
    indeg = np.zeros(n, np.int64)
    for a in range(dst.shape[0]):
        indeg[dst[a]] += 1
    order = np.empty(n, np.int64)
    level = np.zeros(n, np.int64)
    head = 0
    tail = 0
    for s in range(n):
        if indeg[s] == 0:
            order[tail] = s
            tail += 1
    while head < tail:
        s = order[head]
        head += 1
        nxt = level[s] + 1
        for a in range(indptr[s], indptr[s + 1]):
            t = dst[a]
            level[t] = max(level[t], nxt)
            indeg[t] -= 1
            if indeg[t] == 0:
                order[tail] = t
                tail += 1
    if tail < n:
        culprit = -1
        for s in range(n):
            if indeg[s] > 0:
                culprit = s
                break
        return CYCLIC, order, level, culprit
    return OK, order, level, -1


@njit(cache=True)
def forward(indptr, dst, scores, final, order, start, state_offsets, tropical):
    """Forward scores ``alpha`` (log-sum or max over paths from the start
    to each state), each machine's ``total`` (``alpha + final`` summed or
    maxed over its states), and for ``tropical`` the best incoming arc of
    each state (-1 for start states and unreachable ones) and each
    machine's best final state (-1 without a successful path).
    Returns ``(alpha, best_arc, total, best_final)``. O(V + E)."""
    n = indptr.shape[0] - 1
    batch = start.shape[0]
    alpha = np.full(n, _NEG_INF)
    best_arc = np.full(n, -1, np.int64)
    for b in range(batch):
        if start[b] >= 0:
            alpha[start[b]] = 0.0
    for k in range(n):
        s = order[k]
        a = alpha[s]
        if a == _NEG_INF:
            continue
        for e in range(indptr[s], indptr[s + 1]):
            v = a + scores[e]
            t = dst[e]
            if tropical:
                old = alpha[t]
                if v > old or (v == old and old != _NEG_INF and best_arc[t] > e):
                    alpha[t] = v
                    best_arc[t] = e
            else:
                alpha[t] = log_add(alpha[t], v)
    total = np.full(batch, _NEG_INF)
    best_final = np.full(batch, -1, np.int64)
    for b in range(batch):
        acc = _NEG_INF
        for s in range(state_offsets[b], state_offsets[b + 1]):
            v = alpha[s] + final[s]
            if tropical:
                if v > acc:
                    acc = v
                    best_final[b] = s
            else:
                acc = log_add(acc, v)
        total[b] = acc
    return alpha, best_arc, total, best_final


@njit(cache=True)
def backward(indptr, dst, scores, final, order, tropical):
    """Backward scores ``beta[s]``: log-sum (or max) over paths from ``s``
    to a final state of arc scores plus the final score. O(V + E)."""
    n = indptr.shape[0] - 1
    beta = final.copy()
    for k in range(n - 1, -1, -1):
        s = order[k]
        acc = beta[s]
        for e in range(indptr[s], indptr[s + 1]):
            v = scores[e] + beta[dst[e]]
            if tropical:
                acc = max(acc, v)
            else:
                acc = log_add(acc, v)
        beta[s] = acc
    return beta


@njit(cache=True)
def posteriors(indptr, dst, scores, final, alpha, beta, total, state_offsets):
    """Log-semiring arc and final posteriors: ``exp(alpha[src] + score +
    beta[dst] - total)`` per arc and ``exp(alpha[s] + final[s] - total)`` per
    state; 0 in machines whose total is ``-inf``. Returns ``(arc_post,
    final_post)``. O(V + E)."""
    n = indptr.shape[0] - 1
    arc_post = np.zeros(dst.shape[0])
    final_post = np.zeros(n)
    for b in range(state_offsets.shape[0] - 1):
        z = total[b]
        if z == _NEG_INF:
            continue
        for s in range(state_offsets[b], state_offsets[b + 1]):
            a = alpha[s]
            if a == _NEG_INF:
                continue
            if final[s] != _NEG_INF:
                final_post[s] = np.exp(a + final[s] - z)
            for e in range(indptr[s], indptr[s + 1]):
                v = a + scores[e] + beta[dst[e]]
                if v != _NEG_INF:
                    arc_post[e] = np.exp(v - z)
    return arc_post, final_post


@njit(cache=True)
def best_path_mask(src, best_arc, best_final):
    """The arcs and final states of each machine's best path, as 0/1 masks
    ``(arc_on, final_on)`` (float64, ready to scale by an incoming
    gradient), following ``best_arc`` back from ``best_final``. O(V + E)."""
    arc_on = np.zeros(src.shape[0])
    final_on = np.zeros(best_arc.shape[0])
    for b in range(best_final.shape[0]):
        s = best_final[b]
        if s < 0:
            continue
        final_on[s] = 1.0
        e = best_arc[s]
        while e >= 0:
            arc_on[e] = 1.0
            e = best_arc[src[e]]
    return arc_on, final_on
