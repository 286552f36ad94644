"""The tropical semiring ``(R ∪ {+∞}, min, +, +∞, 0)``: Viterbi / shortest paths."""

import numpy as np

from .base import TROPICAL, Semiring


def _plus(a, b):
    return np.minimum(a, b)


def _times(a, b):
    with np.errstate(invalid="ignore"):
        r = np.add(a, b)
    # inf + -inf cannot arise from valid weights; keep zero absorbing anyway
    return np.where(np.isposinf(a) | np.isposinf(b), np.inf, r)


def _divide(a, b):
    return np.subtract(a, b)


def _make(dtype, arc_type):
    return Semiring(name="tropical", code=TROPICAL, dtype=dtype, arc_type=arc_type,
                    zero=float("inf"), one=0.0, idempotent=True, path=True,
                    _plus=_plus, _times=_times, _divide=_divide)


tropical = _make(np.float32, "standard")
tropical64 = _make(np.float64, "tropical64")
