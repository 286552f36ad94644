"""N-gram counting: sentences -> sorted n-gram tables with raw counts.

Each sentence is counted as ``<s> w1 .. wn </s>``; n-grams never extend left
of ``<s>`` (no padding with several ``<s>``, as SRILM and KenLM). ``<s>`` is a
unigram with its count (one per sentence); smoothing gives it no probability.

Counting sorts packed int64 keys with numpy: the k-grams are ranked through
their (k-1)-gram prefixes (``key = rank(prefix) * V + last word``), so any
order and any vocabulary size fit in 64 bits. Complexity O(N log N) per order
for N corpus tokens.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Literal, Sequence

import numpy as np

from ._index import build_keys, find_rows
from .errors import LmArgError, LmModelError
from .vocab import Vocabulary

SPACE_WORD = "<space>"
_RESERVED = ("<eps>", "<s>", "</s>")


@dataclass(frozen=True, eq=False)
class NgramCounts:
    """Raw n-gram counts of orders 1..``order``.

    ``ngrams[k-1]``: int32 (n_k, k) word ids, rows sorted lexicographically and
    unique; ``counts[k-1]``: float64 (n_k,) raw counts.
    """

    order: int
    vocab: Vocabulary
    ngrams: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]

    @property
    def num_ngrams(self) -> tuple[int, ...]:
        """Number of distinct n-grams per order."""
        return tuple(len(t) for t in self.ngrams)

    def count(self, words: Sequence[str]) -> float:
        """Count of one n-gram given as words (0.0 when never seen). O(k log n)."""
        words = list(words)
        k = len(words)
        if not 1 <= k <= self.order:
            raise LmArgError(f"n-gram length must be in 1..{self.order}, got {k}")
        if any(w not in self.vocab for w in words):
            return 0.0
        q = np.array([[self.vocab.id(w) for w in words]], dtype=np.int64)
        keys, _ = build_keys(self.ngrams[:k], len(self.vocab))
        row = int(find_rows(keys, len(self.vocab), q)[0])
        return float(self.counts[k - 1][row]) if row >= 0 else 0.0

    def validate(self) -> None:
        """Checks shapes, dtypes, sorting, uniqueness and that every k-gram's
        prefix and suffix are counted; raises :class:`LmModelError`."""
        _validate_tables(self.order, self.vocab, self.ngrams, (self.counts,))


def _validate_tables(order: int, vocab: Vocabulary, ngrams, value_arrays) -> None:
    if order < 1 or len(ngrams) != order:
        raise LmModelError(f"order {order} needs {order} n-gram tables, got {len(ngrams)}")
    for values in value_arrays:
        if len(values) != order:
            raise LmModelError(f"order {order} needs {order} value arrays, got {len(values)}")
    v = len(vocab)
    for k, table in enumerate(ngrams, start=1):
        if table.dtype != np.int32 or table.ndim != 2 or table.shape[1] != k:
            raise LmModelError(f"ngrams[{k - 1}] must be an int32 array of shape (n, {k}), "
                               f"got {table.dtype} {table.shape}")
        for values in value_arrays:
            arr = values[k - 1]
            if arr.shape != (len(table),):
                raise LmModelError(f"order {k}: {len(table)} n-grams but values of shape "
                                   f"{arr.shape}")
        if len(table) and (table.min() < 0 or table.max() >= v):
            raise LmModelError(f"order {k}: word ids must be in [0, {v})")
        if len(table) > 1:
            diff = table[1:].astype(np.int64) - table[:-1]
            # first non-zero column of each consecutive difference must be > 0
            nz = diff != 0
            first = np.argmax(nz, axis=1)
            ok = nz.any(axis=1) & (diff[np.arange(len(diff)), first] > 0)
            if not ok.all():
                i = int(np.argmin(ok))
                raise LmModelError(f"order {k}: rows must be sorted and unique; row {i + 1} "
                                   f"({_words(vocab, table[i + 1])}) follows "
                                   f"({_words(vocab, table[i])})")
    keys, parents = build_keys(ngrams, v)
    for k in range(2, order + 1):
        table = ngrams[k - 1]
        missing = np.flatnonzero(parents[k - 1] < 0)
        if len(missing):
            g = table[missing[0]]
            raise LmModelError(f"{k}-gram '{_words(vocab, g)}' has no prefix "
                               f"{k - 1}-gram '{_words(vocab, g[:-1])}'")
        suffix = find_rows(keys, v, table[:, 1:])
        missing = np.flatnonzero(suffix < 0)
        if len(missing):
            g = table[missing[0]]
            raise LmModelError(f"{k}-gram '{_words(vocab, g)}' has no suffix "
                               f"{k - 1}-gram '{_words(vocab, g[1:])}'")


def _words(vocab: Vocabulary, ids) -> str:
    return " ".join(vocab.word(int(i)) for i in ids)


# -- tokenizing -----------------------------------------------------------------

def _tokens(sentence, unit: str) -> list[str]:
    if isinstance(sentence, str):
        if unit == "word":
            return sentence.split()
        return [SPACE_WORD if part == " " else part
                for part in " ".join(sentence.split())]
    return list(sentence)


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: stay silent without it
        return iterable
    return tqdm(iterable, desc=desc, unit=" sentences")


def count_ngrams(sentences: Iterable[str | Sequence[str]], order: int, *,
                 unit: Literal["word", "char"] = "word",
                 vocab: Vocabulary | None = None, min_count: int = 1,
                 max_vocab: int | None = None, unk: bool = True,
                 progress: bool = False) -> NgramCounts:
    """Counts the n-grams of orders 1..``order`` of ``sentences``.

    A sentence is a string (split on whitespace for ``unit="word"``; for
    ``unit="char"`` split into unicode characters, each run of whitespace
    becoming the word ``"<space>"`` and leading/trailing whitespace dropped) or
    an already tokenized sequence of words. Each is counted as
    ``<s> w1 .. wn </s>`` (an empty sentence as ``<s> </s>``).

    Vocabulary: with ``vocab`` given it is used as is (closed vocabulary);
    otherwise it is every word of the corpus in order of first appearance,
    restricted to words seen at least ``min_count`` times and to the
    ``max_vocab`` most frequent ones (ties: first appearance). Words outside
    the vocabulary become ``<unk>`` when ``unk`` is true, and are dropped from
    their sentence otherwise. ``<s>``, ``</s>`` and ``<eps>`` may not occur in
    the text; ``<unk>`` may. ``progress=True`` shows a tqdm bar when tqdm is
    installed.

    Complexity: O(N) to tokenize plus O(N log N) per order, N = corpus tokens.
    """
    if not isinstance(order, (int, np.integer)) or order < 1:
        raise LmArgError(f"order must be a positive integer, got {order!r}")
    if unit not in ("word", "char"):
        raise LmArgError(f"unit must be 'word' or 'char', got {unit!r}")
    if min_count < 1:
        raise LmArgError(f"min_count must be >= 1, got {min_count}")
    if max_vocab is not None and max_vocab < 0:
        raise LmArgError(f"max_vocab must be >= 0 or None, got {max_vocab}")
    if vocab is not None and (min_count > 1 or max_vocab is not None):
        raise LmArgError("give either a vocab or min_count/max_vocab, not both "
                         "(a given vocabulary is used as is)")
    token_lists = [_tokens(s, unit) for s in _progress(sentences, progress, "counting")]
    if vocab is None:
        vocab = _build_vocab(token_lists, min_count, max_vocab)
    get = vocab._index.get  # noqa: SLF001  (hot loop: one dict look-up per token)
    unk_id = Vocabulary.UNK
    flat = [get(w, unk_id) for toks in token_lists for w in toks]
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64,
                          count=len(token_lists))
    ids = np.array(flat, dtype=np.int32)
    if len(ids) and ids.min() <= Vocabulary.EOS:
        bad = next(w for toks in token_lists for w in toks if w in _RESERVED)
        raise LmArgError(f"the text contains the reserved word {bad!r}; sentence "
                         f"boundaries are added by count_ngrams")
    if not unk:
        keep = ids != unk_id
        if not keep.all():
            sent_of = np.repeat(np.arange(len(lengths)), lengths)
            lengths = np.bincount(sent_of[keep], minlength=len(lengths)).astype(np.int64)
            ids = ids[keep]
    tokens = _with_boundaries(ids, lengths)
    ngrams, counts = _count_tokens(tokens, lengths + 2, order, len(vocab))
    return NgramCounts(int(order), vocab, ngrams, counts)


def _build_vocab(token_lists, min_count: int, max_vocab: int | None) -> Vocabulary:
    freq = Counter(w for toks in token_lists for w in toks)
    for w in _RESERVED:
        if w in freq:
            raise LmArgError(f"the text contains the reserved word {w!r}; sentence "
                             f"boundaries are added by count_ngrams")
    words = [w for w, c in freq.items() if c >= min_count and w != "<unk>"]
    if max_vocab is not None and len(words) > max_vocab:
        rank = {w: i for i, w in enumerate(words)}
        keep = set(sorted(words, key=lambda w: (-freq[w], rank[w]))[:max_vocab])
        words = [w for w in words if w in keep]
    return Vocabulary(words)


def _with_boundaries(ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Inserts <s> before and </s> after each sentence."""
    n = len(lengths)
    total = int(lengths.sum()) + 2 * n
    out = np.empty(total, dtype=np.int32)
    ends = np.cumsum(lengths + 2)
    starts = ends - lengths - 2
    out[starts] = Vocabulary.BOS
    out[ends - 1] = Vocabulary.EOS
    mask = np.ones(total, dtype=bool)
    mask[starts] = False
    mask[ends - 1] = False
    out[mask] = ids
    return out


def _count_tokens(tokens: np.ndarray, sent_lengths: np.ndarray, order: int,
                  vocab_size: int):
    """Counts the k-grams of ``tokens`` (sentences of ``sent_lengths`` tokens,
    boundaries included) that lie inside one sentence."""
    total = len(tokens)
    # remaining[i]: tokens from i to the end of its sentence, inclusive
    ends = np.repeat(np.cumsum(sent_lengths), sent_lengths)
    remaining = ends - np.arange(total)
    v = np.int64(vocab_size)
    ngrams, counts = [], []
    rank_at = np.full(total, -1, dtype=np.int64)  # rank of the (k-1)-gram at i
    positions = np.arange(total)
    prev_table = None
    for k in range(1, order + 1):
        positions = positions[remaining[positions] >= k]
        if k == 1:
            keys = tokens[positions].astype(np.int64)
        else:
            keys = rank_at[positions] * v + tokens[positions + k - 1]
        uniq, inverse, cnt = np.unique(keys, return_inverse=True, return_counts=True)
        rank_at[:] = -1
        rank_at[positions] = inverse.ravel()
        if k == 1:
            table = uniq.astype(np.int32).reshape(-1, 1)
        else:
            table = np.empty((len(uniq), k), dtype=np.int32)
            table[:, :-1] = prev_table[uniq // v]
            table[:, -1] = uniq % v
        ngrams.append(table)
        counts.append(cnt.astype(np.float64))
        prev_table = table
    return tuple(ngrams), tuple(counts)


def read_text_files(paths: str | os.PathLike | Iterable[str | os.PathLike],
                    *, encoding: str = "utf-8") -> Iterator[str]:
    """Yields the non-empty lines (stripped) of the files, one sentence each."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for path in paths:
        with open(path, encoding=encoding) as f:
            for line in f:
                line = line.strip()
                if line:
                    yield line


# -- editing counts ---------------------------------------------------------------

def _sort_unique_sum(table: np.ndarray, values: np.ndarray):
    """Sorts rows lexicographically, merging duplicate rows (values summed)."""
    if len(table) == 0:
        return table, values
    idx = np.lexsort(table.T[::-1])
    table, values = table[idx], values[idx]
    new = np.ones(len(table), dtype=bool)
    new[1:] = (table[1:] != table[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    return np.ascontiguousarray(table[starts]), np.add.reduceat(values, starts)


def merge_counts(a: NgramCounts, b: NgramCounts) -> NgramCounts:
    """Sum of two count tables (e.g. of two corpora). The vocabulary is ``a``'s
    followed by ``b``'s new words; the order is the larger one (the smaller
    table simply has no higher-order n-grams). O(n log n) in the n-grams."""
    vocab = Vocabulary(a.vocab.words[4:])
    for w in b.vocab.words[4:]:
        vocab.add(w)
    remap_b = np.array([vocab.id(w) for w in b.vocab.words], dtype=np.int32)
    order = max(a.order, b.order)
    ngrams, counts = [], []
    for k in range(1, order + 1):
        tables, values = [], []
        if k <= a.order:
            tables.append(a.ngrams[k - 1])
            values.append(a.counts[k - 1])
        if k <= b.order:
            tables.append(remap_b[b.ngrams[k - 1]])
            values.append(b.counts[k - 1])
        t, c = _sort_unique_sum(np.concatenate(tables).astype(np.int32),
                                np.concatenate(values))
        ngrams.append(t)
        counts.append(c.astype(np.float64))
    return NgramCounts(order, vocab, tuple(ngrams), tuple(counts))


def prune_counts(counts: NgramCounts, min_counts: Sequence[float]) -> NgramCounts:
    """Removes the k-grams counted fewer than ``min_counts[k-1]`` times (orders
    past the end of ``min_counts`` use its last value), then every n-gram whose
    prefix or suffix was removed, so the tables stay consistent. Unigrams are
    never pruned (``min_counts[0]`` must be <= 1: map rare words to ``<unk>``
    with ``count_ngrams(min_count=...)`` instead). O(n log n)."""
    cut = [float(c) for c in min_counts]
    if not cut:
        raise LmArgError("min_counts needs at least one value (the unigram cutoff)")
    if cut[0] > 1:
        raise LmArgError("unigrams are never pruned: use count_ngrams(min_count=...) "
                         "to map rare words to <unk> instead")
    v = len(counts.vocab)
    ngrams = [counts.ngrams[0]]
    values = [counts.counts[0]]
    for k in range(2, counts.order + 1):
        threshold = cut[min(k - 1, len(cut) - 1)]
        table, cnt = counts.ngrams[k - 1], counts.counts[k - 1]
        keep = cnt >= threshold
        keys, _ = build_keys(tuple(ngrams), v)
        keep &= find_rows(keys, v, table[:, :-1]) >= 0
        keep &= find_rows(keys, v, table[:, 1:]) >= 0
        ngrams.append(np.ascontiguousarray(table[keep]))
        values.append(cnt[keep])
    return NgramCounts(counts.order, counts.vocab, tuple(ngrams), tuple(values))


def counts_to_fst(counts: NgramCounts, *, semiring: Literal["log", "log64"] = "log"):
    """The counts as an OpenGrm-style count acceptor.

    States are histories: state 0 is the empty (unigram) history and every
    n-gram of order < ``order`` that is the prefix of a counted n-gram is a
    state. From history h, the arc labelled w (a word id; labels are the
    vocabulary's ids, symbol tables attached) carries ``-ln count(h w)`` and
    goes to the longest suffix of ``h w`` that is a state; ``count(h </s>)`` is
    h's final weight; a backoff arc labelled 0 with weight one (0.0) leads from
    h to its longest proper suffix state, and is the first arc of its state.
    The start state is the history ``<s>`` (state 0 for unigram counts). The
    count of the unigram ``<s>`` itself has no arc. O(n log n) in the n-grams.
    """
    from ..core.fst import Fst
    from ..semirings import get_semiring
    if semiring not in ("log", "log64"):
        raise LmArgError(f"semiring must be 'log' or 'log64', got {semiring!r}")
    sr = get_semiring(semiring)
    v = len(counts.vocab)
    order = counts.order
    keys, parents = build_keys(counts.ngrams, v)
    # state ids: 0 = empty history, then histories of orders 1..order-1
    state_of = []
    next_id = 1
    for k in range(1, order):
        has_child = np.zeros(len(counts.ngrams[k - 1]), dtype=bool)
        has_child[parents[k]] = True
        ids = np.full(len(has_child), -1, dtype=np.int64)
        ids[has_child] = np.arange(next_id, next_id + int(has_child.sum()))
        next_id += int(has_child.sum())
        state_of.append(ids)
    num_states = next_id

    def state_of_rows(k: int, rows: np.ndarray) -> np.ndarray:
        if k == 0:
            return np.zeros(len(rows), dtype=np.int64)
        if k >= order:
            return np.full(len(rows), -1, dtype=np.int64)
        out = np.full(len(rows), -1, dtype=np.int64)
        ok = rows >= 0
        out[ok] = state_of[k - 1][rows[ok]]
        return out

    def longest_state(table: np.ndarray) -> np.ndarray:
        """State of the longest suffix of each row that is a state."""
        k = table.shape[1]
        dest = np.full(len(table), -1, dtype=np.int64)
        for j in range(k, -1, -1):  # suffix length
            todo = dest < 0
            if not todo.any():
                break
            if j == 0:
                dest[todo] = 0
                break
            rows = find_rows(keys, v, table[todo][:, k - j:])
            dest[todo] = state_of_rows(j, rows)
        return dest

    src, lab, wt, dst = [], [], [], []
    final = np.full(num_states, np.inf)
    for k in range(1, order + 1):
        table, cnt = counts.ngrams[k - 1], counts.counts[k - 1]
        source = state_of_rows(k - 1, parents[k - 1]) if k > 1 else np.zeros(len(table), np.int64)
        last = table[:, -1]
        is_eos = last == Vocabulary.EOS
        final[source[is_eos]] = -np.log(cnt[is_eos])
        word = ~is_eos & (last != Vocabulary.BOS) & (last != Vocabulary.EPS)
        src.append(source[word])
        lab.append(last[word].astype(np.int64))
        wt.append(-np.log(cnt[word]))
        dst.append(longest_state(table[word]))
        if k < order:  # backoff arcs of the history states of order k
            hist = np.flatnonzero(state_of[k - 1] >= 0)
            src.append(state_of[k - 1][hist])
            lab.append(np.zeros(len(hist), dtype=np.int64))
            wt.append(np.zeros(len(hist)))
            dst.append(longest_state(table[hist][:, 1:]) if k > 1
                       else np.zeros(len(hist), dtype=np.int64))
    src_a = np.concatenate(src)
    lab_a = np.concatenate(lab)
    perm = np.lexsort((lab_a, src_a))
    indptr = np.zeros(num_states + 1, dtype=np.int64)
    np.cumsum(np.bincount(src_a, minlength=num_states), out=indptr[1:])
    labels = lab_a[perm].astype(np.int32)
    start = 0
    if order > 1:
        bos_row = find_rows(keys, v, np.array([[Vocabulary.BOS]]))
        s = state_of_rows(1, bos_row)[0]
        start = int(s) if s >= 0 else 0
    table = counts.vocab.to_symbol_table()
    return Fst(indptr, labels, labels.copy(), np.concatenate(dst)[perm].astype(np.int32),
               np.concatenate(wt)[perm].astype(sr.dtype), final.astype(sr.dtype),
               start, sr, table, table, check=True)
