"""Slow, obviously correct references for the k2-style RNN-T losses
(kleene.torch.transducer.pruned): one sequence at a time, one lattice cell at
a time, in torch scalars so autograd gives reference gradients too.

A lattice is described by two functions of a node ``(s, t)`` (symbols
emitted, frames consumed) returning the log-probability of the symbol arc and
of the termination (blank) arc that leave it, or None when the arc is absent.
Regular topology: the symbol arc goes to (s+1, t) and is absent on the last
frame ``t == t1``; modified: it goes to (s+1, t+1). The blank arc goes to
(s, t+1). The log-probability of the sequence is the log-sum over the paths
from (s0, t0) to (s1, t1).
"""

from __future__ import annotations

import itertools

import torch

NEG_INF = float("-inf")


def _logsumexp(terms):
    terms = [x for x in terms if x is not None]
    if not terms:
        return None
    return torch.logsumexp(torch.stack(terms), dim=0)


def lattice_logprob_dp(sym, blank, box, modified, last_frame_symbols=False):
    """Dynamic programming over the nodes, row by row (a plain double loop).
    ``last_frame_symbols`` lets the regular topology emit symbols on the
    one-past-the-last frame (k2's bare recursion does; its losses put -inf
    there)."""
    s0, t0, s1, t1 = box
    alpha = {(s0, t0): torch.zeros((), dtype=torch.float64)}
    for t in range(t0, t1 + 1):
        for s in range(s0, s1 + 1):
            if (s, t) == (s0, t0):
                continue
            terms = []
            if t > t0 and (s, t - 1) in alpha:
                lp = blank(s, t - 1)
                if lp is not None:
                    terms.append(alpha[(s, t - 1)] + lp)
            src = (s - 1, t - 1) if modified else (s - 1, t)
            if s > s0 and src in alpha and src[1] >= t0 and (modified or last_frame_symbols or src[1] < t1):
                lp = sym(*src)
                if lp is not None:
                    terms.append(alpha[src] + lp)
            value = _logsumexp(terms)
            if value is not None:
                alpha[(s, t)] = value
    return alpha.get((s1, t1), torch.tensor(NEG_INF, dtype=torch.float64))


def lattice_logprob_bruteforce(sym, blank, box, modified):
    """Sum over every alignment, enumerated explicitly (tiny cases only)."""
    s0, t0, s1, t1 = box
    nsym, nframe = s1 - s0, t1 - t0
    totals = []
    if modified:
        # each frame emits one symbol or one blank
        for frames in itertools.combinations(range(nframe), nsym):
            s, score, chosen = s0, 0.0, set(frames)
            for k in range(nframe):
                lp = sym(s, t0 + k) if k in chosen else blank(s, t0 + k)
                if lp is None:
                    break
                score = score + lp
                s += k in chosen
            else:
                totals.append(score)
    else:
        # the moves: nsym symbol steps and nframe blank steps in any order,
        # no symbol on the one-past-the-last frame
        for steps in itertools.combinations(range(nsym + nframe), nsym):
            s, t, score, chosen = s0, t0, 0.0, set(steps)
            for k in range(nsym + nframe):
                lp = (sym(s, t) if t < t1 else None) if k in chosen else blank(s, t)
                if lp is None:
                    break
                score = score + lp
                s, t = (s + 1, t) if k in chosen else (s, t + 1)
            else:
                totals.append(score)
    if not totals:
        return torch.tensor(NEG_INF, dtype=torch.float64)
    return torch.logsumexp(torch.stack([torch.as_tensor(x, dtype=torch.float64)
                                        for x in totals]), dim=0)


def _from_logprobs(logp, symbols, blank, rnnt_type, window=None):
    """Arc functions over per-node log-probability vectors ``logp(s, t)``.
    ``window(s, t)`` says whether node (s, t) has scores (the band)."""
    def have(s, t):
        return window is None or window(s, t)

    def blank_lp(s, t):
        return logp(s, t)[blank] if have(s, t) else None

    def sym_lp(s, t):
        if s >= len(symbols) or not have(s, t):
            return None
        lp = logp(s, t)[symbols[s]]
        if rnnt_type == "constrained":
            # the symbol also pays the blank of its new context, same frame
            nxt = blank_lp(s + 1, t)
            return None if nxt is None else lp + nxt
        return lp
    return sym_lp, blank_lp


def rnnt_logprob(logits, symbols, blank, box, rnnt_type="regular", method="dp"):
    """log P of one sequence from full joiner logits (T, S+1, V)."""
    logp = torch.log_softmax(logits.to(torch.float64), dim=-1)
    sym_lp, blank_lp = _from_logprobs(lambda s, t: logp[t, s], symbols, blank, rnnt_type)
    run = lattice_logprob_dp if method == "dp" else lattice_logprob_bruteforce
    return run(sym_lp, blank_lp, box, rnnt_type != "regular")


def rnnt_logprob_banded(logits, ranges, symbols, blank, box, rnnt_type="regular"):
    """log P of one sequence from banded logits (T, R, V): node (s, t) has
    scores only when s is one of ``ranges[t]`` (then at that position)."""
    logp = torch.log_softmax(logits.to(torch.float64), dim=-1)
    where = [{int(s): r for r, s in enumerate(row)} for row in ranges.tolist()]

    def window(s, t):
        return t < len(where) and s in where[t]

    sym_lp, blank_lp = _from_logprobs(lambda s, t: logp[t, where[t][s]], symbols, blank,
                                      rnnt_type, window)
    return lattice_logprob_dp(sym_lp, blank_lp, box, rnnt_type != "regular")


def recursion_logprob(px, py, box):
    """k2's bare recursion on one sequence's px (S, T+1 or T) and py (S+1, T)."""
    modified = px.shape[1] == py.shape[1]

    def sym_lp(s, t):
        return px[s, t]

    def blank_lp(s, t):
        return py[s, t]
    return lattice_logprob_dp(sym_lp, blank_lp, box, modified, last_frame_symbols=True)

