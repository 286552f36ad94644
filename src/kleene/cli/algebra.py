"""Subcommands of the FST algebra (issue 3): ``compose``, ``intersect``,
``difference``, ``determinize``, ``disambiguate``, ``minimize``,
``rmepsilon``, ``epsnormalize``, ``synchronize``, ``optimize``, ``encode``,
``decode``, ``equivalent``, ``isomorphic`` and ``replace`` (OpenFst's
fstcompose, fstintersect, ..., fstreplace).

Each reads its inputs, calls the library operation of the same name and
writes the result in OpenFst's binary format. ``equivalent`` and
``isomorphic`` write nothing: as fstequivalent and fstisomorphic they exit
with status 0 when the machines are equivalent (isomorphic) and 2 when they
are not (1 is an error).
"""

from __future__ import annotations

import argparse
import sys

from .common import (STDIO, CliUsageError, binary_command, unary_command, add_bool_flag, add_delta, add_fst_type,
                     add_in_out, delta_option, load_fst, parse_weight, same_semiring,
                     save_fst)

NOT_EQUIVALENT = 2  # fstequivalent's and fstisomorphic's exit status for "no"

COMPOSE_FILTERS = ["auto", "alt_sequence", "match", "no_match", "null", "sequence",
                   "trivial"]
LABELINGS = ["input", "output", "both", "neither"]


def _parser(sub, name: str, openfst: str, summary: str, description: str,
            inputs: int = 1, example: str = "", in_out: bool = True):
    tool = f"Like OpenFst's {openfst}." if openfst else "No OpenFst tool does this alone."
    p = sub.add_parser(name, allow_abbrev=False,
                       help=f"{summary} ({openfst})" if openfst else summary,
                       description=f"{description} {tool}",
                       epilog=f"example: {example}" if example else None)
    if in_out:
        add_in_out(p, inputs)
        add_fst_type(p)
    return p


def _nstate(value):
    """OpenFst uses -1 (or any negative value) for 'no limit'."""
    return None if value is None or value < 0 else value


def _thresholds(args) -> dict:
    """``weight_threshold`` / ``state_threshold`` from --weight / --nstate."""
    out = {}
    if args.weight is not None:
        out["weight_threshold"] = args.weight
    if _nstate(args.nstate) is not None:
        out["state_threshold"] = _nstate(args.nstate)
    return out


def _add_thresholds(p) -> None:
    p.add_argument("--weight", type=parse_weight, default=None,
                   help="weight threshold: prune paths worse than the best by more "
                        "than this (default: none)")
    p.add_argument("--nstate", type=int, default=None,
                   help="state threshold (default or -1: no limit)")


def register(sub) -> None:
    _register_binary(sub)
    _registerunary_command(sub)
    _register_encode(sub)
    _register_tests(sub)
    _register_replace(sub)


# -- machine x machine -> machine ------------------------------------------------
def _register_binary(sub) -> None:
    p = _parser(sub, "compose", "fstcompose", "composition of two transducers",
                "Composes in1 with in2: a path mapping x to y in in1 and y to z in "
                "in2 gives x to z with the product of the weights. Unsorted "
                "inputs are arc-sorted first (as pynini does).", inputs=2,
                example="kleene compose lattice.fst lexicon.fst out.fst")
    _add_compose_flags(p)
    p.set_defaults(func=binary_command(lambda k, f, g, a: k.compose(
        f, g, compose_filter=a.compose_filter, connect=a.connect), "compose"))

    p = _parser(sub, "intersect", "fstintersect", "intersection of two acceptors",
                "Accepts the strings both acceptors accept, with the product of "
                "their weights.", inputs=2)
    _add_compose_flags(p)
    p.set_defaults(func=binary_command(lambda k, f, g, a: k.intersect(
        f, g, compose_filter=a.compose_filter, connect=a.connect), "intersect"))

    p = _parser(sub, "difference", "fstdifference",
                "strings of an acceptor not accepted by another",
                "Keeps the paths of in1 whose string in2 does not accept; in2 "
                "must be an unweighted acceptor (it is epsilon-removed and "
                "determinized if needed, as pynini does).", inputs=2)
    _add_compose_flags(p)
    p.set_defaults(func=binary_command(lambda k, f, g, a: k.difference(
        f, g, compose_filter=a.compose_filter, connect=a.connect), "difference"))


def _add_compose_flags(p) -> None:
    p.add_argument("--compose_filter", choices=COMPOSE_FILTERS, default="auto",
                   help="composition filter (default: %(default)s)")
    add_bool_flag(p, "connect", "trim the result", default=True)


# -- machine -> machine -----------------------------------------------------------
def _registerunary_command(sub) -> None:
    p = _parser(sub, "determinize", "fstdeterminize", "weighted determinization",
                "Makes the machine (input-)deterministic. --det_type=functional "
                "needs a functional transducer; nonfunctional keeps every output "
                "(subsequential labels); disambiguate keeps one (the best) output "
                "per input.", example="kleene determinize --det_type=nonfunctional in.fst out.fst")
    p.add_argument("--det_type", choices=["functional", "nonfunctional", "disambiguate"],
                   default="functional", help="determinization type (default: %(default)s)")
    add_delta(p)
    _add_thresholds(p)
    p.add_argument("--subsequential_label", type=int, default=0,
                   help="input label of the arcs that carry left-over outputs "
                        "(default: %(default)s)")
    add_bool_flag(p, "increment_subsequential_label",
                  "give each left-over output arc a new subsequential label")
    p.set_defaults(func=unary_command(lambda k, f, a: k.determinize(
        f, det_type=a.det_type, subsequential_label=a.subsequential_label,
        increment_subsequential_label=a.increment_subsequential_label,
        **delta_option(a), **_thresholds(a))))

    p = _parser(sub, "disambiguate", "fstdisambiguate", "remove ambiguous paths",
                "Keeps, for every input string, only its best path.")
    add_delta(p)
    _add_thresholds(p)
    p.add_argument("--subsequential_label", type=int, default=0,
                   help="input label of the arcs that carry left-over outputs "
                        "(default: %(default)s)")
    # the label is passed only when given, so the library's default applies
    p.set_defaults(func=unary_command(lambda k, f, a: k.disambiguate(
        f, **({"subsequential_label": a.subsequential_label}
              if a.subsequential_label else {}), **delta_option(a), **_thresholds(a))))

    p = _parser(sub, "minimize", "fstminimize", "minimization",
                "Minimizes a deterministic machine (weights are pushed first; "
                "transducers are minimized as encoded acceptors).")
    add_bool_flag(p, "allow_nondet", "minimize a non-deterministic machine "
                  "(may not give the minimal machine)")
    add_delta(p)
    p.set_defaults(func=unary_command(lambda k, f, a: k.minimize(
        f, allow_nondet=a.allow_nondet, **delta_option(a))))

    p = _parser(sub, "rmepsilon", "fstrmepsilon", "epsilon removal",
                "Removes arcs whose input and output labels are both epsilon.")
    add_bool_flag(p, "connect", "trim the result", default=True)
    add_delta(p)
    _add_thresholds(p)
    p.set_defaults(func=unary_command(lambda k, f, a: k.rmepsilon(
        f, connect=a.connect, **delta_option(a), **_thresholds(a))))

    p = _parser(sub, "epsnormalize", "fstepsnormalize", "epsilon normalization",
                "Moves input epsilons after the non-epsilon input labels on every "
                "path (output epsilons with --eps_norm_output).")
    add_bool_flag(p, "eps_norm_output", "normalize output epsilons instead")
    p.set_defaults(func=unary_command(lambda k, f, a: k.epsnormalize(
        f, eps_norm_type="output" if a.eps_norm_output else "input")))

    p = _parser(sub, "synchronize", "fstsynchronize", "synchronization",
                "Makes input and output labels advance together, delaying the "
                "longer side (the machine must have bounded delay).")
    p.set_defaults(func=unary_command(lambda k, f, a: k.synchronize(f)))

    p = _parser(sub, "optimize", "", "rmepsilon, determinize and minimize",
                "pynini's Fst.optimize: epsilon removal, determinization of the "
                "(label- and, with weighted cycles, weight-) encoded machine, "
                "minimization, decoding.",
                example="kleene optimize --compute_props grammar.fst small.fst")
    add_bool_flag(p, "compute_props", "compute unknown properties to choose the steps")
    p.set_defaults(func=unary_command(lambda k, f, a: k.optimize(
        f, compute_props=a.compute_props)))


# -- encode / decode ---------------------------------------------------------------
def _register_encode(sub) -> None:
    p = _parser(sub, "encode", "fstencode", "encode labels and/or weights as labels",
                "Replaces each arc's labels (--encode_labels) and/or weight "
                "(--encode_weights) by one new label and writes the table of "
                "codes to mapper_file, in OpenFst's encode table format (the "
                "codex of fstencode). With --encode_reuse the table in "
                "mapper_file is read, extended and written back.",
                in_out=False,
                example="kleene encode --encode_labels in.fst codes.enc encoded.fst")
    p.add_argument("in_fst", metavar="in.fst", help="input machine ('-': standard input)")
    p.add_argument("mapper", metavar="mapper_file", help="encode table to write")
    p.add_argument("out_fst", nargs="?", default=STDIO, metavar="out.fst",
                   help="output machine (default or '-': standard output)")
    add_fst_type(p)
    add_bool_flag(p, "encode_labels", "encode the (input, output) label pair")
    add_bool_flag(p, "encode_weights", "encode the weight")
    add_bool_flag(p, "encode_reuse", "start from the table already in mapper_file")
    p.set_defaults(func=_cmd_encode)

    p = _parser(sub, "decode", "fstencode --decode", "decode an encoded machine",
                "Replaces encoded labels by the labels and weights they stand for "
                "in mapper_file (written by 'kleene encode' or fstencode).",
                in_out=False, example="kleene decode encoded.fst codes.enc out.fst")
    p.add_argument("in_fst", metavar="in.fst", help="encoded machine ('-': standard input)")
    p.add_argument("mapper", metavar="mapper_file", help="encode table to read")
    p.add_argument("out_fst", nargs="?", default=STDIO, metavar="out.fst",
                   help="output machine (default or '-': standard output)")
    add_fst_type(p)
    p.set_defaults(func=_cmd_decode)


def _cmd_encode(args: argparse.Namespace) -> int:
    import kleene
    from ..io.encode_table import read_encode_table, write_encode_table
    fst = load_fst(args.in_fst)
    if args.encode_reuse:
        mapper = read_encode_table(args.mapper)
    else:
        mapper = kleene.EncodeMapper(encode_labels=args.encode_labels,
                                     encode_weights=args.encode_weights)
    encoded = kleene.encode(fst, mapper)
    write_encode_table(mapper, args.mapper)
    save_fst(encoded, args.out_fst, fst_type=args.fst_type)
    return 0


def _cmd_decode(args: argparse.Namespace) -> int:
    import kleene
    from ..io.encode_table import read_encode_table
    fst = load_fst(args.in_fst)
    mapper = read_encode_table(args.mapper)
    save_fst(kleene.decode(fst, mapper), args.out_fst, fst_type=args.fst_type)
    return 0


# -- tests: equivalent, isomorphic -------------------------------------------------------
def _register_tests(sub) -> None:
    p = _parser(sub, "equivalent", "fstequivalent", "are two acceptors equivalent?",
                "Exit status 0 when the two machines accept the same strings "
                "with the same weights (within --delta), 2 when not (and 'FSTs "
                "are not equivalent' on standard error), 1 on error. The machines "
                "must be epsilon-free deterministic acceptors, unless --random "
                "compares them on random paths instead.",
                in_out=False, example="kleene equivalent a.fst b.fst && echo same")
    _add_two_inputs(p)
    add_delta(p)
    add_bool_flag(p, "random", "test on random paths (randequivalent) instead")
    p.add_argument("--npath", type=int, default=1,
                   help="number of random paths with --random (default: %(default)s)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed with --random (default: the clock)")
    p.add_argument("--select", choices=["uniform", "log_prob"], default="uniform",
                   help="arc selection with --random (default: %(default)s)")
    p.add_argument("--max_length", type=int, default=None,
                   help="longest random path with --random (default: no limit)")
    p.set_defaults(func=_cmd_equivalent)

    p = _parser(sub, "isomorphic", "fstisomorphic", "are two machines isomorphic?",
                "Exit status 0 when the machines are the same up to state "
                "numbering (weights within --delta), 2 when not (and 'FSTs are "
                "not isomorphic' on standard error), 1 on error.", in_out=False)
    _add_two_inputs(p)
    add_delta(p)
    p.set_defaults(func=_cmd_isomorphic)


def _add_two_inputs(p) -> None:
    p.add_argument("in_fst", metavar="in1.fst", help="first machine ('-': standard input)")
    p.add_argument("in2_fst", metavar="in2.fst", help="second machine ('-': standard input)")


def _load_two(args, what: str):
    if args.in_fst == STDIO and args.in2_fst == STDIO:
        raise CliUsageError("only one input can be standard input")
    first, second = load_fst(args.in_fst), load_fst(args.in2_fst)
    same_semiring(first, second, what)
    return first, second


def _verdict(result: bool, what: str) -> int:
    if result:
        return 0
    print(f"FSTs are not {what}", file=sys.stderr)
    return NOT_EQUIVALENT


def _cmd_equivalent(args: argparse.Namespace) -> int:
    import kleene
    first, second = _load_two(args, "equivalent")
    if args.random:
        options = {"npath": args.npath, "select": args.select, **delta_option(args)}
        if args.seed is not None:
            options["seed"] = args.seed
        if args.max_length is not None:
            options["max_length"] = args.max_length
        result = kleene.randequivalent(first, second, **options)
    else:
        result = kleene.equivalent(first, second, **delta_option(args))
    return _verdict(bool(result), "equivalent")


def _cmd_isomorphic(args: argparse.Namespace) -> int:
    import kleene
    first, second = _load_two(args, "isomorphic")
    return _verdict(bool(kleene.isomorphic(first, second, **delta_option(args))),
                    "isomorphic")


# -- replace -------------------------------------------------------------------------------
def _register_replace(sub) -> None:
    p = sub.add_parser(
        "replace", allow_abbrev=False,
        help="expand nonterminal arcs by machines (fstreplace)",
        description="Builds the machine of a grammar: root.fst with every arc "
                    "whose output label is one of the given nonterminal labels "
                    "replaced, recursively, by that label's machine. Arguments "
                    "come in pairs 'machine label', the root first; a last odd "
                    "argument is the output file (default: standard output). "
                    "Like OpenFst's fstreplace.",
        epilog="example: kleene replace root.fst 1000 name.fst 100 number.fst 101 out.fst")
    p.add_argument("operands", nargs="+", metavar="fst label",
                   help="root.fst root_label [rule.fst rule_label ...] [out.fst]")
    add_fst_type(p)
    p.add_argument("--call_arc_labeling", choices=LABELINGS, default="input",
                   help="labels kept on call arcs (default: %(default)s)")
    p.add_argument("--return_arc_labeling", choices=LABELINGS, default="neither",
                   help="sides of return arcs labeled --return_label "
                        "(default: %(default)s)")
    p.add_argument("--return_label", type=int, default=0,
                   help="label of return arcs (default: %(default)s)")
    add_bool_flag(p, "epsilon_on_replace", "make call and return arcs epsilon "
                  "(overrides the labelings)")
    p.set_defaults(func=_cmd_replace)


def _cmd_replace(args: argparse.Namespace) -> int:
    import kleene
    operands = list(args.operands)
    out = operands.pop() if len(operands) % 2 else STDIO
    if len(operands) < 2:
        raise CliUsageError("give at least the root machine and its label "
                            "(root.fst root_label [rule.fst label ...] [out.fst])")
    files = operands[0::2]
    if sum(f == STDIO for f in files) > 1:
        raise CliUsageError("only one input can be standard input")
    pairs = []
    for path, text in zip(files, operands[1::2]):
        try:
            label = int(text)
        except ValueError:
            raise CliUsageError(f"expected an integer label after {path!r}, got "
                                f"{text!r}") from None
        pairs.append((label, load_fst(path)))
    for _, fst in pairs[1:]:
        same_semiring(pairs[0][1], fst, "replace")
    result = kleene.replace(pairs, call_arc_labeling=args.call_arc_labeling,
                            return_arc_labeling=args.return_arc_labeling,
                            return_label=args.return_label,
                            epsilon_on_replace=args.epsilon_on_replace)
    save_fst(result, out, fst_type=args.fst_type)
    return 0
