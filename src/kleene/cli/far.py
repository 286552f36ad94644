"""``kleene farcreate``, ``farextract`` and ``farinfo``: FAR archives of
machines, like OpenFst's far tools (see :mod:`kleene.io.far`)."""

from __future__ import annotations

import argparse
import os

from .common import STDIO, CliUsageError, add_fst_type, load_fst, save_fst, write_text

FAR_TYPES = ("sttable", "stlist", "native")


def register(sub) -> None:
    _register_create(sub)
    _register_extract(sub)
    _register_info(sub)


def _split_keys(text: str | None, separator: str) -> list[str] | None:
    if text is None:
        return None
    keys = [k for k in text.split(separator)]
    if not all(keys):
        raise CliUsageError(f"--keys has an empty key in {text!r}")
    return keys


# -- farcreate ------------------------------------------------------------------
def _register_create(sub) -> None:
    p = sub.add_parser(
        "farcreate", allow_abbrev=False,
        help="machines -> FAR archive (farcreate)",
        description="Stores machines in one FAR archive, like OpenFst's farcreate. "
                    "Each machine's key is its file's base name (or --keys, or "
                    "--generate_keys), with --key_prefix/--key_suffix around it; "
                    "entries are sorted by key.",
        epilog="example: kleene farcreate --keys=num,date num.fst date.fst grammars.far")
    p.add_argument("paths", nargs="+", metavar="in.fst ... out.far",
                   help="input machines (any format kleene reads), then the archive")
    p.add_argument("--keys", metavar="K1,K2,...",
                   help="keys for the inputs, in order (default: file base names)")
    p.add_argument("--key_separator", default=",",
                   help="separator between --keys (default: %(default)r)")
    p.add_argument("--generate_keys", type=int, default=0, metavar="N",
                   help="keys 1, 2, ... zero-padded to N digits (OpenFst's flag)")
    p.add_argument("--key_prefix", default="", help="prepended to every key")
    p.add_argument("--key_suffix", default="", help="appended to every key")
    p.add_argument("--far_type", choices=FAR_TYPES + ("default",), default="default",
                   help="sttable (= default, what pynini and OpenFst read), stlist, "
                        "or kleene's native zip")
    add_fst_type(p)
    p.set_defaults(func=cmd_farcreate)


def cmd_farcreate(args: argparse.Namespace) -> int:
    from ..io.far import write_far
    if len(args.paths) < 2:
        raise CliUsageError("farcreate needs at least one input machine and the output "
                            "archive: kleene farcreate in.fst ... out.far")
    *inputs, out = args.paths
    if out == STDIO:
        raise CliUsageError("the archive is written to a file, not standard output")
    keys = _split_keys(args.keys, args.key_separator)
    if keys is not None and args.generate_keys:
        raise CliUsageError("give --keys or --generate_keys, not both")
    if keys is not None and len(keys) != len(inputs):
        raise CliUsageError(f"--keys names {len(keys)} keys for {len(inputs)} inputs")
    if keys is None:
        if args.generate_keys > 0:
            keys = [str(i + 1).zfill(args.generate_keys) for i in range(len(inputs))]
        else:
            keys = [os.path.basename(path) for path in inputs]
    keys = [f"{args.key_prefix}{k}{args.key_suffix}" for k in keys]
    machines = [(key, load_fst(path)) for key, path in zip(keys, inputs)]
    far_type = "sttable" if args.far_type == "default" else args.far_type
    write_far(out, machines, far_type=far_type, fst_type=args.fst_type)
    return 0


# -- farextract -----------------------------------------------------------------
def _register_extract(sub) -> None:
    p = sub.add_parser(
        "farextract", allow_abbrev=False,
        help="FAR archive -> machines (farextract)",
        description="Writes the machines of a FAR archive to files named "
                    "<filename_prefix><key><filename_suffix> in --outdir, like "
                    "OpenFst's farextract (OpenFst binary format).",
        epilog="example: kleene farextract --keys=num --outdir=out grammars.far")
    p.add_argument("in_far", metavar="in.far", help="the archive")
    p.add_argument("--keys", metavar="K1,K2,...",
                   help="extract only these keys (default: every entry)")
    p.add_argument("--key_separator", default=",",
                   help="separator between --keys (default: %(default)r)")
    p.add_argument("--outdir", default=".", help="directory for the files (default: .)")
    p.add_argument("--filename_prefix", default="", help="prepended to file names")
    p.add_argument("--filename_suffix", default="",
                   help="appended to file names (e.g. .fst)")
    add_fst_type(p)
    p.set_defaults(func=cmd_farextract)


def _file_name(args, key: str) -> str:
    name = f"{args.filename_prefix}{key}{args.filename_suffix}"
    unsafe = (os.sep in name or (os.altsep and os.altsep in name)
              or name in (".", "..") or "\0" in name)
    if unsafe:
        from ..errors import FstArgError
        raise FstArgError(f"key {key!r} does not make a safe file name ({name!r}); "
                          "extract it with kleene.FarReader instead")
    return os.path.join(args.outdir, name)


def cmd_farextract(args: argparse.Namespace) -> int:
    from ..errors import FstSymbolError
    from ..io.far import FarReader
    wanted = _split_keys(args.keys, args.key_separator)
    os.makedirs(args.outdir, exist_ok=True)
    with FarReader(args.in_far) as reader:
        if wanted is None:
            for key, fst in reader:
                save_fst(fst, _file_name(args, key), fst_type=args.fst_type)
            return 0
        missing = [k for k in wanted if k not in reader]
        if missing:
            raise FstSymbolError(f"{args.in_far}: no entry {missing[0]!r} in the archive "
                                 "(list its keys with 'kleene farinfo')")
        for key in wanted:
            save_fst(reader[key], _file_name(args, key), fst_type=args.fst_type)
    return 0


# -- farinfo --------------------------------------------------------------------
def _register_info(sub) -> None:
    p = sub.add_parser(
        "farinfo", allow_abbrev=False,
        help="summary of a FAR archive (farinfo)",
        description="Prints the archive's type, arc type, number of machines and "
                    "their total states and arcs, then one line per entry (key, "
                    "states, arcs), like OpenFst's farinfo --list_fsts.")
    p.add_argument("in_far", metavar="in.far", help="the archive")
    p.set_defaults(func=cmd_farinfo)


def far_info_lines(reader) -> tuple[list[tuple[str, str]], list[tuple[str, int, int]]]:
    """Summary ``(name, value)`` pairs and ``(key, states, arcs)`` rows."""
    rows = [(key, fst.num_states, fst.num_arcs) for key, fst in reader]
    summary = [("far type", reader.far_type),
               ("arc type", reader.arc_type or "none (empty archive)"),
               ("# of FSTs", str(len(rows))),
               ("total # of states", str(sum(r[1] for r in rows))),
               ("total # of arcs", str(sum(r[2] for r in rows)))]
    return summary, rows


def cmd_farinfo(args: argparse.Namespace) -> int:
    from ..io.far import FarReader
    with FarReader(args.in_far) as reader:
        summary, rows = far_info_lines(reader)
    lines = [f"{name:<50}{value}" for name, value in summary]
    if rows:
        width = max(len("key"), *(len(r[0]) for r in rows)) + 2
        lines.append("")
        lines.append(f"{'key':<{width}}{'# of states':>12}{'# of arcs':>12}")
        lines.extend(f"{key:<{width}}{n:>12}{m:>12}" for key, n, m in rows)
    write_text("\n".join(lines) + "\n", STDIO)
    return 0


__all__ = ["register", "cmd_farcreate", "cmd_farextract", "cmd_farinfo"]
