"""kleene's ε/#0 form of G is kaldilm's ``arpa2fst --disambig-symbol=#0``
machine up to state numbering (isomorphic, weights to kaldilm's printed
precision), on random models, hand-written ARPA oddities and KJV models."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.lm import count_ngrams, read_arpa, write_arpa
from kleene.lm.fst import model_to_fst, score_with_fst

from .test_fst import _random_model, corpora
from .test_model import kjv_sentences

kaldilm = pytest.importorskip("kaldilm")


# -- kaldilm ------------------------------------------------------------------------
def _kaldilm_G(arpa, words_txt):
    from kleene.io.text import compile_text
    text = kaldilm.arpa2fst(str(arpa), disambig_symbol="#0",
                            read_symbol_table=str(words_txt), max_arpa_warnings=0)
    return compile_text(text, semiring="tropical")


def _check_against_kaldilm(model, tmp_path):
    arpa = tmp_path / "model.arpa"
    write_arpa(model, arpa)
    G = model_to_fst(model, backoff="epsilon", disambig="#0", semiring="tropical")
    words_txt = tmp_path / "words.txt"
    G.isymbols.write_text(words_txt)
    K = _kaldilm_G(arpa, words_txt)
    assert (K.num_states, K.num_arcs) == (G.num_states, G.num_arcs)
    # kaldilm prints weights with 6 significant digits
    assert kleene.isomorphic(G.replace(isymbols=None, osymbols=None), K, delta=1e-4)
    return G, K


@settings(deadline=None, max_examples=15)
@given(corpora, st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_epsilon_form_is_kaldilms_arpa2fst(tmp_path_factory, corpus, order, seed):
    model = _random_model(corpus, order, seed)
    _check_against_kaldilm(model, tmp_path_factory.mktemp("kaldilm"))


def test_kjv_models_match_kaldilm_and_score_exactly(tmp_path):
    from kleene.lm.smoothing import make_model
    sentences = kjv_sentences("Ruth 1:1-4:22")
    train, held = sentences[:70], sentences[70:]
    for order in (3, 5):
        model = make_model(count_ngrams(train, order), "mkn")
        G, K = _check_against_kaldilm(model, tmp_path)
        exact = np.array([model.score_sentence(s) for s in held])
        phi = score_with_fst(model_to_fst(model), held, oov_log10=-100.0)
        np.testing.assert_allclose(phi, exact, rtol=1e-9)
        eps = score_with_fst(G, held, oov_log10=-100.0)
        assert np.all(eps >= exact - 1e-4)  # float32 weights
        # kaldilm's machine gives the same ε scores as kleene's
        Kt = K.replace(isymbols=G.isymbols, osymbols=G.isymbols)
        np.testing.assert_allclose(score_with_fst(Kt, held, oov_log10=-100.0), eps,
                                   rtol=1e-5)
        # removing redundant states keeps the scores
        small = model_to_fst(model, remove_redundant=True)
        assert small.num_states < G.num_states
        np.testing.assert_allclose(score_with_fst(small, held, oov_log10=-100.0), exact,
                                   rtol=1e-9)


ODD_ARPA = """
\\data\\
ngram 1=6
ngram 2=6
ngram 3=3

\\1-grams:
-1.0\t</s>
-99\t<s>\t-0.5
-0.6\ta\t0.3
-0.7\tb\t-0.2
-0.9\tc\t-0.1
-1.2\t<unk>

\\2-grams:
-0.2\t<s> a\t-0.05
-0.4\ta b\t0.02
-0.3\tb </s>
-0.5\tb c\t-0.4
-0.25\ta <s>
-0.6\tc a\t-0.3

\\3-grams:
-0.1\t<s> a b
-0.15\ta b c
-0.2\tb c a

\\end\\
"""


def test_hand_written_arpa_oddities(tmp_path):
    """Positive backoffs, a misplaced <s> (skipped by both), a history with
    no continuation, <unk> as a word."""
    arpa = tmp_path / "odd.arpa"
    arpa.write_text(ODD_ARPA, encoding="utf-8")
    model = read_arpa(arpa)
    G = model_to_fst(model, backoff="epsilon", semiring="tropical")
    words_txt = tmp_path / "words.txt"
    G.isymbols.write_text(words_txt)
    K = _kaldilm_G(arpa, words_txt)
    assert kleene.isomorphic(G.replace(isymbols=None, osymbols=None), K, delta=1e-4)
    sentences = ["a b c a", "c a b", "b", "zz a", ""]
    exact = np.array([model.score_sentence(s) for s in sentences])
    np.testing.assert_allclose(score_with_fst(model_to_fst(model), sentences), exact,
                               rtol=1e-12)
