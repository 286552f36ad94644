"""Slow, obviously correct n-gram smoothing estimators (dicts and recursion).

Written from the textbook formulas (Chen & Goodman 1998, "An empirical study
of smoothing techniques for language modeling") for checking
:mod:`kleene.lm.smoothing`, independently of its vectorised code. They share
only the conventions the library documents:

* the model's n-grams: every counted n-gram, every vocabulary word but
  ``<eps>`` as a unigram, and every prefix and suffix of those (count 0 when
  not counted);
* ``<s>`` is never predicted (log10 probability -99, no part in any sum);
* order 0 is uniform over the vocabulary without ``<eps>`` and ``<s>``, and
  the unigram level is interpolated with it for every method;
* zero probabilities and backoff weights are stored as log10 -99;
* a backoff context whose counted words already hold all lower-order mass
  (denominator <= 1e-10) renormalises its counted estimates, alpha = 0.

``reference_model(counts, method, **options)`` returns
``{ngram_tuple: (log10prob, log10backoff)}``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import cache

BOS = 1
LOG10_ZERO = -99.0
FLOOR = 1e-10


def _log10(x: float) -> float:
    return max(math.log10(x), LOG10_ZERO) if x > 0 else LOG10_ZERO


def _ney_discount(n):
    if n[1] <= 0:
        return None
    d = n[1] / (n[1] + 2 * n[2])
    return d if 0 < d <= 1 else None


def _mkn_discounts(n):
    if n[1] <= 0 or n[2] <= 0 or n[3] <= 0:
        return None
    y = n[1] / (n[1] + 2 * n[2])
    d1 = 1 - 2 * y * n[2] / n[1]
    d2 = 2 - 3 * y * n[3] / n[2]
    d3 = 3 - 4 * y * n[4] / n[3]
    if not (0 <= d1 <= 1 and 0 <= d2 <= 2 and 0 <= d3 <= 3):
        return None
    return (d1, d2, d3)


def _katz_ratios(n, bins):
    ratios = {}
    for r in range(1, bins + 1):
        ratios[r] = 1.0
        if n[1] <= 0 or n[r] <= 0:
            continue
        a = (bins + 1) * n[bins + 1] / n[1]
        if a == 1:
            continue
        r_star = (r + 1) * n[r + 1] / n[r]
        d = (r_star / r - a) / (1 - a)
        if 0 < d <= 1:
            ratios[r] = d
    return ratios


def reference_model(counts, method: str, *, interpolate: bool | None = None,
                    discounts=None, bins: int = 5, k: float = 1.0):
    order = counts.order
    vocab_size = len(counts.vocab)
    raw = {}
    for table, values in zip(counts.ngrams, counts.counts):
        for row, c in zip(table.tolist(), values.tolist()):
            raw[tuple(row)] = float(c)

    explicit = set(raw) | {(w,) for w in range(1, vocab_size)}
    for n in range(order, 1, -1):
        for g in [g for g in explicit if len(g) == n]:
            explicit.add(g[:-1])
            explicit.add(g[1:])
    predictable = [w for w in range(1, vocab_size) if w != BOS]

    def raw_count(g):
        return 0.0 if g == (BOS,) else raw.get(g, 0.0)

    if method in ("kn", "mkn"):
        left = defaultdict(set)  # g -> distinct words seen before it
        for g, c in raw.items():
            if len(g) >= 2 and c > 0:
                left[g[1:]].add(g[0])

        def count(g):
            if len(g) == order or g[0] == BOS or not left[g]:
                return raw_count(g)
            return float(len(left[g]))
    else:
        count = raw_count

    # extensions of every context: h -> {w: count > 0}
    ext = defaultdict(dict)
    for g in explicit:
        c = count(g)
        if c > 0:
            ext[g[:-1]][g[-1]] = c

    # discounts per order, from the count-of-counts of the counts used
    coc = {n: Counter() for n in range(1, order + 1)}
    for g in explicit:
        c = count(g)
        if c > 0:
            coc[len(g)][math.floor(c)] += 1
    disc = {}
    for n in range(1, order + 1):
        nn = [coc[n][r] for r in range(max(bins + 2, 5) + 1)]
        if method in ("absolute", "kn"):
            if discounts is None:
                d = _ney_discount(nn)
                disc[n] = 0.5 if d is None else d
            else:
                disc[n] = discounts if not isinstance(discounts, (list, tuple)) \
                    else discounts[n - 1]
        elif method == "mkn":
            if discounts is None:
                d = _mkn_discounts(nn)
                disc[n] = (0.5, 1.0, 1.5) if d is None else d
            else:
                disc[n] = tuple(discounts) if len(discounts) == 3 and not isinstance(
                    discounts[0], (list, tuple)) else tuple(discounts[n - 1])
        elif method == "katz":
            disc[n] = _katz_ratios(nn, bins)

    def discount_of(n, c):
        """Amount removed from a count c of order n (absolute-style methods)."""
        if method in ("absolute", "kn"):
            return min(c, disc[n])
        d1, d2, d3 = disc[n]
        return min(c, d1 if c < 2 else d2 if c < 3 else d3)

    def p_hat(h, w):
        e = ext[h]
        c = e.get(w, 0.0)
        if c == 0:
            return 0.0
        total = sum(e.values())
        n = len(h) + 1
        if method == "ml":
            return c / total
        if method == "wb":
            return c / (total + k * len(e))
        if method == "katz":
            r = math.floor(c)
            ratio = disc[n][r] if 1 <= r <= bins else 1.0
            return ratio * c / total
        return (c - discount_of(n, c)) / total

    def gamma(h):
        """Mass taken from the seen words of h: an interpolated method hands it
        to the lower order, a backoff method to the unseen words."""
        e = ext[h]
        total = sum(e.values())
        n = len(h) + 1
        if method == "ml":
            return 0.0
        if method == "wb":
            return k * len(e) / (total + k * len(e))
        if method == "katz":
            return sum((1 - (disc[n][math.floor(c)] if 1 <= c < bins + 1 else 1.0)) * c
                       for c in e.values()) / total
        return sum(discount_of(n, c) for c in e.values()) / total

    interpolated = method in ("ml",) or (method != "katz" and interpolate is not False)

    @cache
    def prob(h, w):
        if w == BOS:
            return 0.0
        lower = 1.0 / len(predictable) if not h else prob(h[1:], w)
        if not ext[h]:
            return lower
        if interpolated:
            return p_hat(h, w) + gamma(h) * lower
        if not h:  # backoff methods: unigrams take the leftover uniformly
            return p_hat(h, w) + gamma(h) * lower
        a, full = alpha(h)
        if w in ext[h]:
            if full:
                return p_hat(h, w) / (1 - gamma(h))
            return p_hat(h, w)
        return a * lower

    @cache
    def alpha(h):
        """Backoff form: (alpha(h), whether the seen words hold all lower mass)."""
        num = gamma(h)
        den = 1.0 - sum(prob(h[1:], v) for v in ext[h])
        if den <= FLOOR:
            return 0.0, True
        return num / den, False

    def backoff_weight(h):
        if len(h) >= order or not ext[h]:
            return 0.0
        if interpolated:
            return _log10(gamma(h))
        return _log10(alpha(h)[0])

    out = {}
    for g in sorted(explicit, key=len):
        lp = LOG10_ZERO if g == (BOS,) else _log10(prob(g[:-1], g[-1]))
        out[g] = (lp, backoff_weight(g))
    return out
