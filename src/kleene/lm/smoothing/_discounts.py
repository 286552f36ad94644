"""Discount estimates from count-of-counts ``n[r]`` (number of n-grams of one
order seen exactly r times), and the per-order option handling shared by
absolute discounting, Kneser-Ney and modified Kneser-Ney."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..errors import LmArgError

# KenLM's --discount_fallback values for D1, D2, D3+.
DEFAULT_FALLBACK = (0.5, 1.0, 1.5)


def ney_discount(n: np.ndarray) -> float | None:
    """Ney's single discount ``D = n1 / (n1 + 2 n2)`` (Chen & Goodman eq. 26);
    ``None`` when undefined (no singletons) or outside (0, 1]."""
    n1, n2 = float(n[1]), float(n[2])
    if n1 <= 0:
        return None
    d = n1 / (n1 + 2.0 * n2)
    return d if 0.0 < d <= 1.0 else None


def mkn_discounts(n: np.ndarray) -> tuple[float, float, float] | None:
    """Chen & Goodman's modified-KN discounts (KenLM's lmplz):
    ``Y = n1 / (n1 + 2 n2)``, ``D_r = r - (r + 1) Y n_{r+1} / n_r`` for
    r = 1, 2, 3 (D3 serves every count >= 3). ``None`` when undefined
    (n1, n2 or n3 is 0) or when some ``D_r`` falls outside [0, r], the range
    KenLM accepts."""
    n1, n2, n3, n4 = (float(n[r]) for r in (1, 2, 3, 4))
    if n1 <= 0 or n2 <= 0 or n3 <= 0:
        return None
    y = n1 / (n1 + 2.0 * n2)
    d = (1.0 - 2.0 * y * n2 / n1, 2.0 - 3.0 * y * n3 / n2, 3.0 - 4.0 * y * n4 / n3)
    if any(not (0.0 <= dr <= r) for r, dr in zip((1, 2, 3), d)):
        return None
    return d


def katz_coefficients(n: np.ndarray, bins: int) -> np.ndarray:
    """Katz's Good-Turing discount ratios ``d[r]`` for r = 1..bins (Chen &
    Goodman eq. 13-14; ``d[0]`` unused, counts above ``bins`` keep ratio 1):
    ``r* = (r+1) n_{r+1} / n_r``, ``A = (bins+1) n_{bins+1} / n_1``,
    ``d_r = (r*/r - A) / (1 - A)``. A ratio that is undefined or outside
    (0, 1] is replaced by 1 (no discount for that count), as SRILM does."""
    d = np.ones(bins + 1)
    n1 = float(n[1])
    if n1 <= 0:
        return d
    a = (bins + 1) * float(n[bins + 1]) / n1
    if a == 1.0:
        return d
    for r in range(1, bins + 1):
        nr = float(n[r])
        if nr <= 0:
            continue
        ratio = ((r + 1) * float(n[r + 1]) / nr / r - a) / (1.0 - a)
        if 0.0 < ratio <= 1.0:
            d[r] = ratio
    return d


def order_discounts(counts: Sequence[np.ndarray], fixed: list | None,
                    estimate: Callable[[np.ndarray], object], fallback,
                    undefined: str) -> list:
    """The discount (a float or a tuple) of every order: ``fixed[k-1]`` when
    the caller fixed them (see :func:`per_order`), else ``estimate(c)`` for the
    order's counts ``c``, or ``fallback`` where that gives ``None``. With no
    fallback (``None``) an undefined estimate raises
    ``LmArgError("order k: <undefined>; pass discounts= or
    discount_fallback=")``."""
    out = []
    for k, c in enumerate(counts, start=1):
        if fixed is not None:
            out.append(fixed[k - 1])
            continue
        d = estimate(c)
        if d is None:
            if fallback is None:
                raise LmArgError(f"order {k}: {undefined}; pass discounts= or "
                                 "discount_fallback=")
            d = fallback
        out.append(d)
    return out


def per_order(value, order: int, width: int, name: str) -> list | None:
    """Normalises a discount override: ``None``; one value (a float, or a
    ``width``-tuple when width > 1) for every order; or one per order."""
    if value is None:
        return None

    def one(v) -> tuple[float, ...]:
        vals = (v,) if np.isscalar(v) else tuple(v)
        if len(vals) != width:
            raise LmArgError(f"{name}: expected {width} value(s) per order, got {v!r}")
        out = tuple(float(x) for x in vals)
        if any(not math.isfinite(x) or x < 0 for x in out):
            raise LmArgError(f"{name}: discounts must be finite and >= 0, got {v!r}")
        return out

    if np.isscalar(value) or (width > 1 and len(value) == width
                              and all(np.isscalar(x) for x in value)):
        vals = [one(value)] * order
    else:
        seq: Sequence = value
        if len(seq) != order:
            raise LmArgError(f"{name}: give one value for all orders or exactly "
                             f"{order} (one per order), got {len(seq)}")
        vals = [one(v) for v in seq]
    return [v[0] for v in vals] if width == 1 else vals
