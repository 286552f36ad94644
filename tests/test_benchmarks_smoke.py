"""Smoke test of the benchmark harness (not a benchmark): the generators and
the OpenFst encoder agree with kleene's bridge, a mismatch is never timed, a
missing operation is skipped, and a tiny quick run writes its report."""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import require_pynini

pytest.importorskip("benchmarks.harness")


def test_openfst_encoder_matches_the_bridge():
    pynini = require_pynini()
    from benchmarks.generate import lattice, random_fst, string_trie, to_pynini_fast
    machines = [random_fst(30, 120, seed=1), random_fst(30, 90, acyclic=True, shuffle=True,
                                                       semiring="log64", seed=2),
                lattice(25, 70, semiring="log"), string_trie(40)]
    for fst in machines:
        assert pynini.equal(to_pynini_fast(fst), fst.to_pynini())


def test_generators_have_the_promised_shape():
    pynini = require_pynini()
    from benchmarks.generate import lattice, random_fst, string_trie, to_pynini_fast
    trie = to_pynini_fast(string_trie(200, seed=3))
    props = pynini.ACYCLIC | pynini.I_DETERMINISTIC | pynini.ACCEPTOR
    assert trie.properties(props, True) == props
    dag = random_fst(50, 200, acyclic=True, shuffle=True, seed=4)
    assert to_pynini_fast(dag).properties(pynini.ACYCLIC, True) == pynini.ACYCLIC
    lat = lattice(60, 200)
    assert lat.num_arcs == 200
    assert np.all(lat.nextstate > lat.arc_source)


def test_mismatch_is_not_timed_and_missing_ops_are_skipped():
    from benchmarks.harness import Case, Mismatch, Workload, run_workload

    def disagree(_k, _p):
        raise Mismatch("planted disagreement")

    calls = []
    case = Case(kleene=lambda: calls.append("k"), pynini=lambda: calls.append("p"),
                check=disagree, num_states=1, num_arcs=1, input_bytes=1)
    row = run_workload(Workload("planted", "tiny", (), lambda: case), repeat=5, log=lambda m: None)
    assert row.status == "MISMATCH" and row.kleene == [] and calls == ["k", "p"]
    row = run_workload(Workload("missing", "tiny", ("algorithms.no_such_operation:x",),
                                lambda: case), repeat=5, log=lambda m: None)
    assert row.status == "skipped" and "has not landed" in row.reason


def test_quick_run_writes_the_report(tmp_path):
    require_pynini()
    from benchmarks.runner import run_all
    out = tmp_path / "report.md"
    status = run_all(quick=True, only=["invert", "write binary"], threads=1, repeat=1,
                     jit=False, output=str(out), log=lambda m: None)
    text = out.read_text()
    assert status == 0
    assert "| workload | input |" in text and "ratio" in text
    assert "| invert |" in text or "invert | cyclic" in text
