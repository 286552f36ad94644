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

Peers (rustfst, kaldifst, pyfoma; ``Case.peers``) are checked the same way
against pynini's result and timed in the same rotation; a peer that disagrees
marks its own cell "MISMATCH" (and the run's exit status) without hiding the
kleene/pynini comparison. Capped peers (pure Python) are interrupted by
``SIGALRM`` after ``PeerCase.cap`` seconds and recorded as "> cap".
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import importlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
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


class CapExceeded(Exception):
    """A capped peer call ran past its time cap (raised by the SIGALRM handler)."""


@dataclasses.dataclass
class PeerCase:
    """One peer library's side of a workload (see ``benchmarks/peers.py``).

    ``run`` is the timed zero-argument call; ``convert`` turns its result
    into what the workload's check takes as its first argument (a kleene
    ``Fst``, distances); ``check(converted, pynini_result)`` replaces the
    workload's check when given (e.g. equivalence for peers whose
    constructions differ from OpenFst's); ``cap`` (seconds) interrupts a
    pure-Python call with SIGALRM and records "> cap"."""

    run: Callable[[], Any]
    convert: Callable[[Any], Any] | None = None
    check: Callable[[Any, Any], None] | None = None
    cap: float | None = None
    note: str = ""


@dataclasses.dataclass
class Case:
    """One prepared workload: zero-argument callables for each library and a
    check that raises :class:`Mismatch` when their results disagree.
    ``peers`` (optional) maps a peer library's name to its :class:`PeerCase`."""

    kleene: Callable[[], Any]
    pynini: Callable[[], Any] | None
    check: Callable[[Any, Any], None]
    num_states: int
    num_arcs: int
    input_bytes: int  # bytes held by the kleene input machine(s)
    note: str = ""
    peers: dict[str, PeerCase] = dataclasses.field(default_factory=dict)


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
    openfst_bytes_per_arc: float = float("nan")  # pynini's result as a fresh VectorFst / arcs
    note: str = ""
    peers: dict[str, PeerRow] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PeerRow:
    """One peer's outcome on one workload: status ok, MISMATCH, ERROR or
    "> cap" (a capped call ran past its cap)."""

    status: str = "ok"
    reason: str = ""
    times: list[float] = dataclasses.field(default_factory=list)
    first: float = float("nan")
    rss: float = float("nan")


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


def call_capped(fn: Callable[[], Any], cap: float | None) -> Any:
    """``fn()``, interrupted with :class:`CapExceeded` after ``cap`` seconds
    (``SIGALRM``: pure-Python code is interrupted between bytecodes; a long
    C call finishes first). No cap off the main thread or without
    ``setitimer``."""
    if (not cap or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        return fn()

    def on_alarm(_signum, _frame):
        raise CapExceeded(f"> {cap:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def time_rotating(fns: dict[str, Callable[[], Any]], reps: dict[str, int]
                  ) -> tuple[dict[str, list[float]], dict[str, BaseException]]:
    """Times every library in one rotation: round ``i`` starts with the
    ``i``-th library (mod their number), so drift in the machine's load hits
    all alike. ``reps[name]`` runs of each (slow ones get fewer). A library
    whose call raises (a capped peer past its cap) leaves the rotation; its
    exception is returned."""
    names = list(fns)
    times: dict[str, list[float]] = {n: [] for n in names}
    failed: dict[str, BaseException] = {}
    for i in range(max(reps.values(), default=0)):
        k = i % max(len(names), 1)
        for name in names[k:] + names[:k]:
            if name in failed or len(times[name]) >= reps[name]:
                continue
            try:
                times[name].append(_timed(fns[name]))
            except Exception as exc:  # noqa: BLE001 - a capped peer past its cap, a peer crash
                failed[name] = exc
    return times, failed


_OPENFST_MEM_SCRIPT = r"""
import sys, pynini
def rss():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
warm = pynini.Fst.read(sys.argv[2])  # touches the reader's code pages first
base = rss()
fst = pynini.Fst.read(sys.argv[1])
print((rss() - base) * 1024)
"""


def openfst_result_bytes(result) -> float:
    """Resident memory (bytes) of pynini's result held as an OpenFst
    ``VectorFst``: written to a file, read back in a fresh process (whose
    heap holds nothing else), RSS growth of that read. Measured in this
    process, the growth is blurred by the freed temporaries of earlier
    calls (heap fragmentation keeps some pages resident, trims others).
    NaN when it is not a machine or RSS is unavailable (non-Linux)."""
    if isinstance(result, tuple) and result:
        result = result[0]
    if not hasattr(result, "write") or not os.path.exists("/proc/self/status"):
        return float("nan")
    with tempfile.TemporaryDirectory(prefix="kleene-bench-mem-") as tmp:
        path, tiny = os.path.join(tmp, "result.fst"), os.path.join(tmp, "tiny.fst")
        result.write(path)
        _tiny_like(result).write(tiny)
        proc = subprocess.run([sys.executable, "-c", _OPENFST_MEM_SCRIPT, path, tiny],
                              capture_output=True, text=True, timeout=300, check=False)
    try:
        return float(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


def _tiny_like(result):
    """A two-state machine of the same arc type as ``result``."""
    import pynini
    f = pynini.Fst(arc_type=result.arc_type())
    f.add_states(2)
    f.set_start(0)
    f.set_final(1)
    f.add_arc(0, pynini.Arc(1, 1, pynini.Weight.one(f.weight_type()), 1))
    return f


def _openfst_arcs(result) -> int:
    """Number of arcs of a pynini/pywrapfst result (0 when it is not one)."""
    if isinstance(result, tuple) and result:
        result = result[0]
    if not (hasattr(result, "states") and hasattr(result, "num_arcs")):
        return 0
    try:
        return sum(result.num_arcs(s) for s in result.states())
    except TypeError:
        return 0


# Below this many result arcs, RSS growth (page granularity, allocator
# caching) says little about bytes per arc.
MIN_ARCS_FOR_RSS = 20_000


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
    parcs = _openfst_arcs(pres)
    if parcs >= MIN_ARCS_FOR_RSS:
        row.openfst_bytes_per_arc = openfst_result_bytes(pres) / parcs
    del kres
    for name, peer in case.peers.items():
        row.peers[name] = check_peer(peer, case, pres, name)
    del pres
    # One slow run (> 2 s) means few repetitions: the machine is shared.
    reps = repeat if row.kleene_first < 2.0 else min(repeat, 3)
    fns: dict[str, Callable[[], Any]] = {"kleene": case.kleene}
    counts = {"kleene": reps}
    if case.pynini is not None:
        fns["pynini"], counts["pynini"] = case.pynini, reps
    for name, prow in row.peers.items():
        if prow.status == "ok" and prow.first > 10.0:
            prow.times = [prow.first]  # one very slow run is its own sample
        elif prow.status == "ok":
            peer = case.peers[name]
            fns[name] = functools.partial(call_capped, peer.run, peer.cap)
            # Slow peers (pyfoma is 100-1000x slower) get fewer runs: their
            # ratio is large, its precision matters little.
            slow = 0.2 if peer.cap else 2.0
            counts[name] = (repeat if prow.first < slow else min(repeat, 3)
                            if prow.first < 2.5 * slow else 1)
    times, failed = time_rotating(fns, counts)
    row.kleene, row.pynini = times["kleene"], times.get("pynini", [])
    for name, prow in row.peers.items():
        if name in failed:
            _peer_failed(prow, failed[name])
        elif name in fns:
            prow.times = times[name]
    row.kleene_rss = peak_memory_mib(case.kleene)
    if case.pynini is not None:
        row.pynini_rss = peak_memory_mib(case.pynini)
    for name, prow in row.peers.items():
        if prow.status == "ok" and prow.first < 2.0:
            peer = case.peers[name]
            try:
                prow.rss = peak_memory_mib(functools.partial(call_capped, peer.run, peer.cap))
            except CapExceeded:
                pass
    km, pm = summarize(row.kleene)[0], summarize(row.pynini)[0]
    ratio = pm / km if row.pynini else float("nan")
    peers = "".join(f" {name} {_peer_cell(prow)}" for name, prow in row.peers.items())
    log(f"  ok    {wl.name} [{wl.size}]: kleene {_ms(km)} pynini {_ms(pm)} "
        f"ratio {ratio:.2f}{peers}")
    return row


def check_peer(peer: PeerCase, case: Case, pres, name: str = "peer") -> PeerRow:
    """Runs a peer once (capped), converts its result and checks it against
    pynini's result; the returned row says ok, MISMATCH, ERROR or > cap."""
    prow = PeerRow()
    stage = "the peer raised"
    try:
        t0 = time.perf_counter()
        res = call_capped(peer.run, peer.cap)
        prow.first = time.perf_counter() - t0
        stage = "converting the peer's result raised"
        converted = peer.convert(res) if peer.convert is not None else res
        del res
        stage = "the check raised"
        (peer.check or case.check)(converted, pres)
    except CapExceeded as exc:
        _peer_failed(prow, exc)
    except Mismatch as exc:  # the checks name kleene's side: here it is the peer's
        prow.status, prow.reason = "MISMATCH", str(exc).replace("kleene", name)
    except Exception as exc:  # noqa: BLE001 - the peer's crash is its cell's, not kleene's
        prow.status, prow.reason = "ERROR", f"{stage} {type(exc).__name__}: {exc}"
    return prow


def _peer_failed(prow: PeerRow, exc: BaseException) -> None:
    if isinstance(exc, CapExceeded):
        prow.status, prow.reason, prow.times = "> cap", str(exc), []
    else:
        prow.status, prow.reason = "ERROR", f"timed run raised {type(exc).__name__}: {exc}"
        prow.times = []


def _peer_cell(prow: PeerRow) -> str:
    if prow.status == "ok":
        return _ms(summarize(prow.times)[0])
    return prow.status


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


PEER_ORDER = ("rustfst", "kaldifst", "pyfoma", "kaldilm", "kenlm")


def _ratio(r: Row, times: list[float]) -> float:
    """other ÷ kleene (medians); NaN when either is missing."""
    km, om = summarize(r.kleene)[0], summarize(times)[0]
    return om / km if times and r.kleene else float("nan")


def _peer_names(rows: list[Row]) -> list[str]:
    seen = {name for r in rows for name in r.peers}
    return [n for n in PEER_ORDER if n in seen] + sorted(seen - set(PEER_ORDER))


def summary_lines(rows: list[Row]) -> list[str]:
    """The issue's targets, measured: median ratio vs pynini (≥ 2×), workloads
    slower than pynini (none), per-peer median ratios, the ratio vs pyfoma
    where it finishes (≥ 100×), memory per arc vs OpenFst (no higher)."""
    ok = [r for r in rows if r.status == "ok"]
    vs_pynini = [(r, _ratio(r, r.pynini)) for r in ok if r.pynini]
    lines = []
    if vs_pynini:
        ratios = np.array([x for _, x in vs_pynini])
        med = float(np.median(ratios))
        slower = sorted((x, r) for r, x in vs_pynini if x < 1.0)
        lines.append(f"- **vs pynini**: median ratio {med:.2f}× over {len(ratios)} workloads "
                     f"(target ≥ 2×: {'met' if med >= 2 else 'missed'}); kleene slower on "
                     f"{len(slower)} (target 0: {'met' if not slower else 'missed'})"
                     + (": " + ", ".join(f"{r.name} [{r.size}] {x:.2f}" for x, r in slower[:8])
                        + (", ..." if len(slower) > 8 else "") if slower else ""))
    for name in _peer_names(ok):
        cells = [(r, r.peers[name]) for r in ok if name in r.peers]
        timed = [(r, _ratio(r, p.times)) for r, p in cells if p.status == "ok" and p.times]
        capped = [r for r, p in cells if p.status == "> cap"]
        bad = [(r, p) for r, p in cells if p.status in ("MISMATCH", "ERROR")]
        if timed:
            ratios = np.array([x for _, x in timed])
            worst = min(timed, key=lambda t: t[1])
            text = (f"- **vs {name}**: median ratio {float(np.median(ratios)):.2f}× over "
                    f"{len(timed)} workloads (min {worst[1]:.2f}× on {worst[0].name} "
                    f"[{worst[0].size}], max {float(ratios.max()):.2f}×); kleene slower on "
                    f"{int((ratios < 1).sum())}")
        else:
            text = f"- **vs {name}**: no workload finished"
        if name == "pyfoma" and timed:
            low = float(ratios.min())
            text += (f"; target ≥ 100× where pyfoma finishes: "
                     f"{'met' if low >= 100 else 'missed'} (lowest {low:.0f}×)")
        if capped:
            text += f"; {len(capped)} over the time cap (kleene's ratio there is at least cap ÷ kleene)"
        if bad:
            text += "; " + ", ".join(f"{p.status} on {r.name} [{r.size}]" for r, p in bad)
        lines.append(text)
    mem = [(r, r.bytes_per_arc / r.openfst_bytes_per_arc) for r in ok
           if not np.isnan(r.openfst_bytes_per_arc) and r.openfst_bytes_per_arc > 0]
    if mem:
        higher = sorted(((x, r) for r, x in mem if x > 1.0), key=lambda t: -t[0])
        med = float(np.median([x for _, x in mem]))
        lines.append(f"- **memory per arc vs OpenFst** (kleene's result arrays ÷ pynini's "
                     f"result read into a VectorFst by a fresh process, results ≥ "
                     f"{MIN_ARCS_FOR_RSS:,} arcs): median "
                     f"{med:.2f} over {len(mem)} workloads; higher than OpenFst's on "
                     f"{len(higher)} (target 0: {'met' if not higher else 'missed'})"
                     + (": " + ", ".join(f"{r.name} [{r.size}] {x:.2f}" for x, r in higher[:8])
                        if higher else ""))
    peak = [(r, r.kleene_rss / r.pynini_rss) for r in ok
            if not np.isnan(r.pynini_rss) and r.pynini_rss >= 1.0]
    if peak:
        over = [r for r, x in peak if x > 1.0]
        lines.append(f"- peak RSS growth of one run, kleene ÷ pynini (where pynini's ≥ 1 MiB): "
                     f"median {float(np.median([x for _, x in peak])):.2f} over {len(peak)} "
                     f"workloads; kleene higher on {len(over)}")
    return lines or ["- (no workload was timed)"]


def _peer_table(rows: list[Row]) -> list[str]:
    ok = [r for r in rows if r.status == "ok" and r.peers]
    names = _peer_names(ok)
    if not ok:
        return []
    head = "| workload | input | kleene | kleene MiB | pynini ratio | " + " | ".join(
        f"{n} | {n} ratio | {n} MiB" for n in names) + " |"
    lines = ["", "## Peers", "",
             "The same workloads in rustfst-python, kaldifst (OpenFst inside Kaldi's "
             "bindings) and pyfoma (pure Python), and the n-gram rows in kaldilm "
             "(arpa2fst) and kenlm (scoring), which pynini has no counterpart of, "
             "timed in the same rotation as kleene and pynini after their results were checked against pynini's (n-gram rows: "
             "against the model's exact scores or kleene's G; otherwise the workload's "
             "check; for pyfoma, whose constructions are ε-free, for the compositions and "
             "for the weighted dictionary: isomorphic or equivalent on sampled string "
             "pairs, see `benchmarks/README.md`). **ratio = peer ÷ kleene (> 1: kleene is "
             "faster).** "
             "*—*: the peer has no faithful counterpart of the operation (or is not "
             "installed); *> cap*: pyfoma ran past its time cap. *MiB*: peak RSS growth "
             "of one run (not measured for calls over 2 s).", "", head,
             "|---|---|---:|---:|---:|" + "---:|---:|---:|" * len(names)]
    for r in ok:
        cells = []
        for n in names:
            p = r.peers.get(n)
            if p is None:
                cells += ["—", "—", "—"]
            elif p.status == "ok":
                x = _ratio(r, p.times)
                cells += [_ms(summarize(p.times)[0]), f"{x:.2f}" if x >= 1 else f"**{x:.2f}**",
                          _mib(p.rss)]
            elif p.status == "> cap":
                cap = p.reason.lstrip("> ").rstrip(" s")
                try:
                    bound = f"> {float(cap) / summarize(r.kleene)[0]:.0f}"
                except ValueError:
                    bound = "—"
                cells += [p.reason, bound, "—"]
            else:
                cells += [p.status, "—", "—"]
        lines.append(f"| {r.name} | {r.size} | {_ms(summarize(r.kleene)[0])} | "
                     f"{_mib(r.kleene_rss)} | {_fmt_ratio(_ratio(r, r.pynini))} | "
                     + " | ".join(cells) + " |")
    bad = [(r, n, p) for r in ok for n, p in r.peers.items()
           if p.status in ("MISMATCH", "ERROR")]
    if bad:
        lines += ["", "Peer disagreements and crashes:", ""]
        lines += [f"- {n} on {r.name} [{r.size}]: {p.status}: "
                  f"{p.reason.replace(chr(10), ' ')[:300]}" for r, n, p in bad]
    return lines


def _fmt_ratio(x: float) -> str:
    return "—" if np.isnan(x) else f"{x:.2f}"


def _bpa(x: float) -> str:
    return "—" if np.isnan(x) else f"{x:.1f}"


def write_report(path: str, rows: list[Row], jit_rows: list[tuple[str, Any]], *,
                 threads: int, repeat: int, quick: bool, wall: float,
                 command: str | None = None) -> None:
    command = command or (f"python -m benchmarks run{' --quick' if quick else ''} "
                          f"--repeat {repeat} --threads {threads}")
    lines = ["# kleene vs pynini (OpenFst), rustfst, kaldifst and pyfoma", "",
             f"Generated by `{command}` in {wall:.0f} s.", ""]
    lines += machine_info(threads)
    lines += ["", "## Summary", ""] + summary_lines(rows)
    lines += ["", "## Steady state", "",
              "Every row was checked first: kleene's result agrees with pynini's "
              "(see *check* in `benchmarks/README.md`). Times are the median of "
              f"{repeat} alternating runs (fewer when one run takes > 2 s), with the "
              "inter-quartile range in brackets. **ratio = pynini ÷ kleene: > 1 means "
              "kleene is faster.** Memory: peak RSS growth of one run (MiB); the bytes "
              "per arc of kleene's result (its arrays ÷ its arcs) and of OpenFst's (RSS "
              "growth of a fresh process reading pynini's result from a file into a "
              "VectorFst, ÷ its arcs; results of at least "
              f"{MIN_ARCS_FOR_RSS:,} arcs).", "",
              "| workload | input | states | arcs | kleene | pynini | ratio | "
              "kleene MiB | pynini MiB | kleene B/arc | OpenFst B/arc |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
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
                     f"{_bpa(r.bytes_per_arc)} | {_bpa(r.openfst_bytes_per_arc)} |")
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
    lines += _peer_table(rows)
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
