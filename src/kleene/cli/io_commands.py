"""``kleene compile``, ``print``, ``info`` and ``draw``: moving machines
between OpenFst's text format, its binary format and Graphviz dot."""

from __future__ import annotations

import argparse

from .common import (STDIO, add_bool_flag, add_fst_type, load_fst, load_symbols,
                     read_text_input, save_fst, write_text)

ARC_TYPES = ("standard", "log", "log64", "tropical64")


def register(sub) -> None:
    _register_compile(sub)
    _register_print(sub)
    from . import info
    info.register(sub)
    _register_draw(sub)


# -- compile ------------------------------------------------------------------
def _register_compile(sub) -> None:
    p = sub.add_parser(
        "compile", allow_abbrev=False,
        help="text format -> binary machine (fstcompile)",
        description="Compiles a machine from OpenFst's text format "
                    "('src dst ilabel olabel [weight]' arcs, 'state [weight]' "
                    "finals) into OpenFst's binary format, like fstcompile.",
        epilog="example: kleene compile --isymbols=words.syms "
               "--osymbols=phones.syms --keep_isymbols --keep_osymbols "
               "lexicon.txt lexicon.fst")
    p.add_argument("in_txt", nargs="?", default=STDIO, metavar="text.fst",
                   help="text machine (default or '-': standard input)")
    p.add_argument("out_fst", nargs="?", default=STDIO, metavar="binary.fst",
                   help="binary output (default or '-': standard output)")
    add_bool_flag(p, "acceptor", "text lines have one label per arc")
    p.add_argument("--arc_type", choices=ARC_TYPES, default="standard",
                   help="weight semiring: standard (tropical, float32), log, "
                        "log64 or tropical64 (default: %(default)s)")
    add_fst_type(p)
    p.add_argument("--isymbols", metavar="FILE", help="input symbol table (text)")
    p.add_argument("--osymbols", metavar="FILE", help="output symbol table (text)")
    add_bool_flag(p, "keep_isymbols", "store the input symbol table in the output")
    add_bool_flag(p, "keep_osymbols", "store the output symbol table in the output")
    p.set_defaults(func=cmd_compile)


def cmd_compile(args: argparse.Namespace) -> int:
    from ..io.text import compile_text
    from ..semirings import semiring_for_arc_type
    isymbols = load_symbols(args.isymbols)
    osymbols = load_symbols(args.osymbols)
    text, source = read_text_input(args.in_txt)
    fst = compile_text(text, semiring=semiring_for_arc_type(args.arc_type),
                       acceptor=args.acceptor, isymbols=isymbols,
                       osymbols=osymbols, keep_isymbols=args.keep_isymbols,
                       keep_osymbols=args.keep_osymbols, source=source)
    save_fst(fst, args.out_fst, fst_type=args.fst_type)
    return 0


# -- print ----------------------------------------------------------------------
def _add_display_flags(p: argparse.ArgumentParser) -> None:
    add_bool_flag(p, "acceptor", "print one label per arc (input label)")
    p.add_argument("--isymbols", metavar="FILE",
                   help="input symbol table to print labels with (text)")
    p.add_argument("--osymbols", metavar="FILE",
                   help="output symbol table to print labels with (text)")
    add_bool_flag(p, "numeric", "print numeric labels even if the machine has symbols")
    add_bool_flag(p, "show_weight_one", "also print weights equal to the semiring one")


def _display_tables(args, fst):
    """(machine, isymbols, osymbols) to display: --numeric drops the stored
    tables; --isymbols/--osymbols override them."""
    if args.numeric:
        fst = fst.replace(isymbols=None, osymbols=None)
    return fst, load_symbols(args.isymbols), load_symbols(args.osymbols)


def _register_print(sub) -> None:
    p = sub.add_parser(
        "print", allow_abbrev=False,
        help="binary machine -> text format (fstprint)",
        description="Prints a machine in OpenFst's text format, like fstprint.",
        epilog="example: kleene print --isymbols=words.syms lexicon.fst")
    p.add_argument("in_fst", nargs="?", default=STDIO, metavar="in.fst",
                   help="binary machine (default or '-': standard input)")
    p.add_argument("out_txt", nargs="?", default=STDIO, metavar="out.txt",
                   help="text output (default or '-': standard output)")
    _add_display_flags(p)
    p.add_argument("--missing_symbol", metavar="SYM", default=None,
                   help="print this for labels missing from the symbol table "
                        "(default: fail)")
    p.add_argument("--save_isymbols", metavar="FILE",
                   help="also write the machine's input symbol table here")
    p.add_argument("--save_osymbols", metavar="FILE",
                   help="also write the machine's output symbol table here")
    p.set_defaults(func=cmd_print)


def cmd_print(args: argparse.Namespace) -> int:
    from ..io.text import print_fst
    from ..errors import FstArgError
    fst = load_fst(args.in_fst)
    for path, table, side in ((args.save_isymbols, fst.isymbols, "input"),
                              (args.save_osymbols, fst.osymbols, "output")):
        if path:
            if table is None:
                raise FstArgError(f"the machine has no {side} symbol table to save")
            table.write_text(path)
    fst, isymbols, osymbols = _display_tables(args, fst)
    text = print_fst(fst, acceptor=True if args.acceptor else None,
                     isymbols=isymbols, osymbols=osymbols,
                     show_weight_one=args.show_weight_one,
                     missing_sym=args.missing_symbol)
    write_text(text, args.out_txt)
    return 0


# -- draw -----------------------------------------------------------------------
def _register_draw(sub) -> None:
    p = sub.add_parser(
        "draw", allow_abbrev=False,
        help="binary machine -> Graphviz dot (fstdraw)",
        description="Writes a machine as Graphviz dot source, like fstdraw. "
                    "Render it with e.g. 'dot -Tpdf out.dot > out.pdf'.",
        epilog="example: kleene draw --portrait --title=lexicon lexicon.fst | "
               "dot -Tsvg > lexicon.svg")
    p.add_argument("in_fst", nargs="?", default=STDIO, metavar="in.fst",
                   help="binary machine (default or '-': standard input)")
    p.add_argument("out_dot", nargs="?", default=STDIO, metavar="out.dot",
                   help="dot output (default or '-': standard output)")
    _add_display_flags(p)
    p.add_argument("--title", default="", help="graph title")
    add_bool_flag(p, "portrait", "portrait orientation (default is landscape)")
    add_bool_flag(p, "vertical", "draw top to bottom instead of left to right")
    p.add_argument("--width", type=float, default=8.5, help="page width (default: %(default)s)")
    p.add_argument("--height", type=float, default=11.0,
                   help="page height (default: %(default)s)")
    p.add_argument("--ranksep", type=float, default=0.4,
                   help="separation between ranks (default: %(default)s)")
    p.add_argument("--nodesep", type=float, default=0.25,
                   help="separation between nodes (default: %(default)s)")
    p.add_argument("--fontsize", type=int, default=14, help="font size (default: %(default)s)")
    p.add_argument("--precision", type=int, default=5,
                   help="digits of weights (default: %(default)s)")
    p.add_argument("--float_format", choices=["g", "e", "f"], default="g",
                   help="weight format (default: %(default)s)")
    p.add_argument("--missing_symbol", metavar="SYM", default=None,
                   help="draw this for labels missing from the symbol table "
                        "(default: fail)")
    p.set_defaults(func=cmd_draw)


def cmd_draw(args: argparse.Namespace) -> int:
    from ..io.dot import draw
    fst = load_fst(args.in_fst)
    fst, isymbols, osymbols = _display_tables(args, fst)
    dot = draw(fst, None, title=args.title, acceptor=True if args.acceptor else None,
               isymbols=isymbols, osymbols=osymbols, width=args.width,
               height=args.height, portrait=args.portrait, vertical=args.vertical,
               ranksep=args.ranksep, nodesep=args.nodesep, fontsize=args.fontsize,
               precision=args.precision, float_format=args.float_format,
               show_weight_one=args.show_weight_one, missing_sym=args.missing_symbol)
    write_text(dot, args.out_dot)
    return 0
