"""The benchmark harness: agreement checks, alternating timing, memory, JIT
compile time in fresh processes, and the markdown report.

A :class:`Workload` names one operation on one input size. Running it:

1. skips it (with the reason) when the kleene module it needs has not landed;
2. builds the inputs once for both libraries (outside any timed region);
3. runs kleene and pynini once and checks that the results agree; a
   disagreement or a crash is recorded as a failure and nothing is timed;
4. times ``repeat`` alternating runs (kleene, pynini, pynini, kleene, ...) and
   reports median and inter-quartile range;
5. measures the peak resident-set growth of one more run of each.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any, Callable

import numpy as np

from . import THREAD_ENV_VARS

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_DIR = os.path.join(REPO_ROOT, "benchmarks", "results")


class Mismatch(AssertionError):
    """kleene and pynini disagree: the workload is not timed."""


class Skip(Exception):
    """The workload cannot run yet (the operation has not landed)."""


@dataclasses.dataclass
class Case:
    """One prepared workload: zero-argument callables for each library and a
    check that raises :class:`Mismatch` when their results disagree."""

    kleene: Callable[[], Any]
    pynini: Callable[[], Any] | None
    check: Callable[[Any, Any], None]
    num_states: int
    num_arcs: int
    input_bytes: int  # bytes held by the kleene input machine(s)
    note: str = ""


@dataclasses.dataclass
class Workload:
    """A named benchmark: ``requires`` lists ``"module:attribute"`` pairs
    under ``kleene`` that must exist; ``build`` returns a :class:`Case`."""

    name: str
    size: str  # label of the input, e.g. "cyclic 20k/100k"
    requires: tuple[str, ...]
    build: Callable[[], Case]


@dataclasses.dataclass
class Row:
    name: str
    size: str
    status: str  # ok, skipped, MISMATCH, ERROR
    reason: str = ""
    states: int = 0
    arcs: int = 0
    kleene: list[float] = dataclasses.field(default_factory=list)
    pynini: list[float] = dataclasses.field(default_factory=list)
    kleene_first: float = float("nan")
    kleene_rss: float = float("nan")
    pynini_rss: float = float("nan")
    bytes_per_arc: float = float("nan")
    note: str = ""


# -- environment ----------------------------------------------------------------

def missing_requirement(requires: tuple[str, ...]) -> str | None:
    """Why a workload cannot run yet, or None when everything it needs exists."""
    for req in requires:
        module, _, attr = req.partition(":")
        full = f"kleene.{module}"
        try:
            mod = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name and (full == exc.name or full.startswith(exc.name + ".")):
                return f"`{full}` has not landed"
            raise
        if attr and not hasattr(mod, attr):
            return f"`{full}.{attr}` has not landed"
    return None


# -- memory -----------------------------------------------------------------------

def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _release_free_heap() -> None:
    """Returns the memory that earlier runs freed to the kernel (glibc
    ``malloc_trim``: trims the heap top and drops the free pages inside it).

    Without this, a run reuses the pages earlier runs freed (glibc keeps
    them, and its dynamic mmap threshold moves large arrays onto the heap
    after the first ones are freed), its RSS never grows and the measured
    peak is ~0 MiB."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak_rss() -> bool:
    """Resets VmHWM (Linux >= 4.0) so the next peak belongs to one call."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_memory_mib(fn: Callable[[], Any]) -> float:
    """Peak growth of resident memory (MiB) while ``fn`` runs, result included.

    Uses the kernel's resettable high-water mark, which sees numba, numpy and
    C++ allocations alike. Where it cannot be reset, falls back to
    tracemalloc, which sees numpy allocations only (numba's own allocations
    are invisible to it)."""
    gc.collect()
    _release_free_heap()
    if _reset_peak_rss():
        base = _status_kib("VmRSS")
        result = fn()
        peak = _status_kib("VmHWM")
        del result
        if base is not None and peak is not None:
            return max(peak - base, 0) / 1024.0
    tracemalloc.start()
    try:
        result = fn()
        _, peak_bytes = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak_bytes / 2**20


# -- timing ------------------------------------------------------------------------

def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
    finally:
        gc.enable()
    del result
    return elapsed


def time_alternating(kfn, pfn, repeat: int) -> tuple[list[float], list[float]]:
    """``repeat`` runs of each, alternating which goes first, so drift in the
    machine's load hits both libraries alike."""
    kt, pt = [], []
    for i in range(repeat):
        order = ((kfn, kt), (pfn, pt)) if i % 2 == 0 else ((pfn, pt), (kfn, kt))
        for fn, out in order:
            if fn is not None:
                out.append(_timed(fn))
    return kt, pt


def summarize(times: list[float]) -> tuple[float, float, float]:
    """Median, first and third quartile."""
    if not times:
        return float("nan"), float("nan"), float("nan")
    q1, med, q3 = np.percentile(times, [25, 50, 75])
    return float(med), float(q1), float(q3)


# -- running --------------------------------------------------------------------------

def run_workload(wl: Workload, repeat: int, log=print) -> Row:
    row = Row(wl.name, wl.size, "ok")
    reason = missing_requirement(wl.requires)
    if reason:
        row.status, row.reason = "skipped", reason
        log(f"  skip  {wl.name} [{wl.size}]: {reason}")
        return row
    stage = "building the inputs"
    try:
        case = wl.build()
        row.states, row.arcs, row.note = case.num_states, case.num_arcs, case.note
        stage = "kleene raised"
        t0 = time.perf_counter()
        kres = case.kleene()
        row.kleene_first = time.perf_counter() - t0
        stage = "pynini raised"
        pres = case.pynini() if case.pynini is not None else None
        stage = "the check raised"
        case.check(kres, pres)
    except Skip as exc:
        row.status, row.reason = "skipped", str(exc)
    except NotImplementedError as exc:
        row.status, row.reason = "skipped", f"NotImplementedError: {exc}"
    except Mismatch as exc:
        row.status, row.reason = "MISMATCH", str(exc)
    except Exception as exc:  # a crash in a landed operation is a failure
        row.status, row.reason = "ERROR", f"{stage} {type(exc).__name__}: {exc}"
    if row.status != "ok":
        log(f"  {row.status:5s} {wl.name} [{wl.size}]: {row.reason}")
        return row
    row.bytes_per_arc = _bytes_per_arc(kres, case)
    del kres, pres
    # One slow run (> 2 s) means few repetitions: the machine is shared.
    reps = repeat if row.kleene_first < 2.0 else min(repeat, 3)
    row.kleene, row.pynini = time_alternating(case.kleene, case.pynini, reps)
    row.kleene_rss = peak_memory_mib(case.kleene)
    if case.pynini is not None:
        row.pynini_rss = peak_memory_mib(case.pynini)
    km, pm = summarize(row.kleene)[0], summarize(row.pynini)[0]
    ratio = pm / km if row.pynini else float("nan")
    log(f"  ok    {wl.name} [{wl.size}]: kleene {_ms(km)} pynini {_ms(pm)} "
        f"ratio {ratio:.2f}")
    return row


def _bytes_per_arc(result, case: Case) -> float:
    from kleene import Fst

    from .generate import nbytes
    if isinstance(result, tuple) and result and isinstance(result[0], Fst):
        result = result[0]
    if isinstance(result, Fst) and result.num_arcs:
        return nbytes(result) / result.num_arcs
    return case.input_bytes / max(case.num_arcs, 1)


# -- JIT compile time -------------------------------------------------------------------

_JIT_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy, numba, kleene
from benchmarks import jit_probes
t1 = time.perf_counter()
probe = jit_probes.PROBES[sys.argv[1]]
arg = probe.prepare()
t2 = time.perf_counter()
probe.run(arg)
t3 = time.perf_counter()
probe.run(arg)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "second": t4 - t3}))
"""


def measure_jit(probe: str, threads: int, timeout: float = 300.0) -> dict:
    """First-call time of one operation in fresh processes: ``cold`` with an
    empty numba cache (compiles from scratch) and ``warm`` with the cache the
    cold run wrote. Compile (or cache-load) cost = first call - second call."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="kleene-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache,
                   PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        for var in THREAD_ENV_VARS:
            env[var] = str(threads)
        for phase in ("cold", "warm"):
            proc = subprocess.run([sys.executable, "-c", _JIT_SCRIPT, probe], env=env,
                                  cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=timeout)
            if proc.returncode != 0:
                tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
                raise RuntimeError(f"{phase} run failed: {tail[0]}")
            out[phase] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# -- report ------------------------------------------------------------------------------

def _ms(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "—"
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e3:.2f} ms"


def _spread(times: list[float]) -> str:
    med, q1, q3 = summarize(times)
    if med != med:
        return "—"
    return f"{_ms(med)} ({_ms(q1)}–{_ms(q3)})"


def _mib(x: float) -> str:
    if x != x:
        return "—"
    return f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def machine_info(threads: int) -> list[str]:
    import numba
    import pynini

    import kleene
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; kleene commit `{commit}`",
        f"- CPU: {cpu} ({os.cpu_count()} logical cores, shared); threads pinned to "
        f"{threads} (`{'`, `'.join(THREAD_ENV_VARS)}`)",
        f"- Python {platform.python_version()}, numpy {np.__version__}, numba "
        f"{numba.__version__}, pynini {pynini.__version__}, kleene {kleene.__version__}, "
        f"{platform.system()} {platform.release()}",
    ]


def write_report(path: str, rows: list[Row], jit_rows: list[tuple[str, Any]], *,
                 threads: int, repeat: int, quick: bool, wall: float) -> None:
    lines = ["# kleene vs pynini (OpenFst) benchmarks", "",
             f"Generated by `python -m benchmarks run{' --quick' if quick else ''} "
             f"--repeat {repeat} --threads {threads}` in {wall:.0f} s.", ""]
    lines += machine_info(threads)
    lines += ["", "## Steady state", "",
              "Every row was checked first: kleene's result agrees with pynini's "
              "(see *check* in `benchmarks/README.md`). Times are the median of "
              f"{repeat} alternating runs (fewer when one run takes > 2 s), with the "
              "inter-quartile range in brackets. **ratio = pynini ÷ kleene: > 1 means "
              "kleene is faster.** Memory: peak RSS growth of one run (MiB) and the "
              "bytes per arc of kleene's result.", "",
              "| workload | input | states | arcs | kleene | pynini | ratio | "
              "kleene MiB | pynini MiB | kleene B/arc |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.status != "ok":
            continue
        km, pm = summarize(r.kleene)[0], summarize(r.pynini)[0]
        ratio = f"{pm / km:.2f}" if r.pynini else "—"
        if r.pynini and pm < km and r.arcs >= 100_000:
            ratio = f"**{ratio}**"
        lines.append(f"| {r.name} | {r.size} | {r.states:,} | {r.arcs:,} | "
                     f"{_spread(r.kleene)} | {_spread(r.pynini)} | {ratio} | "
                     f"{_mib(r.kleene_rss)} | {_mib(r.pynini_rss)} | "
                     f"{r.bytes_per_arc:.1f} |")
    slower = [r for r in rows if r.status == "ok" and r.pynini and r.arcs >= 100_000
              and summarize(r.pynini)[0] < summarize(r.kleene)[0]]
    lines += ["", "### Slower than pynini at ≥ 100k arcs", ""]
    if slower:
        lines += [f"- {r.name} [{r.size}]: ratio "
                  f"{summarize(r.pynini)[0] / summarize(r.kleene)[0]:.2f}" for r in slower]
    else:
        lines.append("- none" if any(r.arcs >= 100_000 for r in rows if r.status == "ok")
                     else "- (no workload of this size was run)")
    notes = [r for r in rows if r.status == "ok" and r.note]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {r.name} [{r.size}]: {r.note}" for r in notes]
    lines += ["", "## JIT compile time", "",
              "First call of the operation on a tiny input in a fresh process. *cold*: "
              "`NUMBA_CACHE_DIR` is an empty temporary directory, so every kernel the "
              "call reaches is compiled; *warm*: a second process with the cache the "
              "cold one wrote. *compile/load* = first call − second call of the same "
              "process. *import* = `import numpy, numba, kleene`.", "",
              "| operation | cold compile | warm cache load | steady call | import (cold / warm) |",
              "|---|---:|---:|---:|---:|"]
    for name, res in jit_rows:
        if isinstance(res, str):
            lines.append(f"| {name} | {res} | | | |")
            continue
        cold, warm = res["cold"], res["warm"]
        lines.append(f"| {name} | {_ms(cold['first'] - cold['second'])} | "
                     f"{_ms(warm['first'] - warm['second'])} | {_ms(warm['second'])} | "
                     f"{_ms(cold['import'])} / {_ms(warm['import'])} |")
    other = [r for r in rows if r.status != "ok"]
    if other:
        lines += ["", "## Not timed", "", "| workload | input | status | reason |",
                  "|---|---|---|---|"]
        for r in other:
            reason = r.reason.replace("|", "\\|").replace("\n", " ")[:300]
            lines.append(f"| {r.name} | {r.size} | {r.status} | {reason} |")
    lines.append("")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
