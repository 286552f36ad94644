"""Smoke tests of the scaling and cold-start benchmarks (not benchmarks): the
exponent fit recovers a known power law, a tiny scaling run checks before it
times and writes its tables, and a cold-start child reports its phases."""

from __future__ import annotations

import math

import pytest

from .helpers import require_pynini

pytest.importorskip("benchmarks.harness")


def test_fit_exponent_recovers_a_power_law():
    from benchmarks.bench_scaling import fit_exponent
    sizes = [1e3, 3e3, 1e4, 3e4]
    assert fit_exponent(sizes, [2e-6 * s**1.5 for s in sizes]) == pytest.approx(1.5)
    assert fit_exponent(sizes, [5e-7 * s for s in sizes]) == pytest.approx(1.0)
    # a zero time (below the clock) is left out rather than breaking the fit
    assert fit_exponent(sizes, [0.0, 3e-3, 1e-2, 3e-2]) == pytest.approx(1.0, abs=1e-9)
    assert math.isnan(fit_exponent([1e3], [1.0]))


def test_tiny_scaling_run_checks_then_reports(tmp_path):
    require_pynini()
    from benchmarks import bench_scaling
    from benchmarks.harness import Mismatch
    saved = dict(bench_scaling.SERIES_SIZES)
    try:
        bench_scaling.SERIES_SIZES.clear()
        bench_scaling.SERIES_SIZES["shortest_distance cyclic"] = ([], [40, 120])
        out = tmp_path / "scaling.md"
        status = bench_scaling.run(True, 1, [], str(out), log=lambda m: None)
        text = out.read_text()
        assert status == 0
        assert "## shortest_distance cyclic" in text and "Fitted exponent over 2 sizes" in text
        assert "| 120 states | 120 | 600 | 120 |" in text  # result = one distance per state
        assert "kleene CPU" in text and "(CPU time): kleene" in text

        # a disagreement fails the run and is not timed
        pts = bench_scaling.points(True)
        case = pts[0].workload.build()

        def disagree(_k, _p):
            raise Mismatch("planted")
        case.check = bench_scaling._recording(disagree, pts[0])
        with pytest.raises(Mismatch):
            case.check(case.kleene(), case.pynini())
        assert pts[0].result_size == 40
    finally:
        bench_scaling.SERIES_SIZES.clear()
        bench_scaling.SERIES_SIZES.update(saved)


def test_cold_start_child_reports_its_phases(tmp_path):
    require_pynini()
    from benchmarks.cold_start import report, run_child, write_inputs
    write_inputs(str(tmp_path))
    bare = run_child("none", "import", str(tmp_path), None)
    assert 0 < bare["interp"] < bare["exit"]
    res = run_child("pynini", "compose", str(tmp_path), None)
    assert res["total"] >= res["interp"] + res["import"] + res["call"] - 1e-6
    assert res["cpu_total"] > 0 and not res["numba_imported"]
    results = {("import", "none", "import"): [bare], ("pynini", "pynini", "compose"): [res]}
    out = tmp_path / "cold.md"
    report(str(out), results, runs=1, ops=["compose"], wall=1.0, quick=True)
    text = out.read_text()
    assert "| compose |" in text and "NOT met" in text  # kleene was not measured


def test_cpu_timing_records_each_call_and_skips_check_and_memory_runs():
    from benchmarks.bench_scaling import Point, _cpu_timed
    from benchmarks.harness import Row
    point = Point("s", 1, None)
    fn = _cpu_timed(lambda: sum(range(200_000)), point.cpu["kleene"])
    for _ in range(5):  # check, 3 timed, memory
        assert fn() == sum(range(200_000))
    point.row = Row("s", "1", "ok", kleene=[0.1, 0.2, 0.3])
    times = point.cpu_times("kleene")
    assert len(times) == 3 and times == point.cpu["kleene"][1:4] and min(times) > 0
