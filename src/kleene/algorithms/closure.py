"""Kleene closure and bounded repetition (OpenFst's ``Closure`` and pynini's
``closure(fst, lower, upper)``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import INDPTR_DTYPE, Fst
from ..core.properties import Prop
from ..errors import FstArgError
from ..kernels.closure import closure_csr
from ..kernels.csr import arc_sources, coo_to_csr
from ..kernels.union import ARC_FROM_START, NEW_START, TAKE_START, union_pair
from .concat import concat_parts
from .union import freeze, preserved_props, raw, read_only

_CLOSURE_TYPES = ("star", "plus", "ques")
_BOUNDS = {"star": (0, None), "plus": (1, None), "ques": (0, 1)}


def _plus_or_star(fst: Fst, star: bool) -> tuple:
    """OpenFst's ``Closure(PLUS)`` (every final state gets an ``ε:ε`` arc,
    weighted by its final weight, back to the start, after its other arcs)
    or ``Closure(STAR)`` (plus, then a new final start state with an
    ``ε:ε/1`` arc to the old start), as a raw tuple."""
    sr = fst.semiring
    if fst.start < 0:
        # no start: nothing to loop back to (OpenFst adds arcs to a missing
        # state); star adds its new final start state, without arcs
        parts = raw(fst)
        if not star:
            return parts
        n = fst.num_states
        indptr = np.append(fst.indptr, fst.indptr[-1]).astype(INDPTR_DTYPE)
        final = np.append(fst.final, sr.one_value()).astype(sr.dtype)
        return read_only((indptr, *parts[1:5], final, n, parts[7]))
    indptr, il, ol, w, dst, final, arc_map = closure_csr(
        fst.indptr, fst.ilabel, fst.olabel, fst.weight, fst.nextstate, fst.final,
        fst.start, sr.code, star)
    return read_only((indptr, il, ol, w, dst, final,
                      fst.num_states if star else fst.start, arc_map))


_EMPTY_STRING: dict[int, tuple] = {}


def _empty_string_machine(sr) -> tuple:
    """The one-state machine accepting ε (with weight one), as a raw tuple
    of read-only arrays, made once per semiring."""
    parts = _EMPTY_STRING.get(id(sr))
    if parts is None:
        none = np.zeros(0, np.int32)
        parts = (np.zeros(2, INDPTR_DTYPE), none, none, np.zeros(0, sr.dtype), none,
                 np.full(1, sr.one, sr.dtype), 0, np.zeros(0, np.int64))
        for arr in parts:
            if isinstance(arr, np.ndarray):
                arr.setflags(write=False)
        _EMPTY_STRING[id(sr)] = parts
    return parts


class _Appender:
    """A machine assembled in OpenFst's insertion order for long repetition
    chains: blocks of states are appended, arcs are appended to the end of
    their source state's list, and one stable counting sort at the end
    groups them (O(total size), where a kernel call per step would copy
    the growing machine every time)."""

    def __init__(self, sr, parts: tuple):
        self.sr = sr
        indptr, il, ol, w, dst, final, start, origin = parts
        self.arcs = [(arc_sources(indptr), il, ol, w, dst, origin)]
        self.finals = [final]
        self.num_states = final.shape[0]
        self.start = int(start)

    def add_states(self, final: np.ndarray) -> int:
        offset = self.num_states
        self.finals.append(final)
        self.num_states += final.shape[0]
        return offset

    def add_epsilons(self, src, weight, dst) -> None:
        src = np.asarray(src, np.int32)
        k = src.shape[0]
        zeros = np.zeros(k, np.int32)
        self.arcs.append((src, zeros, zeros, np.broadcast_to(weight, (k,)),
                          np.broadcast_to(np.int32(dst) if np.ndim(dst) == 0 else dst, (k,)),
                          np.full(k, -1, np.int64)))

    def optionalize(self, initial_acyclic: bool) -> None:
        """Union with the ε machine (OpenFst's ``Union``, see union_pair)."""
        sr = self.sr
        state = self.add_states(np.full(1, sr.one, sr.dtype))
        if self.start < 0:
            self.start = state
        elif initial_acyclic:
            self.add_epsilons([self.start], sr.one, state)
        else:
            new = self.add_states(np.full(1, sr.zero, sr.dtype))
            self.add_epsilons([new, new], sr.one, np.array([self.start, state], np.int32))
            self.start = new

    def prepend(self, fst: Fst, origin: np.ndarray) -> None:
        """OpenFst's ``Concat(fst, &self)`` (see concat_pair's prepend)."""
        if self.start < 0:
            return
        sr = self.sr
        offset = self.add_states(np.full(fst.num_states, sr.zero, sr.dtype))
        finals = np.flatnonzero(fst.final != sr.zero)
        self.add_epsilons(finals + offset, fst.final[finals], self.start)
        self.arcs.append((fst.arc_source + offset, fst.ilabel, fst.olabel, fst.weight,
                          fst.nextstate + offset, origin))
        if fst.start >= 0:
            self.start = fst.start + offset
        else:
            self.start = self.add_states(np.full(1, sr.zero, sr.dtype))

    def parts(self) -> tuple:
        src, il, ol, w, dst, origin = (np.concatenate(x) for x in zip(*self.arcs))
        indptr, il, ol, w, dst, order = coo_to_csr(
            src.astype(np.int32), il.astype(np.int32), ol.astype(np.int32),
            w.astype(self.sr.dtype), dst.astype(np.int32), self.num_states)
        return (indptr, il, ol, w, dst, np.concatenate(self.finals), self.start,
                origin[order])


# Repetitions with more copies than this are assembled by _Appender.
_KERNEL_STEPS = 4


def _repeat_linear(fst: Fst, lower: int, upper: int | None) -> tuple:
    """:func:`_repeat` for long chains, in O(max(lower, upper) · (V + E))."""
    sr = fst.semiring
    copy = raw(fst)
    if upper is None:
        acc = _Appender(sr, _plus_or_star(fst, False))
        prepend = lower - 1
    elif upper == lower:
        acc = _Appender(sr, copy)
        prepend = lower - 1
    else:
        acc = _Appender(sr, copy)
        acc.optionalize(fst.has(Prop.ACYCLIC))   # (unused when there is no start)
        for _ in range(upper - lower - 1):
            acc.prepend(fst, copy[7])
            acc.optionalize(fst.has(Prop.ACYCLIC))
        prepend = lower
    for _ in range(prepend):
        acc.prepend(fst, copy[7])
    return acc.parts()


def _repeat(fst: Fst, lower: int, upper: int | None) -> tuple:
    """pynini's ``closure(fst, lower, upper)`` construction (``upper`` None
    meaning unbounded), as a raw tuple: the last copies are star/plus-closed
    or nested optional copies (unions with ε), and the first ``lower`` (or
    ``lower - 1``) copies are prepended with OpenFst's left ``Concat``.

    Every union asks, as OpenFst does, whether the start may lie on a cycle:
    after a prepend that is decided by ``fst``'s acyclicity, after a union
    never (its new start has no incoming arcs)."""
    if max(lower, upper or 0) > _KERNEL_STEPS:
        return _repeat_linear(fst, lower, upper)
    sr = fst.semiring
    code = sr.code
    copy = raw(fst)
    if upper is None:
        if lower == 0:
            return _plus_or_star(fst, True)
        acc = _plus_or_star(fst, False)
        prepend = lower - 1
    elif upper == lower:
        acc = copy
        prepend = lower - 1
    else:
        eps = _empty_string_machine(sr)
        initial_acyclic: bool | None = None  # None: fst's acyclicity

        def optionalize(acc):
            nonlocal initial_acyclic
            if acc[6] < 0:
                initial_acyclic = True  # the ε machine's start, acyclic
                return read_only(union_pair(*acc, *eps, TAKE_START, code))
            if initial_acyclic is None:
                initial_acyclic = fst.has(Prop.ACYCLIC)
            mode = ARC_FROM_START if initial_acyclic else NEW_START
            initial_acyclic = True
            return read_only(union_pair(*acc, *eps, mode, code))

        acc = optionalize(copy)                  # x?
        for _ in range(upper - lower - 1):       # (x (x ...)?)?
            if acc[6] >= 0:
                acc = concat_parts(copy, acc, code, prepend=True)
                initial_acyclic = None
            acc = optionalize(acc)
        prepend = lower
    for _ in range(prepend):
        acc = concat_parts(copy, acc, code, prepend=True)
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

    Complexity: O(max(lower, upper) · (V + E)) time and output size (up to
    four copies chained by pair kernels, longer chains assembled in one
    stable counting sort).

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
        lower, upper = _BOUNDS[closure_type]
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
    props = preserved_props((fst,))
    if upper is None and lower <= 1:
        acc = _plus_or_star(fst, lower == 0)
    else:
        acc = _repeat(fst, lower, upper)
        if upper is not None and fst.props.get(Prop.ACYCLIC):
            props = props.set(Prop.ACYCLIC, True)
    return freeze(acc, fst.semiring, fst.isymbols, fst.osymbols, props, return_arc_map)
