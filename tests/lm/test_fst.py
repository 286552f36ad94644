"""Backoff WFSTs of n-gram models (kleene.lm.fst): the φ form scores every
sentence exactly as the model (checked against the naive dict scorer and
NgramModel), the ε form bounds it, and composition agrees with the walks.
The comparison with kaldilm's arpa2fst is in test_kaldilm.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.core.properties import Prop, compute_props
from kleene.errors import FstArgError, FstSymbolError
from kleene.lm import LmModelError, NgramModel, Vocabulary, count_ngrams
from kleene.lm.fst import LN10, PHI_SYMBOL, GScorer, model_to_fst, score_with_fst

from ..reference.ngram_scoring import model_as_dict, naive_score, random_model

WORDS = ["a", "b", "c", "d", "e"]
corpora = st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=12)
queries = st.lists(st.lists(st.sampled_from([*WORDS, "zz"]), max_size=10),
                   min_size=1, max_size=8)


def _random_model(corpus, order, seed, with_unk=True):
    counts = count_ngrams(corpus, order)
    return random_model(np.random.default_rng(seed), counts, with_unk=with_unk)


def _close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


@settings(deadline=None)
@given(corpora, st.integers(1, 5), st.integers(0, 2**32 - 1), queries, st.booleans(),
       st.booleans())
def test_phi_form_scores_exactly_as_the_model(corpus, order, seed, query, redundant, unk):
    model = _random_model(corpus, order, seed, with_unk=unk)
    G = model_to_fst(model, backoff="phi", remove_redundant=redundant)
    table = model_as_dict(model)
    got = score_with_fst(G, query, oov_log10=-100.0)
    for words, score in zip(query, got):
        want = naive_score(table, order, words)
        assert _close(score, want), (words, score, want)
        assert _close(score, model.score_sentence(words))
    scorer = GScorer(G)  # prepared once, used twice: same numbers
    np.testing.assert_array_equal(scorer.score(query, oov_log10=-100.0), got)
    np.testing.assert_array_equal(scorer.score(query, oov_log10=-100.0), got)
    # without <unk> and no OOV price, an OOV sentence is rejected
    strict = score_with_fst(G, query)
    for words, score, loose in zip(query, strict, got):
        if unk or all(w in WORDS and (w,) in table for w in words):
            assert score == loose
        else:
            assert score == -np.inf


@settings(deadline=None, max_examples=15)
@given(corpora, st.integers(1, 4), st.integers(0, 2**32 - 1), queries, st.booleans())
def test_phi_composition_agrees_with_the_walk(corpus, order, seed, query, redundant):
    model = _random_model(corpus, order, seed)
    G = model_to_fst(model, backoff="phi", remove_redundant=redundant)
    walk = score_with_fst(G, query)
    composed = score_with_fst(G, query, method="compose")
    np.testing.assert_allclose(composed, walk, rtol=1e-9, atol=1e-9)
    if not redundant:  # prefix probabilities (no </s>) as the model gives them
        no_eos = score_with_fst(G, query, eos=False)
        np.testing.assert_allclose(score_with_fst(G, query, eos=False, method="compose"),
                                   no_eos, rtol=1e-9, atol=1e-9)
        for words, score in zip(query, no_eos):
            assert _close(score, model.score_sentence(words, eos=False))


@settings(deadline=None, max_examples=20)
@given(corpora, st.integers(1, 4), st.integers(0, 2**32 - 1), queries,
       st.sampled_from(["#0", None]), st.booleans())
def test_epsilon_form_bounds_the_exact_score(corpus, order, seed, query, disambig,
                                             redundant):
    model = _random_model(corpus, order, seed)
    G = model_to_fst(model, backoff="epsilon", disambig=disambig,
                     remove_redundant=redundant)
    walk = score_with_fst(G, query)
    exact = np.array([model.score_sentence(w) for w in query])
    # tropical best path over every backoff route includes the exact route
    assert np.all(walk >= exact - 1e-9)
    composed = score_with_fst(G, query, method="compose")
    np.testing.assert_allclose(composed, walk, rtol=1e-9, atol=1e-9)


def test_epsilon_form_can_beat_the_exact_path():
    """A backoff cheaper than the explicit n-gram: the ε reading takes it."""
    v = Vocabulary(["a"])
    model = NgramModel(2, v, (np.array([[1], [2], [4]], np.int32),
                              np.array([[1, 4], [4, 2]], np.int32)),
                       (np.array([-99.0, -0.5, -0.1]), np.array([-2.0, -0.2])),
                       (np.array([0.0, 0.0, -0.1]), np.zeros(2)))
    exact = model.score_sentence("a")
    eps = score_with_fst(model_to_fst(model, backoff="epsilon"), ["a"])[0]
    phi = score_with_fst(model_to_fst(model, backoff="phi"), ["a"])[0]
    assert _close(phi, exact)
    assert _close(exact, -2.0 - 0.2)
    # <s> -> backoff (0) -> a (-0.1) -> </s> (-0.2): -0.3 beats -2.2
    assert _close(eps, -0.3)


@settings(deadline=None, max_examples=25)
@given(corpora, st.integers(1, 5), st.integers(0, 2**32 - 1),
       st.sampled_from(["phi", "epsilon"]), st.booleans())
def test_structure(corpus, order, seed, backoff, redundant):
    model = _random_model(corpus, order, seed)
    G = model_to_fst(model, backoff=backoff, remove_redundant=redundant)
    label = G.isymbols.find(PHI_SYMBOL if backoff == "phi" else "#0")
    assert label == len(model.vocab)
    # one backoff arc per state but the unigram state, to a shorter history
    src = G.arc_source
    bo = G.ilabel == label
    assert np.array_equal(np.bincount(src[bo], minlength=G.num_states),
                          np.r_[0, np.ones(G.num_states - 1, int)])
    if not redundant:
        # kaldilm's layout: one state per history below the top order
        hist = sum(int(((t[:, -1] != Vocabulary.EOS) & (t[:, -1] != Vocabulary.BOS)
                        | (k == 1) & (t[:, -1] == Vocabulary.BOS)).sum())
                   for k, t in enumerate(model.ngrams[:-1], start=1))
        assert G.num_states == 1 + hist
    n_word_arcs = sum(int(((t[:, -1] != Vocabulary.EOS) & (t[:, -1] != Vocabulary.BOS)).sum())
                      for t in model.ngrams)
    assert G.num_arcs == n_word_arcs + G.num_states - 1
    # the properties it claims are the ones a full computation finds
    fresh = G.replace(props=kleene.core.properties.Props())
    computed = compute_props(fresh, int(Prop.ACCEPTOR | Prop.NO_IEPSILONS | Prop.NO_OEPSILONS
                                        | Prop.ILABEL_SORTED | Prop.ACCESSIBLE))
    for prop in (Prop.ACCEPTOR, Prop.NO_IEPSILONS, Prop.NO_OEPSILONS, Prop.ILABEL_SORTED,
                 Prop.ACCESSIBLE):
        if G.props.get(prop) is not None:
            assert G.props.get(prop) == computed.get(prop), prop
    assert G.props.get(Prop.ILABEL_SORTED)
    # every weight is -ln(10) times a model number (or a sum of them)
    assert G.semiring.name == "tropical" and G.weight.dtype == np.float64
    bos_row = np.searchsorted(model.ngrams[0][:, 0], Vocabulary.BOS)
    if order > 1:
        assert G.start != 0
        start_bo = G.weight[G.indptr[G.start]:G.indptr[G.start + 1]][
            G.ilabel[G.indptr[G.start]:G.indptr[G.start + 1]] == label]
        assert _close(float(start_bo[0]), -LN10 * model.backoff[0][bos_row])
    else:
        assert G.start == 0


def test_symbol_table_order_and_missing_words():
    model = _random_model([["a", "b", "c"], ["c", "a"]], 3, 1)
    words = model.vocab.words
    table = kleene.SymbolTable("words")
    table.add_symbol("<eps>", 0)
    for i, w in enumerate(reversed(words[1:]), start=1):
        table.add_symbol(w, i)
    table.add_symbol("#0", len(words))
    G = model_to_fst(model, backoff="epsilon", symbols=table)
    assert G.props.get(Prop.ILABEL_SORTED)
    assert table.find("#phi") == -1  # the caller's table is not modified
    sentences = ["a b c", "c a", "b", "a a a"]
    np.testing.assert_allclose(
        score_with_fst(G, sentences),
        score_with_fst(model_to_fst(model, backoff="epsilon"), sentences), rtol=1e-12)
    Gphi = model_to_fst(model, symbols=table)
    assert Gphi.isymbols.find(PHI_SYMBOL) == len(words) + 1
    np.testing.assert_allclose(score_with_fst(Gphi, sentences),
                               [model.score_sentence(s) for s in sentences], rtol=1e-12)
    small = kleene.SymbolTable("words", ["<eps>", "a", "b"])
    with pytest.raises(FstSymbolError, match="not in the symbol table"):
        model_to_fst(model, symbols=small)


def test_float32_semiring_and_errors():
    model = _random_model([["a", "b"], ["b", "a", "a"]], 2, 3)
    G32 = model_to_fst(model, semiring="tropical")
    assert G32.weight.dtype == np.float32 and G32.semiring.arc_type == "standard"
    got = score_with_fst(G32, ["a b", "b b a"])
    np.testing.assert_allclose(got, [model.score_sentence("a b"),
                                     model.score_sentence("b b a")], rtol=1e-5)
    with pytest.raises(FstArgError, match="backoff must be"):
        model_to_fst(model, backoff="failure")
    with pytest.raises(FstArgError, match="must not contain"):
        score_with_fst(model_to_fst(model), ["a </s>"])
    with pytest.raises(FstArgError, match="method"):
        score_with_fst(model_to_fst(model), ["a"], method="dp")
    with pytest.raises(FstArgError, match="φ reading"):
        score_with_fst(model_to_fst(model, backoff="epsilon", disambig=None), ["a"],
                       reading="phi")
    # a 2-gram whose prefix is no unigram breaks the ARPA invariant
    broken = NgramModel(2, Vocabulary(["a", "b"]),
                        (np.array([[1], [2], [4]], np.int32), np.array([[5, 4]], np.int32)),
                        (np.array([-99.0, -0.5, -0.2]), np.array([-0.1])),
                        (np.zeros(3), np.zeros(1)))
    with pytest.raises(LmModelError, match="prefix"):
        model_to_fst(broken)


def test_mkn_model_probabilities_sum_to_one_through_G():
    """Every history state of an MKN model's φ-form G is a distribution:
    the probabilities of all words (found via φ) plus </s> sum to one."""
    from kleene.lm.smoothing import make_model
    corpus = ["a b c a b", "b c d", "a a b", "d c b a", "c c"]
    model = make_model(count_ngrams(corpus, 3), "mkn")
    G = model_to_fst(model)
    words = [w for w in model.vocab.words if w not in ("<eps>", "<s>", "</s>")
             and model.find([w]) is not None]
    # reach every history state by a sentence prefix, then sum over next words
    for prefix in ["", "a", "a b", "c", "b c", "d"]:
        base = score_with_fst(G, [prefix], eos=False)[0]
        total = 10 ** (score_with_fst(G, [prefix])[0] - base)
        for w in words:
            total += 10 ** (score_with_fst(G, [f"{prefix} {w}"], eos=False)[0] - base)
        assert abs(total - 1.0) < 1e-9, (prefix, total)
