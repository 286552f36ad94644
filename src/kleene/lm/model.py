"""Backoff n-gram language models (the content of an ARPA file) and scoring.

Scoring walks the model's n-grams in a numba kernel
(:mod:`kleene.kernels.ngram_score`): per token one walk of at most ``order``
hash probes (keyed by the node of an n-gram and the word that extends it to
the left), O(N order) expected for N tokens. Sentences given as ASCII
strings are split and looked up in numba too (:class:`WordTable`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat

import numpy as np

from ..kernels.ngram_score import build_hashed, nodes_of, score_tokens_hashed
from ..kernels.word_lookup import build_word_tables, byte_classes, encode_text
from ._index import find_rows
from .counts import _validate_tables
from .errors import LmArgError, LmModelError
from .vocab import Vocabulary

#: log10 probability kenlm gives a word that is not in the model when the
#: model has no ``<unk>`` unigram (kenlm adds ``<unk>`` with this value).
DEFAULT_OOV_LOG10 = -100.0


class WordTable:
    """Sentence encoder: maps whitespace-split words to integer values in
    one numba pass over the bytes of the text (hash tables over the words,
    built once; see :mod:`kleene.kernels.word_lookup`).

    ``words[k]`` maps to ``values[k]`` (the last one for a word given
    twice, as a dict), any other word to ``miss``. Only ASCII words without
    whitespace or NUL are stored: no other word can come out of splitting
    ASCII text without NUL. O(total bytes) to build and per call."""

    __slots__ = ("_classes", "_data", "_miss", "_offsets", "_short_keys",
                 "_short_values", "_slots", "_values")

    def __init__(self, words: Sequence[str], values, miss: int):
        values = np.asarray(values, dtype=np.int64)
        short, long = [], []
        for k, w in enumerate(words):
            if w.isascii() and "\x00" not in w and w.split() == [w]:
                (short if len(w) <= 8 else long).append(k)
        packed = np.array([int.from_bytes(words[k].encode("ascii"), "big") for k in short],
                          dtype=np.uint64)
        encoded = [words[k].encode("ascii") for k in long]
        self._data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self._offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self._offsets[1:])
        self._values = values[np.asarray(long, dtype=np.int64)]
        short_size = 1 << max(4, (2 * len(short)).bit_length())
        size = 1 << max(4, (2 * len(encoded)).bit_length())
        self._short_keys, index, self._slots = build_word_tables(
            packed, short_size, self._data, self._offsets, size)
        self._short_values = np.full(short_size, miss, dtype=np.int64)
        used = index >= 0
        self._short_values[used] = values[np.asarray(short, dtype=np.int64)[index[used]]]
        self._miss = int(miss)
        self._classes = byte_classes(0)

    def encode(self, sentences, bos: int = -1, eos: int = -1):
        """``(ids, ptr)`` (int64; sentence ``s`` is ``ids[ptr[s]:ptr[s+1]]``,
        with ``bos``/``eos`` around its words when >= 0) when ``sentences`` is
        a non-empty list or tuple of ASCII strings without NUL; otherwise None
        (the caller's Python path applies). Words are split as
        ``str.split()`` splits them."""
        if not isinstance(sentences, (list, tuple)) or not sentences:
            return None
        try:
            text = "\x00".join(sentences)
        except TypeError:  # not all strings
            return None
        if not text.isascii():
            return None
        buf = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        ids, ptr, ok = encode_text(buf, self._classes, len(sentences), self._short_keys,
                                   self._short_values, self._slots, self._data,
                                   self._offsets, self._values, self._miss, bos, eos)
        return (ids, ptr) if ok else None  # not ok: a sentence holds a NUL


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
        """:meth:`_build_trie`, once per model (:mod:`kleene.lm.prune` and
        :meth:`find` walk it)."""
        return self._build_trie()

    def _build_trie(self):
        """Reversed-context trie arrays (``unigram_node, child_start,
        child_end, first_word, logprob, backoff``): per order the n-grams sorted by their words read right to
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
    def _hashed(self):
        """``(unigrams, unigrams_f, keys, values, prefix_closed)``: the hashed
        layout of :mod:`kleene.kernels.ngram_score` (built once per model
        from the trie, which is not kept unless it already was). Memory: 24
        bytes per vocabulary word, and 24 bytes per slot at 1.5 slots per
        longer n-gram."""
        trie = self.__dict__.get("_trie") or self._build_trie()
        _, child_start, child_end, first_word, logprob, backoff = trie
        longer = sum(len(t) for t in self.ngrams[1:])
        slots = max(1, longer * 3 // 2 + 1)  # load <= 2/3
        # allocated here, not in the kernel: numpy may back large arrays with
        # huge pages (fewer TLB misses for the random probes)
        unigrams = np.empty((len(self.vocab), 3), dtype=np.int64)
        keys = np.empty(slots, dtype=np.int64)
        values = np.empty((slots, 2), dtype=np.float64)
        prefix_closed = build_hashed(child_start, child_end, first_word, logprob, backoff,
                                     len(self.ngrams[0]), unigrams, keys, values)
        return unigrams, unigrams.view(np.float64), keys, values, bool(prefix_closed)

    @cached_property
    def _word_table(self) -> WordTable:
        """The sentence encoder: a word with a unigram maps to its id, any
        other word to ``<unk>``."""
        words = self.vocab._words
        ids = np.arange(len(words), dtype=np.int64)
        ids[self._hashed[0][:, 0] == -1] = Vocabulary.UNK
        return WordTable(words, ids, Vocabulary.UNK)

    @cached_property
    def _oov_logprob(self) -> float:
        unigrams, unigrams_f = self._hashed[:2]
        unk = Vocabulary.UNK
        return float(unigrams_f[unk, 1]) if unigrams[unk, 0] != -1 else DEFAULT_OOV_LOG10

    # -- scoring ---------------------------------------------------------------
    def _encode(self, sentences, bos: bool, eos: bool):
        """Token ids (int32; words without a unigram -> <unk>) and sentence
        pointers; ASCII string sentences take :class:`WordTable`'s numba path,
        anything else the Python one (same ids)."""
        if not isinstance(sentences, (list, tuple)):
            sentences = list(sentences)
        fast = self._word_table.encode(sentences, Vocabulary.BOS if bos else -1,
                                       Vocabulary.EOS if eos else -1)
        if fast is not None:
            return fast[0].astype(np.int32), fast[1]
        get = self.vocab._index.get
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
        known = self._hashed[0][ids, 0] != -1
        tokens[is_word] = np.where(known, ids, Vocabulary.UNK)
        return tokens, sent_ptr

    def token_scores(self, sentences: Iterable[Sequence[str] | str], *, bos: bool = True,
                     eos: bool = True) -> list[np.ndarray]:
        """Per sentence, the log10 probability of each scored token (the words,
        then ``</s>`` when ``eos``), as kenlm's ``full_scores`` gives them."""
        _, sent_ptr, lp, _ = self._score(sentences, bos, eos)
        first = 1 if bos else 0
        return [lp[sent_ptr[s] + first:sent_ptr[s + 1]].copy()
                for s in range(len(sent_ptr) - 1)]

    def _score(self, sentences, bos: bool, eos: bool):
        tokens, sent_ptr = self._encode(sentences, bos, eos)
        return tokens, sent_ptr, *self._score_tokens(tokens, sent_ptr, 1 if bos else 0)

    def _score_tokens(self, tokens, sent_ptr, first_scored: int):
        """``(log10 probs, matched lengths)`` of the encoded tokens (see
        :func:`~kleene.kernels.ngram_score.score_tokens`)."""
        out_lp = np.zeros(len(tokens), dtype=np.float64)
        out_len = np.zeros(len(tokens), dtype=np.int32)
        score_tokens_hashed(tokens, sent_ptr, first_scored, self.order, *self._hashed,
                            self._oov_logprob, out_lp, out_len)
        return out_lp, out_len

    def score_sentence(self, words: Sequence[str] | str, *, bos: bool = True,
                       eos: bool = True) -> float:
        """Total log10 probability of one sentence (a string is split on
        whitespace) by standard backoff: the longest n-gram of the model ending
        in each word gives its probability, plus the backoff weights of the
        longer contexts that exist. ``bos`` conditions the first word on
        ``<s>``; ``eos`` adds the probability of ``</s>``. Words not in the
        model score as ``<unk>`` (the ``<unk>`` unigram's probability, or
        -100 when the model has none, as kenlm). O(n order) expected hash
        probes (the first call builds the model's hash table, O(n-grams))."""
        _, _, lp, _ = self._score([words], bos, eos)
        return float(lp.sum())

    def score_corpus(self, sentences: Iterable[Sequence[str] | str], *,
                     bos: bool = True, eos: bool = True) -> tuple[float, int, int]:
        """``(total_log10, num_tokens, num_oov)`` over ``sentences``: tokens are
        the words plus one ``</s>`` per sentence (when ``eos``); ``num_oov``
        counts the words not in the model (scored as ``<unk>``) and is part of
        ``num_tokens``."""
        tokens, sent_ptr, lp, _ = self._score(sentences, bos, eos)
        # with bos every sentence starts with its (unscored) <s>, never <unk>
        num_scored = len(tokens) - (len(sent_ptr) - 1 if bos else 0)
        num_oov = int(np.count_nonzero(tokens == Vocabulary.UNK))
        return float(lp.sum()), num_scored, num_oov

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
        # score only the last token, the words before it as its context
        out_lp, _ = self._score_tokens(tokens, sent_ptr, len(tokens) - 1)
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
