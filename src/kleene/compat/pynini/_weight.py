"""pynini's ``Weight`` and ``Arc`` value types over kleene's float weights.

A :class:`Weight` is a float tagged with its weight type (``"tropical"``,
``"log"``, ``"log64"``); it converts with ``float()`` and prints as OpenFst
does (``1.5``, ``Infinity``). An :class:`Arc` is the four fields of a
transition.
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import FstArgError
from ...semirings import Semiring, get_semiring, semiring_for_arc_type

#: OpenFst weight type names (``Weight.type()``) and their kleene semirings.
_SEMIRING_BY_WEIGHT_TYPE = {"tropical": "tropical", "log": "log", "log64": "log64"}


def semiring_of_arc_type(arc_type: str) -> Semiring:
    """kleene's semiring for an OpenFst arc type (``"standard"``, ``"log"``,
    ``"log64"``); raises :class:`FstArgError` for other names."""
    return semiring_for_arc_type(arc_type)


def weight_type_of(semiring: Semiring) -> str:
    """OpenFst's weight type name (``Weight.type()``) of a kleene semiring."""
    if semiring.name == "log" and np.dtype(semiring.dtype).itemsize == 8:
        return "log64"
    return semiring.name


def _semiring_of_weight_type(weight_type: str) -> Semiring:
    if weight_type in ("standard",):
        weight_type = "tropical"
    name = _SEMIRING_BY_WEIGHT_TYPE.get(weight_type)
    if name is None:
        raise FstArgError(f"unknown weight type {weight_type!r}; expected one of "
                          f"{sorted(_SEMIRING_BY_WEIGHT_TYPE)}")
    return get_semiring(name)


def _parse(value) -> float:
    if isinstance(value, Weight):
        return value._value
    if isinstance(value, str):
        text = value.strip()
        if text in ("Infinity", "inf", "+inf"):
            return math.inf
        if text in ("-Infinity", "-inf"):
            return -math.inf
        try:
            return float(text)
        except ValueError:
            raise FstArgError(f"cannot parse weight {value!r}") from None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FstArgError(f"cannot use {value!r} as a weight") from None


def _stored(weight_type: str, value: float) -> float:
    """``value`` as OpenFst stores it: ``tropical`` and ``log`` weights are
    single precision, ``log64`` double."""
    return value if weight_type == "log64" else float(np.float32(value))


class Weight:
    """A weight of a given type (pynini's ``Weight(weight_type, value)``).

    Like OpenFst, ``tropical`` and ``log`` weights hold a float32 (so
    ``Weight("tropical", 0.1)`` prints ``0.100000001``); ``log64`` a float64.
    """

    __slots__ = ("_type", "_value")

    def __init__(self, weight_type: str, weight) -> None:
        _semiring_of_weight_type(weight_type)
        self._type = "tropical" if weight_type == "standard" else weight_type
        self._value = _stored(self._type, _parse(weight))

    @classmethod
    def _of(cls, weight_type: str, value: float) -> Weight:
        w = cls.__new__(cls)
        w._type = weight_type
        w._value = _stored(weight_type, float(value))
        return w

    @classmethod
    def zero(cls, weight_type: str) -> Weight:
        return cls._of(weight_type, _semiring_of_weight_type(weight_type).zero)

    @classmethod
    def one(cls, weight_type: str) -> Weight:
        return cls._of(weight_type, _semiring_of_weight_type(weight_type).one)

    @classmethod
    def no_weight(cls, weight_type: str) -> Weight:
        return cls._of(weight_type, math.nan)

    def type(self) -> str:
        return self._type

    def copy(self) -> Weight:
        return Weight._of(self._type, self._value)

    def member(self) -> bool:
        return not math.isnan(self._value) and self._value != -math.inf

    def to_string(self) -> str:
        return str(self)

    def __float__(self) -> float:
        return self._value

    def __str__(self) -> str:
        v = self._value
        if v == math.inf:
            return "Infinity"
        if v == -math.inf:
            return "-Infinity"
        if math.isnan(v):
            return "BadNumber"
        # OpenFst writes weights with 9 significant digits (a float32's
        # round-trip precision), whatever their type
        return f"{v:.9g}"

    def __repr__(self) -> str:
        return f"<{self._type} Weight {self} at 0x{id(self):x}>"

    def __eq__(self, other) -> bool:
        if isinstance(other, Weight):
            return self._type == other._type and self._value == other._value
        return NotImplemented

    def __ne__(self, other) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self._type, self._value))


def as_float(weight) -> float | None:
    """``None`` stays ``None``; a :class:`Weight`, number or string becomes a
    float."""
    if weight is None:
        return None
    return _parse(weight)


def _binary(name: str, op):
    def fn(lhs: Weight, rhs: Weight) -> Weight:
        if not (isinstance(lhs, Weight) and isinstance(rhs, Weight)):
            raise FstArgError(f"{name} expects two Weight objects")
        if lhs._type != rhs._type:
            raise FstArgError(f"{name}: weight types differ ({lhs._type} vs {rhs._type})")
        return Weight._of(lhs._type, op(_semiring_of_weight_type(lhs._type), lhs._value,
                                        rhs._value))
    fn.__name__ = name
    fn.__doc__ = f"The semiring {name} of two weights of the same type."
    return fn


def _plus(sr: Semiring, a: float, b: float) -> float:
    if sr.name == "tropical":
        return min(a, b)
    if a == math.inf:
        return b
    if b == math.inf:
        return a
    m = min(a, b)
    return m - math.log1p(math.exp(-abs(a - b)))


def _times(sr: Semiring, a: float, b: float) -> float:
    return a + b


def _divide(sr: Semiring, a: float, b: float) -> float:
    if b == math.inf:
        return math.nan
    return a - b


plus = _binary("plus", _plus)
times = _binary("times", _times)
divide = _binary("divide", _divide)


def power(w: Weight, n: int) -> Weight:
    """``w`` ⊗-multiplied by itself ``n`` times."""
    if not isinstance(w, Weight):
        raise FstArgError("power expects a Weight")
    return Weight._of(w._type, w._value * n)


class Arc:
    """A transition: ``Arc(ilabel, olabel, weight, nextstate)``."""

    __slots__ = ("ilabel", "nextstate", "olabel", "weight")

    def __init__(self, ilabel: int, olabel: int, weight, nextstate: int) -> None:
        self.ilabel = int(ilabel)
        self.olabel = int(olabel)
        self.weight = weight
        self.nextstate = int(nextstate)

    def copy(self) -> Arc:
        return Arc(self.ilabel, self.olabel, self.weight, self.nextstate)

    def __repr__(self) -> str:
        return (f"<Arc ilabel={self.ilabel} olabel={self.olabel} "
                f"weight={self.weight} nextstate={self.nextstate}>")
