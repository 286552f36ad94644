"""Command line: ``python -m benchmarks run [--quick] [--only NAME] [--threads N]
[--repeat K] [--no-jit] [--no-peers] [--pyfoma-cap SECONDS] [--output PATH]``.

Thread counts are pinned (environment variables) before numpy or numba load.
Exit status 1 when any workload's results disagree with pynini or crash, or
a peer's result disagrees with pynini's.
"""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Time kleene against pynini (OpenFst) "
                                                 "and the peers rustfst, kaldifst, pyfoma.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="check, time and write the markdown report")
    run.add_argument("--quick", action="store_true",
                     help="small inputs only (about a thousand arcs): a smoke run")
    run.add_argument("--only", action="append", default=[], metavar="NAME",
                     help="run workloads whose name contains NAME (repeatable)")
    run.add_argument("--threads", type=int, default=1,
                     help="numba/BLAS/OpenMP threads (default 1)")
    run.add_argument("--repeat", type=int, default=None,
                     help="timed repetitions per library (default 7, quick 3)")
    run.add_argument("--no-jit", action="store_true",
                     help="skip the fresh-process JIT compile measurements")
    run.add_argument("--no-peers", action="store_true",
                     help="time kleene and pynini only (skip rustfst, kaldifst, pyfoma)")
    run.add_argument("--pyfoma-cap", type=float, default=10.0, metavar="SECONDS",
                     help="time cap of each pyfoma call; past it the cell reads "
                          "'> cap' (default 10)")
    run.add_argument("--output", default=None,
                     help="report path (default benchmarks/results/latest.md, "
                          "or results/quick.md with --quick)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads < 1:
        print("--threads must be at least 1", file=sys.stderr)
        return 2
    if not args.pyfoma_cap > 0:
        print("--pyfoma-cap must be a positive number of seconds", file=sys.stderr)
        return 2
    from . import pin_threads
    pin_threads(args.threads)  # before numpy/numba are imported below
    from .runner import run_all
    repeat = args.repeat or (3 if args.quick else 7)
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results",
        "quick.md" if args.quick else "latest.md")
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    return run_all(quick=args.quick, only=args.only, threads=args.threads, repeat=repeat,
                   jit=not args.no_jit, output=output, peers=not args.no_peers,
                   pyfoma_cap=args.pyfoma_cap, command=command)


if __name__ == "__main__":
    sys.exit(main())
