"""Slow, obviously correct references for the duration transducers (TDT,
multi-blank RNN-T) and the standard RNN-T, on one sequence at a time.

Inputs are plain numpy log-probabilities: ``tok`` (T, U+1, V) token
log-probs, ``dur`` (T, U+1, D) duration log-probs. The brute-force functions
list every alignment as an explicit sequence of (symbol, duration) steps and
add up the path probabilities; ``tdt_push`` is a dynamic program that pushes
mass forward from each state (the kernels pull it), so the two share no code
with the implementation under test.
"""

from __future__ import annotations

import math

import numpy as np


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def tdt_alignments(T: int, U: int, durations) -> list[list[tuple[str, int]]]:
    """Every TDT alignment of ``U`` labels to ``T`` frames as a list of
    ("label" | "blank", duration) steps: labels move to t + d < T, blanks
    need d >= 1, and the path ends with a blank landing exactly on T after
    all labels."""
    out = []

    def walk(t, u, path):
        for d in durations:
            if u < U and t + d < T:
                walk(t + d, u + 1, path + [("label", d)])
            if d >= 1:
                if t + d < T:
                    walk(t + d, u, path + [("blank", d)])
                elif t + d == T and u == U:
                    out.append(path + [("blank", d)])

    walk(0, 0, [])
    return out


def tdt_brute_force(tok, dur, targets, blank, durations, sigma=0.0) -> float:
    """-log of the summed probability of all TDT alignments."""
    T = tok.shape[0]
    U = len(targets)
    total = 0.0
    for path in tdt_alignments(T, U, durations):
        t = u = 0
        logp = 0.0
        for kind, d in path:
            sym = targets[u] if kind == "label" else blank
            logp += tok[t, u, sym] - sigma + dur[t, u, list(durations).index(d)]
            t += d
            u += kind == "label"
        total += math.exp(logp)
    return -math.log(total) if total > 0 else math.inf


def multiblank_alignments(T: int, U: int, blank_durations) -> list[list[tuple[int, int]]]:
    """Every multi-blank alignment as (blank index or -1 for a label,
    duration) steps: a label keeps the frame, blank ``k`` skips
    ``blank_durations[k]`` frames; the last step is a blank ending on T."""
    out = []

    def walk(t, u, path):
        if u < U and t < T:
            walk(t, u + 1, path + [(-1, 0)])
        for k, d in enumerate(blank_durations):
            if t + d < T:
                walk(t + d, u, path + [(k, d)])
            elif t + d == T and u == U:
                out.append(path + [(k, d)])

    walk(0, 0, [])
    return out


def multiblank_brute_force(logp, targets, blank, big_blank_durations, sigma=0.0) -> float:
    """-log of the summed probability of all multi-blank alignments; big
    blank ``i`` is token ``blank - 1 - i`` (NeMo's layout)."""
    T = logp.shape[0]
    U = len(targets)
    durs = [1] + list(big_blank_durations)
    syms = [blank] + [blank - 1 - i for i in range(len(big_blank_durations))]
    total = 0.0
    for path in multiblank_alignments(T, U, durs):
        t = u = 0
        lp = 0.0
        for k, d in path:
            sym = targets[u] if k < 0 else syms[k]
            lp += logp[t, u, sym] - sigma
            t += d
            u += k < 0
        total += math.exp(lp)
    return -math.log(total) if total > 0 else math.inf


def tdt_push(tok, dur, targets, blank, durations, sigma=0.0) -> float:
    """TDT loss by a forward DP in the probability domain that pushes each
    state's mass along its outgoing steps."""
    T = tok.shape[0]
    U = len(targets)
    mass = np.zeros((T + max(durations) + 1, U + 2))
    mass[0, 0] = 1.0
    final = 0.0
    for t in range(T):
        for u in range(U + 1):
            m = mass[t, u]
            if m == 0.0:
                continue
            for i, d in enumerate(durations):
                pd = math.exp(dur[t, u, i])
                if u < U and t + d < T:
                    mass[t + d, u + 1] += m * math.exp(tok[t, u, targets[u]] - sigma) * pd
                if d >= 1:
                    w = m * math.exp(tok[t, u, blank] - sigma) * pd
                    if t + d < T:
                        mass[t + d, u] += w
                    elif t + d == T and u == U:
                        final += w
    return -math.log(final) if final > 0 else math.inf


def rnnt_loop(logp, targets, blank) -> float:
    """Graves' RNN-T loss: alpha(t, u) over a (T, U+1) grid, labels keep the
    frame, blanks advance it, the path ends with a blank from (T-1, U)."""
    T = logp.shape[0]
    U = len(targets)
    alpha = np.full((T, U + 1), -np.inf)
    alpha[0, 0] = 0.0
    for t in range(T):
        for u in range(U + 1):
            if t == 0 and u == 0:
                continue
            a = alpha[t - 1, u] + logp[t - 1, u, blank] if t > 0 else -np.inf
            b = alpha[t, u - 1] + logp[t, u - 1, targets[u - 1]] if u > 0 else -np.inf
            alpha[t, u] = np.logaddexp(a, b)
    return -(alpha[T - 1, U] + logp[T - 1, U, blank])
