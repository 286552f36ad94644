"""Cold start (issue 6 target): import kleene plus the first call of a typical
operation in a fresh process, with the numba cache warm (target ≤ 2 s) and
empty (the first-ever call, documented), against ``import pynini`` plus the
same first call.

``python -m benchmarks.cold_start [--runs N] [--quick] [--only OP]`` writes
``benchmarks/results/cold_start.md``.

Every measurement is a fresh ``python -c`` process. The parent reads
``time.monotonic()`` (a system-wide clock on Linux) just before it spawns the
child and passes it on the command line; the child reads the same clock at
its first line (*interpreter*: process start, ``site``, the venv's ``.pth``
files), after the import, after building its input and after the first
call, so every phase is measured from process start. The child then calls
the operation a second time (*steady*): first − steady is the one-time cost
(numba compile or cache load, lazy imports).

Phases, each ``--runs`` fresh processes (median reported):

- *import*: ``import kleene`` / ``import pynini`` / nothing (``python -c``);
- *warm*: ``NUMBA_CACHE_DIR`` is a directory that one unmeasured run per
  operation filled first, so the kernels load from disk;
- *cold*: ``NUMBA_CACHE_DIR`` is a new empty directory for every run: the
  first-ever call compiles every kernel it reaches (the run that fills the
  warm cache is the first of these; ``--cold-runs`` sets how many, since
  each takes tens of seconds);
- *pynini*: ``import pynini`` plus the same first call.

Inputs are tiny (20 states, 60 arcs: ``generate.random_fst``) so that the
call itself is negligible; they are written to a temporary directory as JSON
arc lists (and one OpenFst binary file) by the parent and built in the child
with each library's own constructor (``Fst.from_arrays``; pynini ``add_arc``),
so the pynini child never imports kleene or numpy.

Threads are pinned to 1 (``benchmarks.THREAD_ENV_VARS``) as in the other
benchmarks.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

from . import THREAD_ENV_VARS

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: operation -> what it does (both libraries), for the report
OPERATIONS = {
    "compose": "compose two random 20-state transducers",
    "determinize": "determinize a random acyclic 20-state acceptor",
    "shortest_path": "shortest_path of a random cyclic 20-state transducer",
    "rmepsilon": "rmepsilon of a random 20-state transducer (10% ε)",
    "cdrewrite": "compile `cdrewrite(cross('s', 'z'), V, V, sigma_star)` (bytes, V = "
                 "union of 5 vowels)",
    "read_binary": "read a 20-state OpenFst binary `.fst` file (`kleene.read` / "
                   "`pynini.Fst.read`)",
}

# The child: argv = lib, op, data dir, spawn time. Prints one JSON line.
_CHILD = r"""
import time
t_main = time.monotonic()
import json, os, sys
lib, op, data, t_spawn = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
marks = {"interp": t_main - t_spawn, "cpu_interp": time.process_time()}

def load(name):
    with open(os.path.join(data, name + ".json")) as fh:
        return json.load(fh)

if lib == "none":
    print(json.dumps(marks))
    sys.exit(0)

t0 = time.monotonic()
if lib == "kleene":
    import kleene
else:
    import pynini
t1 = time.monotonic()
marks["import"] = t1 - t0
marks["cpu_import"] = time.process_time() - marks["cpu_interp"]

def k_fst(d):
    import numpy as np
    return kleene.Fst.from_arrays(d["n"], np.array(d["src"]), np.array(d["il"]),
                                  np.array(d["ol"]), np.array(d["w"], np.float32),
                                  np.array(d["dst"]), final=np.array(d["final"], np.float32),
                                  start=d["start"])

def p_fst(d):
    f = pynini.Fst()
    f.add_states(d["n"])
    f.set_start(d["start"])
    for s, i, o, w, t in zip(d["src"], d["il"], d["ol"], d["w"], d["dst"]):
        f.add_arc(s, pynini.Arc(i, o, w, t))
    for s, w in enumerate(d["final"]):
        if w != float("inf"):
            f.set_final(s, w)
    return f

make = k_fst if lib == "kleene" else p_fst
if op == "import":
    args, call = (), None
elif op == "compose":
    args = (make(load("compose_a")), make(load("compose_b")))
    call = kleene.compose if lib == "kleene" else pynini.compose
elif op == "determinize":
    args = (make(load("determinize")),)
    call = kleene.determinize if lib == "kleene" else pynini.determinize
elif op == "shortest_path":
    args = (make(load("cyclic")),)
    call = kleene.shortest_path if lib == "kleene" else pynini.shortestpath
elif op == "rmepsilon":
    args = (make(load("cyclic")),)
    call = kleene.rmepsilon if lib == "kleene" else pynini.rmepsilon
elif op == "cdrewrite":
    args = ()
    if lib == "kleene":
        def call():
            import importlib
            from kleene.grammar import cdrewrite, cross, sigma_star, union
            importlib.import_module("kleene.grammar.cdrewrite").clear_cache()
            v = union(*"aeiou")
            return cdrewrite(cross("s", "z"), v, v, sigma_star())
    else:
        def call():
            from pynini.lib import byte
            v = pynini.union(*"aeiou")
            return pynini.cdrewrite(pynini.cross("s", "z"), v, v, byte.BYTE.closure())
elif op == "read_binary":
    path = os.path.join(data, "tiny.fst")
    args = ()
    call = (lambda: kleene.read(path)) if lib == "kleene" else (lambda: pynini.Fst.read(path))
else:
    raise SystemExit("unknown operation " + op)
t2 = time.monotonic()
c2 = time.process_time()
marks["input"] = t2 - t1
if call is not None:
    result = call(*args)
    t3 = time.monotonic()
    c3 = time.process_time()
    marks["call"] = t3 - t2
    marks["total"] = t3 - t_spawn
    marks["cpu_call"] = c3 - c2
    marks["cpu_total"] = c3
    t4 = time.monotonic()
    call(*args)
    marks["steady"] = time.monotonic() - t4
else:
    marks["total"] = t2 - t_spawn
    marks["cpu_total"] = c2
marks["numba_imported"] = "numba" in sys.modules
marks["kernel_modules"] = sorted(m.rsplit(".", 1)[1] for m in sys.modules
                                 if m.startswith("kleene.kernels."))
print(json.dumps(marks))
"""


# Profiles the child (argv: child script path, then the child's arguments):
# cProfile over everything after interpreter start; prints the cumulative
# time of the start-up steps that matter and the slowest calls.
_PROFILER = r"""
import cProfile, json, pstats, sys, time
path = sys.argv[1]
sys.argv = [path] + sys.argv[2:5] + [repr(time.monotonic())]
with open(path) as fh:
    code = compile(fh.read(), path, "exec")
prof = cProfile.Profile(time.process_time)  # CPU seconds: load does not stretch them
t0 = time.process_time()
prof.enable()
exec(code, {"__name__": "__main__"})
prof.disable()
cpu = time.process_time() - t0
stats = pstats.Stats(prof).stats
def cum(file_part, func):
    hits = [(v[1], v[3]) for k, v in stats.items() if file_part in k[0] and k[2] == func]
    return [sum(h[0] for h in hits), sum(h[1] for h in hits)]
summary = {
    "profiled_cpu": cpu,
    "import numba": cum("numba/__init__.py", "<module>"),
    "import kleene": cum("kleene/__init__.py", "<module>"),
    "numba target context refresh (first dispatch)": cum("numba/core/base.py", "refresh"),
    "numba cache loads (load_overload)": cum("numba/core/caching.py", "load_overload"),
    "numba compiles (compile_extra)": cum("numba/core/compiler.py", "compile_extra"),
    "kleene.kernels module imports": [0, sum(v[3] for k, v in stats.items()
        if "/kleene/kernels/" in k[0] and k[2] == "<module>")],
}
top = sorted(((v[3], f"{k[0].split('site-packages/')[-1].split('/src/')[-1]}:{k[2]}")
              for k, v in stats.items() if "kleene" in k[0] and k[2] != "<module>"),
             reverse=True)[:8]
summary["slowest kleene functions (cumulative)"] = top
print(json.dumps(summary))
"""


def profile(op: str, log=print) -> dict:
    """Where the warm-cache start-up of ``op`` goes: one unmeasured run fills
    a cache, then a profiled fresh process (cProfile, so times are inflated
    by its overhead: read them as shares; CPU time, not wall) and a ``-X
    importtime`` one (wall time)."""
    with tempfile.TemporaryDirectory(prefix="kleene-cold-prof-") as tmp:
        write_inputs(tmp)
        cache = os.path.join(tmp, "cache")
        run_child("kleene", op, tmp, cache)
        child = os.path.join(tmp, "child.py")
        with open(child, "w") as fh:
            fh.write(_CHILD)
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for var in THREAD_ENV_VARS:
            env[var] = "1"
        proc = subprocess.run([sys.executable, "-c", _PROFILER, child, "kleene", op, tmp],
                              check=True, env=env, cwd=tmp, capture_output=True, text=True)
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        proc = subprocess.run([sys.executable, "-X", "importtime", child, "kleene", op, tmp,
                               repr(time.monotonic())],
                              check=True, env=env, cwd=tmp, capture_output=True, text=True)
    imports = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            if depth == 0:  # top-level imports only: their cumulative time
                imports.append((int(parts[1]) / 1e6, name.strip()))
    summary["slowest top-level imports (cumulative, -X importtime)"] = sorted(
        imports, reverse=True)[:8]
    for key, value in summary.items():
        log(f"  {key}: {value}")
    return summary


def write_inputs(directory: str) -> None:
    """The tiny inputs every child builds: JSON arc lists and one binary file."""
    from .generate import openfst_bytes, random_fst

    def dump(name, fst):
        d = {"n": fst.num_states, "start": fst.start,
             "src": fst.arc_source.tolist(), "il": fst.ilabel.tolist(),
             "ol": fst.olabel.tolist(), "w": fst.weight.tolist(),
             "dst": fst.nextstate.tolist(), "final": fst.final.tolist()}
        with open(os.path.join(directory, name + ".json"), "w") as fh:
            json.dump(d, fh)

    dump("compose_a", random_fst(20, 60, seed=1))
    dump("compose_b", random_fst(20, 60, seed=2))
    dump("determinize", random_fst(20, 60, acceptor=True, acyclic=True, seed=3))
    dump("cyclic", random_fst(20, 60, seed=4))
    with open(os.path.join(directory, "tiny.fst"), "wb") as fh:
        fh.write(openfst_bytes(random_fst(20, 60, seed=5)))


def run_child(lib: str, op: str, data: str, cache: str | None, timeout: float = 600.0
              ) -> dict:
    env = dict(os.environ)
    for var in THREAD_ENV_VARS:
        env[var] = "1"
    env.pop("NUMBA_CACHE_DIR", None)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    t_spawn = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _CHILD, lib, op, data, repr(t_spawn)],
                          check=False, env=env, cwd=data, capture_output=True, text=True,
                          timeout=timeout)
    wall = time.monotonic() - t_spawn
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:] or ["(no output)"]
        raise RuntimeError(f"{lib} {op} failed: {' | '.join(tail)}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["exit"] = wall
    return out


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def measure(runs: int, ops: list[str], log=print, cold_runs: int | None = None) -> dict:
    """All phases; returns ``{(phase, lib, op): [child results]}``."""
    results: dict = {}

    def add(key, res):
        results.setdefault(key, []).append(res)

    with tempfile.TemporaryDirectory(prefix="kleene-cold-") as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        write_inputs(data)
        warm = os.path.join(tmp, "warm-cache")
        log("import (fresh processes):")
        for _ in range(runs):
            for lib in ("none", "kleene", "pynini"):
                add(("import", lib, "import"), run_child(lib, "import", data, warm))
        log(f"  python {median(r['interp'] for r in results[('import', 'none', 'import')]):.3f} s, "
            f"kleene {median(r['total'] for r in results[('import', 'kleene', 'import')]):.3f} s, "
            f"pynini {median(r['total'] for r in results[('import', 'pynini', 'import')]):.3f} s")
        # Filling the warm cache is itself a first-ever call (empty directory):
        # it is the first cold sample of each operation.
        log("filling the warm cache (the first cold run of each operation):")
        for op in ops:
            res = run_child("kleene", op, data, warm)
            add(("cold", "kleene", op), res)
            log(f"  {op}: total {res['total']:.1f} s")
        log("warm cache and pynini, alternating:")
        for _ in range(runs):
            for op in ops:
                add(("warm", "kleene", op), run_child("kleene", op, data, warm))
                add(("pynini", "pynini", op), run_child("pynini", op, data, None))
        for op in ops:
            log(f"  {op}: kleene warm {median(r['total'] for r in results[('warm', 'kleene', op)]):.3f} s, "
                f"pynini {median(r['total'] for r in results[('pynini', 'pynini', op)]):.3f} s")
        log("cold (empty cache each run):")
        for i in range(1, runs if cold_runs is None else cold_runs):
            for op in ops:
                cache = os.path.join(tmp, f"cold-{op}-{i}")
                res = run_child("kleene", op, data, cache)
                add(("cold", "kleene", op), res)
                log(f"  {op} run {i + 1}: total {res['total']:.1f} s")
    return results


# -- report -----------------------------------------------------------------------------


def _s(x: float) -> str:
    if math.isnan(x):
        return "—"
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1e3:.0f} ms"


def _verdict(x: float) -> str:
    return "met" if x <= 2.0 else "NOT met"  # nan (not measured) is not met


def _med(results, key, field):
    return median(r.get(field) for r in results.get(key, []))


def _range(results, key, field) -> str:
    vals = [r[field] for r in results.get(key, []) if field in r]
    if not vals:
        return "—"
    return f"{_s(median(vals))} ({_s(min(vals))}–{_s(max(vals))})"


def report(path: str, results: dict, *, runs: int, ops: list[str], wall: float,
           quick: bool, notes: str = "", cold_runs: int | None = None) -> None:
    from .harness import machine_info
    lines = ["# Cold start: import + first call in a fresh process", "",
             (f"Generated by `python -m benchmarks.cold_start --runs {runs}"
              f"{f' --cold-runs {cold_runs}' if cold_runs is not None else ''}"
             f"{' --quick' if quick else ''}` in {wall:.0f} s."), ""]
    lines += machine_info(1)
    lines += ["",
              (f"Every number is the **median of {runs} fresh processes** (min–max in "
              "brackets where shown); the machine is shared (2 cores, other engineers "
              "running tests), so single runs vary. Times are wall clock from the "
              "moment the parent spawns `python -c ...` (see the module docstring of "
              "`benchmarks/cold_start.py`). *interpreter*: spawn → first line of the "
              "script (interpreter start, `site`, the venv's `.pth` files). *warm*: "
              "`NUMBA_CACHE_DIR` filled by an earlier process; *cold*: an empty "
              "`NUMBA_CACHE_DIR` per run (the first-ever call compiles every kernel "
              "it reaches). *first call* includes everything the call imports lazily "
              "(numba, kernel modules, cache loads); *steady* is the same call again "
              "in the same process. Inputs are 20-state, 60-arc machines, so the work "
              "itself is negligible."), "",
              ("Wall times suffer from the shared machine's load (another process "
              "on the same core stretches them); *CPU* is the child's own CPU time "
              "(`time.process_time()` from process start: user + system), which is "
              "what the wall time would be on an idle core, since start-up is "
              "single-threaded and reads files from the page cache."), "",
              "## Import", "",
              "| process | interpreter | import | total from spawn | CPU |",
              "|---|---:|---:|---:|---:|"]
    for lib, label in (("none", "`python -c` (nothing)"), ("kleene", "`import kleene`"),
                       ("pynini", "`import pynini`")):
        key = ("import", lib, "import")
        field = "total" if lib != "none" else "interp"
        cpu = "cpu_total" if lib != "none" else "cpu_interp"
        imp = _s(_med(results, key, "import")) if lib != "none" else "—"
        lines.append(f"| {label} | {_s(_med(results, key, 'interp'))} | {imp} | "
                     f"{_range(results, key, field)} | {_s(_med(results, key, cpu))} |")
    kimp = results.get(("import", "kleene", "import"), [{}])[0]
    lines += ["", (f"`import kleene` imports numba: **{kimp.get('numba_imported', '?')}**; "
                   f"kernel modules imported: {len(kimp.get('kernel_modules', []))}."), ""]
    lines += ["## Import + first call, numba cache warm, vs pynini", "",
              ("| operation | kleene total | CPU | import | input | first call | "
               "first call CPU | steady | pynini total | CPU | first call |"),
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    verdicts = []
    for op in ops:
        w, c, p = ("warm", "kleene", op), ("cold", "kleene", op), ("pynini", "pynini", op)
        lines.append(f"| {op} | **{_range(results, w, 'total')}** | "
                     f"{_s(_med(results, w, 'cpu_total'))} | "
                     f"{_s(_med(results, w, 'import'))} | {_s(_med(results, w, 'input'))} | "
                     f"{_s(_med(results, w, 'call'))} | {_s(_med(results, w, 'cpu_call'))} | "
                     f"{_s(_med(results, w, 'steady'))} | "
                     f"{_range(results, p, 'total')} | {_s(_med(results, p, 'cpu_total'))} | "
                     f"{_s(_med(results, p, 'call'))} |")
        verdicts.append((op, _med(results, w, "total"), _med(results, w, "cpu_total"),
                         _med(results, p, "total"), _med(results, c, "total"),
                         _med(results, c, "cpu_total")))
    lines += ["", ("*input* builds the tiny machines (`Fst.from_arrays`, which may load "
                  "kernels too: that cost is then not in *first call*); *total* = "
                  "interpreter + import + input + first call."), ""]
    lines += ["## First-ever call (empty numba cache)", "",
              "| operation | total | CPU | first call | first call CPU | runs |",
              "|---|---:|---:|---:|---:|---:|"]
    for op in ops:
        c = ("cold", "kleene", op)
        lines.append(f"| {op} | **{_range(results, c, 'total')}** | "
                     f"{_s(_med(results, c, 'cpu_total'))} | {_s(_med(results, c, 'call'))} | "
                     f"{_s(_med(results, c, 'cpu_call'))} | {len(results.get(c, []))} |")
    lines += ["", "Operations (both libraries): " + "; ".join(
        f"*{op}*: {OPERATIONS[op]}" for op in ops) + ".", ""]
    lines += ["Kernel modules (`kleene.kernels.*`) a warm process had imported by the end: "
              + "; ".join(f"*{op}* {len(results[('warm', 'kleene', op)][0]['kernel_modules'])}"
                          for op in ops if results.get(("warm", "kleene", op))) + ".", ""]
    lines += ["## Targets", ""]
    for op, total, cpu, ptotal, ctotal, ccpu in verdicts:
        lines.append(f"- import + first {op} with a warm numba cache ≤ 2 s: wall "
                     f"**{_verdict(total)}** ({_s(total)}), CPU **{_verdict(cpu)}** "
                     f"({_s(cpu)}); pynini {_s(ptotal)}; first-ever call with an empty "
                     f"cache {_s(ctotal)} ({_s(ccpu)} CPU)")
    if notes:
        lines += ["", notes.strip()]
    lines.append("")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold_start",
                                     description="Import + first-call time of kleene "
                                                 "and pynini in fresh processes.")
    parser.add_argument("--runs", type=int, default=5,
                        help="fresh processes per measurement (default 5)")
    parser.add_argument("--cold-runs", type=int, default=None,
                        help="fresh processes per operation with an empty cache "
                             "(default: --runs; each compiles every kernel it reaches)")
    parser.add_argument("--quick", action="store_true",
                        help="one run, two operations (a smoke test; report in the "
                             "temporary directory)")
    parser.add_argument("--only", action="append", default=[], metavar="OP",
                        help=f"operations to run (of {', '.join(OPERATIONS)})")
    parser.add_argument("--notes", default=None,
                        help="a markdown file appended to the report (findings)")
    parser.add_argument("--output", default=None, help="report path")
    parser.add_argument("--profile", metavar="OP", default=None,
                        help="only profile the warm-cache start-up of OP (cProfile and "
                             "-X importtime) and print where the time goes")
    args = parser.parse_args(argv)
    if args.profile:
        if args.profile not in OPERATIONS:
            print(f"unknown operation {args.profile!r}", file=sys.stderr)
            return 2
        profile(args.profile, log=lambda m: print(m, flush=True))
        return 0
    ops = [op for op in OPERATIONS if not args.only or op in args.only]
    unknown = [op for op in args.only if op not in OPERATIONS]
    if unknown or args.runs < 1:
        print(f"unknown operation(s) {unknown}" if unknown else "--runs must be ≥ 1",
              file=sys.stderr)
        return 2
    runs = 1 if args.quick else args.runs
    if args.quick and not args.only:
        ops = ["compose", "read_binary"]
    output = args.output or (
        os.path.join(tempfile.gettempdir(), "kleene-cold-start-quick.md") if args.quick
        else os.path.join(REPO_ROOT, "benchmarks", "results", "cold_start.md"))
    t0 = time.monotonic()
    cold_runs = 1 if args.quick else args.cold_runs
    results = measure(runs, ops, log=lambda m: print(m, flush=True), cold_runs=cold_runs)
    notes = ""
    if args.notes:
        with open(args.notes) as fh:
            notes = fh.read()
    report(output, results, runs=runs, ops=ops, wall=time.monotonic() - t0, quick=args.quick,
           notes=notes, cold_runs=None if args.quick else args.cold_runs)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
