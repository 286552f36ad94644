"""The log semiring ``(R ∪ {+∞}, ⊕_log, +, +∞, 0)`` with
``a ⊕_log b = -log(e^-a + e^-b)``: weights are negative log probabilities."""

import numpy as np

from .base import LOG, Semiring


def _plus(a, b):
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    with np.errstate(invalid="ignore", over="ignore"):
        r = lo - np.log1p(np.exp(lo - hi))
    return np.where(np.isposinf(hi), lo, r)


def _times(a, b):
    r = np.add(a, b)
    return np.where(np.isposinf(a) | np.isposinf(b), np.inf, r)


def _divide(a, b):
    return np.subtract(a, b)


def _make(dtype, arc_type):
    return Semiring(name="log", code=LOG, dtype=dtype, arc_type=arc_type,
                    zero=float("inf"), one=0.0, idempotent=False, path=False,
                    _plus=_plus, _times=_times, _divide=_divide)


log = _make(np.float32, "log")
log64 = _make(np.float64, "log64")
