"""The ``kleene`` command: OpenFst-style subcommands over kleene machines.

Each subcommand mirrors an OpenFst tool (``kleene compile`` is ``fstcompile``,
``kleene shortestpath`` is ``fstshortestpath``, ...): positional
``in.fst [out.fst]`` with standard input/output when omitted or ``-``, and
OpenFst's flag names. Subcommands live in small modules that each define
``register(subparsers)``; this module builds the parser and dispatches.

User errors (every :class:`~kleene.errors.KleeneError` and ``OSError``) print
``kleene <cmd>: error: <message>`` to standard error and exit with status 1;
usage errors exit with status 2, as argparse does.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import algebra, demo, far, grammar, io_commands, lm, ops, paths, regex
from .common import CliUsageError, bool_flags_of, normalize_bool_flags

PROG = "kleene"
_MODULES = (io_commands, ops, paths, algebra, far, grammar, regex, lm, demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, allow_abbrev=False,
        description="Weighted finite-state transducers: OpenFst-compatible "
                    "command-line tools (run 'kleene <command> --help').")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True
    for module in _MODULES:
        module.register(sub)
    return parser


def _version() -> str:
    from .. import __version__
    return f"kleene {__version__}"


def _subparser(parser: argparse.ArgumentParser, name: str):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


def main(argv: list[str] | None = None) -> int:
    """Runs ``kleene`` with ``argv`` (default: ``sys.argv[1:]``); returns the
    exit status (console-script wrappers pass it to ``sys.exit``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    command = next((a for a in argv if not a.startswith("-")), None)
    sub = _subparser(parser, command) if command else None
    if sub is not None:
        try:
            argv = normalize_bool_flags(argv, bool_flags_of(sub))
        except CliUsageError as exc:
            sub.print_usage(sys.stderr)
            print(f"{PROG} {command}: error: {exc}", file=sys.stderr)
            return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    from ..errors import KleeneError
    try:
        status = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # e.g. 'kleene print big.fst | head': stop quietly as OpenFst tools do
        _silence_stdout()
        return 1
    except (KleeneError, OSError, NotImplementedError) as exc:
        print(f"{PROG} {args.command}: error: {_message(exc)}", file=sys.stderr)
        return 1
    except CliUsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return int(status or 0)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
