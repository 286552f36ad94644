"""The algebra over :data:`~kleene.grammar.coerce.FstLike`: pynini's
``union``, ``concat``, ``closure``, ``difference``, ``compose``, ``invert``,
``project`` and ``optimize``, taking strings wherever machines go.

Strings are compiled as byte acceptors in the semiring of the first machine
among the arguments (tropical when there is none). The operators on
:class:`~kleene.Fst` (``+ | @ - **``, ``.ques .star .plus``) call these.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Literal

from ..core.fst import Fst
from ..errors import FstArgError
from ..semirings import Semiring, tropical
from .coerce import FstLike, to_fst

_ALGORITHMS: dict[str, Callable] = {}


def _op(name: str) -> Callable:
    """``kleene.algorithms.<name>.<name>``, imported on first use so that
    importing the grammar layer does not load every kernel module."""
    fn = _ALGORITHMS.get(name)
    if fn is None:
        fn = _ALGORITHMS[name] = getattr(
            importlib.import_module(f"kleene.algorithms.{name}"), name)
    return fn


def _common_semiring(values) -> Semiring:
    for value in values:
        if isinstance(value, Fst):
            return value.semiring
    return tropical


def _machines(*values: FstLike) -> tuple[Fst, ...] | list[Fst]:
    for v in values:
        if v.__class__ is not Fst:
            break
    else:
        return values  # the common case: machines already
    sr = _common_semiring(values)
    return [to_fst(v, semiring=sr) for v in values]


def union(*fsts: FstLike) -> Fst:
    """The union of one or more machines (``pynini.union``): OpenFst's
    ``Union`` applied left to right, so states are numbered as pynini's.

    Preconditions: at least one argument; one semiring. Complexity:
    O(ΣV + ΣE).
    """
    if not fsts:
        raise FstArgError("union needs at least one machine or string")
    machines = _machines(*fsts)
    return _op("union")(*machines)


def concat(a: FstLike, b: FstLike) -> Fst:
    """The concatenation ``a · b`` (``pynini.concat``). Complexity:
    O(V_a + E_a + V_b + E_b)."""
    return _op("concat")(*_machines(a, b))


def closure(f: FstLike, lower: int = 0, upper: int | None = None) -> Fst:
    """``f`` repeated between ``lower`` and ``upper`` times
    (``pynini.closure``): ``closure(f)`` is ``f*``, ``closure(f, 1)`` is
    ``f+``, ``closure(f, 0, 1)`` is ``f?``; ``upper`` None (or 0, as in
    pynini) means unbounded.

    Preconditions: ``0 <= lower <= upper`` when ``upper`` is positive
    (:class:`FstArgError`). Complexity: O(max(lower, upper) · (V + E)).
    """
    for name, value in (("lower", lower), ("upper", upper)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise FstArgError(f"closure: {name} must be an int, not {type(value).__name__}")
    return _op("closure")(to_fst(f), lower, upper)


def difference(a: FstLike, b: FstLike) -> Fst:
    """The strings of acceptor ``a`` not accepted by ``b``, with ``a``'s
    weights (``pynini.difference``). ``b`` is ε-removed and determinized as
    needed, so any unweighted acceptor will do.

    Preconditions: ``a`` an acceptor; ``b`` an unweighted acceptor;
    otherwise :class:`FstArgError` (pynini fails with "Operation failed").
    Complexity: O(V_a V_b' + E_a V_b') for the V_b' states of
    deterministic ``b`` (exponential in V_b in the worst case).
    """
    left, right = _machines(a, b)
    return _op("difference")(left, right)


def compose(a: FstLike, b: FstLike) -> Fst:
    """The composition ``a ∘ b`` (``pynini.compose``), arc-sorting whichever
    side needs it. Complexity: O(V_a V_b) states, O(E_a E_b) arcs at most."""
    return _op("compose")(*_machines(a, b))


def invert(f: FstLike) -> Fst:
    """``f`` with input and output labels swapped. O(V + E)."""
    return _op("invert")(to_fst(f))


def project(f: FstLike, side: Literal["input", "output"] = "input") -> Fst:
    """The acceptor of ``f``'s input (``side="input"``) or output
    labels, as ``pynini.project(f, side)``. O(V + E)."""
    if side not in ("input", "output"):
        raise FstArgError(f"project: side must be 'input' or 'output', not {side!r}")
    return _op("project")(to_fst(f), project_type=side)


def optimize(f: FstLike) -> Fst:
    """An equivalent, usually much smaller machine (``pynini``'s
    ``optimize``: ε-removal, determinization and minimization, with labels
    or weights encoded where needed; see :func:`kleene.optimize`).
    Complexity: exponential in the worst case (determinization)."""
    return _op("optimize")(to_fst(f))


def repeat(f: FstLike, times) -> Fst:
    """``f ** times``: ``times`` is an int n (exactly n copies) or a pair
    ``(lower, upper)`` with ``upper`` None for unbounded (pynini's ``**``
    takes ints only). As in pynini, ``f ** 0`` is ``f*``, since an upper
    bound of 0 means unbounded. Complexity: that of :func:`closure`."""
    if isinstance(times, tuple):
        if len(times) != 2:
            raise FstArgError(f"f ** (lower, upper) needs a pair, got {times!r}")
        lower, upper = times
        if upper is None:
            if lower is None:
                raise FstArgError("f ** (None, None): give at least the lower bound")
            return closure(f, lower)
        return closure(f, 0 if lower is None else lower, upper)
    if isinstance(times, bool) or not isinstance(times, int):
        raise FstArgError(f"f ** n needs an int or a (lower, upper) pair, not "
                          f"{type(times).__name__}")
    if times < 0:
        raise FstArgError(f"f ** n needs n >= 0, got {times}")
    # as in pynini, f ** 0 is closure(f, 0, 0), i.e. f* (upper 0 = unbounded)
    return closure(f, times, times)


__all__ = [
    "closure",
    "compose",
    "concat",
    "difference",
    "invert",
    "optimize",
    "project",
    "repeat",
    "union",
]
