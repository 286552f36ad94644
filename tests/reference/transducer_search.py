"""Slow, obviously correct transducer search for tests: one sequence at a
time, one predictor/joiner call per step (batch of 1), the predictor rerun
from scratch for every prefix, plain Python control flow.

* :func:`greedy` — the greedy process of
  :mod:`kleene.torch.transducer.greedy`, step by step.
* :func:`exhaustive` — every alignment of a tiny model enumerated; the
  (fused) log-probability of each token sequence is the log-sum over its
  alignments. An alignment is a list of steps from frame 0: a blank moves
  ``d >= 1`` frames (RNN-T: ``d = 1``), a token ``y`` moves ``d`` frames
  (RNN-T: 0); a token that would be the ``max_symbols``-th at its frame
  while staying there moves on one frame instead; the alignment ends when
  the frame reaches the sequence length.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _pred(predictor, prefix, blank):
    state = predictor.initial_state(1, None)
    out = None
    for token in [blank, *prefix]:
        out, state = predictor(torch.tensor([token]), state)
    return out


def _lm_logp(lm, prefix, blank):
    state = lm.initial_state(1, None)
    out = None
    for token in [blank, *prefix]:
        out, state = lm(torch.tensor([token]), state)
    return out[0]


def _step_logp(enc_t, predictor, joiner, prefix, blank, vocab):
    logits = joiner(enc_t[None], _pred(predictor, prefix, blank))[0]
    return F.log_softmax(logits[:vocab], -1), F.log_softmax(logits[vocab:], -1)


def greedy(enc, length, predictor, joiner, *, blank, vocab, durations=None, max_symbols=10):
    """Returns (tokens, timestamps, durations, score) for ``enc`` ``(T, C)``."""
    tokens, stamps, durs, score = [], [], [], 0.0
    t, count = 0, 0
    with torch.no_grad():
        while t < length:
            tok, dur = _step_logp(enc[t], predictor, joiner, tokens, blank, vocab)
            label = int(torch.argmax(tok))
            score += float(tok[label])
            if durations is None:
                d = 1 if label == blank else 0
            else:
                j = int(torch.argmax(dur))
                if label == blank and durations[j] == 0:
                    j = durations.index(1)
                d = durations[j]
                score += float(dur[j])
            if label != blank:
                tokens.append(label)
                stamps.append(t)
                durs.append(d)
                count += 1
            if d:
                t, count = t + d, 0
            elif count >= max_symbols:
                t, count = t + 1, 0
    return tokens, stamps, durs, score


def _logadd(a, b):
    if a == -math.inf:
        return b
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def exhaustive(enc, length, predictor, joiner, **kw):
    """{token tuple: log-sum of its alignments' fused scores}.

    A token ``y`` (not blank) scores ``log p(y) + lm_weight * log p_lm(y)
    - ilm_weight * log p_ilm(y)``, where ``p_ilm`` is the softmax over the
    non-blank logits of ``joiner(0, pred)``; durations add ``log p(d)``.
    Keywords: ``blank``, ``vocab``, ``durations=None``, ``max_symbols=1``,
    ``lm=None``, ``lm_weight=0.0``, ``ilm_weight=0.0``.
    """
    return exhaustive_with_stamps(enc, length, predictor, joiner, **kw)[0]


def exhaustive_with_stamps(enc, length, predictor, joiner, *, blank, vocab, durations=None,
                           max_symbols=1, lm=None, lm_weight=0.0, ilm_weight=0.0):
    """(:func:`exhaustive`'s totals, {token tuple: the frames of its tokens
    in its single best alignment})."""
    totals: dict[tuple, float] = {}
    best: dict[tuple, tuple[float, tuple]] = {}
    zero = torch.zeros_like(enc[0])

    cache = {}

    def fused(prefix, t):
        if (tuple(prefix), t) not in cache:
            cache[tuple(prefix), t] = fused_uncached(prefix, t)
        return cache[tuple(prefix), t]

    def fused_uncached(prefix, t):
        tok, dur = _step_logp(enc[t], predictor, joiner, prefix, blank, vocab)
        tok = tok.clone()
        keep = [y for y in range(vocab) if y != blank]
        if lm is not None:
            tok[keep] += lm_weight * _lm_logp(lm, prefix, blank)[keep]
        if ilm_weight:
            ilm = joiner(zero[None], _pred(predictor, prefix, blank))[0, :vocab]
            tok[keep] -= ilm_weight * F.log_softmax(ilm[keep], -1)
        return tok, dur

    def walk(prefix, t, count, score, stamps=()):
        if t >= length:
            totals[prefix] = _logadd(totals.get(prefix, -math.inf), score)
            if score > best.get(prefix, (-math.inf, ()))[0]:
                best[prefix] = (score, stamps)
            return
        tok, dur = fused(list(prefix), t)
        steps = [(1, 0.0)] if durations is None else list(zip(durations, dur.tolist()))
        for y in range(vocab):
            for d, dscore in steps:
                if y == blank:
                    d = d if durations is not None else 1
                    if d == 0:
                        continue
                    walk(prefix, t + d, 0, score + float(tok[y]) + dscore, stamps)
                    continue
                if durations is None:
                    d = 0
                nxt, c = (t + d, 0) if d else (t, count + 1)
                if not d and c >= max_symbols:
                    nxt, c = t + 1, 0
                walk(prefix + (y,), nxt, c, score + float(tok[y]) + dscore, stamps + (t,))

    with torch.no_grad():
        walk((), 0, 0, 0.0)
    return totals, {prefix: list(stamps) for prefix, (_, stamps) in best.items()}
