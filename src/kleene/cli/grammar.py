"""Grammar subcommands: ``kleene rewrite`` (a rewrite tester, as pynini's
``rewrite`` helpers and Thrax's rewrite tester).

``kleene rewrite RULE.fst`` reads lines (standard input, or ``--input``) and
prints every rewrite of each as ``input<TAB>output`` (``<TAB>weight`` with
``--show_weights``). A line the rule cannot rewrite gets an error on
standard error; the command goes on with the next line and exits with
status 1 at the end.
"""

from __future__ import annotations

import argparse
import sys

from .common import STDIO, CliUsageError, add_bool_flag, format_weight, load_fst

_MODES = ("all", "top", "one_top", "optimal")


def register(sub) -> None:
    p = sub.add_parser(
        "rewrite", allow_abbrev=False,
        help="rewrite lines of text with a rule (pynini's rewrite helpers)",
        description="Applies a rule machine to each input line and prints its "
                    "rewrites, one 'input<TAB>output' line each (with "
                    "--show_weights, a third column holds the weight). --mode "
                    "picks which rewrites: all of them (in label order), the "
                    "--n best (top), the best one, failing on a tie (one_top), "
                    "or every rewrite as good as the best (optimal). A line "
                    "with no rewrite is reported on standard error; the other "
                    "lines are still rewritten and the exit status is 1.",
        epilog="example: printf 'ata\\nasa\\n' | kleene rewrite --mode=top "
               "--n=2 --show_weights flap.fst")
    p.add_argument("rule_fst", nargs="?", default=None, metavar="RULE.fst",
                   help="the rule machine ('-': standard input); omit with --far")
    p.add_argument("--far", default=None, metavar="ARCHIVE",
                   help="read the rule from this FST archive instead")
    p.add_argument("--rule", default=None, metavar="NAME",
                   help="name of the rule in --far (optional if it holds one machine)")
    p.add_argument("--input", default=STDIO, metavar="FILE",
                   help="input lines (default or '-': standard input)")
    p.add_argument("--input_token_type", default="byte", metavar="TYPE",
                   help="byte, utf8, or a symbol table file (default: %(default)s)")
    p.add_argument("--output_token_type", default="byte", metavar="TYPE",
                   help="byte, utf8, or a symbol table file (default: %(default)s)")
    p.add_argument("--mode", choices=_MODES, default="all",
                   help="which rewrites to print (default: %(default)s)")
    p.add_argument("--n", type=int, default=1,
                   help="number of rewrites with --mode=top (default: %(default)s)")
    add_bool_flag(p, "show_weights", "print each rewrite's weight")
    p.set_defaults(func=cmd_rewrite)


def _token_type(value: str):
    if value in ("byte", "utf8"):
        return value
    from .common import load_symbols
    return load_symbols(value)


def _load_rule(args: argparse.Namespace):
    if args.far is None:
        if args.rule is not None:
            raise CliUsageError("--rule names a machine in an archive: give --far too")
        if args.rule_fst is None:
            raise CliUsageError("give the rule: RULE.fst, or --far ARCHIVE --rule NAME")
        if args.rule_fst == STDIO and args.input == STDIO:
            raise CliUsageError("the rule and the input lines cannot both come from "
                                "standard input; give --input FILE")
        return load_fst(args.rule_fst)
    if args.rule_fst is not None:
        raise CliUsageError("give either RULE.fst or --far, not both")
    try:
        from ..io.far import read_far
    except ImportError:
        raise NotImplementedError("FST archives need kleene.io.far, which this "
                                  "installation lacks; write the rule to a .fst file") from None
    rules = read_far(args.far)
    if args.rule is None:
        if len(rules) != 1:
            raise CliUsageError(f"{args.far} holds {len(rules)} machines: pick one with "
                                f"--rule (one of: {', '.join(sorted(rules))})")
        return next(iter(rules.values()))
    if args.rule not in rules:
        from ..errors import FstArgError
        raise FstArgError(f"{args.far} has no machine named {args.rule!r} "
                          f"(it has: {', '.join(sorted(rules)) or 'none'})")
    return rules[args.rule]


def _rewriter(args: argparse.Namespace, rule):
    """A function from one input line to its list of (output, weight)."""
    from ..errors import FstArgError
    from ..grammar import rewrite as rw
    types = {"input_token_type": _token_type(args.input_token_type),
             "output_token_type": _token_type(args.output_token_type),
             "with_weights": True}
    if args.mode != "all" and not rule.semiring.path:
        raise FstArgError(f"--mode={args.mode} needs a rule over tropical weights, not "
                          f"{rule.semiring.name}; use --mode=all")
    if args.mode == "all":
        return lambda line: rw.rewrites(line, rule, **types)
    if args.mode == "top":
        if args.n < 1:
            raise CliUsageError(f"--n must be at least 1, got {args.n}")
        return lambda line: rw.top_rewrites(line, rule, args.n, **types)
    if args.mode == "one_top":
        return lambda line: [rw.one_top_rewrite(line, rule, **types)]
    return lambda line: rw.optimal_rewrites(line, rule, **types)


def _lines(path: str):
    """The input lines without their line ends, read lazily (so an
    interactive session sees each answer at once)."""
    if path == STDIO:
        for line in sys.stdin:
            yield line.rstrip("\r\n")
        return
    from ..errors import FstIOError
    try:
        with open(path, "r", encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise FstIOError(f"not UTF-8 text ({exc.reason})", path=path) from exc
    except OSError as exc:
        raise FstIOError(f"cannot read: {exc.strerror}", path=path) from exc


def cmd_rewrite(args: argparse.Namespace) -> int:
    from ..errors import KleeneError
    rule = _load_rule(args)
    rewrite = _rewriter(args, rule)
    failed = 0
    for number, line in enumerate(_lines(args.input), 1):
        try:
            found = rewrite(line)
        except KleeneError as exc:
            failed += 1
            sys.stdout.flush()
            print(f"kleene rewrite: error: line {number}: {exc}", file=sys.stderr)
            continue
        for output, weight in found:
            row = f"{line}\t{output}"
            if args.show_weights:
                row += f"\t{format_weight(weight)}"
            sys.stdout.write(row + "\n")
        sys.stdout.flush()
    if failed:
        print(f"kleene rewrite: {failed} input line{'s' if failed > 1 else ''} "
              f"failed", file=sys.stderr)
    return 1 if failed else 0
