"""``python -m kleene.compat script.py [args...]``: runs a pynini program on
kleene (``import pynini`` resolves to :mod:`kleene.compat.pynini`).
``python -m kleene.compat -m package.module [args...]`` runs a module."""

from __future__ import annotations

import runpy
import sys

from . import install


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    install()
    if args[0] == "-m":
        if len(args) < 2:
            print("python -m kleene.compat -m MODULE [args...]: MODULE is missing",
                  file=sys.stderr)
            return 2
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
