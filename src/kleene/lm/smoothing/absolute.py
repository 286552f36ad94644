"""Absolute discounting (Ney, Essen & Kneser 1994; Chen & Goodman 1998 sec. 2.5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._discounts import ney_discount, order_discounts, per_order
from ._tables import (
    Tables,
    build_tables,
    count_of_counts,
    discounted_model,
    predictable_counts,
)


def estimate_absolute(counts, *, discounts: float | Sequence[float] | None = None,
                      interpolate: bool = True,
                      discount_fallback: float | None = 0.5):
    """Absolute discounting on raw counts at every order.

    ``P(w|h) = max(c(hw) - D, 0) / c(h.) + gamma(h) P(w|h')`` with
    ``gamma(h) = sum_w min(c(hw), D) / c(h.)`` (= ``D N1+(h.) / c(h.)`` for
    integer counts); ``interpolate=False`` gives the backoff form.
    ``D = n1 / (n1 + 2 n2)`` per order from the raw count-of-counts unless
    ``discounts`` gives one value or one per order; ``discount_fallback``
    when that estimate is undefined or outside (0, 1] (``None``: raise).
    Unigrams interpolate with the uniform distribution (vocabulary without
    ``<s>``).

    Preconditions: ``counts`` is an ``NgramCounts``. O(sum_k n_k log n_k).
    """
    tables = build_tables(counts)
    used = [predictable_counts(tables, k, tables.counts[k - 1])
            for k in range(1, tables.order + 1)]
    return one_discount_model(tables, counts.vocab, used, discounts=discounts,
                              discount_fallback=discount_fallback,
                              interpolate=interpolate,
                              undefined="the discount n1/(n1+2n2) is undefined or "
                                        "out of range")


def one_discount_model(tables: Tables, vocab, counts: list[np.ndarray], *,
                       discounts, discount_fallback: float | None,
                       interpolate: bool, undefined: str):
    """Absolute discounting of ``counts`` (the counts to use, one array per
    order) with one discount per order: ``discounts`` (:func:`per_order`'s
    forms), else ``D = n1 / (n1 + 2 n2)`` from the count-of-counts of that
    order's counts, else ``discount_fallback``; ``None`` raises with the
    message ``undefined``. What :func:`estimate_absolute` (raw counts) and
    :func:`~kleene.lm.smoothing.kneser_ney.estimate_kn` (adjusted counts)
    share. O(sum_k n_k)."""
    fixed = per_order(discounts, tables.order, 1, "discounts")
    d = order_discounts(counts, fixed, _ney_estimate, discount_fallback, undefined)
    return discounted_model(tables, vocab, counts,
                            [np.full(len(c), float(dk)) for c, dk in zip(counts, d)],
                            interpolate=interpolate)


def _ney_estimate(c: np.ndarray) -> float | None:
    return ney_discount(count_of_counts(c, 2))
