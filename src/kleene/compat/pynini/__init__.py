"""A pynini-compatible module backed by kleene.

``kleene.compat.pynini`` exposes the pynini API surface that real grammars
use: ``accep``, ``cross``, ``union``, ``closure``, ``string_map``,
``string_file``, ``cdrewrite``, ``compose``, ``difference``, ``optimize``,
``shortestpath``, ``arcmap``, the mutable :class:`Fst` with pynini's
in-place methods and operators, :class:`Far`, :class:`SymbolTable`,
:class:`Weight`, the exceptions, and the submodules ``lib.pynutil``,
``lib.byte``, ``lib.utf8``, ``lib.rewrite``, ``lib.rule_cascade``,
``export.export`` and ``examples.plurals``. :func:`kleene.compat.install`
makes ``import pynini`` resolve to it, so existing programs run unchanged.

Known differences from pynini are listed in ``docs/pynini.md``.
"""

from __future__ import annotations

from ...core.fst import NO_STATE as NO_STATE_ID
from ...core.symbols import SymbolTable
from ...errors import FstArgError, FstIndexError, FstIOError, FstOpError
from ...errors import KleeneError as FstError
from ...grammar.coerce import FstLike  # the type alias, as pynini.FstLike
from ._far import Far
from ._fst import Fst
from ._ops import (
    EncodeMapper,
    accep,
    arcmap,
    arcsort,
    cdrewrite,
    closure,
    compose,
    concat,
    connect,
    cross,
    decode,
    determinize,
    difference,
    disambiguate,
    encode,
    epsnormalize,
    equal,
    equivalent,
    escape,
    generated_symbols,
    intersect,
    invert,
    isomorphic,
    leniently_compose,
    minimize,
    optimize,
    project,
    prune,
    push,
    randequivalent,
    randgen,
    relabel_pairs,
    relabel_tables,
    replace,
    reverse,
    reweight,
    rmepsilon,
    shortestdistance,
    shortestpath,
    string_file,
    string_map,
    synchronize,
    topsort,
    union,
)
from ._paths import StringPathIterator
from ._tokens import default_token_type
from ._weight import Arc, Weight, divide, plus, power, times

NO_LABEL = -1
NO_SYMBOL = -1


class FstStringCompilationError(FstArgError):
    """A string could not be compiled into an acceptor."""


FstBadWeightError = FstArgError

from . import (
    examples,
    export,
    lib,
)

__all__ = [
    "NO_LABEL",
    "NO_STATE_ID",
    "NO_SYMBOL",
    "Arc",
    "EncodeMapper",
    "Far",
    "Fst",
    "FstArgError",
    "FstBadWeightError",
    "FstError",
    "FstIOError",
    "FstIndexError",
    "FstLike",
    "FstOpError",
    "FstStringCompilationError",
    "StringPathIterator",
    "SymbolTable",
    "Weight",
    "accep",
    "arcmap",
    "arcsort",
    "cdrewrite",
    "closure",
    "compose",
    "concat",
    "connect",
    "cross",
    "decode",
    "default_token_type",
    "determinize",
    "difference",
    "disambiguate",
    "divide",
    "encode",
    "epsnormalize",
    "equal",
    "equivalent",
    "escape",
    "examples",
    "export",
    "generated_symbols",
    "intersect",
    "invert",
    "isomorphic",
    "leniently_compose",
    "lib",
    "minimize",
    "optimize",
    "plus",
    "power",
    "project",
    "prune",
    "push",
    "randequivalent",
    "randgen",
    "relabel_pairs",
    "relabel_tables",
    "replace",
    "reverse",
    "reweight",
    "rmepsilon",
    "shortestdistance",
    "shortestpath",
    "string_file",
    "string_map",
    "synchronize",
    "times",
    "topsort",
    "union",
]
