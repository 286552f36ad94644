"""``kleene lm count|make|prune|arpa2fst|perplexity``: each command's output
equals what the library functions give on the same input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kleene
from kleene.cli.main import main
from kleene.lm import count_ngrams, read_arpa, write_arpa
from kleene.lm.fst import model_to_fst
from kleene.lm.prune import prune_model
from kleene.lm.smoothing import make_model

CORPUS = """the cat sat on the mat
the dog sat on the log
a cat and a dog
the cat saw the dog on the mat

the end
"""


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return path


def _sentences():
    return [line for line in CORPUS.splitlines() if line.strip()]


def _run(*argv) -> int:
    return main(["lm", *map(str, argv)])


def test_count_text_round_trips(corpus, tmp_path):
    out = tmp_path / "counts.tsv"
    assert _run("count", corpus, "--order", 3, "-o", out, "--noprogress") == 0
    from kleene.cli.lm import read_counts_text
    got = read_counts_text(str(out))
    want = count_ngrams(_sentences(), 3)
    assert got.order == want.order == 3
    for k in range(3):
        words_got = [tuple(got.vocab.word(i) for i in row) for row in got.ngrams[k].tolist()]
        words_want = [tuple(want.vocab.word(i) for i in row) for row in want.ngrams[k].tolist()]
        assert dict(zip(words_got, got.counts[k].tolist())) == \
            dict(zip(words_want, want.counts[k].tolist()))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == sum(want.num_ngrams)
    the_cat = sum(f" {s} ".count(" the cat ") for s in _sentences())
    assert the_cat == 2 and f"the cat\t{the_cat}" in lines


def test_count_fst(corpus, tmp_path):
    from kleene.lm.counts import counts_to_fst
    out = tmp_path / "counts.fst"
    assert _run("count", corpus, "--order", 2, "-o", out) == 0
    want = counts_to_fst(count_ngrams(_sentences(), 2))
    got = kleene.read(str(out))
    assert got.num_states == want.num_states and got.num_arcs == want.num_arcs
    assert kleene.isomorphic(got.replace(isymbols=None, osymbols=None),
                             want.replace(isymbols=None, osymbols=None))


@pytest.mark.parametrize("method", ["mkn", "wb", "katz"])
def test_make_from_counts_and_from_corpus(corpus, tmp_path, method):
    counts_path = tmp_path / "c.counts"
    assert _run("count", corpus, "--order", 3, "-o", counts_path) == 0
    a, b = tmp_path / "a.arpa", tmp_path / "b.arpa"
    assert _run("make", counts_path, "--method", method, "-o", a) == 0
    assert _run("make", corpus, "--order", 3, "--method", method, "-o", b) == 0
    want = tmp_path / "want.arpa"
    write_arpa(make_model(count_ngrams(_sentences(), 3), method), want)
    model_a, model_want = read_arpa(a), read_arpa(want)
    assert b.read_text() == want.read_text()
    # the counts file renumbers words: compare by the words' scores
    for s in _sentences() + ["the mat sat", "zebra"]:
        assert math.isclose(model_a.score_sentence(s), model_want.score_sentence(s),
                            rel_tol=1e-12)


def test_prune_matches_prune_model(corpus, tmp_path):
    model_path, pruned_path = tmp_path / "m.arpa", tmp_path / "p.arpa"
    assert _run("make", corpus, "--order", 3, "-o", model_path) == 0
    model = read_arpa(model_path)
    target = len(model.ngrams[0]) + 10
    assert _run("prune", model_path, "--target-size", target, "-o", pruned_path) == 0
    got = read_arpa(pruned_path)
    assert sum(got.num_ngrams) <= target < sum(model.num_ngrams)
    want = prune_model(model, target_size=target)
    assert got.num_ngrams == want.num_ngrams
    assert _run("prune", model_path, "--threshold", "1e-3", "-o", pruned_path) == 0
    assert read_arpa(pruned_path).num_ngrams == prune_model(model, threshold=1e-3).num_ngrams


def test_prune_needs_exactly_one_criterion(corpus, tmp_path, capsys):
    assert _run("prune", corpus, "-o", tmp_path / "x.arpa") == 2
    assert _run("prune", corpus, "--threshold", 1, "--target-size", 3, "-o",
                tmp_path / "x.arpa") == 2


@pytest.mark.parametrize("flags,backoff,semiring", [
    ([], "epsilon", "tropical"),
    (["--disambig", ""], "epsilon", "tropical"),
    (["--phi", "--arc_type", "tropical64"], "phi", "tropical64"),
    (["--phi", "--remove-redundant"], "phi", "tropical")])
def test_arpa2fst_writes_model_to_fst(corpus, tmp_path, flags, backoff, semiring):
    model_path, g_path, sym_path = tmp_path / "m.arpa", tmp_path / "G.fst", tmp_path / "w.txt"
    assert _run("make", corpus, "--order", 3, "-o", model_path) == 0
    assert _run("arpa2fst", model_path, "-o", g_path, "--write-symbols", sym_path,
                *flags) == 0
    got = kleene.read(str(g_path))
    disambig = None if "" in flags else "#0"
    want = model_to_fst(read_arpa(model_path), backoff=backoff, disambig=disambig,
                        semiring=semiring, remove_redundant="--remove-redundant" in flags)
    assert got.semiring.name == want.semiring.name
    assert got.weight.dtype == want.weight.dtype
    assert got.equal(want)
    assert kleene.SymbolTable.read_text(sym_path) == want.isymbols
    # the written table read back as labels gives the same machine
    again = tmp_path / "G2.fst"
    assert _run("arpa2fst", model_path, "-o", again, "--read-symbols", sym_path,
                *flags) == 0
    assert kleene.read(str(again)).equal(want)


def test_perplexity(corpus, tmp_path, capsys):
    model_path = tmp_path / "m.arpa"
    assert _run("make", corpus, "--order", 2, "-o", model_path) == 0
    test = tmp_path / "test.txt"
    test.write_text("the cat sat\nthe zebra sat on the dog\n", encoding="utf-8")
    capsys.readouterr()
    assert _run("perplexity", model_path, test, "--sentences") == 0
    lines = capsys.readouterr().out.splitlines()
    model = read_arpa(model_path)
    sentences = ["the cat sat", "the zebra sat on the dog"]
    for line, s in zip(lines, sentences):
        score, text = line.split("\t")
        assert text == s and math.isclose(float(score), model.score_sentence(s), abs_tol=1e-6)
    fields = dict(f.split("=") for f in lines[-1].split())
    total, tokens, oov = model.score_corpus(sentences)
    assert int(fields["tokens"]) == tokens == 3 + 1 + 6 + 1
    assert int(fields["oov"]) == oov == 1
    assert math.isclose(float(fields["ppl"]), model.perplexity(sentences), rel_tol=1e-6)


def test_errors_exit_with_a_message(tmp_path, capsys):
    assert _run("perplexity", tmp_path / "missing.arpa", tmp_path / "t.txt") == 1
    assert "missing.arpa" in capsys.readouterr().err
    bad = tmp_path / "bad.counts"
    bad.write_text("a b\t2\nthe cat 3\n", encoding="utf-8")
    assert _run("make", bad, "-o", tmp_path / "x.arpa") == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "count" in err
    assert _run("count", tmp_path / "missing.txt", "-o", tmp_path / "c.tsv") == 1
    assert _run("frobnicate") == 2
    np.testing.assert_equal(capsys.readouterr().out, "")
