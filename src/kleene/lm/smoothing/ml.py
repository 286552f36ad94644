"""Unsmoothed maximum-likelihood n-gram estimates."""

from __future__ import annotations

import numpy as np

from ._tables import assemble_model, build_tables, context_sum, predictable_counts


def estimate_ml(counts):
    """Maximum likelihood: ``P(w|h) = c(hw) / c(h.)`` for every context ``h``
    seen with a following word, no mass for anything unseen (log10 -inf
    probabilities, and backoff weights -inf for contexts with a distribution
    of their own). Contexts never followed by a word (e.g. ending in
    ``</s>``) back off with weight 1, so every context still sums to 1 over
    the vocabulary. Unseen words (``<unk>`` included) get probability 0, so
    the perplexity of text with them is infinite.

    Preconditions: ``counts`` is an ``NgramCounts``. O(sum_k n_k log n_k).
    """
    tables = build_tables(counts)
    used, p_hats, gammas = [], [], []
    for k in range(1, tables.order + 1):
        c = predictable_counts(tables, k, tables.counts[k - 1])
        total = context_sum(tables, k, c)
        used.append(c)
        p_hats.append(c / np.where(total > 0, total, 1.0)[tables.parent[k - 1]])
        gammas.append(np.zeros(len(total)))
    return assemble_model(tables, counts.vocab, used, p_hats, gammas, interpolate=True)
