"""Kneser-Ney and modified Kneser-Ney smoothing (Chen & Goodman 1998, sec. 3-4).

Lower orders use continuation counts: a k-gram ``g`` (k < order) counts the
number of distinct words ``v`` with ``v g`` seen, except k-grams starting with
``<s>``, which have no left extension and keep their raw counts (as KenLM's
adjusted counts). A k-gram with no seen left extension that does not start
with ``<s>`` (only possible after count pruning) also keeps its raw count.
Discounts come from the count-of-counts of these adjusted counts, per order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._discounts import DEFAULT_FALLBACK, mkn_discounts, order_discounts, per_order
from ._tables import (
    Tables,
    bos_initial,
    build_tables,
    count_of_counts,
    discounted_model,
    predictable_counts,
)
from .absolute import one_discount_model


def adjusted_counts(tables: Tables) -> list[np.ndarray]:
    """KN's counts per order: raw counts at the top order, continuation counts
    below (raw for ``<s>``-initial k-grams); the ``<s>`` unigram gets 0."""
    adjusted = []
    for k in range(1, tables.order + 1):
        raw = tables.counts[k - 1]
        if k == tables.order:
            c = raw
        else:
            seen_above = tables.counts[k] > 0
            cont = np.bincount(tables.suffix[k][seen_above],
                               minlength=len(raw)).astype(np.float64)
            c = np.where(bos_initial(tables, k) | (cont == 0), raw, cont)
        adjusted.append(predictable_counts(tables, k, c))
    return adjusted


def estimate_kn(counts, *, discounts: float | Sequence[float] | None = None,
                interpolate: bool = True,
                discount_fallback: float | None = 0.5):
    """Kneser-Ney smoothing with one discount per order.

    ``P(w|h) = max(c(hw) - D, 0) / c(h.) + gamma(h) P(w|h')`` with
    ``gamma(h) = D N1+(h.) / c(h.)`` (interpolated; ``interpolate=False``
    gives the backoff form with the same discounted estimates), ``c`` being
    the adjusted counts (module docstring). ``D = n1 / (n1 + 2 n2)`` per order
    unless ``discounts`` gives one value or one per order; when the estimate is
    undefined or outside (0, 1], ``discount_fallback`` is used (``None``:
    raise). Unigrams interpolate with the uniform distribution over the
    vocabulary without ``<s>``.

    Preconditions: ``counts`` is an ``NgramCounts``. O(sum_k n_k log n_k).
    """
    tables = build_tables(counts)
    return one_discount_model(tables, counts.vocab, adjusted_counts(tables),
                              discounts=discounts, discount_fallback=discount_fallback,
                              interpolate=interpolate,
                              undefined="the KN discount n1/(n1+2n2) is undefined or "
                                        "out of range for these counts")


def estimate_mkn(counts, *, discounts=None, interpolate: bool = True,
                 discount_fallback: Sequence[float] | None = DEFAULT_FALLBACK):
    """Modified Kneser-Ney smoothing (KenLM's lmplz; Chen & Goodman sec. 4.1.6).

    Like :func:`estimate_kn` with three discounts per order, ``D1`` for
    count 1, ``D2`` for count 2, ``D3`` for counts >= 3:
    ``Y = n1/(n1+2n2)``, ``D_r = r - (r+1) Y n_{r+1}/n_r`` from the
    count-of-counts of the adjusted counts of that order, and
    ``gamma(h) = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / c(h.)``. ``discounts``:
    one ``(D1, D2, D3)`` triple for every order or one per order. When an
    estimate is undefined or outside [0, r] (small corpora),
    ``discount_fallback`` (KenLM's ``--discount_fallback`` values by default)
    replaces the triple of that order; ``None`` raises instead, as lmplz does
    without that flag.

    Preconditions: ``counts`` is an ``NgramCounts``. O(sum_k n_k log n_k).
    """
    tables = build_tables(counts)
    fixed = per_order(discounts, tables.order, 3, "discounts")
    fallback = None if discount_fallback is None else per_order(
        discount_fallback, 1, 3, "discount_fallback")[0]
    used = adjusted_counts(tables)
    d = order_discounts(used, fixed, _mkn_estimate, fallback,
                        "modified-KN discounts are undefined or out of range for "
                        "these counts (too little data)")
    return discounted_model(tables, counts.vocab, used,
                            [_mkn_row_discounts(c, dk) for c, dk in zip(used, d)],
                            interpolate=interpolate)


def _mkn_estimate(c: np.ndarray) -> tuple[float, float, float] | None:
    return mkn_discounts(count_of_counts(c, 4))


def _mkn_row_discounts(c: np.ndarray, d) -> np.ndarray:
    """Per row: ``D1`` for counts in (0, 2), ``D2`` for [2, 3), ``D3`` for
    counts >= 3, 0 for rows without a count."""
    table = np.array([0.0, d[0], d[1], d[2]])
    bins = np.clip(np.floor(c), 0, 3).astype(np.int64)
    bins[(c > 0) & (bins == 0)] = 1  # fractional counts below 1 use D1
    return table[bins]


def mkn_discount_table(counts) -> list[tuple[float, float, float] | None]:
    """The modified-KN discounts (D1, D2, D3+) per order estimated from
    ``counts`` (``None`` where undefined): what :func:`estimate_mkn` uses."""
    tables = build_tables(counts)
    return [_mkn_estimate(c) for c in adjusted_counts(tables)]
