"""Kleene closure and bounded repetition (OpenFst's ``Closure`` and pynini's
``closure(fst, lower, upper)``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from ..errors import FstArgError
from ..kernels.closure import closure_csr
from .concat import concat_left
from .union import ArcChunks, preserved_props, union_into

_CLOSURE_TYPES = ("star", "plus", "ques")


def _copy(fst: Fst) -> ArcChunks:
    acc = ArcChunks(fst.semiring)
    acc.add_machine(fst, 0)
    acc.start = fst.start
    acc.initial_acyclic = fst  # decided by fst's acyclicity, if needed
    return acc


def _plus_into(acc: ArcChunks) -> None:
    """OpenFst's ``Closure(PLUS)``: every final state gets an ``ε:ε`` arc,
    weighted by its final weight, back to the start (after its other arcs)."""
    if acc.start < 0:
        return  # no start: nothing to loop back to (OpenFst adds bad arcs)
    final = acc.final_array()
    finals = np.flatnonzero(final != acc.semiring.zero)
    acc.add_epsilon_arcs(finals, final[finals], acc.start)


def _star_into(acc: ArcChunks) -> None:
    """OpenFst's ``Closure(STAR)``: plus, then a new final start state with an
    ``ε:ε/1`` arc to the old start."""
    old_start = acc.start
    _plus_into(acc)
    new_start = acc.add_state()
    acc.final_array()[new_start] = acc.semiring.one
    acc.start = new_start
    if old_start >= 0:
        acc.add_epsilon_arcs(new_start, acc.semiring.one, old_start)


def _optionalize(acc: ArcChunks) -> None:
    """pynini's ``?``: union with the one-state machine accepting ε."""
    eps = Fst(np.zeros(2), [], [], [], [], [acc.semiring.one], 0, acc.semiring)
    union_into(acc, eps, 0)


def _repeat(fst: Fst, lower: int, upper: int | None) -> ArcChunks:
    """pynini's ``closure(fst, lower, upper)`` construction (``upper`` None
    meaning unbounded): the last copies are star/plus-closed or nested
    optional copies, and the first ``lower`` (or ``lower - 1``) copies are
    prepended with OpenFst's left ``Concat``."""
    acc = _copy(fst)
    if upper is None:
        if lower == 0:
            _star_into(acc)
            return acc
        _plus_into(acc)
        prepend = lower - 1
    elif upper == lower:
        prepend = lower - 1
    else:
        _optionalize(acc)                        # x?
        for _ in range(upper - lower - 1):       # (x (x ...)?)?
            concat_left(fst, acc, 0)
            _optionalize(acc)
        prepend = lower
    for _ in range(prepend):
        concat_left(fst, acc, 0)
    return acc


def closure(fst: Fst, lower: int = 0, upper: int | None = None, *,
            closure_type: Literal["star", "plus", "ques"] | None = None,
            return_arc_map: bool = False):
    """Kleene closure or bounded repetition ``fst{lower, upper}``.

    - ``closure(fst)``: ``fst*`` (OpenFst's star: every final state loops back
      to the start with an ``ε`` arc weighted by its final weight, and a new
      final start state is added with an ``ε`` arc to the old start).
    - ``closure(fst, 1)``: ``fst+`` (the loops only, no new state).
    - ``closure(fst, 0, 1)``: ``fst?`` (union with the empty string).
    - ``closure(fst, n, m)``: between ``n`` and ``m`` repetitions;
      ``upper=None`` means unbounded. As in pynini, ``upper=0`` also means
      unbounded (so ``closure(fst, 0, 0)`` is ``fst*``, not ``ε``).
    - ``closure_type="star" | "plus" | "ques"`` names the three common cases
      and then ``lower``/``upper`` must be left at their defaults.

    The states and arcs are numbered exactly as ``pynini.closure`` numbers
    them: the last part is star-, plus- or nested-optional-closed and the
    first repetitions are copies prepended with OpenFst's ``Concat``. A
    machine without a start state stays without one, except that ``star``
    gives the machine that accepts only ε (OpenFst's plus closure of such a
    machine adds arcs to a missing state; kleene does not).

    Preconditions: ``0 <= lower``, and ``lower <= upper`` when ``upper`` is
    positive; otherwise :class:`FstArgError`.

    Complexity: O(max(lower, upper) · (V + E)) time and output size.

    With ``return_arc_map=True`` returns ``(fst, arc_map)``; each copy's arcs
    map to the input arc they copy, new ε arcs to -1.
    """
    if closure_type is not None:
        if closure_type not in _CLOSURE_TYPES:
            raise FstArgError(f"closure: closure_type must be one of {_CLOSURE_TYPES}, "
                              f"got {closure_type!r}")
        if lower != 0 or upper is not None:
            raise FstArgError("closure: give either closure_type or lower/upper bounds, "
                              "not both")
        lower, upper = {"star": (0, None), "plus": (1, None), "ques": (0, 1)}[closure_type]
    if not isinstance(fst, Fst):
        raise FstArgError(f"closure: expected a kleene.Fst, got {type(fst).__name__}")
    try:
        lower = int(lower)
        upper = None if upper is None else int(upper)
    except (TypeError, ValueError):
        raise FstArgError(f"closure: bounds must be integers, got {lower!r}, "
                          f"{upper!r}") from None
    if upper == 0:
        upper = None  # pynini's convention for "no upper bound"
    if lower < 0 or (upper is not None and upper < 0):
        raise FstArgError(f"closure: bounds must be non-negative, got {{{lower}, {upper}}}")
    if upper is not None and lower > upper:
        raise FstArgError(f"closure: lower bound cannot exceed the upper bound, got "
                          f"{{{lower}, {upper}}}")
    props = preserved_props([fst])
    if upper is None and lower <= 1 and fst.start >= 0:
        # star / plus: the layout is known, so write it in one kernel pass
        indptr, il, ol, w, dst, final, arc_map = closure_csr(
            fst.indptr, fst.ilabel, fst.olabel, fst.weight, fst.nextstate, fst.final,
            fst.start, fst.semiring.code, lower == 0)
        out = Fst(indptr, il, ol, dst, w, final, fst.num_states if lower == 0 else fst.start,
                  fst.semiring, fst.isymbols, fst.osymbols, props, check=False)
        return (out, arc_map) if return_arc_map else out
    acc = _repeat(fst, lower, upper)
    if upper is not None and fst.props.get(Prop.ACYCLIC):
        props = props.set(Prop.ACYCLIC, True)
    out, arc_map = acc.freeze(fst.isymbols, fst.osymbols, props)
    if return_arc_map:
        return out, arc_map
    return out
