"""Log-space arithmetic shared by the numba kernels that add probabilities
held as log-scores (higher is better, ``-inf`` is probability 0).

Kept in one place so every kernel handles ``-inf`` the same way. Callers
import the jitted function and call it from their own ``@njit`` code; the
on-disk cache of a caller does not notice edits to this module (a cold
cache, as on CI, always does).
"""

import numpy as np
from numba import njit

NEG_INF = -np.inf


@njit(cache=True)
def log_add(a, b):
    """``log(exp(a) + exp(b))`` without overflow; exact when either side is
    ``-inf`` (so ``-inf + -inf`` gives ``-inf``, never NaN). O(1)."""
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    if a > b:
        return a + np.log1p(np.exp(b - a))
    return b + np.log1p(np.exp(a - b))
