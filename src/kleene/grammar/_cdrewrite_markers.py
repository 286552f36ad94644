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
from ..core.properties import Prop

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


def add_loops(fst: Fst, pairs: Sequence[LabelPair], *, fresh_start: bool = False) -> Fst:
    """``fst`` with a loop ``i:o/1`` for every pair on every state: the
    machine then ignores (``i == o``) or deletes (``o == 0``) those labels
    anywhere.

    ``fresh_start``: a new start state gets a copy of the old start's arcs
    and final weight but no loops, so the labels are ignored only after the
    first real arc (or, for the empty string, not at all). This keeps the
    rule compiler unambiguous: a marker just before a match is never read
    as part of it. O(V·|pairs| + E)."""
    sr = fst.semiring
    n = fst.num_states
    if fst.start < 0 or not pairs:
        return fst
    src, il, ol, w, dst = _coo(fst)
    final = fst.final
    start = fst.start
    parts_src, parts_il, parts_ol, parts_w, parts_dst = [src], [il], [ol], [w], [dst]
    states = np.arange(n, dtype=np.int64)
    one = sr.one_value()
    for i, o in pairs:
        parts_src.append(states)
        parts_il.append(np.full(n, i, np.int64))
        parts_ol.append(np.full(n, o, np.int64))
        parts_w.append(np.full(n, one, sr.dtype))
        parts_dst.append(states)
    num_states = n
    if fresh_start:
        out = np.flatnonzero(src == start)
        parts_src.append(np.full(out.shape[0], n, np.int64))
        parts_il.append(il[out])
        parts_ol.append(ol[out])
        parts_w.append(w[out])
        parts_dst.append(dst[out])
        final = np.append(final, final[start]).astype(sr.dtype)
        start = n
        num_states = n + 1
    return _freeze(num_states, start, np.concatenate(parts_src), np.concatenate(parts_il),
                   np.concatenate(parts_ol), np.concatenate(parts_w),
                   np.concatenate(parts_dst), final, sr)


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
                       end: int, begin_out: int, keep_out: int) -> Fst:
    """The replacement transducer of a left-to-right rule over
    ``alphabet ∪ {begin, keep, end}``.

    Outside a replacement (state 0, final) symbols of ``alphabet`` are
    copied, ``end`` is deleted, ``keep`` becomes ``keep_out`` and ``begin``
    becomes ``begin_out`` and starts a replacement: ``tau`` runs on the
    next symbols (the markers inside it deleted: ``tau`` is matched on the
    unmarked string) and must be followed by ``end``, which is deleted and
    returns to state 0 with ``tau``'s final weight. ``tau``'s start is
    entered through a fresh copy without marker loops (see
    :func:`add_loops`). O(|alphabet| + V_tau + E_tau)."""
    sr = tau.semiring
    one = sr.one_value()
    inner = add_loops(tau, [(begin, 0), (keep, 0), (end, 0)], fresh_start=True)
    off = 1
    src, il, ol, w, dst = _coo(inner)
    a = alphabet.astype(np.int64)
    k = a.shape[0]
    outer_src = np.zeros(k + 3, np.int64)
    outer_il = np.concatenate([a, [keep, end, begin]])
    outer_ol = np.concatenate([a, [keep_out, 0, begin_out]])
    outer_dst = np.zeros(k + 3, np.int64)
    outer_dst[-1] = off + inner.start
    finals = np.flatnonzero(inner.final != sr.zero)
    exit_src = finals + off
    exit_w = inner.final[finals]
    num_states = inner.num_states + off
    final = np.full(num_states, sr.zero, sr.dtype)
    final[0] = one
    cols = (np.concatenate([outer_src, src + off, exit_src]),
            np.concatenate([outer_il, il, np.full(finals.shape[0], end, np.int64)]),
            np.concatenate([outer_ol, ol, np.zeros(finals.shape[0], np.int64)]),
            np.concatenate([np.full(k + 3, one, sr.dtype), w, exit_w]).astype(sr.dtype),
            np.concatenate([outer_dst, dst + off, np.zeros(finals.shape[0], np.int64)]))
    return _freeze(num_states, 0, *cols, final, sr)


def is_unweighted_acceptor(fst: Fst) -> bool:
    """Whether every arc has equal labels and every weight is one or zero."""
    return fst.has(Prop.ACCEPTOR) and fst.has(Prop.UNWEIGHTED)
