"""kleene: weighted finite-state transducers in Python.

The top-level namespace re-exports the data model, the semirings and every
public operation. Operations are imported lazily, on first use, so
``import kleene`` stays fast.
"""

from __future__ import annotations

from ._lazy import lazy_attributes
from .core import EPSILON, NO_STATE, Arc, Fst, FstBuilder, Prop, Props, SymbolTable
from .errors import (FstArgError, FstIndexError, FstIOError, FstOpError,
                     FstSymbolError, KleeneError)
from .semirings import (DEFAULT_DELTA, Semiring, boolean, get_semiring, log, log64,
                        real, real64, tropical, tropical64)

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY = {
    "arcsort": "algorithms.arcsort",
    "connect": "algorithms.connect",
    "topsort": "algorithms.topsort",
    "reverse": "algorithms.reverse",
    "invert": "algorithms.invert",
    "project": "algorithms.project",
    "relabel": "algorithms.relabel",
    "union": "algorithms.union",
    "concat": "algorithms.concat",
    "closure": "algorithms.closure",
    "shortest_distance": "algorithms.shortest_distance",
    "shortest_path": "algorithms.shortest_path",
    "prune": "algorithms.prune",
    "push": "algorithms.push",
    "randgen": "algorithms.randgen",
    "verify": "algorithms.verify",
    "paths": "algorithms.paths",
    "compose": "algorithms.compose",
    "intersect": "algorithms.intersect",
    "difference": "algorithms.difference",
    "determinize": "algorithms.determinize",
    "disambiguate": "algorithms.disambiguate",
    "minimize": "algorithms.minimize",
    "rmepsilon": "algorithms.rmepsilon",
    "epsnormalize": "algorithms.epsnormalize",
    "synchronize": "algorithms.synchronize",
    "encode": "algorithms.encode",
    "decode": "algorithms.encode",
    "EncodeMapper": "algorithms.encode",
    "equivalent": "algorithms.equivalent",
    "randequivalent": "algorithms.randequivalent",
    "isomorphic": "algorithms.isomorphic",
    "optimize": "algorithms.optimize",
    "replace": "algorithms.replace",
    "accep": "core.strings",
    "read": "io.files",
    "write": "io.files",
    "compile_text": "io.text",
    "print_fst": "io.text",
    "from_pynini": "io.pynini_bridge",
    "read_far": "io.far",
    "write_far": "io.far",
    "FarReader": "io.far",
    "FarWriter": "io.far",
}


__getattr__, __dir__ = lazy_attributes("kleene", _LAZY, globals())


__all__ = ["Fst", "FstBuilder", "Arc", "Prop", "Props", "SymbolTable", "EPSILON",
           "NO_STATE", "Semiring", "get_semiring", "tropical", "tropical64", "log",
           "log64", "real", "real64", "boolean", "DEFAULT_DELTA", "KleeneError",
           "FstArgError", "FstIndexError", "FstIOError", "FstOpError",
           "FstSymbolError", *_LAZY]
