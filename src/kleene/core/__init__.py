"""The data model: :class:`Fst`, its builder, properties and symbol tables."""

from .builder import FstBuilder
from .fst import EPSILON, NO_STATE, Arc, Fst
from .properties import Prop, Props
from .symbols import SymbolTable

__all__ = ["Fst", "FstBuilder", "Arc", "Prop", "Props", "SymbolTable", "EPSILON", "NO_STATE"]
