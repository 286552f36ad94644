"""``kleene shortestdistance``, ``shortestpath`` and ``randgen`` against the
library and pynini."""

from __future__ import annotations

import math
import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.cli.main import main

from ..helpers import fsts, require_pynini, weights_close
from .test_ops import assert_same, run_cli

EXAMPLES = settings(max_examples=12)


def parse_distances(text: str) -> list[tuple[int, float]]:
    rows = []
    for line in text.splitlines():
        state, weight = line.split("\t")
        rows.append((int(state), float(weight)))  # float() reads "Infinity"
    return rows


def distances_via_cli(fst, *flags) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.fst"), os.path.join(tmp, "d.txt")
        kleene.write(fst, src, format="binary")
        assert main(["shortestdistance", *flags, src, out]) == 0
        with open(out) as fh:
            return fh.read()


@EXAMPLES
@given(fsts(max_states=6, max_arcs=12), st.booleans())
def test_shortestdistance_matches_library_and_openfst(fst, reverse):
    pynini = require_pynini()
    text = distances_via_cli(fst, *(["--reverse"] if reverse else []))
    rows = parse_distances(text)
    ours = kleene.shortest_distance(fst, reverse=reverse)
    assert [s for s, _ in rows] == list(range(len(ours)))
    from kleene.cli.common import format_weight
    assert text == "".join(f"{s}\t{format_weight(w)}\n" for s, w in enumerate(ours))
    theirs = pynini.shortestdistance(fst.to_pynini(), reverse=reverse)
    theirs = [float(w) for w in theirs]
    for s, (_, w) in enumerate(rows):
        expected = theirs[s] if s < len(theirs) else math.inf
        assert weights_close(w, expected, 1e-3), (s, w, expected)


def test_shortestdistance_to_stdout(kleene_cli, tmp_path):
    fst = kleene.compile_text("0 1 1 1 0.5\n0 2 2 2 1.5\n1 2 3 3 0.25\n2 1\n3 3 4 4\n")
    path = tmp_path / "in.fst"
    kleene.write(fst, str(path), format="binary")
    r = kleene_cli("shortestdistance", path)
    assert r.status == 0, r
    assert r.out == "0\t0\n1\t0.5\n2\t0.75\n3\tInfinity\n"
    r = kleene_cli("shortestdistance", "--reverse", path)
    assert parse_distances(r.out)[0] == (0, 1.75)


@EXAMPLES
@given(fsts(max_states=6, max_arcs=12), st.sampled_from([1, 2, 3]), st.booleans())
def test_shortestpath_matches_library(fst, nshortest, unique):
    flags = [f"--nshortest={nshortest}"] + (["--unique"] if unique else [])
    try:
        expected = kleene.shortest_path(fst, nshortest=nshortest, unique=unique)
    except kleene.KleeneError:
        return  # e.g. --unique on a non-determinizable input: the error test covers it
    assert_same(run_cli("shortestpath", flags, fst), expected)


@EXAMPLES
@given(fsts(max_states=6, max_arcs=12))
def test_shortestpath_best_weight_matches_openfst(fst):
    pynini = require_pynini()
    out = run_cli("shortestpath", [], fst)
    best = kleene.shortest_distance(out, reverse=True)
    ours = float(best[out.start]) if out.start >= 0 else math.inf
    theirs = pynini.shortestpath(fst.to_pynini())
    ref = float(pynini.shortestdistance(theirs, reverse=True)[theirs.start()]) \
        if theirs.start() != -1 else math.inf
    assert weights_close(ours, ref, 1e-3)


def test_shortestpath_threshold_flags(kleene_cli, tmp_path):
    fst = kleene.compile_text("0 1 1 1 1\n0 1 2 2 2\n0 1 3 3 5\n1\n")
    path = tmp_path / "in.fst"
    kleene.write(fst, str(path), format="binary")
    out = tmp_path / "out.fst"
    r = kleene_cli("shortestpath", "--nshortest=3", "--weight=1.5", path, out)
    assert r.status == 0, r
    expected = kleene.shortest_path(fst, nshortest=3, weight_threshold=1.5)
    assert_same(kleene.read(str(out)), expected)
    labels = set(kleene.read(str(out)).ilabel.tolist()) - {0}
    assert labels == {1, 2}  # the path of weight 5 is beyond best + 1.5


@EXAMPLES
@given(fsts(max_states=5, max_arcs=10), st.integers(0, 5),
       st.sampled_from(["uniform", "log_prob"]))
def test_randgen_matches_library(fst, seed, select):
    flags = [f"--seed={seed}", "--npath=3", f"--select={select}", "--max_length=20"]
    try:
        expected = kleene.randgen(fst, npath=3, seed=seed, select=select, max_length=20)
    except kleene.KleeneError:
        # e.g. no successful path: the CLI reports the same error, exit status 1
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.fst")
            kleene.write(fst, src, format="binary")
            assert main(["randgen", *flags, src, os.path.join(tmp, "out.fst")]) == 1
        return
    assert_same(run_cli("randgen", flags, fst), expected)


def test_randgen_is_reproducible_with_a_seed(kleene_cli, tmp_path):
    fst = kleene.compile_text("0 0 1 1 0.5\n0 0 2 2 1\n0 0.5\n")
    path = tmp_path / "in.fst"
    kleene.write(fst, str(path), format="binary")
    outs = []
    for k in range(2):
        out = tmp_path / f"out{k}.fst"
        assert kleene_cli("randgen", "--npath=4", "--seed=11", path, out).status == 0
        outs.append(kleene.read(str(out)))
    assert outs[0].equal(outs[1])
    assert outs[0].has(kleene.Prop.ACYCLIC)
