"""Smoothing methods: exact agreement with the dict-based reference estimators,
normalisation of every context, discount formulas, options and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kleene.lm import LmArgError, NgramCounts, count_ngrams, prune_counts
from kleene.lm.smoothing import (
    estimate_katz,
    estimate_kn,
    estimate_mkn,
    make_model,
    mkn_discount_table,
)
from kleene.lm.smoothing._discounts import katz_coefficients, mkn_discounts

from ..reference.ngram_estimators import reference_model

FORMS = [("mkn", True), ("mkn", False), ("kn", True), ("kn", False), ("wb", True),
         ("wb", False), ("absolute", True), ("absolute", False), ("katz", None),
         ("ml", None)]
WORDS = ["a", "b", "c", "d", "e", "f"]


@st.composite
def corpora(draw):
    """Small corpora (sometimes with a capped vocabulary, extra unseen words,
    pruned counts, or lower-order rows dropped, which the estimators must
    restore with count 0 to close the tables under prefix and suffix)."""
    alphabet = WORDS[:draw(st.integers(1, len(WORDS)))]
    sentences = draw(st.lists(st.lists(st.sampled_from(alphabet), max_size=7),
                              min_size=1, max_size=9))
    order = draw(st.integers(1, 4))
    variant = draw(st.sampled_from(["plain", "plain", "capped", "extra", "pruned",
                                    "holes"]))
    kwargs = {}
    if variant == "capped":
        kwargs["max_vocab"] = draw(st.integers(1, 3))
    counts = count_ngrams([" ".join(s) for s in sentences], order, **kwargs)
    if variant == "extra":
        from kleene.lm import Vocabulary
        vocab = Vocabulary(counts.vocab.words[4:] + ["zzz", "yyy"])
        counts = count_ngrams([" ".join(s) for s in sentences], order, vocab=vocab)
    if variant == "pruned" and order > 1:
        counts = prune_counts(counts, [1] + [2] * (order - 1))
    if variant == "holes" and order > 1:
        ngrams, values = list(counts.ngrams), list(counts.counts)
        for k in range(order - 1):
            keep = np.array(draw(st.lists(st.booleans(), min_size=len(ngrams[k]),
                                          max_size=len(ngrams[k]))), dtype=bool)
            ngrams[k], values[k] = ngrams[k][keep], values[k][keep]
        counts = NgramCounts(order, counts.vocab, tuple(ngrams), tuple(values))
    return counts


def model_as_dict(model):
    out = {}
    for table, lp, bo in zip(model.ngrams, model.logprob, model.backoff):
        for row, p, b in zip(table.tolist(), lp.tolist(), bo.tolist()):
            out[tuple(row)] = (p, b)
    return out


def assert_matches_reference(counts, method, interpolate, **options):
    model = make_model(counts, method, interpolate=interpolate, **options)
    model.validate()
    got = model_as_dict(model)
    want = reference_model(counts, method, interpolate=interpolate, **options)
    assert got.keys() == want.keys()
    for g, (p, b) in want.items():
        gp, gb = got[g]
        assert abs(gp - p) <= 1e-10, (method, interpolate, g, gp, p)
        assert abs(gb - b) <= 1e-10, (method, interpolate, g, gb, b)
    return model


def context_sums(model):
    """Sum over the predictable vocabulary of P(w | h) for every context h of
    the model (its n-grams below the top order, and the empty context), by the
    model's own backoff scoring."""
    words = [w for w in model.vocab.words if w not in ("<eps>", "<s>")]
    contexts = [[]] + [[model.vocab.word(i) for i in row]
                       for table in model.ngrams[:-1] for row in table.tolist()]
    queries = [ctx + [w] for ctx in contexts for w in words]
    scores = model.token_scores(queries, bos=False, eos=False)
    last = np.array([s[-1] for s in scores])
    return (10.0 ** last).reshape(len(contexts), len(words)).sum(axis=1), contexts


@given(counts=corpora(), form=st.sampled_from(FORMS))
def test_matches_reference_estimator(counts, form):
    method, interpolate = form
    assert_matches_reference(counts, method, interpolate)


@given(counts=corpora(), form=st.sampled_from(FORMS))
def test_every_context_sums_to_one(counts, form):
    method, interpolate = form
    model = make_model(counts, method, interpolate=interpolate)
    sums, contexts = context_sums(model)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    assert abs(sums[worst] - 1.0) <= 1e-9, (method, interpolate, contexts[worst], sums[worst])


KJV_LIKE = [
    "in the beginning god created the heaven and the earth",
    "and the earth was without form and void",
    "and darkness was upon the face of the deep",
    "and the spirit of god moved upon the face of the waters",
    "and god said let there be light and there was light",
    "and god saw the light that it was good",
    "and god divided the light from the darkness",
    "and god called the light day and the darkness he called night",
    "and the evening and the morning were the first day",
]


@pytest.mark.parametrize("method,interpolate", FORMS)
def test_log10_prob_sums_to_one_on_text(method, interpolate):
    # the literal check through NgramModel.log10_prob, one call per word
    counts = count_ngrams(KJV_LIKE, 3)
    model = assert_matches_reference(counts, method, interpolate)
    words = [w for w in model.vocab.words if w not in ("<eps>", "<s>")]
    for ctx in ([], ["<s>"], ["the"], ["<s>", "and"], ["and", "god"], ["the", "light"]):
        total = sum(10.0 ** model.log10_prob(ctx, w) for w in words)
        assert abs(total - 1.0) <= 1e-9, (ctx, total)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_options_match_reference(order):
    counts = count_ngrams(KJV_LIKE, order)
    assert_matches_reference(counts, "mkn", True, discounts=(0.3, 0.9, 1.2))
    assert_matches_reference(counts, "mkn", False,
                             discounts=[(0.1 * k, 0.5, 2.5) for k in range(1, order + 1)])
    assert_matches_reference(counts, "kn", True, discounts=0.8)
    assert_matches_reference(counts, "absolute", False,
                             discounts=[0.2 + 0.1 * k for k in range(order)])
    assert_matches_reference(counts, "katz", None, bins=2)
    assert_matches_reference(counts, "wb", True, k=2.5)


def test_missing_prefixes_and_suffixes_are_restored():
    counts = count_ngrams(KJV_LIKE, 3)
    # drop the bigram "the light" and the unigram "day": trigrams still use them
    vocab = counts.vocab
    bigrams = counts.ngrams[1]
    drop2 = np.all(bigrams == vocab.ids(["the", "light"]), axis=1)
    drop1 = counts.ngrams[0][:, 0] == vocab.id("day")
    assert drop2.sum() == 1 and drop1.sum() == 1
    holes = NgramCounts(3, vocab, (counts.ngrams[0][~drop1], bigrams[~drop2], counts.ngrams[2]),
                        (counts.counts[0][~drop1], counts.counts[1][~drop2], counts.counts[2]))
    for method, interpolate in FORMS:
        model = assert_matches_reference(holes, method, interpolate)
        assert model.find(["the", "light"]) is not None
        assert model.find(["day"]) is not None


def test_bos_is_never_predicted_and_unk_gets_mass():
    counts = count_ngrams(KJV_LIKE, 3)
    for method, interpolate in FORMS:
        model = make_model(counts, method, interpolate=interpolate)
        bos_row = int(np.flatnonzero(model.ngrams[0][:, 0] == 1)[0])
        assert model.logprob[0][bos_row] == -99.0
        unk = model.log10_prob([], "<unk>")
        if method == "ml":
            assert unk == -99.0
        else:  # every smoothed unigram level leaves mass for unseen words
            assert -10 < unk < math.log10(1.0 / (len(model.vocab) - 2)) + 1e-12


def test_mkn_discounts_follow_the_formula_on_a_known_table():
    # n1..n4 = 100, 40, 20, 12: Y = 100/180
    n = np.array([0, 100, 40, 20, 12], dtype=float)
    y = 100 / 180
    want = (1 - 2 * y * 40 / 100, 2 - 3 * y * 20 / 40, 3 - 4 * y * 12 / 20)
    assert np.allclose(mkn_discounts(n), want, rtol=0, atol=1e-15)
    assert mkn_discounts(np.array([0, 5, 0, 1, 1.0])) is None  # no doubletons
    assert mkn_discounts(np.array([0, 1, 1, 9, 1.0])) is None  # D2 = 2 - 9 < 0


def test_mkn_discount_table_on_real_counts():
    # discounts of the top order from its raw count-of-counts, lower orders
    # from continuation counts (recomputed here by brute force)
    rng = np.random.default_rng(7)
    text = [" ".join(f"w{i}" for i in rng.zipf(2.0, size=12) % 50) for _ in range(300)]
    counts = count_ngrams(text, 2)
    table = mkn_discount_table(counts)
    bigrams = {tuple(r): c for r, c in zip(counts.ngrams[1].tolist(), counts.counts[1])}
    coc = np.zeros(5)
    for c in bigrams.values():
        if c <= 4:
            coc[int(c)] += 1
    assert table[1] is not None and np.allclose(table[1], mkn_discounts(coc))
    left = {}
    for (v, w) in bigrams:
        left.setdefault(w, set()).add(v)
    coc1 = np.zeros(5)
    for (w,), c in zip(counts.ngrams[0].tolist(), counts.counts[0]):
        a = c if w == 1 else len(left.get(w, ()))
        if w != 1 and 1 <= a <= 4:
            coc1[int(a)] += 1
    assert table[0] is not None and np.allclose(table[0], mkn_discounts(coc1))


def test_katz_coefficients_formula():
    n = np.array([0, 120, 50, 30, 20, 14, 10, 8], dtype=float)
    d = katz_coefficients(n, 5)
    a = 6 * 10 / 120
    for r in range(1, 6):
        r_star = (r + 1) * n[r + 1] / n[r]
        assert d[r] == pytest.approx((r_star / r - a) / (1 - a), abs=1e-15)
    # unusable estimates leave the count undiscounted
    assert np.all(katz_coefficients(np.zeros(8), 5) == 1.0)


def test_errors_say_what_to_do():
    counts = count_ngrams(["a b", "b"], 2)
    with pytest.raises(LmArgError, match="unknown smoothing method"):
        make_model(counts, "good_turing")
    with pytest.raises(LmArgError, match="backoff form"):
        make_model(counts, "katz", interpolate=True)
    with pytest.raises(LmArgError, match="discount_fallback"):
        estimate_mkn(counts, discount_fallback=None)
    with pytest.raises(LmArgError, match="discount_fallback"):
        estimate_kn(count_ngrams(["a a", "a a"], 1), discount_fallback=None)
    with pytest.raises(LmArgError, match="per order"):
        estimate_mkn(counts, discounts=(0.5, 1.0))
    with pytest.raises(LmArgError, match="exactly 2"):
        estimate_kn(counts, discounts=[0.5, 0.5, 0.5])
    with pytest.raises(LmArgError, match="bins"):
        estimate_katz(counts, bins=0)
    with pytest.raises(LmArgError, match="does not take"):
        make_model(counts, "wb", discounts=0.5)
