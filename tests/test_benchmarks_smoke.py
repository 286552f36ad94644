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


def _planted_case(peers):
    from benchmarks.harness import Case
    return Case(kleene=lambda: 1, pynini=lambda: 1, check=lambda k, p: None,
                num_states=1, num_arcs=1, input_bytes=1, peers=peers)


def test_peer_mismatch_marks_only_the_peer_cell():
    from benchmarks.harness import Mismatch, PeerCase, Workload, run_workload

    def disagree(_converted, _pynini):
        raise Mismatch("planted peer disagreement")

    calls = []
    peers = {"good": PeerCase(run=lambda: calls.append("g") or 1),
             "bad": PeerCase(run=lambda: 2, convert=lambda r: r + 1, check=disagree)}
    row = run_workload(Workload("planted", "tiny", (), lambda: _planted_case(peers)),
                       repeat=3, log=lambda m: None)
    assert row.status == "ok" and len(row.kleene) == 3 and len(row.pynini) == 3
    assert row.peers["good"].status == "ok" and len(row.peers["good"].times) == 3
    assert len(calls) == 1 + 3 + 1  # check run, timed runs, memory run
    assert row.peers["bad"].status == "MISMATCH" and row.peers["bad"].times == []
    assert "planted peer disagreement" in row.peers["bad"].reason


def test_capped_peer_is_interrupted_and_reported_over_cap():
    import time

    from benchmarks.harness import CapExceeded, PeerCase, Workload, call_capped, run_workload

    def spin():  # pure Python: the alarm interrupts it
        end = time.perf_counter() + 5.0
        while time.perf_counter() < end:
            pass

    # the cap itself: timed around the capped call alone (run_workload's memory
    # probes take seconds in a large process, e.g. at the end of the full suite)
    t0 = time.perf_counter()
    with pytest.raises(CapExceeded):
        call_capped(spin, 0.2)
    assert time.perf_counter() - t0 < 4.5  # the spin alone would take 5 s
    row = run_workload(Workload("capped", "tiny", (),
                                lambda: _planted_case({"slow": PeerCase(run=spin, cap=0.2)})),
                       repeat=2, log=lambda m: None)
    assert row.status == "ok" and row.peers["slow"].status == "> cap"
    assert row.peers["slow"].reason == "> 0.2 s"


def test_report_has_peer_columns_and_summary(tmp_path):
    from benchmarks.harness import PeerRow, Row, write_report
    rows = [Row("op", "tiny", "ok", kleene=[1.0, 1.0], pynini=[3.0, 3.0],
                peers={"rustfst": PeerRow(times=[2.0]), "pyfoma": PeerRow(times=[150.0])}),
            Row("op2", "tiny", "ok", kleene=[2.0], pynini=[1.0],
                peers={"pyfoma": PeerRow(status="> cap", reason="> 10 s")})]
    out = tmp_path / "r.md"
    write_report(str(out), rows, [], threads=1, repeat=2, quick=True, wall=1.0)
    text = out.read_text()
    assert ("| workload | input | kleene | kleene MiB | pynini ratio | rustfst | rustfst ratio "
            "| rustfst MiB |") in text
    # peers that appear in no row get no column; a missing cell is "—"
    assert "| op | tiny | 1.00 s | — | 3.00 | 2.00 s | 2.00 | — | 150.00 s | 150.00 | — |" in text
    # capped: cap ÷ kleene is a lower bound of the ratio
    assert "| op2 | tiny | 2.00 s | — | 0.50 | — | — | — | > 10 s | > 5 | — |" in text
    assert "median ratio 1.75× over 2 workloads" in text  # (3.0 + 0.5) / 2
    assert "kleene slower on 1" in text
    assert "vs pyfoma**: median ratio 150.00×" in text and "met (lowest 150×)" in text


@pytest.mark.parametrize("peer", ["rustfst", "kaldifst", "pyfoma"])
def test_real_peer_agrees_on_a_tiny_input(peer):
    pytest.importorskip(peer)
    pynini = require_pynini()
    import kleene
    from benchmarks import peers
    from benchmarks.checks import same_fst
    from benchmarks.generate import random_fst, to_pynini_fast
    from benchmarks.harness import Case, Workload, run_workload
    peers.configure(enabled=[peer], pyfoma_cap=10.0)
    kf = random_fst(40, 160, seed=5)
    pf = to_pynini_fast(kf)
    if peer == "rustfst":  # rustfst has no invert: project instead
        kop, pop = (lambda: kleene.project(kf, project_type="input"),
                    lambda: pynini.project(pf, "input"))
        ops = {"rustfst": peers.rs_project(output=False)}
    else:
        kop, pop = lambda: kleene.invert(kf), lambda: pynini.invert(pf)
        ops = {"kaldifst": peers.kf_inplace("invert"), "pyfoma": lambda f: f.invert()}
    ops = {peer: ops[peer]}

    def build():
        return Case(kleene=kop, pynini=pop, check=same_fst(), num_states=40, num_arcs=160,
                    input_bytes=1, peers=peers.unary(kf, **ops))

    row = run_workload(Workload("tiny", "tiny", (), build), repeat=2, log=lambda m: None)
    assert row.status == "ok", row.reason
    assert row.peers[peer].status == "ok", row.peers[peer].reason
    assert len(row.peers[peer].times) == 2
    # the converter is faithful: the peer's copy of the input comes back unchanged
    back = (peers.from_pyfoma(peers.to_pyfoma(kf)) if peer == "pyfoma"
            else peers.from_openfst_writer(getattr(peers, f"to_{peer}")(kf)))
    assert pynini.isomorphic(to_pynini_fast(back), pf, delta=1e-6)
