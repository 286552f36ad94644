"""Katz backoff with Good-Turing discounting (Katz 1987; Chen & Goodman 1998
sec. 2.4), OpenGrm NGram's default method."""

from __future__ import annotations

import numpy as np

from ..errors import LmArgError
from ._discounts import katz_coefficients
from ._tables import (
    assemble_model,
    build_tables,
    context_sum,
    count_of_counts,
    predictable_counts,
)


def estimate_katz(counts, *, bins: int = 5):
    """Katz backoff smoothing.

    Counts ``r <= bins`` are discounted by the Good-Turing ratio ``d_r``
    (estimated per order from the raw count-of-counts, see
    :func:`~kleene.lm.smoothing._discounts.katz_coefficients`), larger counts
    are kept: ``p_hat(w|h) = d_r r / c(h.)``. Unseen words get
    ``alpha(h) P(w|h')`` with ``alpha`` normalising the distribution. The
    unigram level spreads its leftover mass uniformly over the vocabulary
    without ``<s>`` (so ``<unk>`` gets probability whenever any unigram is
    discounted). Katz has no interpolated form.

    Preconditions: ``counts`` is an ``NgramCounts``; ``bins >= 1``.
    O(sum_k n_k log n_k).
    """
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins < 1:
        raise LmArgError(f"bins must be an integer >= 1, got {bins!r}")
    tables = build_tables(counts)
    used, p_hats, gammas = [], [], []
    for k in range(1, tables.order + 1):
        c = predictable_counts(tables, k, tables.counts[k - 1])
        d = katz_coefficients(count_of_counts(c, bins + 1), bins)
        r = np.floor(c).astype(np.int64)
        ratio = np.where((r >= 1) & (r <= bins), d[np.clip(r, 0, bins)], 1.0)
        total = context_sum(tables, k, c)
        total = np.where(total > 0, total, 1.0)
        used.append(c)
        p_hats.append(ratio * c / total[tables.parent[k - 1]])
        gammas.append(context_sum(tables, k, (1.0 - ratio) * c) / total)
    return assemble_model(tables, counts.vocab, used, p_hats, gammas, interpolate=False)
