"""Absolute discounting (Ney, Essen & Kneser 1994; Chen & Goodman 1998 sec. 2.5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import LmArgError
from ._discounts import ney_discount, per_order
from ._tables import assemble_model, build_tables, count_of_counts, predictable_counts
from .kneser_ney import _discounted


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
    fixed = per_order(discounts, tables.order, 1, "discounts")
    used, p_hats, gammas = [], [], []
    for k in range(1, tables.order + 1):
        c = predictable_counts(tables, k, tables.counts[k - 1])
        if fixed is not None:
            d = fixed[k - 1]
        else:
            d = ney_discount(count_of_counts(c, 2))
            if d is None:
                if discount_fallback is None:
                    raise LmArgError(f"order {k}: the discount n1/(n1+2n2) is undefined "
                                     "or out of range; pass discounts= or "
                                     "discount_fallback=")
                d = float(discount_fallback)
        p_hat, gamma = _discounted(tables, k, c, np.full(len(c), d))
        used.append(c)
        p_hats.append(p_hat)
        gammas.append(gamma)
    return assemble_model(tables, counts.vocab, used, p_hats,
                          gammas, interpolate=interpolate)
