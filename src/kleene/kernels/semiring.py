"""Semiring arithmetic for kernels, dispatched on the integer semiring code.

Every helper is ``inline="always"`` so the branch on ``code`` folds into the
caller; a kernel that takes ``code`` as an argument serves all semirings with
one compiled (and disk-cached) body per weight dtype.

Codes: 0 tropical, 1 log, 2 real, 3 boolean (see ``kleene.semirings.base``).
"""

import math

import numpy as np
from numba import njit

TROPICAL = 0
LOG = 1
REAL = 2
BOOLEAN = 3

INF = np.inf


@njit(inline="always", cache=True)
def zero(code):
    if code == TROPICAL or code == LOG:
        return INF
    return 0.0


@njit(inline="always", cache=True)
def one(code):
    if code == TROPICAL or code == LOG:
        return 0.0
    return 1.0


@njit(inline="always", cache=True)
def is_zero(code, a):
    if code == TROPICAL or code == LOG:
        return a == INF
    return a == 0.0


@njit(inline="always", cache=True)
def plus(code, a, b):
    if code == TROPICAL:
        return a if a < b else b
    if code == LOG:
        if a == INF:
            return b
        if b == INF:
            return a
        if a < b:
            return a - math.log1p(math.exp(a - b))
        return b - math.log1p(math.exp(b - a))
    if code == REAL:
        return a + b
    return a if a > b else b


@njit(inline="always", cache=True)
def times(code, a, b):
    if code == TROPICAL or code == LOG:
        if a == INF or b == INF:
            return INF
        return a + b
    if code == REAL:
        return a * b
    return a if a < b else b


@njit(inline="always", cache=True)
def divide(code, a, b):
    """``a ⊘ b``; callers must not divide by zero (undefined)."""
    if code == TROPICAL or code == LOG:
        if a == INF:
            return INF
        return a - b
    if code == REAL:
        return a / b
    return a


@njit(inline="always", cache=True)
def better(code, a, b):
    """Natural order for path semirings: ``a`` strictly better than ``b``.
    For log/real (not path semirings) this is the tropical-like order of the
    underlying value (smaller cost / larger probability)."""
    if code == TROPICAL or code == LOG:
        return a < b
    return a > b


@njit(inline="always", cache=True)
def approx_equal(code, a, b, delta):
    if a == b:
        return True
    return abs(a - b) <= delta


@njit(inline="always", cache=True)
def star(code, a):
    """Closure ``a* = 1 ⊕ a ⊕ a² ⊕ ...``; returns NaN where it diverges."""
    if code == TROPICAL:
        return 0.0 if a >= 0.0 else np.nan
    if code == LOG:
        if a == INF:
            return 0.0
        if a <= 0.0:
            return np.nan
        return math.log1p(-math.exp(-a))
    if code == REAL:
        if a >= 1.0:
            return np.nan
        return 1.0 / (1.0 - a)
    return 1.0
