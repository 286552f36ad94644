"""The real (probability) semiring ``(R≥0, +, ×, 0, 1)``."""

import numpy as np

from .base import REAL, Semiring


def _plus(a, b):
    return np.add(a, b)


def _times(a, b):
    return np.multiply(a, b)


def _divide(a, b):
    return np.divide(a, b)


def _make(dtype, arc_type):
    return Semiring(name="real", code=REAL, dtype=dtype, arc_type=arc_type,
                    zero=0.0, one=1.0, idempotent=False, path=False,
                    _plus=_plus, _times=_times, _divide=_divide)


real = _make(np.float32, "real")
real64 = _make(np.float64, "real64")
