"""Helpers shared by the subcommands: OpenFst-style flags, reading and
writing machines, weight formatting.

OpenFst's tools take ``--flag=value`` flags with underscores and boolean flags
that are true when given bare (``--acceptor``) and may be spelled
``--acceptor=false`` or ``--noacceptor``. :func:`normalize_bool_flags` rewrites
those spellings before argparse sees them, so a bare boolean flag never
swallows the positional argument that follows it.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import FstArgError, FstIOError

STDIO = "-"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


class CliUsageError(Exception):
    """A command-line mistake argparse cannot catch (exit status 2)."""


# -- flags ------------------------------------------------------------------
def add_bool_flag(parser: argparse.ArgumentParser, name: str, help: str,
                  default: bool = False) -> None:
    """Adds ``--name`` (true) and the hidden ``--noname`` (false)."""
    dest = name.lstrip("-")
    state = "true" if default else "false"
    parser.add_argument(f"--{dest}", dest=dest, action="store_true", default=default,
                        help=f"{help} (default: {state})")
    parser.add_argument(f"--no{dest}", dest=dest, action="store_false",
                        help=argparse.SUPPRESS)


def normalize_bool_flags(argv: list[str], bool_flags: set[str]) -> list[str]:
    """Rewrites ``--flag=true`` to ``--flag`` and ``--flag=false`` to
    ``--noflag`` for the boolean flags of the chosen subcommand."""
    out = []
    for arg in argv:
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
            if name in bool_flags:
                low = value.lower()
                if low in _TRUE:
                    arg = f"--{name}"
                elif low in _FALSE:
                    arg = f"--no{name}"
                else:
                    raise CliUsageError(
                        f"--{name} takes true or false, not {value!r}")
        out.append(arg)
    return out


def bool_flags_of(parser: argparse.ArgumentParser) -> set[str]:
    """Names of the boolean flags a (sub)parser defines."""
    names = set()
    for action in parser._actions:  # argparse keeps no public list
        if isinstance(action, argparse._StoreTrueAction):
            names.update(opt[2:] for opt in action.option_strings)
    return names


def add_in_out(parser: argparse.ArgumentParser, inputs: int = 1) -> None:
    """Positional ``in.fst [out.fst]`` (or ``in1.fst in2.fst [out.fst]``)."""
    if inputs == 1:
        parser.add_argument("in_fst", nargs="?", default=STDIO, metavar="in.fst",
                            help="input machine (default or '-': standard input)")
    else:
        parser.add_argument("in_fst", metavar="in1.fst",
                            help="first input machine ('-': standard input)")
        parser.add_argument("in2_fst", metavar="in2.fst",
                            help="second input machine ('-': standard input)")
    parser.add_argument("out_fst", nargs="?", default=STDIO, metavar="out.fst",
                        help="output machine (default or '-': standard output)")


def add_delta(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delta", type=float, default=None,
                        help="convergence/comparison delta (default: the "
                             "library operation's, as in OpenFst)")


def delta_option(args: argparse.Namespace) -> dict:
    """``{"delta": value}`` when --delta was given, else nothing (so the
    operation's own default applies: kShortestDelta or kDelta as in OpenFst)."""
    return {} if args.delta is None else {"delta": args.delta}


def add_fst_type(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fst_type", choices=["vector", "const"], default="vector",
                        help="OpenFst container type written to out.fst "
                             "(default: %(default)s)")


def parse_weight(text: str) -> float:
    """A weight as OpenFst's text format writes it (``Infinity`` allowed)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a weight: {text!r}") from None


# -- reading and writing --------------------------------------------------------
def load_symbols(path: str | None):
    if not path:
        return None
    from ..core.symbols import SymbolTable
    return SymbolTable.read_text(path)


def load_fst(path: str):
    """Reads a machine: OpenFst binary (vector or const), or any other format
    ``kleene.read`` recognizes by content (``-``: standard input)."""
    from ..io.files import read
    return read(path or STDIO)


def save_fst(fst, path: str, fst_type: str = "vector") -> None:
    """Writes ``fst`` in OpenFst's binary format (``-``: standard output)."""
    from ..io.files import write
    write(fst, path or STDIO, format="binary", fst_type=fst_type)


def open_text_output(path: str):
    """A text stream for ``path`` (``-``: standard output); caller closes it
    unless it is ``sys.stdout``."""
    if not path or path == STDIO:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise FstIOError(f"cannot write: {exc.strerror}", path=path) from exc


def write_text(text: str, path: str) -> None:
    out = open_text_output(path)
    try:
        out.write(text)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()


def read_text_input(path: str) -> tuple[str, str]:
    """The text of ``path`` (``-``: standard input) and a name for messages."""
    if not path or path == STDIO:
        return sys.stdin.read(), "standard input"
    try:
        with open(path, "r", encoding="utf-8") as fh:
            return fh.read(), path
    except UnicodeDecodeError as exc:
        raise FstIOError(f"not UTF-8 text ({exc.reason})", path=path,
                         offset=exc.start) from exc
    except OSError as exc:
        raise FstIOError(f"cannot read: {exc.strerror}", path=path) from exc


def format_weight(value: float) -> str:
    """A weight as OpenFst prints a float weight (6 significant digits,
    ``Infinity`` for infinities)."""
    from ..io.text import format_weight as openfst_format
    return openfst_format(value)


def same_semiring(first, second, what: str) -> None:
    if first.semiring != second.semiring:
        raise FstArgError(f"{what}: the machines have different arc types "
                          f"({first.semiring.arc_type} and {second.semiring.arc_type}); "
                          "convert one first")


def binary_command(operation, what: str):
    """The handler of a two-machine command ``kleene what in1 in2 [out]``:
    reads both inputs (at most one from stdin), checks they share a semiring
    and writes ``operation(kleene, first, second, args)``."""
    def command(args) -> int:
        import kleene
        if args.in_fst == STDIO and args.in2_fst == STDIO:
            raise CliUsageError("only one input can be standard input")
        first = load_fst(args.in_fst)
        second = load_fst(args.in2_fst)
        same_semiring(first, second, what)
        save_fst(operation(kleene, first, second, args), args.out_fst,
                 fst_type=args.fst_type)
        return 0
    return command


def unary_command(operation):
    """The handler of a one-machine command ``kleene what [in [out]]``: writes
    ``operation(kleene, fst, args)``."""
    def command(args) -> int:
        import kleene
        fst = load_fst(args.in_fst)
        save_fst(operation(kleene, fst, args), args.out_fst, fst_type=args.fst_type)
        return 0
    return command
