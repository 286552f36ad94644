"""The marker machines of the Mohri & Sproat (1996) rewrite-rule compiler,
built directly as arrays.

Every filter starts from a deterministic, unweighted acceptor ``D`` of
``Σ* β`` (``β`` a context or the rule's input side), read left to right,
or of ``Σ* reverse(β)`` when the filter is applied to the reversed string.
A state of ``D`` is final exactly when the prefix read so far ends with a
string of ``β``; the three marker types turn that into a transducer:

- ``mark``: insert one of the markers after every prefix ending in ``β``
  (each final state ``q`` is split: ``q`` keeps only ``ε:marker`` arcs into
  a new state that takes over ``q``'s arcs). Every state becomes final, so
  the transducer accepts every string and inserts exactly one marker at
  each such point.
- ``check``: delete a marker only where the prefix ends in ``β``
  (``marker:ε`` loops on the final states of ``D``).
- ``check_complement``: delete a marker only where it does not
  (loops on the non-final states).

Helpers here work on :class:`~kleene.Fst` arrays with numpy; no kernels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst

MarkerType = Literal["mark", "check", "check_complement"]
LabelPair = tuple[int, int]


def _coo(fst: Fst):
    """The arcs of ``fst`` as parallel arrays (source first)."""
    return (fst.arc_source.astype(np.int64), fst.ilabel.astype(np.int64),
            fst.olabel.astype(np.int64), fst.weight, fst.nextstate.astype(np.int64))


def _freeze(num_states: int, start: int, src, ilabel, olabel, weight, dst, final,
            semiring, props=None) -> Fst:
    """A machine from COO arcs (stable grouping by source state)."""
    order = np.argsort(src, kind="stable")
    src = src[order]
    indptr = np.zeros(num_states + 1, INDPTR_DTYPE)
    np.cumsum(np.bincount(src, minlength=num_states), out=indptr[1:])
    return Fst(indptr, np.ascontiguousarray(ilabel[order], LABEL_DTYPE),
               np.ascontiguousarray(olabel[order], LABEL_DTYPE),
               np.ascontiguousarray(dst[order], STATE_DTYPE),
               np.ascontiguousarray(weight[order], semiring.dtype),
               np.ascontiguousarray(final, semiring.dtype), start if num_states else -1,
               semiring, props=props, check=False)


def add_loops(fst: Fst, pairs: Sequence[LabelPair]) -> Fst:
    """``fst`` with a loop ``i:o/1`` for every pair on every state: the
    machine then ignores (``i == o``) or deletes (``o == 0``) those labels
    anywhere. O(V·|pairs| + E)."""
    sr = fst.semiring
    n = fst.num_states
    if fst.start < 0 or not pairs:
        return fst
    src, il, ol, w, dst = _coo(fst)
    parts_src, parts_il, parts_ol, parts_w, parts_dst = [src], [il], [ol], [w], [dst]
    states = np.arange(n, dtype=np.int64)
    one = sr.one_value()
    for i, o in pairs:
        parts_src.append(states)
        parts_il.append(np.full(n, i, np.int64))
        parts_ol.append(np.full(n, o, np.int64))
        parts_w.append(np.full(n, one, sr.dtype))
        parts_dst.append(states)
    return _freeze(n, fst.start, np.concatenate(parts_src), np.concatenate(parts_il),
                   np.concatenate(parts_ol), np.concatenate(parts_w),
                   np.concatenate(parts_dst), fst.final, sr)


def marker(dfa: Fst, kind: MarkerType, pairs: Sequence[LabelPair]) -> Fst:
    """The marker transducer of ``kind`` over the deterministic unweighted
    acceptor ``dfa`` (see the module docstring). O(V·|pairs| + E)."""
    sr = dfa.semiring
    n = dfa.num_states
    if dfa.start < 0:
        return dfa
    src, il, ol, w, dst = _coo(dfa)
    is_final = dfa.final != sr.zero
    one = sr.one_value()
    final = np.full(n, one, sr.dtype)
    if kind == "mark":
        # split every final state q into q (marker arcs only, not final) and
        # q' = n + rank(q) (q's arcs, final)
        finals = np.flatnonzero(is_final)
        twin = np.full(n, -1, np.int64)
        twin[finals] = n + np.arange(finals.shape[0])
        moved = twin[src] >= 0
        src = np.where(moved, twin[src], src)
        final = np.concatenate([final, np.full(finals.shape[0], one, sr.dtype)])
        final[finals] = sr.zero
        num_states = n + finals.shape[0]
        k = finals.shape[0]
        parts = [(src, il, ol, w, dst)]
        for i, o in pairs:
            parts.append((finals.astype(np.int64), np.full(k, i, np.int64),
                          np.full(k, o, np.int64), np.full(k, one, sr.dtype),
                          twin[finals]))
    else:
        where = is_final if kind == "check" else ~is_final
        loop_states = np.flatnonzero(where).astype(np.int64)
        k = loop_states.shape[0]
        num_states = n
        parts = [(src, il, ol, w, dst)]
        for i, o in pairs:
            parts.append((loop_states, np.full(k, i, np.int64), np.full(k, o, np.int64),
                          np.full(k, one, sr.dtype), loop_states))
    cols = [np.concatenate(c) for c in zip(*parts)]
    return _freeze(num_states, dfa.start, *cols, final, sr)


def single_arc(label_in: int, label_out: int, semiring) -> Fst:
    """The two-state machine of one arc ``label_in:label_out``."""
    sr = semiring
    return _freeze(2, 0, np.zeros(1, np.int64), np.array([label_in], np.int64),
                   np.array([label_out], np.int64), np.full(1, sr.one_value(), sr.dtype),
                   np.ones(1, np.int64), np.array([sr.zero, sr.one_value()], sr.dtype), sr)


def replace_transducer(tau: Fst, alphabet: np.ndarray, *, begin: int, keep: int,
                       end: int, begin_out: int, keep_out: int,
                       absorb: Sequence[int]) -> Fst:
    """The replacement transducer of a left-to-right rule over
    ``alphabet ∪ {begin, keep, end}``.

    Outside a replacement, symbols of ``alphabet`` are copied, ``end`` is
    deleted, ``keep`` becomes ``keep_out`` and ``begin`` becomes
    ``begin_out`` and starts a replacement: ``tau`` runs on the next
    symbols and must be followed by ``end``, which is deleted and returns
    outside with ``tau``'s final weight. Inside, ``end`` and the markers in
    ``absorb`` are deleted (tau matches the unmarked string; ``f`` marks
    each inner position with one of two markers, and absorbing only the
    one the later filters let through keeps one path per rewrite).

    ``f`` marks a match both before and after the ``end`` at its first
    position (φ ignores a leading ``end``); entering after ``keep end``
    would repeat what entering before the ``end`` does, so it is refused:
    outside states are 0 (plain), 1 (after ``keep``) and 2 (after
    ``keep end``, where ``begin`` is not allowed). O(|alphabet| + V_tau + E_tau).
    """
    inner = _through_markers(tau, alphabet, [end, *absorb])
    # (source, ilabel, olabel, destination) of the outside arcs
    outside = [(0, keep, keep_out, 1), (0, end, 0, 0), (0, begin, begin_out, _ENTER),
               (1, keep, keep_out, 1), (1, end, 0, 2), (1, begin, begin_out, _ENTER),
               (2, keep, keep_out, 1), (2, end, 0, 0)]
    return _replace_machine(inner, alphabet, 3, outside, end)


def optional_replace_transducer(tau: Fst, alphabet: np.ndarray, *, end: int,
                                enter: LabelPair) -> Fst:
    """The replacement transducer of an optional rule, without an ``f``
    filter (as Mohri & Sproat and pynini do for optional rules): a rewrite
    may start anywhere by the arc ``enter`` (``ε:<1`` left to right: the
    left context is checked on the output; ``<1:ε`` simultaneous: on the
    input, where ``l`` inserted the ``<1``), runs ``tau`` reading through
    ``end`` markers, and must be followed by an ``end``.

    One path per rewrite: at a position carrying an ``end`` marker a
    rewrite is entered before the marker (its ``end`` is then read inside
    the match, or ends an insertion at once), never after an ``end``
    deleted outside (state 1 refuses to enter), but it may start right
    after the ``end`` that closed the previous rewrite. O(|alphabet| + V_tau + E_tau)."""
    inner = _through_markers(tau, alphabet, [end])
    outside = [(0, end, 0, 1), (1, end, 0, 1), (0, enter[0], enter[1], _ENTER)]
    return _replace_machine(inner, alphabet, 2, outside, end)


_ENTER = -1   # destination placeholder: the start of the inner machine


def _through_markers(tau: Fst, alphabet: np.ndarray, deleted) -> Fst:
    """tau reading through the markers: (copy Σ, delete markers) ∘ tau. Loops
    on tau's states would commute with its ε arcs and give a rewrite
    several paths; the composition filter orders them one way."""
    sr = tau.semiring
    one = sr.one_value()
    from ..algorithms.compose import compose
    a = alphabet.astype(np.int64)
    k = a.shape[0]
    deleted = np.array(deleted, np.int64)
    skip = _freeze(1, 0, np.zeros(k + deleted.shape[0], np.int64),
                   np.concatenate([a, deleted]),
                   np.concatenate([a, np.zeros(deleted.shape[0], np.int64)]),
                   np.full(k + deleted.shape[0], one, sr.dtype),
                   np.zeros(k + deleted.shape[0], np.int64),
                   np.full(1, one, sr.dtype), sr)
    inner = compose(skip, tau)
    return tau if inner.start < 0 else inner  # tau matches nothing: no rewrite completes


def _replace_machine(inner: Fst, alphabet: np.ndarray, off: int, outside, end: int) -> Fst:
    """States ``0 .. off-1`` outside (all final; the alphabet is copied from
    each into state 0),
    then ``inner``'s states; ``outside`` arcs with destination ``_ENTER`` go
    to inner's start, inner's final states return to 0 by ``end:ε`` with
    their final weight."""
    sr = inner.semiring
    one = sr.one_value()
    a = alphabet.astype(np.int64)
    k = a.shape[0]
    src, il, ol, w, dst = _coo(inner)
    enter = off + inner.start
    o_src, o_il, o_ol, o_dst = (np.array(col, np.int64) for col in zip(*outside))
    o_dst = np.where(o_dst == _ENTER, enter, o_dst)
    copy_src = np.repeat(np.arange(off, dtype=np.int64), k)
    copy_lab = np.tile(a, off)
    copy_dst = np.zeros(off * k, np.int64)
    finals = np.flatnonzero(inner.final != sr.zero)
    num_states = inner.num_states + off
    final = np.full(num_states, sr.zero, sr.dtype)
    final[:off] = one
    zeros = np.zeros(finals.shape[0], np.int64)
    cols = (np.concatenate([copy_src, o_src, src + off, finals + off]),
            np.concatenate([copy_lab, o_il, il, np.full(finals.shape[0], end, np.int64)]),
            np.concatenate([copy_lab, o_ol, ol, zeros]),
            np.concatenate([np.full(off * k + len(outside), one, sr.dtype), w,
                            inner.final[finals]]).astype(sr.dtype),
            np.concatenate([copy_dst, o_dst, dst + off, zeros]))
    return _freeze(num_states, 0, *cols, final, sr)


def unweighted(fst: Fst, semiring=None) -> Fst:
    """``fst`` with every arc weight and every non-zero final weight set to
    one (its support, e.g. the domain of a weighted tau), over ``semiring``
    (default: its own). O(V + E)."""
    sr = fst.semiring if semiring is None else semiring
    one = sr.one_value()
    final = np.where(fst.final != fst.semiring.zero, one, sr.zero).astype(sr.dtype)
    return Fst(fst.indptr, fst.ilabel, fst.olabel, fst.nextstate,
               np.full(fst.num_arcs, one, sr.dtype), final, fst.start, sr,
               fst.isymbols, fst.osymbols, check=False)
