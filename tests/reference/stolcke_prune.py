"""Dict-based Stolcke relative-entropy pruning, following the definition in
``kleene.lm.prune`` step by step (slow and obvious)."""

from __future__ import annotations

import math

from .ngram_scoring import naive_log10_prob

TINY = 1e-15


def _p(table, order, hist, word):
    return 10.0 ** naive_log10_prob(table, order, list(hist), word)


def recompute(table: dict, order: int) -> dict:
    table = dict(table)
    for j in range(1, order):
        contexts = [g for g in table if len(g) == j]
        new = {}
        for h in contexts:
            kids = [g for g in table if len(g) == j + 1 and g[:-1] == h]
            num = 1.0 - sum(10.0 ** table[g][0] for g in kids)
            den = 1.0 - sum(_p(table, order, h[1:], g[-1]) for g in kids)
            if num > TINY and den > TINY:
                bow = math.log10(num / den)
            elif den > TINY:
                bow = -99.0
            else:
                bow = 0.0
            new[h] = (table[h][0], bow)
        table.update(new)
    return table


def naive_prune(table: dict, order: int, threshold: float) -> dict:
    """{n-gram: (log10 prob, log10 backoff)} after pruning."""
    for k in range(order, 1, -1):
        higher = [g for g in table if len(g) == k + 1]
        protected = {g[:-1] for g in higher} | {g[1:] for g in higher}
        doomed = []
        for g in [g for g in table if len(g) == k]:
            if g in protected:
                continue
            h, w = g[:-1], g[-1]
            kids = [x for x in table if len(x) == k and x[:-1] == h]
            num = 1.0 - sum(10.0 ** table[x][0] for x in kids)
            den = 1.0 - sum(_p(table, order, h[1:], x[-1]) for x in kids)
            p = 10.0 ** table[g][0]
            pbo = _p(table, order, h[1:], w)
            hist_logp = sum(naive_log10_prob(table, order, list(h[:i]), h[i])
                            for i in range(len(h)) if not (i == 0 and h[0] == "<s>"))
            new_bow = (num + p) / (den + pbo)
            mass = num * (math.log(new_bow) - math.log(num / den)) if num > TINY else 0.0
            delta = -(10.0 ** hist_logp) * (
                p * (math.log(pbo) + math.log(new_bow) - math.log(p)) + mass)
            if delta < math.log1p(threshold):
                doomed.append(g)
        if doomed:
            for g in doomed:
                del table[g]
            table = recompute(table, order)
    return table
