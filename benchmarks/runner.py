"""Collects the workloads of every ``bench_*`` module, runs them, measures JIT
compile time in fresh processes and writes the report."""

from __future__ import annotations

import sys
import time

from . import (bench_algebra, bench_examples, bench_grammar, bench_io, bench_lm, bench_paths,
               bench_rewrite, bench_structural)
from .harness import Row, Workload, measure_jit, missing_requirement, run_workload, write_report
from .jit_probes import PROBES

MODULES = (bench_structural, bench_paths, bench_io, bench_algebra, bench_examples,
           bench_grammar, bench_rewrite, bench_lm)


def all_workloads(quick: bool) -> list[Workload]:
    out = []
    for module in MODULES:
        out.extend(module.workloads(quick))
    return out


def _selected(name: str, only: list[str]) -> bool:
    return not only or any(pattern in name for pattern in only)


def run_all(*, quick: bool, only: list[str], threads: int, repeat: int, jit: bool,
            output: str, log=None) -> int:
    """Runs everything selected; returns the process exit status (1 when a
    result disagreed with pynini or an operation crashed)."""
    log = log or (lambda msg: print(msg, flush=True))
    t0 = time.perf_counter()
    rows: list[Row] = []
    workloads = [w for w in all_workloads(quick) if _selected(w.name, only)]
    log(f"{len(workloads)} workloads ({'quick' if quick else 'full'}), repeat {repeat}, "
        f"threads {threads}")
    for wl in workloads:
        rows.append(run_workload(wl, repeat, log=log))
    jit_rows = []
    if jit:
        log("JIT compile time (fresh processes):")
        for name, probe in PROBES.items():
            if not _selected(name, only) and not any(_selected(w.name, [name]) for w in workloads):
                continue
            reason = missing_requirement(probe.requires)
            if reason:
                jit_rows.append((name, f"skipped: {reason}"))
                log(f"  skip  {name}: {reason}")
                continue
            try:
                res = measure_jit(name, threads)
            except Exception as exc:  # reported, not fatal: the timing rows stand
                jit_rows.append((name, f"failed: {exc}"))
                log(f"  fail  {name}: {exc}")
                continue
            jit_rows.append((name, res))
            log(f"  {name}: cold {res['cold']['first']:.2f} s, warm {res['warm']['first']:.3f} s")
    wall = time.perf_counter() - t0
    write_report(output, rows, jit_rows, threads=threads, repeat=repeat, quick=quick,
                 wall=wall)
    failed = [r for r in rows if r.status in ("MISMATCH", "ERROR")]
    log(f"wrote {output} in {wall:.0f} s: {sum(r.status == 'ok' for r in rows)} timed, "
        f"{sum(r.status == 'skipped' for r in rows)} skipped, {len(failed)} failed")
    if failed:
        print("FAILED (kleene disagrees with pynini or crashed):", file=sys.stderr)
        for r in failed:
            print(f"  {r.name} [{r.size}]: {r.status}: {r.reason}", file=sys.stderr)
        return 1
    return 0
