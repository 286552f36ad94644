"""Machine -> machine subcommands: ``arcsort``, ``connect``, ``topsort``,
``reverse``, ``invert``, ``project``, ``relabel``, ``union``, ``concat``,
``closure``, ``push`` and ``prune`` (OpenFst's fstarcsort, fstconnect, ...).

Each reads ``in.fst`` (or two inputs), calls the library operation of the same
name and writes the result in OpenFst's binary format.
"""

from __future__ import annotations

import argparse

from .common import (CliUsageError, binary_command, unary_command, add_bool_flag, add_delta, add_fst_type, add_in_out,
                     delta_option, load_symbols, parse_weight)


def _parser(sub, name: str, openfst: str, summary: str, description: str,
            inputs: int = 1, example: str = "") -> argparse.ArgumentParser:
    p = sub.add_parser(name, allow_abbrev=False, help=f"{summary} ({openfst})",
                       description=f"{description} Like OpenFst's {openfst}.",
                       epilog=f"example: {example}" if example else None)
    add_in_out(p, inputs)
    add_fst_type(p)
    return p


def register(sub) -> None:
    p = _parser(sub, "arcsort", "fstarcsort", "sort each state's arcs by label",
                "Sorts the arcs leaving each state by input or output label "
                "(stable).", example="kleene arcsort --sort_type=olabel in.fst out.fst")
    p.add_argument("--sort_type", choices=["ilabel", "olabel"], default="ilabel",
                   help="label to sort by (default: %(default)s)")
    p.set_defaults(func=unary_command(lambda k, f, a: k.arcsort(f, sort_type=a.sort_type)))

    p = _parser(sub, "connect", "fstconnect", "remove useless states",
                "Removes states that are not on a path from the start state "
                "to a final state.")
    p.set_defaults(func=unary_command(lambda k, f, a: k.connect(f)))

    p = _parser(sub, "topsort", "fsttopsort", "topologically sort states",
                "Renumbers the states of an acyclic machine so every arc goes "
                "from a lower to a higher state; fails on a cyclic machine.")
    p.set_defaults(func=unary_command(lambda k, f, a: k.topsort(f)))

    p = _parser(sub, "reverse", "fstreverse", "reverse the machine",
                "Reverses every path (weights in the reverse semiring, equal "
                "for kleene's commutative semirings).")
    add_bool_flag(p, "require_superinitial", "always add a new super-initial state",
                  default=True)
    p.set_defaults(func=unary_command(lambda k, f, a: k.reverse(
        f, require_superinitial=a.require_superinitial)))

    p = _parser(sub, "invert", "fstinvert", "swap input and output labels",
                "Swaps input and output labels (and symbol tables).")
    p.set_defaults(func=unary_command(lambda k, f, a: k.invert(f)))

    p = _parser(sub, "project", "fstproject", "keep only input or output labels",
                "Makes an acceptor from the input or the output labels.",
                example="kleene project --project_type=output lexicon.fst phones.fst")
    p.add_argument("--project_type", choices=["input", "output"], default="input",
                   help="side to keep (default: %(default)s)")
    add_bool_flag(p, "project_output", "same as --project_type=output (older OpenFst flag)")
    p.set_defaults(func=unary_command(lambda k, f, a: k.project(
        f, project_type="output" if a.project_output else a.project_type)))

    _register_relabel(sub)

    p = _parser(sub, "union", "fstunion", "union of two machines",
                "Accepts the paths of either machine.", inputs=2,
                example="kleene union a.fst b.fst a_or_b.fst")
    p.set_defaults(func=binary_command(lambda k, f, g, a: k.union(f, g), "union"))

    p = _parser(sub, "concat", "fstconcat", "concatenation of two machines",
                "Accepts a path of the first machine followed by a path of the "
                "second.", inputs=2)
    p.set_defaults(func=binary_command(lambda k, f, g, a: k.concat(f, g), "concat"))

    p = _parser(sub, "closure", "fstclosure", "Kleene star or plus",
                "Kleene closure: any number of repetitions (star) or at least "
                "one (plus).", example="kleene closure --closure_plus word.fst words.fst")
    add_bool_flag(p, "closure_plus", "at least one repetition (A+) instead of A*")
    p.add_argument("--closure_type", choices=["star", "plus"], default=None,
                   help="star or plus (newer OpenFst spelling of --closure_plus)")
    p.set_defaults(func=unary_command(_closure))

    p = _parser(sub, "push", "fstpush", "push weights (or labels)",
                "Pushes weights (and/or output labels) toward the initial "
                "state, or toward the final states with --to_final. As in "
                "fstpush, nothing is pushed unless --push_weights or "
                "--push_labels is given.",
                example="kleene push --push_weights --to_final in.fst out.fst")
    add_bool_flag(p, "push_weights", "push weights")
    add_bool_flag(p, "push_labels", "push output labels")
    add_bool_flag(p, "to_final", "push toward the final states instead of the start")
    add_bool_flag(p, "remove_total_weight", "remove the total weight when pushing weights")
    add_delta(p)
    p.set_defaults(func=unary_command(_push))

    p = _parser(sub, "prune", "fstprune", "prune paths far from the best one",
                "Removes states and arcs not on a path whose weight is within "
                "--weight of the best path (path semirings).",
                example="kleene prune --weight=2.5 lattice.fst pruned.fst")
    p.add_argument("--weight", type=parse_weight, default=None,
                   help="weight threshold relative to the best path (default: none)")
    p.add_argument("--nstate", type=int, default=None,
                   help="keep at most this many states (default: no limit)")
    add_delta(p)
    p.set_defaults(func=unary_command(lambda k, f, a: k.prune(
        f, weight=a.weight, nstate=_nstate(a.nstate), **delta_option(a))))


def _nstate(value):
    """OpenFst uses -1 for 'no limit'."""
    return None if value is None or value < 0 else value


def _closure(k, fst, args):
    closure_type = args.closure_type or ("plus" if args.closure_plus else "star")
    return k.closure(fst, closure_type=closure_type)


def _push(k, fst, args):
    if not (args.push_weights or args.push_labels):
        return fst  # fstpush copies its input when asked to push nothing
    return k.push(fst, to_final=args.to_final, push_weights=args.push_weights,
                  push_labels=args.push_labels,
                  remove_total_weight=args.remove_total_weight, **delta_option(args))


# -- relabel ------------------------------------------------------------------
def _register_relabel(sub) -> None:
    p = _parser(sub, "relabel", "fstrelabel", "change labels by pairs or symbols",
                "Relabels arcs, either by 'old new' label pairs read from "
                "files, or by symbol: each label's symbol (in the machine's "
                "table or --isymbols/--osymbols) gets its key in the new table "
                "--relabel_isymbols/--relabel_osymbols.",
                example="kleene relabel --relabel_ipairs=map.txt in.fst out.fst")
    p.add_argument("--relabel_ipairs", metavar="FILE",
                   help="input label pairs 'old new', one per line")
    p.add_argument("--relabel_opairs", metavar="FILE",
                   help="output label pairs 'old new', one per line")
    p.add_argument("--relabel_isymbols", metavar="FILE",
                   help="new input symbol table (relabel by symbol)")
    p.add_argument("--relabel_osymbols", metavar="FILE",
                   help="new output symbol table (relabel by symbol)")
    p.add_argument("--isymbols", metavar="FILE",
                   help="current input symbol table (default: the machine's)")
    p.add_argument("--osymbols", metavar="FILE",
                   help="current output symbol table (default: the machine's)")
    p.set_defaults(func=unary_command(_relabel))


def read_label_pairs(path: str | None):
    """``[(old, new), ...]`` from a file of two integers per line."""
    if not path:
        return None
    from ..errors import FstIOError
    from .common import read_text_input
    text, source = read_text_input(path)
    pairs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise FstIOError(f"expected 'old_label new_label', got {line!r}",
                             path=source, line=lineno)
        try:
            old, new = int(fields[0]), int(fields[1])
        except ValueError:
            raise FstIOError(f"labels must be integers, got {line!r}",
                             path=source, line=lineno) from None
        if old < 0 or new < 0:
            raise FstIOError(f"labels must be non-negative, got {line!r}",
                             path=source, line=lineno)
        pairs.append((old, new))
    return pairs


def _relabel(k, fst, args):
    ipairs = read_label_pairs(args.relabel_ipairs)
    opairs = read_label_pairs(args.relabel_opairs)
    new_isymbols = load_symbols(args.relabel_isymbols)
    new_osymbols = load_symbols(args.relabel_osymbols)
    if ipairs is None and opairs is None and new_isymbols is None and new_osymbols is None:
        raise CliUsageError("give --relabel_ipairs/--relabel_opairs or "
                            "--relabel_isymbols/--relabel_osymbols")
    old_isymbols = load_symbols(args.isymbols)
    old_osymbols = load_symbols(args.osymbols)
    if old_isymbols is not None or old_osymbols is not None:
        fst = fst.replace(
            isymbols=old_isymbols if old_isymbols is not None else fst.isymbols,
            osymbols=old_osymbols if old_osymbols is not None else fst.osymbols)
    return k.relabel(fst, ipairs=ipairs, opairs=opairs, isymbols=new_isymbols,
                     osymbols=new_osymbols)
