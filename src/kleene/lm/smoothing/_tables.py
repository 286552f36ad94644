"""Shared machinery of the smoothing methods: n-gram tables with row links,
and the assembly of an ARPA-form :class:`~kleene.lm.model.NgramModel` from a
method's discounted probabilities.

Every method is described by two per-order quantities over the model's explicit
n-grams ``(h, w)`` (rows of table k = |h| + 1):

* ``p_hat``: the discounted ("seen") probability of ``w`` after ``h``
  (0 for rows without a count of their own);
* ``gamma``: per context ``h`` (a row of table k - 1; one value for the empty
  context), the mass the method hands to the lower order. Interpolated methods
  define it; backoff methods leave it to :func:`assemble_model`, which uses the
  leftover ``1 - sum_w p_hat(w | h)``.

From these the model is (Chen & Goodman 1998, section 2.8 and appendix):

* interpolated: ``P(w|h) = p_hat(w|h) + gamma(h) P(w|h')`` for explicit rows,
  and ``alpha(h) = gamma(h)``, so an unseen ``w`` gets exactly the interpolated
  mass ``gamma(h) P(w|h')`` through the ARPA backoff;
* backoff: ``P(w|h) = p_hat(w|h)`` for counted rows and
  ``alpha(h) = (1 - sum_S p_hat) / (1 - sum_S P(w|h'))`` over the counted set
  ``S``; rows present without a count (added to close the table) store
  ``alpha(h) P(w|h')``. When the counted set leaves no lower-order mass
  (denominator below ``DENOMINATOR_FLOOR``), ``p_hat`` is renormalised over
  ``S`` and ``alpha(h) = 0``.

The order-0 distribution is uniform over the vocabulary without ``<eps>`` and
``<s>`` (``len(vocab) - 2`` words, ``</s>`` and ``<unk>`` included), and the
unigram level is always interpolated with it (KenLM's ``interpolate_unigrams``
default), also for backoff methods: words never seen, ``<unk>`` first of all,
get ``gamma() / |V|``. ``<s>`` is never predicted: its unigram stores log10
probability ``-99`` (the ARPA convention) and takes no part in any sum.

``h'`` is ``h`` without its first word. All steps are numpy vector operations
over the sorted tables (``searchsorted`` for row links, ``bincount`` for
per-context sums): O(sum_k n_k log n_k).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import LmArgError

BOS = 1  # Vocabulary.BOS
EPS = 0  # Vocabulary.EPS
# Below this, the counted words of a context already hold all lower-order mass.
DENOMINATOR_FLOOR = 1e-10
# ARPA's log10 probability for <s>, which is never predicted, and the value
# stored for a zero probability or backoff weight (NgramModel holds finite
# numbers only; ARPA tools read -99 as "never").
BOS_LOG10PROB = -99.0
LOG10_ZERO = -99.0


@dataclass
class Tables:
    """The explicit n-grams of the model and their links.

    ``ngrams[k-1]``: int32 (n_k, k), sorted lexicographically, unique; the
    unigram table holds every vocabulary id except ``<eps>``; tables are closed
    under prefix and suffix. ``counts[k-1]``: float64 raw counts (0 for rows
    added by the closure or the vocabulary). ``parent[k-1]``: int64 row in table
    k-1 of the first k-1 words (0 for unigrams: the one empty context).
    ``suffix[k-1]``: row in table k-1 of the last k-1 words (0 for unigrams).
    """

    order: int
    vocab_size: int
    ngrams: list[np.ndarray]
    counts: list[np.ndarray]
    parent: list[np.ndarray]
    suffix: list[np.ndarray]

    @property
    def num_predictable(self) -> int:
        """Words that can be predicted: the vocabulary without <eps> and <s>."""
        return self.vocab_size - 2


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Row of every key in ``sorted_keys`` (-1 when absent)."""
    pos = np.searchsorted(sorted_keys, keys)
    found = pos < len(sorted_keys)
    found[found] = sorted_keys[pos[found]] == keys[found]
    return np.where(found, pos, -1)


def _link(ngrams: list[np.ndarray], vocab_size: int):
    """(parent, suffix) rows per order, -1 where a prefix or suffix is missing.

    A k-gram's key in its table is ``parent_row * V + last_word``: strictly
    increasing along a lexicographically sorted, prefix-closed table, so a row
    is found by one ``searchsorted``.
    """
    v = np.int64(vocab_size)
    keys = [ngrams[0][:, 0].astype(np.int64)]
    parents = [np.zeros(len(ngrams[0]), dtype=np.int64)]
    suffixes = [np.zeros(len(ngrams[0]), dtype=np.int64)]
    for k in range(2, len(ngrams) + 1):
        table = ngrams[k - 1]
        last = table[:, -1].astype(np.int64)
        if k == 2:
            parent = _lookup(keys[0], table[:, 0].astype(np.int64))
            suffix = _lookup(keys[0], last)
        else:
            parent = _lookup(keys[k - 2], _prefix_key(table, keys, v))
            # suffix (w2..wk): its own parent is the suffix of our parent row
            ok = parent >= 0
            suffix = np.full(len(table), -1, dtype=np.int64)
            sp = suffixes[k - 2][parent[ok]]
            good = sp >= 0
            idx = np.flatnonzero(ok)[good]
            suffix[idx] = _lookup(keys[k - 2], sp[good] * v + last[idx])
        keys.append(np.where(parent >= 0, parent, 0) * v + last)
        parents.append(parent)
        suffixes.append(suffix)
    return parents, suffixes


def _prefix_key(table: np.ndarray, keys: list[np.ndarray], v: np.int64) -> np.ndarray:
    """Keys in table k-1 of the first k-1 words of every row of table k (k >= 3)."""
    k = table.shape[1]
    # walk down: row of w1 in table 1, of w1 w2 in table 2, ...
    row = _lookup(keys[0], table[:, 0].astype(np.int64))
    for j in range(2, k - 1):
        key = np.where(row >= 0, row, 0) * v + table[:, j - 1]
        found = _lookup(keys[j - 1], key)
        row = np.where(row >= 0, found, -1)
    # key of (w1..w_{k-1}) in table k-1; a missing grand-parent gives a key
    # that is never found (-1 * V + w < 0 <= every key)
    return np.where(row >= 0, row * v + table[:, k - 2], -1)


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lexicographically sorted unique rows and the inverse map."""
    if len(rows) == 0:
        return rows.reshape(0, rows.shape[1]), np.zeros(0, dtype=np.int64)
    order = np.lexsort(rows.T[::-1])
    srt = rows[order]
    new = np.ones(len(srt), dtype=bool)
    new[1:] = np.any(srt[1:] != srt[:-1], axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(len(rows), dtype=np.int64)
    inverse[order] = group
    return srt[new], inverse


def _close(ngrams: list[np.ndarray], counts: list[np.ndarray]) -> None:
    """Adds (count 0) every missing prefix and suffix, top order down (SRILM)."""
    for k in range(len(ngrams), 1, -1):
        upper = ngrams[k - 1]
        extra = np.concatenate([upper[:, :-1], upper[:, 1:]])
        both = np.concatenate([ngrams[k - 2], extra])
        rows, inverse = _unique_rows(both)
        merged = np.zeros(len(rows))
        merged[inverse[:len(ngrams[k - 2])]] = counts[k - 2]
        ngrams[k - 2] = np.ascontiguousarray(rows, dtype=np.int32)
        counts[k - 2] = merged


def build_tables(counts) -> Tables:
    """Tables of the model that ``counts`` (an ``NgramCounts``) will give.

    The unigram table gets every vocabulary word but ``<eps>`` (count 0 when
    unseen); missing prefixes/suffixes (possible after count pruning) are
    added with count 0. O(sum_k n_k log n_k).
    """
    order = int(counts.order)
    if order < 1:
        raise LmArgError(f"order must be >= 1, got {order}")
    if len(counts.ngrams) != order or len(counts.counts) != order:
        raise LmArgError("counts.ngrams and counts.counts need one table per order")
    vocab_size = len(counts.vocab)
    ngrams = [np.ascontiguousarray(t, dtype=np.int32).reshape(-1, k)
              for k, t in enumerate(counts.ngrams, start=1)]
    raw = [np.asarray(c, dtype=np.float64).ravel() for c in counts.counts]
    for k in range(order):
        if len(ngrams[k]) != len(raw[k]):
            raise LmArgError(f"order {k + 1}: {len(ngrams[k])} n-grams but "
                             f"{len(raw[k])} counts")
        if len(raw[k]) and (np.any(raw[k] < 0) or not np.all(np.isfinite(raw[k]))):
            raise LmArgError(f"order {k + 1}: counts must be finite and >= 0")
        if len(ngrams[k]) and (ngrams[k].min() <= EPS or ngrams[k].max() >= vocab_size):
            raise LmArgError(f"order {k + 1}: word ids must lie in [1, {vocab_size})")
    # every vocabulary word is a unigram
    uni = np.zeros(vocab_size)
    np.add.at(uni, ngrams[0][:, 0], raw[0])
    ngrams[0] = np.arange(1, vocab_size, dtype=np.int32).reshape(-1, 1)
    raw[0] = uni[1:]
    parents, suffixes = _link(ngrams, vocab_size)
    if any(np.any(p < 0) for p in parents) or any(np.any(s < 0) for s in suffixes):
        _close(ngrams, raw)
        parents, suffixes = _link(ngrams, vocab_size)
    return Tables(order, vocab_size, ngrams, raw, parents, suffixes)


def context_sum(tables: Tables, k: int, values: np.ndarray) -> np.ndarray:
    """Per context (row of table k-1; one entry for k = 1) the sum of
    ``values`` over the rows of table k that extend it."""
    n_ctx = 1 if k == 1 else len(tables.ngrams[k - 2])
    return np.bincount(tables.parent[k - 1], weights=values, minlength=n_ctx)


def bos_initial(tables: Tables, k: int) -> np.ndarray:
    """Mask of the rows of table k that start with <s>."""
    return tables.ngrams[k - 1][:, 0] == BOS


def count_of_counts(c: np.ndarray, max_r: int) -> np.ndarray:
    """``n[r]`` = number of counts whose integer part is r, r = 0..max_r
    (``n[0]`` unused). Rows with count 0 are not counted."""
    r = np.floor(c[c > 0]).astype(np.int64)
    r = r[(r >= 1) & (r <= max_r)]
    return np.bincount(r, minlength=max_r + 1).astype(np.float64)


def predictable_counts(tables: Tables, k: int, c: np.ndarray) -> np.ndarray:
    """``c`` with the <s> unigram zeroed (<s> is never predicted)."""
    if k == 1:
        c = c.copy()
        c[tables.ngrams[0][:, 0] == BOS] = 0.0
    return c


def discounted(tables: Tables, k: int, c: np.ndarray, d_of_row: np.ndarray):
    """(p_hat, gamma) of order k for absolute-style discounting: every row
    gives up ``min(c, d_of_row)`` of its count ``c``, ``p_hat = (c - removed) /
    c(h.)`` and ``gamma(h) = sum_w removed / c(h.)`` (0 for contexts whose
    counts sum to 0)."""
    total = context_sum(tables, k, c)
    removed = np.minimum(c, d_of_row)
    parent = tables.parent[k - 1]
    denom = np.where(total > 0, total, 1.0)
    p_hat = (c - removed) / denom[parent]
    gamma = context_sum(tables, k, removed) / denom
    return p_hat, gamma


def discounted_model(tables: Tables, vocab, counts: list[np.ndarray],
                     d_of_row: list[np.ndarray], *, interpolate: bool):
    """The model of absolute-style discounting: :func:`discounted` at every
    order with that order's ``counts`` and per-row discounts ``d_of_row``,
    then :func:`assemble_model`. O(sum_k n_k)."""
    p_hats, gammas = [], []
    for k, (c, d) in enumerate(zip(counts, d_of_row), start=1):
        p_hat, gamma = discounted(tables, k, c, d)
        p_hats.append(p_hat)
        gammas.append(gamma)
    return assemble_model(tables, vocab, counts, p_hats, gammas,
                          interpolate=interpolate)


def assemble_model(tables: Tables, vocab, counts: list[np.ndarray],
                   p_hat: list[np.ndarray], gamma: list[np.ndarray], *,
                   interpolate: bool):
    """The ARPA-form model from per-order ``counts`` (the counts the method
    used: a row with a positive one is "seen"), ``p_hat`` (one value per row) and
    ``gamma`` (per context: the mass removed by discounting, i.e.
    ``1 - sum_w p_hat(w|h)`` computed as a sum of what was removed, so that it
    is exactly 0 when nothing was). Interpolated methods give it to the lower
    order, backoff methods spread it over the unseen words. See the module
    docstring for the algebra. O(sum_k n_k)."""
    from ..model import NgramModel

    order = tables.order
    probs: list[np.ndarray] = []
    alphas: list[np.ndarray] = []  # alphas[k-1]: per row of table k-1 (k >= 2)
    for k in range(1, order + 1):
        ph = p_hat[k - 1]
        counted = counts[k - 1] > 0
        if k == 1:
            counted = counted & (tables.ngrams[0][:, 0] != BOS)
            lower = np.full(len(ph), 1.0 / tables.num_predictable)
        else:
            lower = probs[k - 2][tables.suffix[k - 1]]
        has_ext = context_sum(tables, k, counted.astype(np.float64)) > 0
        left = np.asarray(gamma[k - 1], dtype=np.float64)
        parent = tables.parent[k - 1]
        if interpolate or k == 1:
            alpha = np.where(has_ext, left, 1.0)
            prob = ph + alpha[parent] * lower
        else:
            den = 1.0 - context_sum(tables, k, np.where(counted, lower, 0.0))
            full = has_ext & (den <= DENOMINATOR_FLOOR)
            alpha = np.where(has_ext, 0.0, 1.0)
            ok = has_ext & ~full
            alpha[ok] = left[ok] / den[ok]
            if np.any(full):  # no lower-order mass left: renormalise the seen
                scale = np.ones_like(left)
                scale[full] = 1.0 / (1.0 - left[full])
                ph = ph * scale[parent]
            prob = np.where(counted, ph, alpha[parent] * lower)
        if k == 1:
            prob[tables.ngrams[0][:, 0] == BOS] = 0.0
        probs.append(prob)
        if k >= 2:
            alphas.append(alpha)
    logprob = [_log10(p) for p in probs]
    backoff = [_log10(a) for a in alphas] + [np.zeros(len(tables.ngrams[-1]))]
    logprob[0][tables.ngrams[0][:, 0] == BOS] = BOS_LOG10PROB
    return NgramModel(order=order, vocab=vocab,
                      ngrams=tuple(tables.ngrams), logprob=tuple(logprob),
                      backoff=tuple(backoff))


def _log10(x: np.ndarray) -> np.ndarray:
    """log10 with ``LOG10_ZERO`` for zeros (and tiny round-off negatives)."""
    out = np.full(len(x), LOG10_ZERO)
    pos = x > 0
    out[pos] = np.maximum(np.log10(x[pos]), LOG10_ZERO)
    return out
