"""The boolean semiring ``({0, 1}, ∨, ∧, 0, 1)``, stored as 0.0 / 1.0.

Division ``a ⊘ b`` is defined only for ``b = 1`` (true), where it is ``a``.
"""

import numpy as np

from .base import BOOLEAN, Semiring


def _plus(a, b):
    return np.maximum(a, b)


def _times(a, b):
    return np.minimum(a, b)


def _divide(a, b):
    return a


def _make(dtype, arc_type):
    return Semiring(name="boolean", code=BOOLEAN, dtype=dtype, arc_type=arc_type,
                    zero=0.0, one=1.0, idempotent=True, path=True,
                    _plus=_plus, _times=_times, _divide=_divide)


boolean = _make(np.float32, "boolean")
boolean64 = _make(np.float64, "boolean64")
