"""Backoff n-gram language models (the content of an ARPA file) and scoring.

Scoring walks a flat trie of the model's n-grams in a numba kernel
(:mod:`kleene.kernels.ngram_score`): per token at most ``order`` context walks
of at most ``order`` binary searches, O(N order^2 log V) for N tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from typing import Iterable, Sequence

import numpy as np

from ..kernels.ngram_score import nodes_of, score_tokens
from ._index import find_rows
from .counts import _validate_tables
from .errors import LmArgError, LmModelError
from .vocab import Vocabulary

#: log10 probability kenlm gives a word that is not in the model when the
#: model has no ``<unk>`` unigram (kenlm adds ``<unk>`` with this value).
DEFAULT_OOV_LOG10 = -100.0


@dataclass(frozen=True, eq=False)
class NgramModel:
    """A backoff n-gram model of orders 1..``order``.

    ``ngrams[k-1]``: int32 (n_k, k) word ids, rows sorted lexicographically
    and unique; ``logprob[k-1]``: float64 log10 P(w_k | w_1..w_{k-1}) as ARPA
    stores it; ``backoff[k-1]``: float64 log10 backoff weights (0.0 where none;
    all 0.0 at the highest order). Every k-gram's prefix and suffix
    (k-1)-grams exist (the ARPA invariant, checked by :meth:`validate`).
    """

    order: int
    vocab: Vocabulary
    ngrams: tuple[np.ndarray, ...]
    logprob: tuple[np.ndarray, ...]
    backoff: tuple[np.ndarray, ...]

    # -- structure -----------------------------------------------------------
    @property
    def num_ngrams(self) -> tuple[int, ...]:
        """Number of n-grams per order."""
        return tuple(len(t) for t in self.ngrams)

    def validate(self) -> None:
        """Checks shapes and dtypes, sorting and uniqueness of every table,
        the prefix/suffix invariant, finite probabilities and zero backoff at
        the highest order. Raises :class:`LmModelError` naming the first bad
        n-gram. O(n log n) in the n-grams."""
        _validate_tables(self.order, self.vocab, self.ngrams, (self.logprob, self.backoff))
        for k in range(1, self.order + 1):
            lp, bo = self.logprob[k - 1], self.backoff[k - 1]
            if lp.dtype != np.float64 or bo.dtype != np.float64:
                raise LmModelError(f"order {k}: logprob and backoff must be float64")
            bad = ~np.isfinite(lp) | (lp > 1e-9)
            if bad.any():
                g = self.ngrams[k - 1][np.argmax(bad)]
                raise LmModelError(f"{k}-gram '{self._words(g)}' has log10 probability "
                                   f"{lp[np.argmax(bad)]} (must be finite and <= 0)")
            if not np.isfinite(bo).all():
                g = self.ngrams[k - 1][np.argmax(~np.isfinite(bo))]
                raise LmModelError(f"{k}-gram '{self._words(g)}' has a non-finite backoff")
        if np.any(self.backoff[-1] != 0.0):
            raise LmModelError(f"the highest order ({self.order}) cannot have backoff weights")

    def _words(self, ids) -> str:
        return " ".join(self.vocab.word(int(i)) for i in ids)

    @cached_property
    def _trie(self):
        """Reversed-context trie arrays for the scoring kernel (built once per
        model): per order the n-grams sorted by their words read right to
        left, so the extensions of an n-gram ``u`` to the left (``x u``) are
        contiguous and sorted by ``x``."""
        v = len(self.vocab)
        offsets = np.zeros(self.order + 1, dtype=np.int64)
        np.cumsum([len(t) for t in self.ngrams], out=offsets[1:])
        total = int(offsets[-1])
        child_start = np.zeros(total, dtype=np.int64)
        child_end = np.zeros(total, dtype=np.int64)
        first_word, logprob, backoff = [], [], []
        rev_keys: list[np.ndarray] = []
        for k, table in enumerate(self.ngrams, start=1):
            perm = np.lexsort(table.T) if len(table) else np.zeros(0, dtype=np.int64)
            rev = table[perm][:, ::-1]  # reversed words, sorted lexicographically
            first_word.append(rev[:, -1].astype(np.int32))
            logprob.append(self.logprob[k - 1][perm])
            backoff.append(self.backoff[k - 1][perm])
            if k == 1:
                rev_keys.append(rev[:, 0].astype(np.int64))
                continue
            parent = find_rows(rev_keys, v, rev[:, :-1])  # the suffix (k-1)-gram
            if len(parent) and parent.min() < 0:
                raise LmModelError("the model breaks the suffix invariant; "
                                   "call validate() for the offending n-gram")
            rev_keys.append(parent * np.int64(v) + rev[:, -1])
            n_parent = len(self.ngrams[k - 2])
            ids = np.arange(n_parent)
            child_start[offsets[k - 2]:offsets[k - 1]] = \
                np.searchsorted(parent, ids, side="left") + offsets[k - 1]
            child_end[offsets[k - 2]:offsets[k - 1]] = \
                np.searchsorted(parent, ids, side="right") + offsets[k - 1]
        unigram_node = np.full(v, -1, dtype=np.int64)
        unigram_node[self.ngrams[0][:, 0]] = np.arange(len(self.ngrams[0]))
        return (unigram_node, child_start, child_end, np.concatenate(first_word),
                np.concatenate(logprob).astype(np.float64),
                np.concatenate(backoff).astype(np.float64))

    @cached_property
    def _oov_logprob(self) -> float:
        node = self._trie[0][Vocabulary.UNK]
        return float(self._trie[4][node]) if node >= 0 else DEFAULT_OOV_LOG10

    # -- scoring ---------------------------------------------------------------
    def _encode(self, sentences, bos: bool, eos: bool):
        """Token ids (words not in the model -> <unk>), sentence pointers and
        the number of OOV tokens."""
        get = self.vocab._index.get  # noqa: SLF001  (hot loop)
        all_words: list[str] = []
        lengths: list[int] = []
        for s in sentences:
            words = s.split() if isinstance(s, str) else list(s)
            all_words += words
            lengths.append(len(words))
        ids = np.fromiter(map(get, all_words, repeat(Vocabulary.UNK)), dtype=np.int64,
                          count=len(all_words))
        n = np.asarray(lengths, dtype=np.int64) + int(bos) + int(eos)
        sent_ptr = np.zeros(len(n) + 1, dtype=np.int64)
        np.cumsum(n, out=sent_ptr[1:])
        tokens = np.empty(int(sent_ptr[-1]), dtype=np.int32)
        is_word = np.ones(len(tokens), dtype=bool)
        if bos:
            tokens[sent_ptr[:-1]] = Vocabulary.BOS
            is_word[sent_ptr[:-1]] = False
        if eos:
            tokens[sent_ptr[1:] - 1] = Vocabulary.EOS
            is_word[sent_ptr[1:] - 1] = False
        # words the model has no unigram for are read as <unk>
        known = self._trie[0][ids] >= 0
        tokens[is_word] = np.where(known, ids, Vocabulary.UNK)
        return tokens, sent_ptr

    def token_scores(self, sentences: Iterable[Sequence[str] | str], *, bos: bool = True,
                     eos: bool = True) -> list[np.ndarray]:
        """Per sentence, the log10 probability of each scored token (the words,
        then ``</s>`` when ``eos``), as kenlm's ``full_scores`` gives them."""
        tokens, sent_ptr, lp, _ = self._score(sentences, bos, eos)
        first = 1 if bos else 0
        return [lp[sent_ptr[s] + first:sent_ptr[s + 1]].copy()
                for s in range(len(sent_ptr) - 1)]

    def _score(self, sentences, bos: bool, eos: bool):
        tokens, sent_ptr = self._encode(sentences, bos, eos)
        unigram_node, child_start, child_end, last_word, logprob, backoff = self._trie
        out_lp = np.zeros(len(tokens), dtype=np.float64)
        out_len = np.zeros(len(tokens), dtype=np.int32)
        score_tokens(tokens, sent_ptr, 1 if bos else 0, self.order, unigram_node,
                     child_start, child_end, last_word, logprob, backoff,
                     self._oov_logprob, out_lp, out_len)
        return tokens, sent_ptr, out_lp, out_len

    def score_sentence(self, words: Sequence[str] | str, *, bos: bool = True,
                       eos: bool = True) -> float:
        """Total log10 probability of one sentence (a string is split on
        whitespace) by standard backoff: the longest n-gram of the model ending
        in each word gives its probability, plus the backoff weights of the
        longer contexts that exist. ``bos`` conditions the first word on
        ``<s>``; ``eos`` adds the probability of ``</s>``. Words not in the
        model score as ``<unk>`` (the ``<unk>`` unigram's probability, or
        -100 when the model has none, as kenlm). O(n order^2 log V)."""
        _, _, lp, _ = self._score([words], bos, eos)
        return float(lp.sum())

    def score_corpus(self, sentences: Iterable[Sequence[str] | str], *,
                     bos: bool = True, eos: bool = True) -> tuple[float, int, int]:
        """``(total_log10, num_tokens, num_oov)`` over ``sentences``: tokens are
        the words plus one ``</s>`` per sentence (when ``eos``); ``num_oov``
        counts the words not in the model (scored as ``<unk>``) and is part of
        ``num_tokens``."""
        tokens, sent_ptr, lp, _ = self._score(sentences, bos, eos)
        scored = np.ones(len(tokens), dtype=bool)
        if bos:
            scored[sent_ptr[:-1][np.diff(sent_ptr) > 0]] = False
        num_oov = int(np.count_nonzero(tokens[scored] == Vocabulary.UNK))
        return float(lp.sum()), int(scored.sum()), num_oov

    def perplexity(self, sentences: Iterable[Sequence[str] | str]) -> float:
        """``10 ** (-total_log10 / num_tokens)`` with tokens counted as kenlm's
        ``perplexity`` does: every word (OOVs included, scored as ``<unk>``)
        plus one ``</s>`` per sentence."""
        total, n, _ = self.score_corpus(sentences)
        if n == 0:
            raise LmArgError("perplexity of an empty corpus is undefined")
        return float(10.0 ** (-total / n))

    def log10_prob(self, context: Sequence[str], word: str) -> float:
        """log10 P(word | context) by backoff (only the last order-1 context
        words matter; ``context`` may start with ``<s>``)."""
        words = list(context)[-(self.order - 1):] if self.order > 1 else []
        words.append(word)
        tokens, sent_ptr = self._encode([words], False, False)
        unigram_node, child_start, child_end, last_word, logprob, backoff = self._trie
        out_lp = np.zeros(len(tokens))
        out_len = np.zeros(len(tokens), dtype=np.int32)
        # score only the last token, the words before it as its context
        score_tokens(tokens, sent_ptr, len(tokens) - 1, self.order, unigram_node,
                     child_start, child_end, last_word, logprob, backoff,
                     self._oov_logprob, out_lp, out_len)
        return float(out_lp[-1])

    def find(self, words: Sequence[str]) -> tuple[float, float] | None:
        """``(log10prob, backoff)`` of an n-gram of the model, None if absent."""
        tokens, sent_ptr = self._encode([list(words)], False, False)
        unigram_node, child_start, child_end, last_word, logprob, backoff = self._trie
        if any(w not in self.vocab for w in words) or not 1 <= len(tokens) <= self.order:
            return None
        out = np.full(1, -1, dtype=np.int64)
        nodes_of(tokens, sent_ptr, unigram_node, child_start, child_end, last_word, out)
        g = int(out[0])
        return None if g < 0 else (float(logprob[g]), float(backoff[g]))
