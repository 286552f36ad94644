"""Smoothing on real text (a KJV slice): held-out behaviour, and kenlm reading
kleene-estimated ARPA files back with the same scores."""

from __future__ import annotations

import numpy as np
import pytest

from kleene.lm import CorpusNotFoundError, count_ngrams, write_arpa
from kleene.lm.corpus import kjv_verses, normalize_words
from kleene.lm.smoothing import make_model

SMOOTHED = [("mkn", True), ("mkn", False), ("kn", True), ("kn", False), ("wb", True),
            ("wb", False), ("absolute", True), ("absolute", False), ("katz", None)]


@pytest.fixture(scope="module")
def kjv():
    try:
        train = [" ".join(normalize_words(v)) for v in kjv_verses("Genesis 1:1-Exodus 40:38")]
        held_out = [" ".join(normalize_words(v)) for v in kjv_verses("Numbers 1:1-Numbers 5:31")]
    except CorpusNotFoundError as exc:
        pytest.skip(str(exc))
    return train, held_out, count_ngrams(train, 3)


def test_held_out_scores(kjv):
    _, held_out, counts = kjv
    _, num_tokens, num_oov = make_model(counts, "ml").score_corpus(held_out)
    assert num_oov > 0  # the slice has words Genesis-Exodus never uses
    perplexities = {}
    for method, interpolate in SMOOTHED + [("ml", None)]:
        model = make_model(counts, method, interpolate=interpolate)
        scores = np.concatenate(model.token_scores(held_out))
        perplexities[method, interpolate] = model.perplexity(held_out)
        if method == "ml":
            # unseen words and n-grams get probability 0 (stored as log10 -99)
            assert scores.min() <= -99.0
            assert perplexities[method, interpolate] > 10.0 ** (99.0 / num_tokens)
        else:
            if method != "katz":
                # discounting every count gives every token a positive probability
                # (textbook Katz leaves counts above `bins` undiscounted, so a
                # context followed only by frequent words, e.g. "children of",
                # has no mass for unseen words: SRILM's Katz does the same)
                assert scores.min() > -15.0, (method, interpolate)
            # every smoothed model beats the uniform distribution on in-domain text
            assert perplexities[method, interpolate] < len(model.vocab) - 2
    best_smoothed = min(v for k, v in perplexities.items() if k[0] != "ml")
    assert perplexities["ml", None] > 1e6 * best_smoothed


@pytest.mark.parametrize("method,interpolate", [("mkn", True), ("katz", None),
                                                ("wb", False), ("ml", None)])
def test_kenlm_reads_the_arpa_file_with_the_same_scores(kjv, tmp_path, method, interpolate):
    kenlm = pytest.importorskip("kenlm")
    train, held_out, counts = kjv
    model = make_model(counts, method, interpolate=interpolate)
    path = tmp_path / "model.arpa"
    write_arpa(model, path)
    ken = kenlm.Model(str(path))
    sentences = held_out[:300] + train[:200]
    ours = np.array([model.score_sentence(s) for s in sentences])
    theirs = np.array([ken.score(s, bos=True, eos=True) for s in sentences])
    # kenlm stores float32 probabilities and backoffs
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-3 if method == "ml" else 1e-4)
