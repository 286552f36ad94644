"""The fast scoring paths of kleene.lm: the numba sentence encoder
(WordTable) against Python's ``str.split`` + dict look-up, the hashed n-gram
walk against the binary-search trie walk, and GScorer's hashed φ walk
against the binary-search one. Every comparison is exact (same ids, same
float64 numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.kernels import ngram_fst
from kleene.kernels.ngram_score import score_tokens
from kleene.lm import count_ngrams
from kleene.lm.fst import LN10, GScorer, _sentence_ids, model_to_fst
from kleene.lm.model import WordTable

from ..reference.ngram_scoring import random_model

WORDS = ["a", "b", "c", "dd", "e", "abcdefgh", "abcdefghi", "abcdefghijklmnopq"]
# every ASCII whitespace character of str.split(), and characters it keeps
SPACES = [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f"]
NOT_SPACES = ["\x1b", "\x7f", "\x01", "\x85"]  # \x85 splits in str but is not ASCII
LONG_OOV = ["abcdefgx", "abcdefghx", "abcdefghijklmnopx"]  # near misses, 8+ bytes
pieces = st.sampled_from([*WORDS, *LONG_OOV, "zz", "<unk>", "<s>", "</s>", "a-b", *SPACES,
                          "  "])
ascii_sentences = st.lists(st.lists(pieces, max_size=12).map("".join), max_size=12)


def _python_encode(sentences, index: dict, miss: int):
    ids, ptr = [], [0]
    for s in sentences:
        ids += [index.get(w, miss) for w in s.split()]
        ptr.append(len(ids))
    return np.array(ids, dtype=np.int64), np.array(ptr, dtype=np.int64)


def _model(corpus, order, seed, with_unk=True):
    return random_model(np.random.default_rng(seed), count_ngrams(corpus, order),
                        with_unk=with_unk)


corpora = st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=12)


@settings(deadline=None, max_examples=60)
@given(ascii_sentences, st.integers(-3, 7))
def test_word_table_splits_and_looks_up_as_python(sentences, miss):
    words = [*WORDS, "<unk>", "a-b", "ünï", "x y", "", "a\x00"]  # the last 4 never match
    values = np.arange(10, 10 + len(words))
    table = WordTable(words, values, miss)
    index = dict(zip(words, values.tolist()))
    got = table.encode(sentences)
    if not sentences:
        assert got is None  # the caller's Python path
        return
    want = _python_encode(sentences, index, miss)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    # with sentence boundaries
    ids, ptr = table.encode(sentences, bos=1, eos=2)
    for s, sent in enumerate(sentences):
        row = ids[ptr[s]:ptr[s + 1]]
        assert row[0] == 1 and row[-1] == 2
        np.testing.assert_array_equal(row[1:-1], want[0][want[1][s]:want[1][s + 1]])


def test_word_table_declines_what_it_cannot_split():
    table = WordTable(["a"], [5], -1)
    assert table.encode(["a \x85a"]) is None  # non-ASCII text
    assert table.encode(["a\x00b"]) is None  # the separator inside the text
    assert table.encode([["a"]]) is None  # pre-split
    assert table.encode([]) is None
    assert table.encode(iter(["a"])) is None  # not a list or tuple
    for c in NOT_SPACES[:3]:  # ASCII characters str.split keeps inside words
        np.testing.assert_array_equal(table.encode([f"a{c} a"])[0], [-1, 5])
    # a word given twice keeps its last value, as a dict would
    np.testing.assert_array_equal(WordTable(["a", "a"], [1, 2], 0).encode(["a"])[0], [2])
    long = "abcdefghijk"
    np.testing.assert_array_equal(
        WordTable([long, long, "b"], [1, 2, 3], 0).encode([f"{long} b"])[0], [2, 3])
    # no words at all
    np.testing.assert_array_equal(WordTable([], [], 7).encode(["a b", ""])[0], [7, 7])


@settings(deadline=None, max_examples=40)
@given(corpora, st.integers(1, 5), st.integers(0, 2**32 - 1), ascii_sentences,
       st.booleans())
def test_model_fast_path_equals_python_path(corpus, order, seed, sentences, unk):
    model = _model(corpus, order, seed, with_unk=unk)
    split = [s.split() for s in sentences]  # lists take the Python path
    for bos, eos in [(True, True), (False, True), (True, False), (False, False)]:
        fast = model._encode(sentences, bos, eos)
        slow = model._encode(split, bos, eos)
        np.testing.assert_array_equal(fast[0], slow[0])
        np.testing.assert_array_equal(fast[1], slow[1])
        assert fast[0].dtype == slow[0].dtype == np.int32
    if sentences:
        assert model.score_corpus(sentences) == model.score_corpus(split)
    for bos, eos in [(True, True), (False, True), (True, False), (False, False)]:
        tokens, ptr = model._encode(split, bos, eos)
        scored = np.ones(len(tokens), dtype=bool)  # counted directly
        if bos:
            scored[ptr[:-1]] = False
        _, n, oov = model.score_corpus(sentences, bos=bos, eos=eos)
        assert (n, oov) == (scored.sum(), np.count_nonzero(tokens[scored] == 3))
    # non-ASCII text falls back and reads the non-ASCII word as <unk>
    assert model.score_sentence("a \xfc\x85b") == model.score_sentence(["a", "\xfc", "b"])


@settings(deadline=None, max_examples=40)
@given(corpora, st.integers(1, 5), st.integers(0, 2**32 - 1), st.booleans(),
       st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_hashed_walk_equals_trie_walk(corpus, order, seed, unk, first_scored, seed2):
    model = _model(corpus, order, seed, with_unk=unk)
    rng = np.random.default_rng(seed2)
    v = len(model.vocab)
    # any ids, including ones outside the vocabulary (prune's rows are raw ids)
    tokens = rng.integers(-2, v + 3, 200).astype(np.int32)
    cuts = np.sort(rng.integers(0, 201, 12))
    ptr = np.concatenate([[0], cuts, [200]]).astype(np.int64)
    want_lp = np.full(200, 7.0)
    want_len = np.full(200, -5, np.int32)
    score_tokens(tokens, ptr, first_scored, model.order, *model._trie, model._oov_logprob,
                 want_lp, want_len)
    got_lp, got_len = model._score_tokens(tokens, ptr, first_scored)
    scored = want_len != -5  # positions the kernel writes (the rest stay 0 here)
    np.testing.assert_array_equal(got_lp[scored], want_lp[scored])
    np.testing.assert_array_equal(got_len[scored], want_len[scored])
    assert not got_lp[~scored].any()


@settings(deadline=None, max_examples=40)
@given(corpora, st.integers(1, 5), st.integers(0, 2**32 - 1), ascii_sentences,
       st.booleans(), st.booleans(), st.booleans(), st.sampled_from([None, -100.0]))
def test_gscorer_hashed_walk_equals_binary_search_walk(corpus, order, seed, sentences, unk,
                                                       redundant, eos, oov):
    model = _model(corpus, order, seed, with_unk=unk)
    scorer = GScorer(model_to_fst(model, backoff="phi", remove_redundant=redundant))
    sentences = [s for s in sentences if not set(s.split()) & {"<s>", "</s>"}]
    words, offsets = _sentence_ids(sentences, scorer.key_of, scorer.oov_id)
    if sentences:
        fast = scorer._word_table.encode(sentences)
        np.testing.assert_array_equal(fast[0], words)
        np.testing.assert_array_equal(fast[1], offsets)
    G = scorer.G
    cost = np.inf if oov is None else -LN10 * oov
    want, status = ngram_fst.phi_walk(G.indptr, G.ilabel, G.nextstate, G.weight, G.final,
                                      G.start, scorer.backoff_arc, words, offsets, eos,
                                      scorer.root, cost)
    assert status == ngram_fst.OK
    assert scorer._hashed() is not None
    np.testing.assert_array_equal(scorer.score(sentences, eos=eos, oov_log10=oov),
                                  -want / LN10)
    # pre-split sentences (the Python encoder) give the same numbers
    np.testing.assert_array_equal(
        scorer.score([s.split() for s in sentences], eos=eos, oov_log10=oov), -want / LN10)


def test_gscorer_refuses_reserved_words_on_the_fast_path():
    model = _model([["a", "b"]], 2, 0)
    scorer = GScorer(model_to_fst(model, backoff="phi"))
    with pytest.raises(ValueError, match="must not contain"):
        scorer.score(["a </s> b"])



def test_gscorer_hashed_walk_reports_a_backoff_cycle():
    from kleene.core.fst import Fst
    from kleene.core.symbols import SymbolTable
    from kleene.errors import FstOpError
    table = SymbolTable(symbols=["<eps>", "a", "b", "#phi"])
    phi = table.key("#phi")
    # state 0: a -> 1 and φ -> 1; state 1: φ -> 0 (a cycle of backoff arcs)
    G = Fst([0, 2, 3], [1, phi, phi], [1, phi, phi], [1, 1, 0], [0.5, 0.25, 0.125],
            [1.0, np.inf], 0, isymbols=table, osymbols=table)
    scorer = GScorer(G)
    # "a": 0 -> 1; state 1 is not final: back off to 0, which is
    np.testing.assert_allclose(scorer.score(["a"]), [-(0.5 + 0.125 + 1.0) / LN10])
    assert scorer._hashed() is not None  # the hashed walk gave that
    with pytest.raises(FstOpError, match="cycle"):
        scorer.score(["a b"])  # "b" has no arc anywhere: backs off forever
    with pytest.raises(FstOpError, match="cycle"):
        scorer.score(["b"], eos=False)


def test_hashed_walk_without_the_prefix_invariant():
    from kleene.lm import NgramModel, Vocabulary
    # the 3-gram "a b c" exists, its suffix "b c" too, but not its prefix "a b"
    vocab = Vocabulary(["a", "b", "c"])
    a, b, c = (vocab.id(w) for w in "abc")
    model = NgramModel(3, vocab,
                       (np.array([[1], [2], [a], [b], [c]], np.int32),
                        np.array([[b, c]], np.int32), np.array([[a, b, c]], np.int32)),
                       (np.full(5, -1.0), np.array([-0.5]), np.array([-0.25])),
                       (np.full(5, -0.125), np.array([-0.0625]), np.zeros(1)))
    assert model._hashed[4] is False  # searches are not skipped for it
    tokens, ptr = model._encode(["a b c"], True, True)
    want_lp = np.zeros(len(tokens))
    want_len = np.zeros(len(tokens), np.int32)
    score_tokens(tokens, ptr, 1, 3, *model._trie, model._oov_logprob, want_lp, want_len)
    got_lp, got_len = model._score_tokens(tokens, ptr, 1)
    np.testing.assert_array_equal(got_len, want_len)
    assert got_len[3] == 3  # "a b c" found
    np.testing.assert_array_equal(got_lp, want_lp)
