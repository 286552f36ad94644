"""The grammar layer: a pynini-style API over :mod:`kleene.algorithms`.

Strings are accepted wherever a machine is (see :mod:`.coerce`).
"""

from .coerce import FstLike, to_fst
from .symbols import BOS, EOS, generated_label, generated_symbols

__all__ = ["FstLike", "to_fst", "BOS", "EOS", "generated_label", "generated_symbols"]
