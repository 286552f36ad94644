import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.lm import LmArgError, count_ngrams
from kleene.lm.prune import prune_model
from kleene.lm.smoothing import make_model

from ..reference.ngram_scoring import model_as_dict
from ..reference.stolcke_prune import naive_prune

WORDS = ["a", "b", "c", "d", "e"]
sentences = st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=2, max_size=14)


def _context_sums(model):
    """Sum over the predicted words of P(w | h) for every context h."""
    vocab = [w for w in model.vocab.words if w not in ("<eps>", "<s>") and model.find([w])]
    out = {}
    for k in range(1, model.order):
        for row in model.ngrams[k - 1].tolist():
            h = [model.vocab.word(i) for i in row]
            if h[-1] == "</s>":
                continue
            out[tuple(h)] = sum(10 ** model.log10_prob(h, w) for w in vocab)
    return out


@settings(deadline=None, max_examples=25)
@given(sentences, st.integers(2, 4), st.sampled_from(["mkn", "wb", "katz"]),
       st.sampled_from([0.0, 1e-4, 1e-2, 0.1, 1.0]))
def test_prune_matches_naive_and_sums_to_one(corpus, order, method, threshold):
    model = make_model(count_ngrams(corpus, order), method)
    pruned = prune_model(model, threshold=threshold)
    pruned.validate()
    assert pruned.num_ngrams[0] == model.num_ngrams[0]
    want = naive_prune(model_as_dict(model), order, threshold)
    got = model_as_dict(pruned)
    assert got.keys() == want.keys()
    for g, (p, b) in want.items():
        assert math.isclose(got[g][0], p) and math.isclose(got[g][1], b, abs_tol=1e-9), g
    for h, total in _context_sums(pruned).items():
        assert math.isclose(total, 1.0, rel_tol=1e-6), (h, total)


def test_threshold_monotone_and_target_size():
    rng = np.random.default_rng(0)
    corpus = [" ".join(rng.choice(WORDS + ["f", "g", "h"], rng.integers(1, 12)))
              for _ in range(300)]
    model = make_model(count_ngrams(corpus, 3), "mkn")
    sizes = [sum(prune_model(model, threshold=t).num_ngrams) for t in (0, 1e-6, 1e-4, 1e-2)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0]
    target = sum(model.num_ngrams) // 2
    small = prune_model(model, target_size=target)
    small.validate()
    assert sum(small.num_ngrams) <= target
    assert sum(small.num_ngrams) > model.num_ngrams[0]
    assert math.isclose(sum(10 ** small.log10_prob(["a"], w)
                            for w in small.vocab.words[2:] if small.find([w])), 1.0)
    with pytest.raises(LmArgError, match="unigrams"):
        prune_model(model, target_size=3)
    with pytest.raises(LmArgError, match="exactly one"):
        prune_model(model)
