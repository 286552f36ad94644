import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.lm import LmModelError, NgramModel, Vocabulary, count_ngrams, write_arpa

from ..reference.ngram_scoring import (
    model_as_dict,
    naive_log10_prob,
    naive_score,
    random_model,
)

WORDS = ["a", "b", "c", "d"]
sentences = st.lists(st.lists(st.sampled_from(WORDS), max_size=7), min_size=1, max_size=10)
queries = st.lists(st.lists(st.sampled_from([*WORDS, "zz", "<unk>"]), max_size=9),
                   min_size=1, max_size=6)


def _model(corpus, order, seed, with_unk):
    counts = count_ngrams(corpus, order)
    return random_model(np.random.default_rng(seed), counts, with_unk=with_unk)


@settings(deadline=None)
@given(sentences, st.integers(1, 5), st.integers(0, 2**32 - 1), queries,
       st.sampled_from([None, True, False]))
def test_scores_match_naive_backoff(corpus, order, seed, query, with_unk):
    model = _model(corpus, order, seed, with_unk)
    model.validate()
    table = model_as_dict(model)
    for words in query:
        for bos, eos in [(True, True), (False, True), (True, False)]:
            got = model.score_sentence(words, bos=bos, eos=eos)
            want = naive_score(table, order, words, bos=bos, eos=eos)
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9)
        assert model.score_sentence(" ".join(words)) == model.score_sentence(words)
    per_token = model.token_scores(query)
    for words, scores in zip(query, per_token):
        assert len(scores) == len(words) + 1
        assert math.isclose(scores.sum(), model.score_sentence(words), abs_tol=1e-9)


@settings(deadline=None)
@given(sentences, st.integers(1, 4), st.integers(0, 2**32 - 1),
       st.lists(st.sampled_from(["<s>", *WORDS, "zz"]), max_size=5), st.sampled_from(WORDS))
def test_log10_prob_matches_naive(corpus, order, seed, context, word):
    model = _model(corpus, order, seed, None)
    table = model_as_dict(model)
    want = naive_log10_prob(table, order, [w if w in model.vocab else "<unk>" for w in context],
                            word if word in model.vocab else "<unk>")
    assert math.isclose(model.log10_prob(context, word), want, abs_tol=1e-9)


def test_corpus_totals_and_perplexity():
    model = _model([["a", "b"], ["b", "c", "a"]], 3, 7, True)
    corpus = ["a b c", "zz a", ""]
    total, n, oov = model.score_corpus(corpus)
    assert n == 3 + 1 + 2 + 1 + 0 + 1
    assert oov == 1
    assert math.isclose(total, sum(model.score_sentence(s) for s in corpus))
    assert math.isclose(model.perplexity(corpus), 10 ** (-total / n))
    assert model.find(["a", "b"]) is not None and model.find(["zz"]) is None
    with pytest.raises(ValueError):
        model.perplexity([])


def _tiny_model(**changes):
    v = Vocabulary(["a"])
    fields = {"order": 2, "vocab": v,
              "ngrams": (np.array([[1], [2], [4]], np.int32),
                         np.array([[1, 4], [4, 2]], np.int32)),
              "logprob": (np.array([-99.0, -0.5, -0.2]), np.array([-0.1, -0.2])),
              "backoff": (np.array([-0.3, 0.0, -0.1]), np.zeros(2))}
    fields.update(changes)
    return NgramModel(**fields)


def test_validate_names_the_bad_ngram():
    _tiny_model().validate()
    missing_suffix = (np.array([[1], [4]], np.int32), np.array([[1, 4], [4, 2]], np.int32))
    with pytest.raises(LmModelError, match="'a </s>' has no suffix 1-gram '</s>'"):
        _tiny_model(ngrams=missing_suffix, logprob=(np.zeros(2) - 1, np.zeros(2) - 1),
                    backoff=(np.zeros(2), np.zeros(2))).validate()
    unsorted = (np.array([[1], [2], [4]], np.int32), np.array([[4, 2], [1, 4]], np.int32))
    with pytest.raises(LmModelError, match="sorted"):
        _tiny_model(ngrams=unsorted).validate()
    with pytest.raises(LmModelError, match="highest order"):
        _tiny_model(backoff=(np.zeros(3), np.array([0.0, -1.0]))).validate()
    with pytest.raises(LmModelError, match="finite"):
        _tiny_model(logprob=(np.array([-99.0, -np.inf, -0.2]), np.array([-0.1, -0.2]))).validate()


# -- agreement with kenlm ----------------------------------------------------------

def kjv_sentences(ref: str) -> list[str]:
    """The KJV verses of ``ref`` (e.g. ``"Ruth 1:1-4:22"``), each normalised
    to one sentence of words; skips the test without the bible-kjv package."""
    from kleene.lm.corpus import kjv_verses, normalize_words
    try:
        verses = kjv_verses(ref)
    except FileNotFoundError:
        pytest.skip("bible-kjv not installed (apt-get install bible-kjv bible-kjv-text)")
    return [" ".join(normalize_words(v)) for v in verses]


def _kenlm_agreement(tmp_path, model, test_sentences):
    kenlm = pytest.importorskip("kenlm")
    path = tmp_path / "m.arpa"
    write_arpa(model, path)
    km = kenlm.Model(str(path))
    ours = model.token_scores(test_sentences)
    for s, scores in zip(test_sentences, ours):
        theirs = km.score(s, bos=True, eos=True)
        assert abs(theirs - scores.sum()) <= 1e-4 + 1e-6 * abs(theirs), s
    for s in test_sentences[:50]:
        assert math.isclose(km.score(s, bos=False, eos=False),
                            model.score_sentence(s, bos=False, eos=False), abs_tol=1e-4)
    sample = test_sentences[:200]
    _, n, _ = model.score_corpus(sample)
    kenlm_total = sum(km.score(s) for s in sample)
    kenlm_tokens = sum(len(s.split()) + 1 for s in sample)
    assert n == kenlm_tokens
    assert math.isclose(model.perplexity(sample), 10 ** (-kenlm_total / kenlm_tokens),
                        rel_tol=1e-4)
    one = sample[0]
    assert math.isclose(km.perplexity(one), model.perplexity([one]), rel_tol=1e-4)


@pytest.mark.parametrize("with_unk", [True, False])
def test_kenlm_agrees_on_synthetic_text(tmp_path, with_unk):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    train = [" ".join(rng.choice(words[:30], rng.integers(0, 12))) for _ in range(400)]
    model = random_model(rng, count_ngrams(train, 4), with_unk=with_unk)
    test = [" ".join(rng.choice(words, rng.integers(0, 15))) for _ in range(2000)]
    _kenlm_agreement(tmp_path, model, test)


def test_kenlm_agrees_on_kjv(tmp_path):
    text = kjv_sentences("Genesis 1:1-Exodus 40:38")
    train, test = text[: len(text) * 3 // 4], text[len(text) * 3 // 4:]
    model = random_model(np.random.default_rng(5), count_ngrams(train, 5), with_unk=True)
    assert len(test) > 500
    _kenlm_agreement(tmp_path, model, test)
