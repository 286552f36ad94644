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

from ..errors import LmArgError
from ._discounts import DEFAULT_FALLBACK, mkn_discounts, ney_discount, per_order
from ._tables import (
    Tables,
    assemble_model,
    bos_initial,
    build_tables,
    context_sum,
    count_of_counts,
    predictable_counts,
)


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


def _discounted(tables: Tables, k: int, c: np.ndarray, d_of_row: np.ndarray):
    """(p_hat, gamma) for absolute-style discounting with per-row discount."""
    total = context_sum(tables, k, c)
    removed = np.minimum(c, d_of_row)
    parent = tables.parent[k - 1]
    denom = np.where(total > 0, total, 1.0)
    p_hat = (c - removed) / denom[parent]
    gamma = context_sum(tables, k, removed) / denom
    return p_hat, gamma


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
    fixed = per_order(discounts, tables.order, 1, "discounts")
    used, p_hats, gammas = [], [], []
    for k, c in enumerate(adjusted_counts(tables), start=1):
        if fixed is not None:
            d = fixed[k - 1]
        else:
            d = ney_discount(count_of_counts(c, 2))
            if d is None:
                if discount_fallback is None:
                    raise LmArgError(f"order {k}: the KN discount n1/(n1+2n2) is "
                                     "undefined or out of range for these counts; "
                                     "pass discounts= or discount_fallback=")
                d = float(discount_fallback)
        p_hat, gamma = _discounted(tables, k, c, np.full(len(c), d))
        used.append(c)
        p_hats.append(p_hat)
        gammas.append(gamma)
    return assemble_model(tables, counts.vocab, used, p_hats,
                          gammas, interpolate=interpolate)


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
    used, p_hats, gammas = [], [], []
    for k, c in enumerate(adjusted_counts(tables), start=1):
        if fixed is not None:
            d = fixed[k - 1]
        else:
            d = mkn_discounts(count_of_counts(c, 4))
            if d is None:
                if fallback is None:
                    raise LmArgError(f"order {k}: modified-KN discounts are undefined "
                                     "or out of range for these counts (too little "
                                     "data); pass discounts= or discount_fallback=")
                d = fallback
        table = np.array([0.0, d[0], d[1], d[2]])
        bins = np.clip(np.floor(c), 0, 3).astype(np.int64)
        bins[(c > 0) & (bins == 0)] = 1  # fractional counts below 1 use D1
        p_hat, gamma = _discounted(tables, k, c, table[bins])
        used.append(c)
        p_hats.append(p_hat)
        gammas.append(gamma)
    return assemble_model(tables, counts.vocab, used, p_hats,
                          gammas, interpolate=interpolate)


def mkn_discount_table(counts) -> list[tuple[float, float, float] | None]:
    """The modified-KN discounts (D1, D2, D3+) per order estimated from
    ``counts`` (``None`` where undefined): what :func:`estimate_mkn` uses."""
    tables = build_tables(counts)
    return [mkn_discounts(count_of_counts(c, 4)) for c in adjusted_counts(tables)]
