import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.lm import arpa as arpa_module
from kleene.lm import ArpaFormatError, count_ngrams, read_arpa, write_arpa

from ..reference.ngram_scoring import model_as_dict, random_model

WORDS = ["a", "b", "c", "d", "é"]
sentences = st.lists(st.lists(st.sampled_from(WORDS), max_size=7), min_size=1, max_size=10)

GOOD = """some header text SRILM writes
\\data\\
ngram 1=4
ngram 2=3

\\1-grams:
-99\t<s>\t-0.30103
-0.69897\t</s>
-0.39794\ta\t-0.1
-1.5\tb

\\2-grams:
-0.2\t<s> a
-0.3\ta b
-0.1\ta </s>

\\end\\
"""


def _round_trip(model):
    buf = io.StringIO()
    write_arpa(model, buf)
    return read_arpa(io.StringIO(buf.getvalue())), buf.getvalue()


@settings(deadline=None)
@given(sentences, st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_write_read_round_trips_bit_for_bit(corpus, order, seed):
    rng = np.random.default_rng(seed)
    model = random_model(rng, count_ngrams(corpus, order), with_unk=True)
    # make values whose shortest repr is long, and a -0.0 backoff
    model.logprob[0][:] = model.logprob[0] / 3.0
    if order > 1:
        model.backoff[0][0] = -0.0
    back, text = _round_trip(model)
    back.validate()
    assert back.order == model.order
    assert model_as_dict(back) == model_as_dict(model)
    for k in range(order):
        words_a = np.array(model.vocab.words)[model.ngrams[k]]
        words_b = np.array(back.vocab.words)[back.ngrams[k]]
        order_b = {tuple(r): i for i, r in enumerate(words_b.tolist())}
        idx = [order_b[tuple(r)] for r in words_a.tolist()]
        assert np.array_equal(back.logprob[k][idx].view(np.int64),
                              model.logprob[k].view(np.int64))
        assert np.array_equal(back.backoff[k][idx].view(np.int64),
                              model.backoff[k].view(np.int64))
    assert _round_trip(back)[1] == text
    # the vectorised reader and the line-by-line checking reader agree
    assert arpa_module._parse_fast(text) is not None
    assert model_as_dict(arpa_module._parse(io.StringIO(text), None)) == model_as_dict(back)


def test_reads_header_text_and_unordered_ngrams(tmp_path):
    model = read_arpa(io.StringIO(GOOD))
    assert model.num_ngrams == (4, 3)
    assert model.vocab.words[4:] == ["a", "b"]
    table = model_as_dict(model)
    assert table[("<s>",)] == (-99.0, -0.30103)
    assert table[("a", "</s>")] == (-0.1, 0.0)
    assert model.find(["b"]) == (-1.5, 0.0)
    gz = tmp_path / "m.arpa.gz"
    write_arpa(model, gz)
    assert model_as_dict(read_arpa(gz)) == table
    plain = tmp_path / "m.arpa"
    write_arpa(model, plain)
    assert plain.read_text().count("\\end\\") == 1
    assert model_as_dict(read_arpa(str(plain))) == table


def _bad(text, match, line):
    with pytest.raises(ArpaFormatError, match=match) as info:
        read_arpa(io.StringIO(text))
    assert info.value.line == line
    if line is not None:
        assert f"line {line}" in str(info.value)
    assert isinstance(info.value, OSError)


def test_malformed_files():
    lines = GOOD.splitlines(keepends=True)

    def edit(i, new):
        return "".join(lines[:i] + [new] + lines[i + 1:])

    _bad("no data here\n", "no \\\\data", None)
    _bad(GOOD.replace("ngram 2=3", "ngram 2=4"), "declares 4 2-grams", 17)
    _bad(GOOD.replace("\\end\\\n", ""), "missing \\\\end", 16)
    _bad(edit(9, "-0.3x\ta\t-0.1\n"), "'-0.3x' is not a number", 10)
    _bad(edit(9, "-0.39794\ta\tzero\n"), "'zero' is not a number", 10)
    _bad(edit(13, "-0.2\t<s> a b c\n"), "2-gram line needs", 14)
    _bad(edit(13, "-0.2\t<s> a b\n"), "one too many for a 2-gram", 14)
    _bad(edit(13, "-0.2\n"), "2-gram line needs", 14)
    _bad(edit(14, "-0.2\t<s> a\n"), "duplicate 2-gram", 15)
    _bad(edit(14, "-0.3\ta zz\n"), "not among the unigrams", 15)
    _bad(edit(2, "ngram 2=4\n"), "expected 'ngram 1", 3)
    _bad(edit(12, "-0.2\t<s> a\t-0.5\n"), "highest order", 13)
    _bad(edit(12, "-inf\t<s> a\n"), "finite", 13)
    _bad(GOOD.replace("\\2-grams:", "\\3-grams:"), "expected section", 12)


def test_invariant_violation_names_ngram_and_line():
    # drop the unigram 'b': the 2-gram 'a b' then uses an unknown word
    text = GOOD.replace("ngram 1=4", "ngram 1=3").replace("-1.5\tb\n", "")
    _bad(text, "not among the unigrams", 13)
    # '</s>' is always in the vocabulary, so a missing '</s>' unigram is
    # caught by the suffix check, with the 2-gram's line
    text = GOOD.replace("ngram 1=4", "ngram 1=3").replace("-0.69897\t</s>\n", "")
    _bad(text, "'a </s>' has no suffix 1-gram '</s>'", 14)
