"""The :class:`Semiring` descriptor shared by every semiring module.

A semiring is data, not behaviour, as far as the kernels are concerned: each
carries an integer ``code`` that numba kernels branch on (see
``kleene.kernels.semiring``), so one compiled kernel serves every semiring and
stays in numba's on-disk cache. The Python-level operations here work on
scalars and numpy arrays alike and are what tests and pure-Python code use.

Weights of every semiring are stored as floating point numbers (float32, as
OpenFst does by default, or float64). The boolean semiring stores false/true as
0.0/1.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

#: OpenFst's default quantization/comparison delta (``kDelta``).
DEFAULT_DELTA = 1.0 / 1024.0

TROPICAL = 0
LOG = 1
REAL = 2
BOOLEAN = 3


@dataclass(frozen=True, eq=False)
class Semiring:
    """A commutative semiring over floating point weights.

    Attributes:
        name: ``"tropical"``, ``"log"``, ``"real"`` or ``"boolean"``.
        code: the integer kernels dispatch on.
        dtype: ``np.float32`` or ``np.float64``.
        arc_type: OpenFst's arc type name (``"standard"``, ``"log"``, ``"log64"``...).
        zero, one: the identities of plus and times.
        idempotent: ``a + a == a``.
        path: ``a + b`` is either ``a`` or ``b`` (a total "natural" order).
        commutative, left_semiring, right_semiring: OpenFst's properties.
    """

    name: str
    code: int
    dtype: type
    arc_type: str
    zero: float
    one: float
    idempotent: bool
    path: bool
    commutative: bool = True
    left_semiring: bool = True
    right_semiring: bool = True
    divisible: bool = True
    _plus: Callable = field(default=None, repr=False, compare=False)
    _times: Callable = field(default=None, repr=False, compare=False)
    _divide: Callable = field(default=None, repr=False, compare=False)

    # -- identity: the descriptors are singletons, so equality is usually
    # identity (compared on every binary operation); a copy (e.g. unpickled
    # elsewhere) still equals its original field by field
    def _key(self):
        return (self.name, self.code, np.dtype(self.dtype), self.arc_type, self.zero,
                self.one, self.idempotent, self.path, self.commutative,
                self.left_semiring, self.right_semiring, self.divisible)

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if other.__class__ is not Semiring:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.name, self.code, np.dtype(self.dtype).str))

    # -- arithmetic (scalars or arrays) ---------------------------------
    def plus(self, a, b):
        """Semiring addition (``⊕``)."""
        return self._cast(self._plus(self._cast(a), self._cast(b)))

    def times(self, a, b):
        """Semiring multiplication (``⊗``)."""
        return self._cast(self._times(self._cast(a), self._cast(b)))

    def divide(self, a, b):
        """Left/right division ``a ⊘ b`` (all four semirings are commutative)."""
        from ..errors import FstArgError
        b = self._cast(b)
        if np.any(self.is_zero(b)):
            raise FstArgError(f"{self.name}: division by the semiring zero")
        return self._cast(self._divide(self._cast(a), b))

    def sum(self, values):
        """``⊕``-sum of an iterable (zero when empty)."""
        total = self.zero_value()
        for v in values:
            total = self.plus(total, v)
        return total

    def product(self, values):
        """``⊗``-product of an iterable (one when empty)."""
        total = self.one_value()
        for v in values:
            total = self.times(total, v)
        return total

    def zero_value(self):
        return self.dtype(self.zero)

    def one_value(self):
        return self.dtype(self.one)

    def is_zero(self, a):
        return np.asarray(a) == self.zero

    def is_one(self, a):
        return np.asarray(a) == self.one

    def approx_equal(self, a, b, delta: float = DEFAULT_DELTA):
        """OpenFst's ``ApproxEqual``: equal within ``delta`` (infinities equal)."""
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            close = np.abs(a - b) <= delta
        return np.logical_or(close, a == b)

    def natural_less(self, a, b):
        """``a`` strictly better than ``b`` in the natural order
        (``a ⊕ b == a`` and ``a != b``); meaningful for idempotent semirings."""
        s = self.plus(a, b)
        return np.logical_and(s == a, np.asarray(a) != np.asarray(b))

    def coerce(self, w) -> float:
        """Converts a user weight (float, bool, ``None`` meaning one) to this
        semiring's dtype, rejecting NaN."""
        from ..errors import FstArgError
        if w is None:
            return self.one_value()
        try:
            value = self.dtype(float(w))
        except (TypeError, ValueError) as exc:
            raise FstArgError(f"not a {self.name} weight: {w!r}") from exc
        if np.isnan(value):
            raise FstArgError(f"NaN is not a {self.name} weight")
        return value

    def _cast(self, x):
        return np.asarray(x, dtype=self.dtype)[()]

    def with_dtype(self, dtype) -> "Semiring":
        """The same semiring with float32 or float64 weights."""
        from . import get_semiring
        return get_semiring(self.name, dtype)

    @property
    def bits(self) -> int:
        return 32 if self.dtype == np.float32 else 64

    def __str__(self) -> str:
        return self.name if self.bits == 32 else f"{self.name}64"

    def __reduce__(self):
        from . import get_semiring
        return (get_semiring, (self.name, self.dtype))
