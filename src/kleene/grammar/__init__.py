"""The grammar layer: a pynini-style API over :mod:`kleene.algorithms`.

Strings are accepted wherever a machine is (see :mod:`.coerce`); machines
combine with the operators ``+ | @ - **`` and ``.star/.plus/.ques``.
Modules: :mod:`.builders` (accep, cross, string_map, string_file),
:mod:`.ops`, :mod:`.pynutil`, :mod:`.charclass`, :mod:`.cdrewrite`,
:mod:`.rewrite`, :mod:`.priority`, :mod:`.regex`. The guide is
``docs/grammar.md``.

Names are imported on first use, so ``import kleene.grammar`` stays cheap.
"""

from __future__ import annotations

import importlib

from .coerce import FstLike, to_fst
# imported eagerly: the function shares its module's name, and importing the
# submodule later would otherwise rebind ``kleene.grammar.cdrewrite`` to it
from .cdrewrite import cdrewrite
from .symbols import BOS, EOS, generated_label, generated_name, generated_symbols

_LAZY = {
    **dict.fromkeys(["accep", "cross", "string_map", "string_file", "escape"],
                    "builders"),
    **dict.fromkeys(["union", "concat", "closure", "difference", "compose", "invert",
                     "project", "optimize", "repeat"], "ops"),
    **dict.fromkeys(["insert", "delete", "add_weight", "join"], "pynutil"),
    "sigma_star": "charclass",
    **dict.fromkeys(["RewriteError", "rewrite_lattice", "lattice_to_dfa",
                     "lattice_to_nshortest", "lattice_to_strings",
                     "lattice_to_top_string", "lattice_to_one_top_string", "rewrites",
                     "top_rewrites", "top_rewrite", "one_top_rewrite",
                     "optimal_rewrites", "matches"], "rewrite"),
    "priority_union": "priority",
    **dict.fromkeys(["compile_regex", "RegexSyntaxError"], "regex"),
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        if name == "charclass":
            return importlib.import_module("kleene.grammar.charclass")
        raise AttributeError(f"module 'kleene.grammar' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kleene.grammar.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"charclass"})


__all__ = ["FstLike", "to_fst", "cdrewrite", "BOS", "EOS", "generated_label", "generated_name",
           "generated_symbols", *_LAZY]
