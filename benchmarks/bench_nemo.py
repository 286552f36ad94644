"""NeMo's English text normalization on pynini and on kleene (issue 5).

``python -m benchmarks.bench_nemo [--repeat N] [--sentences K] [--cold]``

Builds nemo-text-processing's English TN grammar (and the ITN grammar) with
real pynini and with kleene through :func:`kleene.compat.install` (NeMo's
code unchanged), each in a fresh process (``tests/compat/nemo_driver.py``),
alternating which backend goes first, ``--repeat`` times; then normalizes
``--sentences`` generated sentences with each prebuilt grammar. Before any
number is reported the outputs of the two backends are compared: every
sentence must normalize identically (a mismatch exits with status 1).

Reported: grammar build time (median and range; the process's imports are
not included), peak RSS of the process after the TN build (MiB: the
interpreter, the libraries and the grammar), and normalization time per
sentence. kleene's runs use numba's on-disk cache as a user's second run
does; ``--cold`` adds one kleene run with an empty cache directory (the
first run after installation: every kernel is compiled). Threads are pinned
to one. Writes ``benchmarks/results/nemo.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(backend: str, in_path: str, env_extra: dict | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        pass
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-m", "tests.compat.nemo_driver", backend, in_path,
                           out.name], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the {backend} run failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    with open(out.name, encoding="utf-8") as f:
        result = json.load(f)
    os.unlink(out.name)
    return result


def _fmt(values: list[float]) -> str:
    med = statistics.median(values)
    return f"{med:.2f} s ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"{med:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=120)
    parser.add_argument("--cold", action="store_true",
                        help="also time one kleene run with an empty numba cache")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "nemo.md"))
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from tests.compat.nemo_sentences import spoken_sentences, written_sentences
    written = written_sentences(args.sentences, seed=11)
    spoken = spoken_sentences(args.sentences // 2, seed=11)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump({"written": written, "spoken": spoken}, f)
        in_path = f.name

    runs: dict[str, list[dict]] = {"pynini": [], "kleene": []}
    for i in range(args.repeat):
        order = ("pynini", "kleene") if i % 2 == 0 else ("kleene", "pynini")
        for backend in order:
            result = _run(backend, in_path)
            runs[backend].append(result)
            print(f"run {i + 1}/{args.repeat} {backend}: TN build {result['tn_build_s']:.2f} s, "
                  f"ITN build {result['itn_build_s']:.2f} s, peak {result['tn_peak_mib']:.0f} MiB",
                  flush=True)
    # identical outputs on every run, or nothing is reported
    reference = runs["pynini"][0]
    for backend, results in runs.items():
        for result in results:
            for key in ("tn", "itn"):
                bad = [i for i, (a, b) in enumerate(zip(reference[key], result[key])) if a != b]
                if bad or len(reference[key]) != len(result[key]):
                    print(f"MISMATCH ({backend}, {key}): {len(bad)} outputs differ, e.g. "
                          f"{written[bad[0]] if bad and key == 'tn' else ''!r}")
                    return 1
    cold = _run("kleene", in_path, {"NUMBA_CACHE_DIR": tempfile.mkdtemp()}) if args.cold else None
    os.unlink(in_path)

    def col(backend, key):
        return [r[key] for r in runs[backend]]

    tn_p, tn_k = col("pynini", "tn_build_s"), col("kleene", "tn_build_s")
    itn_p, itn_k = col("pynini", "itn_build_s"), col("kleene", "itn_build_s")
    norm_p = [r["tn_normalize_s"] / len(written) * 1000 for r in runs["pynini"]]
    norm_k = [r["tn_normalize_s"] / len(written) * 1000 for r in runs["kleene"]]
    inorm_p = [r["itn_normalize_s"] / len(spoken) * 1000 for r in runs["pynini"]]
    inorm_k = [r["itn_normalize_s"] / len(spoken) * 1000 for r in runs["kleene"]]
    med = statistics.median
    intro = (f"nemo-text-processing's English grammars, {args.repeat} fresh processes per "
             f"backend (alternating), one thread; {len(written)} written and {len(spoken)} "
             "spoken sentences normalized with each prebuilt grammar, outputs identical on "
             "every run (checked before reporting). kleene runs through "
             "`kleene.compat.install()` with NeMo unchanged and numba's on-disk cache warm. "
             "ratio = pynini ÷ kleene.")
    lines = [
        "# NeMo English text normalization: pynini vs kleene",
        "",
        intro,
        "",
        "| | pynini | kleene | ratio |",
        "|---|---:|---:|---:|",
        f"| TN grammar build | {_fmt(tn_p)} | {_fmt(tn_k)} | {med(tn_p) / med(tn_k):.2f} |",
        f"| ITN grammar build | {_fmt(itn_p)} | {_fmt(itn_k)} | {med(itn_p) / med(itn_k):.2f} |",
        (f"| peak RSS after TN build | {med(col('pynini', 'tn_peak_mib')):.0f} MiB | "
         f"{med(col('kleene', 'tn_peak_mib')):.0f} MiB | |"),
        (f"| TN normalization, per sentence | {med(norm_p):.1f} ms | {med(norm_k):.1f} ms | "
         f"{med(norm_p) / med(norm_k):.2f} |"),
        (f"| ITN normalization, per sentence | {med(inorm_p):.1f} ms | {med(inorm_k):.1f} ms | "
         f"{med(inorm_p) / med(inorm_k):.2f} |"),
    ]
    if cold is not None:
        lines += ["", (f"First-ever kleene run (empty numba cache, every kernel compiled): TN "
                       f"build {cold['tn_build_s']:.1f} s, ITN build {cold['itn_build_s']:.1f} s.")]
    lines += ["", ("The peak includes each process's interpreter and libraries (kleene's numba "
                   "and llvmlite add about 45 MiB at import).")]
    text = "\n".join(lines) + "\n"
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
