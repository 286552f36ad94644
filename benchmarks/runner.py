"""Collects the workloads of every ``bench_*`` module, runs them, measures JIT
compile time in fresh processes and writes the report."""

from __future__ import annotations

import sys
import time

from . import (bench_algebra, bench_examples, bench_grammar, bench_io, bench_lm, bench_paths,
               bench_rewrite, bench_structural)
from .harness import (Row, Workload, measure_jit, missing_requirement, run_workload,
                      summary_lines, write_report)
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
            output: str, log=None, peers: bool = True, pyfoma_cap: float = 10.0,
            command: str | None = None) -> int:
    """Runs everything selected; returns the process exit status (1 when a
    result disagreed with pynini, an operation crashed, or a peer's result
    disagreed with pynini's). ``peers=False`` times kleene and pynini only;
    ``pyfoma_cap`` is the time cap (seconds) of each pyfoma call."""
    from . import peers as peer_adapters
    peer_adapters.configure(enabled=peer_adapters.PEERS if peers else (),
                            pyfoma_cap=pyfoma_cap)
    log = log or (lambda msg: print(msg, flush=True))
    t0 = time.perf_counter()
    rows: list[Row] = []
    workloads = [w for w in all_workloads(quick) if _selected(w.name, only)]
    active = [n for n in peer_adapters.PEERS if peer_adapters.available(n)]
    log(f"{len(workloads)} workloads ({'quick' if quick else 'full'}), repeat {repeat}, "
        f"threads {threads}, peers: {', '.join(active) or 'none'}"
        + (f" (pyfoma cap {pyfoma_cap:g} s)" if "pyfoma" in active else ""))
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
                 wall=wall, command=command)
    failed = [r for r in rows if r.status in ("MISMATCH", "ERROR")]
    peer_failed = [(r, name, p) for r in rows for name, p in r.peers.items()
                   if p.status == "MISMATCH"]
    log(f"wrote {output} in {wall:.0f} s: {sum(r.status == 'ok' for r in rows)} timed, "
        f"{sum(r.status == 'skipped' for r in rows)} skipped, {len(failed)} failed, "
        f"{len(peer_failed)} peer mismatches")
    for line in summary_lines(rows):
        log(line)
    if failed:
        print("FAILED (kleene disagrees with pynini or crashed):", file=sys.stderr)
        for r in failed:
            print(f"  {r.name} [{r.size}]: {r.status}: {r.reason}", file=sys.stderr)
    if peer_failed:
        print("FAILED (a peer's result disagrees with pynini's):", file=sys.stderr)
        for r, name, p in peer_failed:
            print(f"  {name} on {r.name} [{r.size}]: {p.reason}", file=sys.stderr)
    return 1 if failed or peer_failed else 0
