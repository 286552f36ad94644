"""Path subcommands: ``shortestdistance``, ``shortestpath`` and ``randgen``
(OpenFst's fstshortestdistance, fstshortestpath, fstrandgen)."""

from __future__ import annotations

import argparse
import time

from .common import (STDIO, add_bool_flag, add_delta, add_fst_type, add_in_out,
                     delta_option, format_weight, load_fst, parse_weight, save_fst, write_text)


def register(sub) -> None:
    p = sub.add_parser(
        "shortestdistance", allow_abbrev=False,
        help="shortest distance of every state (fstshortestdistance)",
        description="Computes the shortest distance from the start state to "
                    "every state (or, with --reverse, from every state to the "
                    "final states) and writes one 'state<TAB>distance' line per "
                    "state, like fstshortestdistance.",
        epilog="example: kleene shortestdistance --reverse lattice.fst")
    p.add_argument("in_fst", nargs="?", default=STDIO, metavar="in.fst",
                   help="input machine (default or '-': standard input)")
    p.add_argument("out_txt", nargs="?", default=STDIO, metavar="distance.txt",
                   help="text output (default or '-': standard output)")
    add_bool_flag(p, "reverse", "distances to the final states")
    add_delta(p)
    p.set_defaults(func=cmd_shortestdistance)

    p = sub.add_parser(
        "shortestpath", allow_abbrev=False,
        help="n-best paths as a machine (fstshortestpath)",
        description="Writes the n shortest paths of the input as a machine, "
                    "like fstshortestpath (path semirings such as tropical).",
        epilog="example: kleene shortestpath --nshortest=3 --unique lattice.fst "
               "nbest.fst && kleene print nbest.fst")
    add_in_out(p)
    add_fst_type(p)
    p.add_argument("--nshortest", type=int, default=1,
                   help="number of paths (default: %(default)s)")
    add_bool_flag(p, "unique", "only distinct strings (input must be determinizable)")
    p.add_argument("--weight", type=parse_weight, default=None,
                   help="keep only paths within this weight of the best (default: none)")
    p.add_argument("--nstate", type=int, default=None,
                   help="stop once the output has this many states (default: no limit)")
    add_delta(p)
    p.set_defaults(func=cmd_shortestpath)

    p = sub.add_parser(
        "randgen", allow_abbrev=False,
        help="random paths as a machine (fstrandgen)",
        description="Samples random successful paths and writes them as a "
                    "machine, like fstrandgen. As in OpenFst the default seed "
                    "is the current time; give --seed for reproducible output.",
        epilog="example: kleene randgen --npath=5 --seed=1 --select=log_prob "
               "grammar.fst | kleene print --acceptor")
    add_in_out(p)
    add_fst_type(p)
    p.add_argument("--npath", type=int, default=1,
                   help="number of paths to sample (default: %(default)s)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: current time)")
    p.add_argument("--select", choices=["uniform", "log_prob"], default="uniform",
                   help="arc selection: uniform, or log_prob (by the arc "
                        "weights read as negative log probabilities) "
                        "(default: %(default)s)")
    p.add_argument("--max_length", type=int, default=None,
                   help="maximum path length (default: no limit)")
    add_bool_flag(p, "weighted", "output a tree weighted by path counts "
                                 "instead of the union of the paths")
    add_bool_flag(p, "remove_total_weight", "remove the total weight of a weighted output")
    p.set_defaults(func=cmd_randgen)


def distance_lines(distance) -> str:
    """fstshortestdistance's text: ``state<TAB>weight`` per state."""
    return "".join(f"{s}\t{format_weight(w)}\n" for s, w in enumerate(distance.tolist()))


def cmd_shortestdistance(args: argparse.Namespace) -> int:
    import kleene
    fst = load_fst(args.in_fst)
    distance = kleene.shortest_distance(fst, reverse=args.reverse,
                                          **delta_option(args))
    write_text(distance_lines(distance), args.out_txt)
    return 0


def cmd_shortestpath(args: argparse.Namespace) -> int:
    import kleene
    fst = load_fst(args.in_fst)
    result = kleene.shortest_path(
        fst, nshortest=args.nshortest, unique=args.unique, **delta_option(args),
        weight_threshold=args.weight,
        state_threshold=None if args.nstate is None or args.nstate < 0 else args.nstate)
    save_fst(result, args.out_fst, fst_type=args.fst_type)
    return 0


def cmd_randgen(args: argparse.Namespace) -> int:
    import kleene
    fst = load_fst(args.in_fst)
    seed = args.seed if args.seed is not None else int(time.time())
    result = kleene.randgen(fst, npath=args.npath, seed=seed, select=args.select,
                            max_length=args.max_length, weighted=args.weighted,
                            remove_total_weight=args.remove_total_weight)
    save_fst(result, args.out_fst, fst_type=args.fst_type)
    return 0
