"""Relative-entropy (Stolcke) pruning of backoff n-gram models.

Stolcke (1998), as SRILM's ``-prune`` and OpenGrm's ``ngramshrink
--method=relative_entropy``: removing the n-gram ``h w`` makes ``w`` after
``h`` use the backoff estimate ``bow'(h) P(w | h')`` (``h'`` = ``h`` without
its first word), with ``h``'s backoff weight renormalised to

    bow'(h) = (num(h) + P(w|h)) / (den(h) + P(w|h'))
    num(h)  = 1 - sum_{v : h v kept} P(v | h)
    den(h)  = 1 - sum_{v : h v kept} P(v | h')

and the model's relative entropy grows by (natural logs)

    dH = -P(h) [ P(w|h) (ln P(w|h') + ln bow'(h) - ln P(w|h))
                 + num(h) (ln bow'(h) - ln bow(h)) ]

where ``P(h)`` is the chain-rule probability of the history under the model
(the leading ``<s>`` of a history counts as certain). An n-gram is pruned when
the relative perplexity increase ``exp(dH) - 1`` is below ``threshold``
(SRILM's meaning of the ``-prune`` value).

Orders are pruned from the highest down to 2; within one order every n-gram is
judged against the same model (the one left by the higher orders), then all
backoff weights are recomputed. Unigrams are never pruned, and an n-gram that
is the prefix or suffix of a kept higher-order n-gram is kept, so the result
satisfies the ARPA invariant.
"""

from __future__ import annotations

import math

import numpy as np

from ..kernels.ngram_score import score_tokens
from ._index import build_keys, find_rows
from .errors import LmArgError
from .model import NgramModel
from .vocab import Vocabulary

_TINY = 1e-15
#: log10 backoff written when a context's kept n-grams take all its mass
NO_MASS_LOG10 = -99.0


def _score_rows(model: NgramModel, rows: np.ndarray, first_scored: int) -> np.ndarray:
    """Per-token log10 scores of each row of ``rows`` (m, L) read as a
    sentence without boundaries; positions before ``first_scored`` are 0."""
    m, length = rows.shape
    out = np.zeros(m * length, dtype=np.float64)
    if m == 0 or length == 0:
        return out.reshape(m, length)
    tokens = np.ascontiguousarray(rows, dtype=np.int32).ravel()
    ptr = np.arange(0, m * length + 1, length, dtype=np.int64)
    out_len = np.zeros(m * length, dtype=np.int32)
    unigram_node, child_start, child_end, last_word, logprob, backoff = model._trie  # noqa: SLF001
    score_tokens(tokens, ptr, first_scored, model.order, unigram_node, child_start,
                 child_end, last_word, logprob, backoff, model._oov_logprob,  # noqa: SLF001
                 out, out_len)
    return out.reshape(m, length)


def _cond_log10(model: NgramModel, hist: np.ndarray, words: np.ndarray) -> np.ndarray:
    """log10 P(words[i] | hist[i]) by backoff, vectorised over rows."""
    rows = np.concatenate([hist, words.reshape(-1, 1)], axis=1)
    return _score_rows(model, rows, rows.shape[1] - 1)[:, -1]


def _history_log10(model: NgramModel, hist: np.ndarray) -> np.ndarray:
    """log10 of the chain-rule probability of each history (a leading <s>
    has probability one)."""
    scores = _score_rows(model, hist, 0)
    if hist.shape[1]:
        scores[hist[:, 0] == Vocabulary.BOS, 0] = 0.0
    return scores.sum(axis=1)


def _context_sums(model: NgramModel, k: int, parents: np.ndarray):
    """For the children (order k) of each (k-1)-gram context: num and den."""
    table = model.ngrams[k - 1]
    p = 10.0 ** model.logprob[k - 1]
    pbo = 10.0 ** _cond_log10(model, table[:, 1:-1], table[:, -1])
    n_ctx = len(model.ngrams[k - 2])
    num = 1.0 - np.bincount(parents, weights=p, minlength=n_ctx)
    den = 1.0 - np.bincount(parents, weights=pbo, minlength=n_ctx)
    return p, pbo, num, den


def recompute_backoffs(model: NgramModel) -> NgramModel:
    """The model with every backoff weight set so that each context's
    distribution sums to one: ``bow(h) = num(h) / den(h)``, from the lowest
    order up (a context's weight depends on the lower-order ones). A context
    whose kept n-grams take all its mass gets log10 backoff -99; one whose
    backoff distribution is already used up keeps log10 backoff 0.
    O(n order^2 log V)."""
    backoff = list(model.backoff)
    current = model
    _, parents = build_keys(model.ngrams, len(model.vocab))
    for j in range(1, model.order):
        _, _, num, den = _context_sums(current, j + 1, parents[j])
        bow = np.zeros(len(num))
        ok = (num > _TINY) & (den > _TINY)
        bow[ok] = np.log10(num[ok] / den[ok])
        bow[(num <= _TINY) & (den > _TINY)] = NO_MASS_LOG10
        backoff[j - 1] = bow
        current = NgramModel(model.order, model.vocab, model.ngrams, model.logprob,
                             tuple(backoff))
    return current


def _prune_order(model: NgramModel, k: int, log_threshold: float) -> NgramModel:
    v = len(model.vocab)
    keys, parents = build_keys(model.ngrams, v)
    table = model.ngrams[k - 1]
    n = len(table)
    protected = np.zeros(n, dtype=bool)
    if k < model.order:
        higher = model.ngrams[k]
        protected[parents[k]] = True
        suffix_rows = find_rows(keys, v, higher[:, 1:])
        protected[suffix_rows] = True
    p, pbo, num, den = _context_sums(model, k, parents[k - 1])
    ctx = parents[k - 1]
    hist = table[:, :-1]
    p_hist = 10.0 ** _history_log10(model, hist)
    num_h, den_h = num[ctx], den[ctx]
    with np.errstate(divide="ignore", invalid="ignore"):
        bow = num_h / den_h
        new_bow = (num_h + p) / (den_h + pbo)
        ln_new = np.log(new_bow)
        mass_term = np.where(num_h > _TINY, num_h * (ln_new - np.log(bow)), 0.0)
        delta = -p_hist * (p * (np.log(pbo) + ln_new - np.log(p)) + mass_term)
    delta = np.where(np.isfinite(delta), delta, np.inf)
    prune = ~protected & (delta < log_threshold)
    if not prune.any():
        return model
    keep = ~prune
    ngrams = list(model.ngrams)
    logprob = list(model.logprob)
    backoff = list(model.backoff)
    ngrams[k - 1] = np.ascontiguousarray(table[keep])
    logprob[k - 1] = model.logprob[k - 1][keep]
    backoff[k - 1] = model.backoff[k - 1][keep]
    pruned = NgramModel(model.order, model.vocab, tuple(ngrams), tuple(logprob),
                        tuple(backoff))
    return recompute_backoffs(pruned)


def _prune(model: NgramModel, threshold: float) -> NgramModel:
    log_threshold = math.log1p(threshold) if math.isfinite(threshold) else math.inf
    for k in range(model.order, 1, -1):
        model = _prune_order(model, k, log_threshold)
    return model


def prune_model(model: NgramModel, *, threshold: float | None = None,
                target_size: int | None = None, max_iterations: int = 40) -> NgramModel:
    """Relative-entropy (Stolcke) pruning; see the module docstring.

    Give exactly one of ``threshold`` (prune the n-grams whose removal raises
    the perplexity by a relative amount below it, e.g. ``1e-8``) or
    ``target_size`` (the total number of n-grams, all orders, to stay within:
    the smallest threshold reaching it is found by bisection on a log scale,
    at most ``max_iterations`` pruning runs). Unigrams are never pruned, so
    ``target_size`` must be at least the number of unigrams.

    The result's backoff weights are recomputed so that every context sums to
    one (for a normalised input; the input's own backoff weights are not
    trusted). Precondition: ``model.validate()`` passes.
    Complexity: O(order * n order^2 log V) per run for n n-grams.
    """
    if (threshold is None) == (target_size is None):
        raise LmArgError("give exactly one of threshold= or target_size=")
    if threshold is not None:
        if not threshold >= 0:
            raise LmArgError(f"threshold must be >= 0, got {threshold}")
        return _prune(model, float(threshold))
    target = int(target_size)
    if target < len(model.ngrams[0]):
        raise LmArgError(f"target_size {target} is below the number of unigrams "
                         f"({len(model.ngrams[0])}), which are never pruned")
    if sum(model.num_ngrams) <= target:
        return recompute_backoffs(model)
    best = _prune(model, math.inf)  # unigrams only, the smallest possible
    lo, hi = -20.0, 6.0  # log10 thresholds
    small = _prune(model, 10.0 ** hi)
    if sum(small.num_ngrams) <= target:
        best = small
        for _ in range(max_iterations):
            if hi - lo < 1e-3:
                break
            mid = (lo + hi) / 2
            candidate = _prune(model, 10.0 ** mid)
            if sum(candidate.num_ngrams) <= target:
                best, hi = candidate, mid
            else:
                lo = mid
    return best


__all__ = ["prune_model", "recompute_backoffs"]
