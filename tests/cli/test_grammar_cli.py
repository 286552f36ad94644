"""``kleene rewrite``: the rewrite tester against kleene.grammar.rewrite (and
pynini for a cdrewrite rule)."""

from __future__ import annotations

import io

import pytest

import kleene
from kleene.cli.common import format_weight
from kleene.grammar.rewrite import (one_top_rewrite, optimal_rewrites, rewrites,
                                    top_rewrites)

from ..helpers import require_pynini


def _cross(i: str, o: str, weight: float = 0.0):
    b = kleene.FstBuilder()
    s0, s1 = b.add_states(2)
    b.set_start(s0)
    b.set_final(s1, weight)
    b.add_arc(s0, ord(i), ord(o), 0.0, s1)
    return b.freeze()


@pytest.fixture(scope="module")
def rule():
    """a -> a (0) | b (1) | c (1.5); b -> b; under closure."""
    return kleene.closure(kleene.union(_cross("a", "a"), _cross("a", "b", 1.0),
                                       _cross("a", "c", 1.5), _cross("b", "b")))


@pytest.fixture
def files(tmp_path, rule):
    rule_path = tmp_path / "rule.fst"
    kleene.write(rule, str(rule_path), format="binary")
    lines = tmp_path / "in.txt"
    lines.write_text("ab\naXa\n\nba\n")
    return rule_path, lines


def _rows(pairs, line, weights):
    return "".join(f"{line}\t{o}" + (f"\t{format_weight(w)}" if weights else "") + "\n"
                   for o, w in pairs)


def test_all_mode_prints_every_rewrite_and_reports_failures(kleene_cli, files, rule):
    rule_path, lines = files
    r = kleene_cli("rewrite", rule_path, "--input", lines)
    assert r.status == 1, r
    expected = "".join(_rows(rewrites(line, rule, with_weights=True), line, False)
                       for line in ("ab", "", "ba"))
    assert r.out == expected
    assert r.out.startswith("ab\tab\nab\tbb\nab\tcb\n")
    assert "line 2:" in r.err and "no rewrite for 'aXa'" in r.err
    assert "1 input line failed" in r.err


@pytest.mark.parametrize("mode,n", [("top", 2), ("optimal", 1), ("one_top", 1)])
def test_modes_and_weights_match_the_library(kleene_cli, files, rule, mode, n):
    rule_path, lines = files
    r = kleene_cli("rewrite", rule_path, f"--input={lines}", f"--mode={mode}",
                   f"--n={n}", "--show_weights")
    assert r.status == 1, r   # the aXa line
    expected = ""
    for line in ("ab", "", "ba"):
        if mode == "top":
            pairs = top_rewrites(line, rule, n, with_weights=True)
        elif mode == "optimal":
            pairs = optimal_rewrites(line, rule, with_weights=True)
        else:
            pairs = [one_top_rewrite(line, rule, with_weights=True)]
        expected += _rows(pairs, line, True)
    assert r.out == expected
    if mode == "top":
        assert r.out.startswith("ab\tab\t0\nab\tbb\t1\n")


def test_one_top_tie_is_an_error_per_line(kleene_cli, tmp_path):
    tie = kleene.closure(kleene.union(_cross("a", "b"), _cross("a", "c"), _cross("d", "d")))
    path = tmp_path / "tie.fst"
    kleene.write(tie, str(path), format="binary")
    lines = tmp_path / "in.txt"
    lines.write_text("a\nd\n")
    r = kleene_cli("rewrite", path, "--input", lines, "--mode=one_top")
    assert r.status == 1
    assert r.out == "d\td\n"
    assert "line 1: Multiple top rewrites" in r.err


def test_reads_standard_input(kleene_cli, files, rule, monkeypatch):
    rule_path, _ = files
    monkeypatch.setattr("sys.stdin", io.StringIO("aa\r\nb\n"))
    r = kleene_cli("rewrite", rule_path, "--mode=top")
    assert r.status == 0, r
    assert r.out == "aa\taa\nb\tb\n"


def test_cdrewrite_rule_matches_pynini(kleene_cli, tmp_path):
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    sigma = pynini.union(*"aeioustdz").closure()
    prule = pynini.cdrewrite(pynini.cross("s", "z"), pynini.union(*"aeiou"),
                             pynini.union(*"aeiou"), sigma).optimize()
    path = tmp_path / "rule.fst"
    prule.write(str(path))
    lines = ["asa", "sass", "isos"]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    r = kleene_cli("rewrite", path, "--input", tmp_path / "in.txt")
    assert r.status == 0, r
    assert r.out == "".join(f"{line}\t{out}\n" for line in lines
                            for out in rw.rewrites(line, prule))


def test_utf8_token_types(kleene_cli, tmp_path):
    b = kleene.FstBuilder()
    s0 = b.add_state()
    b.set_start(s0)
    b.set_final(s0)
    b.add_arc(s0, ord("é"), ord("e"), 0.0, s0)
    b.add_arc(s0, ord("a"), ord("a"), 0.0, s0)
    path = tmp_path / "r.fst"
    kleene.write(b.freeze(), str(path), format="binary")
    (tmp_path / "in.txt").write_text("aé\n", encoding="utf-8")
    r = kleene_cli("rewrite", path, "--input", tmp_path / "in.txt",
                   "--input_token_type=utf8", "--output_token_type=utf8")
    assert r.status == 0, r
    assert r.out == "aé\tae\n"
    r = kleene_cli("rewrite", path, "--input", tmp_path / "in.txt")
    assert r.status == 1 and "no rewrite" in r.err   # é as two bytes


def test_usage_errors(kleene_cli, files):
    rule_path, lines = files
    assert kleene_cli("rewrite", "--input", lines).status == 2
    assert kleene_cli("rewrite", rule_path, "--rule", "x").status == 2
    r = kleene_cli("rewrite", "-")
    assert r.status == 2 and "standard input" in r.err
    r = kleene_cli("rewrite", rule_path, "--input", lines, "--mode=top", "--n=0")
    assert r.status == 2
    r = kleene_cli("rewrite", rule_path, "--input", str(lines) + ".missing")
    assert r.status == 1 and "cannot read" in r.err


def test_log_rule_needs_mode_all(kleene_cli, tmp_path):
    b = kleene.FstBuilder("log")
    s0 = b.add_state()
    b.set_start(s0)
    b.set_final(s0)
    b.add_arc(s0, ord("a"), ord("b"), 0.5, s0)
    path = tmp_path / "log.fst"
    kleene.write(b.freeze(), str(path), format="binary")
    (tmp_path / "in.txt").write_text("aa\n")
    r = kleene_cli("rewrite", path, "--input", tmp_path / "in.txt", "--mode=top")
    assert r.status == 1 and "--mode=all" in r.err
    r = kleene_cli("rewrite", path, "--input", tmp_path / "in.txt", "--show_weights")
    assert r.status == 0 and r.out == "aa\tbb\t1\n"


def test_far_archive(kleene_cli, files, rule, tmp_path):
    far = pytest.importorskip("kleene.io.far")
    _, lines = files
    archive = tmp_path / "rules.far"
    far.write_far(str(archive), {"main": rule, "other": _cross("x", "y")})
    r = kleene_cli("rewrite", "--far", archive, "--rule", "main", "--input", lines,
                   "--mode=top")
    assert r.status == 1 and r.out == "ab\tab\n\t\nba\tba\n"
    r = kleene_cli("rewrite", "--far", archive, "--input", lines)
    assert r.status == 2 and "main, other" in r.err
    r = kleene_cli("rewrite", "--far", archive, "--rule", "nope", "--input", lines)
    assert r.status == 1 and "no machine named 'nope'" in r.err
