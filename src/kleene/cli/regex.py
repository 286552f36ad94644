"""``kleene regex PATTERN [out.fst]``: compiles a regular expression
(:func:`kleene.grammar.regex.compile_regex`, notation in docs/regex.md) and
writes the machine in OpenFst's binary format, like the other commands."""

from __future__ import annotations

from .common import STDIO, add_fst_type, save_fst

_ARC_TYPES = {"standard": "tropical", "tropical64": "tropical64", "log": "log",
              "log64": "log64"}


def register(sub) -> None:
    p = sub.add_parser(
        "regex", allow_abbrev=False,
        help="compile a regular expression to a machine",
        description="Compiles PATTERN (see docs/regex.md: characters are "
                    "symbols, | & - ~ * + ? {m,n}, [a-z], a:b, @, weights <w>, "
                    "rules 'A -> B || L _ R') and writes the machine. An "
                    "unweighted acceptor is written deterministic and minimal. "
                    "No OpenFst tool does this (Thrax and foma compile their own "
                    "notations).",
        epilog="example: kleene regex '[a-z]+ (\\. [a-z]+)*' words.fst")
    p.add_argument("pattern", metavar="PATTERN", help="the regular expression")
    p.add_argument("out_fst", nargs="?", default=STDIO, metavar="out.fst",
                   help="output machine (default or '-': standard output)")
    p.add_argument("--alphabet", default=None, metavar="CHARS",
                   help="the symbols '.', '~' and [^...] range over, as a string of "
                        "characters (symbols separated by spaces with a symbol "
                        "table), added to those the pattern mentions (default: "
                        "bytes 1..255, the table's symbols, or none for utf8)")
    p.add_argument("--token_type", default="byte", metavar="TYPE",
                   help="byte, utf8, or a symbol table file (default: %(default)s)")
    p.add_argument("--arc_type", choices=sorted(_ARC_TYPES), default="standard",
                   help="arc type (semiring) of the machine (default: %(default)s)")
    p.add_argument("--max_states", type=int, default=None,
                   help="state budget of the determinizations (default: the "
                        "library's)")
    add_fst_type(p)
    p.set_defaults(func=cmd_regex)


def cmd_regex(args) -> int:
    from ..grammar.regex import compile_regex
    token_type = args.token_type
    if token_type not in ("byte", "utf8"):
        from .common import load_symbols
        token_type = load_symbols(token_type)
    fst = compile_regex(args.pattern, alphabet=args.alphabet, token_type=token_type,
                        semiring=_ARC_TYPES[args.arc_type], max_states=args.max_states)
    save_fst(fst, args.out_fst, fst_type=args.fst_type)
    return 0
