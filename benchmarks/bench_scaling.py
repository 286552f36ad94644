"""Scaling (issue 6, workload 9): time against input size for composition,
determinization and shortest distance, kleene and pynini in the same run.

``python -m benchmarks.bench_scaling [--repeat N] [--quick] [--only NAME]
[--no-peers]``
writes ``benchmarks/results/scaling.md`` (with ``--quick``, a smoke run on
tiny inputs, a file in the temporary directory instead).

Each series is one operation on inputs of the same shape at geometric size
steps (about ×3 per step, three to five steps). Every point is a harness
:class:`~benchmarks.harness.Workload`: built once, checked to agree with
pynini before anything is timed (a disagreement fails the run), then timed
alternating with pynini and the other peers the harness knows for that
workload (rustfst, kaldifst, pyfoma; median of ``--repeat`` runs). Wall time
is what the harness measures; this module also records each call's CPU time,
which the other processes on a shared machine do not stretch. For each series and
library the report gives the least-squares slope of log(time) against
log(input arcs): the exponent ``b`` of ``time ≈ a · size^b`` (1 = linear).

Series (the same generators as ``bench_algebra``/``bench_paths``):

- *compose lexicon*: cmudict L* (phones → words) ∘ a random word-bigram
  acceptor G over the first N words (5 arcs per G state);
- *compose random*: two random transducers (``bench_algebra.fan_random``,
  4 arcs per state, 27 labels) whose start fan-out grows as √n, so the
  composition grows linearly with n;
- *determinize dictionary*: the union of the first N cmudict words (a
  non-deterministic acceptor, letters as byte labels) determinized;
- *shortest_distance cyclic*: the random cyclic transducer of
  ``bench_paths`` (5 arcs per state, tropical);
- *shortest_distance lattice (log)*: the ASR-like acyclic lattice in the
  log semiring.

Cost is O(size) per repetition; the whole full run takes a few minutes.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable

from . import pin_threads

#: operation series: name -> (sizes for a full run, sizes for --quick)
SERIES_SIZES = {
    "compose lexicon": ([1_000, 3_000, 10_000, 30_000, 100_000], [100, 300, 1_000]),
    "compose random": ([1_000, 3_000, 10_000, 30_000], [300, 1_000, 3_000]),
    "determinize dictionary": ([3_000, 10_000, 30_000, 100_000], [100, 300, 1_000]),
    "shortest_distance cyclic": ([6_000, 20_000, 60_000, 200_000], [60, 200, 600]),
    "shortest_distance lattice (log)": ([6_000, 20_000, 60_000, 200_000], [60, 200, 600]),
}


class Point:
    """One size of one series: the harness workload plus what the check saw
    of kleene's result (its arc count, or the number of distances) and the
    CPU time of every call of each library."""

    def __init__(self, series: str, size: int, workload):
        self.series, self.size, self.workload = series, size, workload
        self.result_size: int | None = None
        self.row = None
        self.cpu: dict[str, list[float]] = {"kleene": [], "pynini": []}

    def cpu_times(self, lib: str) -> list[float]:
        """CPU seconds of the timed runs: the harness calls each library once
        for the check, ``len(row.<lib>)`` times timed, then once for memory."""
        times = self.row.kleene if lib == "kleene" else self.row.pynini
        return self.cpu[lib][1:1 + len(times)]


def _recording(check: Callable, point: Point) -> Callable:
    def wrapped(kres, pres):
        from kleene import Fst
        res = kres[0] if isinstance(kres, tuple) else kres
        point.result_size = res.num_arcs if isinstance(res, Fst) else len(res)
        check(kres, pres)
    return wrapped


def _cpu_timed(fn: Callable, out: list[float]) -> Callable:
    """``fn`` that also appends its CPU time (this process, all threads) to
    ``out``. The wall clock the harness reads is stretched when other
    processes share the core; CPU time is not (threads are pinned to 1, so
    it is what the wall time would be on an idle core)."""
    def wrapped():
        c0 = time.process_time()
        result = fn()
        out.append(time.process_time() - c0)
        return result
    return wrapped


def _with_recording(build: Callable, point: Point) -> Callable:
    def wrapped():
        case = build()
        case.check = _recording(case.check, point)
        case.kleene = _cpu_timed(case.kleene, point.cpu["kleene"])
        if case.pynini is not None:
            case.pynini = _cpu_timed(case.pynini, point.cpu["pynini"])
        return case
    return wrapped


def _compose_lexicon(num_words: int):
    from .bench_algebra import _lexicon_compose
    return _lexicon_compose(num_words, 5)


def _compose_random(n: int):
    from .bench_algebra import _random_compose
    # bench_algebra's 10k-state pair has fan-out 1500: keep fan² / n constant
    fan = min(n, max(4, round(1500 * math.sqrt(n / 10_000))))
    return _random_compose(n, 4 * n, fan)


def _determinize_dictionary(num_words: int):
    import kleene

    from .bench_algebra import _case
    from .checks import same_fst
    return _case(("dictionary", (num_words, False), ()), kleene.determinize,
                 _pynini_determinize, same_fst())


def _pynini_determinize(f):
    import pynini
    return pynini.determinize(f)


def _shortest_distance(kind: str, n: int):
    import pynini

    import kleene

    from .bench_paths import _case
    from .checks import same_distances
    spec = ((("random", n, 5 * n), {"seed": 1}) if kind == "cyclic"
            else (("lattice", n, 5 * n), {"semiring": "log", "seed": 6}))
    return _case(spec, lambda f: kleene.shortest_distance(f),
                 lambda f: pynini.shortestdistance(f), same_distances())


_BUILDERS = {
    "compose lexicon": _compose_lexicon,
    "compose random": _compose_random,
    "determinize dictionary": _determinize_dictionary,
    "shortest_distance cyclic": lambda n: _shortest_distance("cyclic", n),
    "shortest_distance lattice (log)": lambda n: _shortest_distance("lattice", n),
}

_REQUIRES = {
    "compose lexicon": ("algorithms.compose:compose",),
    "compose random": ("algorithms.compose:compose",),
    "determinize dictionary": ("algorithms.determinize:determinize",),
    "shortest_distance cyclic": ("algorithms.shortest_distance:shortest_distance",),
    "shortest_distance lattice (log)": ("algorithms.shortest_distance:shortest_distance",),
}

_SIZE_UNIT = {"compose lexicon": "words", "compose random": "states per machine",
              "determinize dictionary": "words", "shortest_distance cyclic": "states",
              "shortest_distance lattice (log)": "states"}


def points(quick: bool, only: list[str] | None = None) -> list[Point]:
    """Every (series, size) selected, as unbuilt workloads."""
    from .harness import Workload
    out = []
    for series, (full, small) in SERIES_SIZES.items():
        if only and not any(pattern in series for pattern in only):
            continue
        for size in (small if quick else full):
            label = f"{size:,} {_SIZE_UNIT[series]}"
            point = Point(series, size, None)
            point.workload = Workload(f"scaling: {series}", label, _REQUIRES[series],
                                      _with_recording(_BUILDERS[series](size), point))
            out.append(point)
    return out


# -- fit and report -------------------------------------------------------------------


def fit_exponent(sizes, times) -> float:
    """Least-squares slope of log(time) against log(size): ``b`` in
    ``time ≈ a · size^b``. NaN with fewer than two usable points."""
    import numpy as np
    x = np.asarray(sizes, dtype=np.float64)
    y = np.asarray(times, dtype=np.float64)
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    lx, ly = np.log(x[ok]), np.log(y[ok])
    lx = lx - lx.mean()
    return float((lx * (ly - ly.mean())).sum() / (lx * lx).sum())


def _exp(b: float) -> str:
    return "—" if math.isnan(b) else f"{b:.2f}"


def report(path: str, pts: list[Point], *, repeat: int, quick: bool, wall: float,
           threads: int) -> None:
    from .harness import _ms, machine_info, summarize
    lines = ["# Scaling: time against input size, kleene vs pynini (OpenFst)", "",
             (f"Generated by `python -m benchmarks.bench_scaling{' --quick' if quick else ''} "
             f"--repeat {repeat}` in {wall:.0f} s."), ""]
    lines += machine_info(threads)
    lines += ["",
              ("Each series applies one operation to inputs of one shape at geometric "
              "size steps (≈ ×3). Every point was checked first (kleene's result agrees "
              "with pynini's: isomorphic machines, or distances to 1e-3), then timed "
              f"alternating with pynini: median of {repeat} runs in one process "
              "(fewer when one run takes > 2 s; the machine is shared, 2 cores). "
              "**ratio = pynini ÷ kleene (> 1: kleene is faster).** *arcs* is the "
              "input's arc count (both machines for compose), *result* the arcs of "
              "kleene's result (for shortest distance, the number of distances). "
              "*CPU* is the median CPU time of the same runs (`time.process_time`: "
              "this process, user + system; threads pinned to 1), which other "
              "processes on the shared cores do not stretch: it is the steadier "
              "estimate of the idle-machine time, and the **CPU columns are the ones "
              "the exponents and ratios in the summary use**; the wall columns show "
              "what the harness measured. The exponent is the least-squares slope of "
              "log(time) against log(input arcs), i.e. `b` in `time ≈ a · arcs^b` "
              "(1.00 = linear); ns/arc = CPU time ÷ input arcs."), ""]
    summary = []
    by_series: dict[str, list[Point]] = {}
    for p in pts:
        by_series.setdefault(p.series, []).append(p)
    for series, group in by_series.items():
        lines += [f"## {series}", "", f"{_describe(series)}", "",
                  ("| size | states | arcs | result | kleene wall | pynini wall | ratio | "
                   "kleene CPU | pynini CPU | CPU ratio | kleene ns/arc | pynini ns/arc | "
                   "other peers (wall) |"),
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        arcs, kt, pt, kc, pc, failed = [], [], [], [], [], []
        for p in group:
            r = p.row
            if r is None or r.status != "ok":
                failed.append(p)
                continue
            km, pm = summarize(r.kleene)[0], summarize(r.pynini)[0]
            kcpu = summarize(p.cpu_times("kleene"))[0]
            pcpu = summarize(p.cpu_times("pynini"))[0]
            arcs.append(r.arcs)
            kt.append(km)
            pt.append(pm)
            kc.append(kcpu)
            pc.append(pcpu)
            lines.append(f"| {r.size} | {r.states:,} | {r.arcs:,} | "
                         f"{p.result_size or 0:,} | {_ms(km)} | {_ms(pm)} | "
                         f"{pm / km:.2f} | {_ms(kcpu)} | {_ms(pcpu)} | {pcpu / kcpu:.2f} | "
                         f"{kcpu / r.arcs * 1e9:.0f} | {pcpu / r.arcs * 1e9:.0f} | "
                         f"{_peers(r)} |")
        bk, bp = fit_exponent(arcs, kc), fit_exponent(arcs, pc)
        wk, wp = fit_exponent(arcs, kt), fit_exponent(arcs, pt)
        lines += ["", (f"Fitted exponent over {len(arcs)} sizes (CPU time): kleene "
                       f"**{_exp(bk)}**, pynini **{_exp(bp)}**; from the wall times: kleene "
                       f"{_exp(wk)}, pynini {_exp(wp)}.")]
        if failed:
            lines += [""] + [f"- not timed: {p.workload.size}: "
                             f"{p.row.status if p.row else '?'}: "
                             f"{(p.row.reason if p.row else '')[:300]}" for p in failed]
        lines.append("")
        ratios = [b / a for a, b in zip(kc, pc)]
        summary.append(f"| {series} | {_short(arcs)} | {_exp(bk)} | {_exp(bp)} | "
                       + (f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else "—")
                       + f" | {_exp(wk)} / {_exp(wp)} |")
    head = ["## Summary", "",
            ("| series | input arcs | kleene exponent | pynini exponent | ratio range "
             "(pynini ÷ kleene) | exponents from wall time (kleene / pynini) |"),
            "|---|---|---:|---:|---:|---:|", *summary, ""]
    insert_at = lines.index("## " + next(iter(by_series))) if by_series else len(lines)
    lines[insert_at:insert_at] = head
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines))


def _peers(row) -> str:
    """The other peers' wall medians (the harness times rustfst, kaldifst,
    pyfoma where installed and offering the operation), or their status."""
    from .harness import _ms, summarize
    cells = []
    for name, prow in getattr(row, "peers", {}).items():
        cells.append(f"{name} {_ms(summarize(prow.times)[0])}" if prow.status == "ok"
                     else f"{name} {prow.status}")
    return "; ".join(cells) or "—"


def _short(arcs: list[int]) -> str:
    if not arcs:
        return "—"
    return f"{arcs[0]:,} – {arcs[-1]:,}"


def _describe(series: str) -> str:
    return {
        "compose lexicon": "`kleene.compose(L, G)` vs `pynini.compose(L, G)`: cmudict "
                           "lexicon closure L* (phones → words) ∘ random word-bigram "
                           "acceptor G over the same N words (5 arcs per state).",
        "compose random": "`compose` of two random transducers (`bench_algebra."
                          "fan_random`: n states, 4n arcs, 27 labels, 2% ε, start "
                          "fan-out 1500·√(n/10k)); the result grows linearly with n.",
        "determinize dictionary": "`determinize` of the union of the first N cmudict "
                                  "words (letters as byte labels): a trie results.",
        "shortest_distance cyclic": "`shortest_distance` of the random cyclic "
                                    "transducer (n states, 5n arcs, tropical).",
        "shortest_distance lattice (log)": "`shortest_distance` of the acyclic "
                                           "ASR-like lattice (n states, 5n arcs, log "
                                           "semiring).",
    }[series]


# -- command line ---------------------------------------------------------------------


def run(quick: bool, repeat: int, only: list[str], output: str, threads: int = 1,
        log=None) -> int:
    from .harness import run_workload
    log = log or (lambda msg: print(msg, flush=True))
    t0 = time.perf_counter()
    pts = points(quick, only)
    log(f"{len(pts)} scaling points ({'quick' if quick else 'full'}), repeat {repeat}")
    for p in pts:
        p.row = run_workload(p.workload, repeat, log=log)
    wall = time.perf_counter() - t0
    report(output, pts, repeat=repeat, quick=quick, wall=wall, threads=threads)
    failed = [p for p in pts if p.row.status in ("MISMATCH", "ERROR")]
    log(f"wrote {output} in {wall:.0f} s; {len(failed)} failed")
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scaling",
                                     description="Time against input size, kleene vs "
                                                 "pynini, with fitted exponents.")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed repetitions per library and size (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (a smoke run; exponents meaningless)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="series whose name contains NAME (repeatable)")
    parser.add_argument("--output", default=None, help="report path")
    parser.add_argument("--no-peers", action="store_true",
                        help="time kleene and pynini only (not rustfst, kaldifst, pyfoma)")
    parser.add_argument("--pyfoma-cap", type=float, default=10.0,
                        help="seconds per pyfoma call before its cell reads '> cap'")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    pin_threads(1)  # before numpy/numba are imported by the workloads
    from . import peers
    peers.configure(enabled=() if args.no_peers else peers.PEERS,
                    pyfoma_cap=args.pyfoma_cap)
    # a quick run is a smoke test: it must not overwrite the committed results
    output = args.output or (
        os.path.join(tempfile.gettempdir(), "kleene-scaling-quick.md") if args.quick
        else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                          "scaling.md"))
    return run(args.quick, args.repeat, args.only, output)


if __name__ == "__main__":
    sys.exit(main())
