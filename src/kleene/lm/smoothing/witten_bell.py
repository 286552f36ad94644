"""Witten-Bell smoothing (Witten & Bell 1991; Chen & Goodman 1998 sec. 2.6)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import LmArgError
from ._tables import assemble_model, build_tables, context_sum, predictable_counts


def estimate_wb(counts, *, interpolate: bool = True, k: float = 1.0):
    """Witten-Bell smoothing on raw counts.

    ``P(w|h) = (c(hw) + K N1+(h.) P(w|h')) / (c(h.) + K N1+(h.))``, i.e.
    ``p_hat = c(hw) / (c(h.) + K N1+(h.))`` and
    ``gamma(h) = K N1+(h.) / (c(h.) + K N1+(h.))`` with ``N1+(h.)`` the number
    of distinct words seen after ``h`` and ``K = k`` (OpenGrm's
    ``--witten_bell_k``, 1 in the textbook method). ``interpolate=False`` gives
    the backoff form. Unigrams interpolate with the uniform distribution
    (vocabulary without ``<s>``).

    Preconditions: ``counts`` is an ``NgramCounts``; ``k > 0``.
    O(sum_k n_k log n_k).
    """
    if not (isinstance(k, (int, float)) and math.isfinite(k) and k > 0):
        raise LmArgError(f"k must be a positive number, got {k!r}")
    tables = build_tables(counts)
    used, p_hats, gammas = [], [], []
    for order in range(1, tables.order + 1):
        c = predictable_counts(tables, order, tables.counts[order - 1])
        total = context_sum(tables, order, c)
        distinct = context_sum(tables, order, (c > 0).astype(np.float64)) * k
        denom = total + distinct
        denom = np.where(denom > 0, denom, 1.0)
        used.append(c)
        p_hats.append(c / denom[tables.parent[order - 1]])
        gammas.append(distinct / denom)
    return assemble_model(tables, counts.vocab, used, p_hats,
                          gammas, interpolate=interpolate)
