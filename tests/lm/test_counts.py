import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.lm import (LmArgError, Vocabulary, count_ngrams, counts_to_fst, merge_counts,
                       prune_counts, read_text_files)

from ..reference.ngram_counts import counts_as_dict, naive_count_fst, naive_counts

WORDS = ["a", "b", "c", "dd", "é"]
sentences = st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=12)


@settings(deadline=None)
@given(sentences, st.integers(1, 5), st.booleans())
def test_counts_match_naive(corpus, order, as_strings):
    data = [" ".join(s) for s in corpus] if as_strings else corpus
    counts = count_ngrams(data, order)
    counts.validate()
    assert counts_as_dict(counts) == naive_counts(corpus, order)
    for k, t in enumerate(counts.ngrams, start=1):
        assert t.dtype == np.int32 and t.shape[1] == k
        assert counts.counts[k - 1].dtype == np.float64


@settings(deadline=None)
@given(st.lists(st.text(alphabet="ab c\t", max_size=8), min_size=1, max_size=6),
       st.integers(1, 4))
def test_char_unit(texts, order):
    counts = count_ngrams(texts, order, unit="char")
    expected = [["<space>" if ch == " " else ch for ch in " ".join(t.split())]
                for t in texts]
    assert counts_as_dict(counts) == naive_counts(expected, order)


def test_vocab_caps_map_to_unk():
    corpus = ["a a a b b c", "a b d"]
    counts = count_ngrams(corpus, 2, min_count=2)
    assert counts.vocab.words[4:] == ["a", "b"]
    expected = naive_counts([s.replace("c", "<unk>").replace("d", "<unk>").split()
                             for s in corpus], 2)
    assert counts_as_dict(counts) == expected
    top1 = count_ngrams(corpus, 1, max_vocab=1)
    assert top1.vocab.words[4:] == ["a"]
    assert top1.count(["<unk>"]) == 5


def test_given_vocab_and_dropping_unknown_words():
    vocab = Vocabulary(["a", "b"])
    counts = count_ngrams(["a x b", "y"], 2, vocab=vocab, unk=False)
    assert counts.vocab is vocab
    assert counts_as_dict(counts) == naive_counts([["a", "b"], []], 2)
    with_unk = count_ngrams(["a x b"], 2, vocab=vocab)
    assert with_unk.count(["a", "<unk>"]) == 1.0


def test_bad_arguments():
    with pytest.raises(LmArgError, match="reserved"):
        count_ngrams(["a </s> b"], 2)
    with pytest.raises(LmArgError, match="reserved"):
        count_ngrams(["a <s>"], 2, vocab=Vocabulary(["a"]))
    with pytest.raises(ValueError):
        count_ngrams(["a"], 0)
    with pytest.raises(LmArgError):
        count_ngrams(["a"], 2, unit="byte")
    with pytest.raises(LmArgError):
        count_ngrams(["a"], 2, vocab=Vocabulary(), min_count=2)


def test_read_text_files(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("a b\n\n  c  \n", encoding="utf-8")
    assert list(read_text_files(p)) == ["a b", "c"]
    assert list(read_text_files([p, p])) == ["a b", "c"] * 2


@settings(deadline=None)
@given(sentences, sentences, st.integers(1, 4), st.integers(1, 4))
def test_merge_equals_counting_both(c1, c2, o1, o2):
    a = count_ngrams(c1, o1)
    b = count_ngrams(c2, o2)
    merged = merge_counts(a, b)
    merged.validate()
    expected = naive_counts(c1, o1)
    for g, c in naive_counts(c2, o2).items():
        expected[g] = expected.get(g, 0) + c
    assert counts_as_dict(merged) == expected
    assert merged.order == max(o1, o2)


@settings(deadline=None)
@given(sentences, st.integers(2, 4), st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_prune_counts(corpus, order, cut):
    cut = [1, *cut]
    counts = count_ngrams(corpus, order)
    pruned = prune_counts(counts, cut)
    pruned.validate()
    full = naive_counts(corpus, order)
    kept = {}
    for g, c in sorted(full.items(), key=lambda x: len(x[0])):
        k = len(g)
        if k == 1 or (c >= cut[min(k - 1, len(cut) - 1)] and g[:-1] in kept and g[1:] in kept):
            kept[g] = c
    assert counts_as_dict(pruned) == kept
    with pytest.raises(LmArgError, match="unigrams"):
        prune_counts(counts, [2])


@settings(deadline=None)
@given(sentences, st.integers(1, 4))
def test_counts_to_fst_matches_naive(corpus, order):
    counts = count_ngrams(corpus, order)
    fst = counts_to_fst(counts, semiring="log64")
    start, table = naive_count_fst(naive_counts(corpus, order), order)
    assert fst.num_states == len(table)
    words = counts.vocab.words
    # walk both machines from the start, pairing states with histories
    seen = {fst.start: start}
    todo = [fst.start]
    while todo:
        s = todo.pop()
        h = seen[s]
        entry = table[h]
        arcs = list(fst.arcs(s))
        assert [a.ilabel for a in arcs] == sorted(a.ilabel for a in arcs)
        words_here = {}
        for a in arcs:
            assert a.ilabel == a.olabel
            if a.ilabel == 0:
                assert entry["backoff"] is not None and a.weight == 0.0
                dest = entry["backoff"]
            else:
                c, dest = entry["arcs"][words[a.ilabel]]
                assert math.isclose(a.weight, -math.log(c), abs_tol=1e-12)
                words_here[words[a.ilabel]] = c
            if a.nextstate in seen:
                assert seen[a.nextstate] == dest
            else:
                seen[a.nextstate] = dest
                todo.append(a.nextstate)
        assert words_here.keys() == entry["arcs"].keys()
        if entry["backoff"] is None:
            assert all(a.ilabel != 0 for a in arcs)
        fw = fst.final_weight(s) if hasattr(fst, "final_weight") else fst.final[s]
        if entry["final"] is None:
            assert fw == math.inf
        else:
            assert math.isclose(fw, -math.log(entry["final"]), abs_tol=1e-12)
    assert len(seen) == fst.num_states


def test_counts_to_fst_float32_log_semiring():
    counts = count_ngrams(["a b a", "b"], 2)
    fst = counts_to_fst(counts)
    assert fst.semiring.name == "log" and fst.weight.dtype == np.float32
    assert fst.isymbols.find(4) == "a"
