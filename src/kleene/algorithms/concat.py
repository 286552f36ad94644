"""Concatenation of machines (OpenFst's ``Concat``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..kernels.concat import concat_pair
from .union import (
    _ACYCLIC,
    ArcColumns,
    check_compatible,
    freeze,
    preserved_props,
    raw,
    read_only,
)


def concat_parts(p: tuple, q: tuple, code: int, *, prepend: bool = False) -> tuple:
    """OpenFst's ``Concat`` of raw tuples (see :func:`.union.raw`): ``p · q``,
    laid out as ``Concat(&p, q)`` does, or as ``Concat(p, &q)`` with
    ``prepend`` (``q``'s states first). A ``p`` without start gives ``p``
    (``q`` with ``prepend``), as in OpenFst."""
    if prepend:
        if q[6] < 0:
            return q
    elif p[6] < 0:
        return p
    return read_only(concat_pair(*p, *q, prepend, code))


def concat(fst: Fst, *others: Fst, return_arc_map: bool = False):
    """The concatenation ``fst · others[0] · others[1] ...`` (OpenFst's
    ``Concat(&fst, other)`` applied left to right, as chained
    ``pynini.concat`` calls do).

    Construction, for each further machine B: B's states are appended (ids
    offset by the current state count); every final state of the current
    machine stops being final and gets an ``ε:ε`` arc, weighted by its old
    final weight, to B's start (appended after its other arcs). As in
    OpenFst, if ``fst`` has no start state the result is ``fst`` unchanged,
    and a B without start state leaves a machine that accepts nothing. States
    and arcs are numbered exactly as in ``pynini.concat``.

    Preconditions: all machines share a semiring; symbol tables are equal
    or absent (the result takes the first one given). Otherwise
    :class:`FstArgError`.

    Complexity: O(V + E) over all inputs (two machines: one copying pass;
    more: one stable counting sort of all the arcs).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``; arc indices run
    over the inputs' arcs concatenated in argument order, -1 for new arcs.
    """
    machines = (fst, *others)
    isymbols, osymbols = check_compatible("concat", machines)
    props = preserved_props(machines, extra=_ACYCLIC)
    if len(others) > 1 and fst.start >= 0:
        # several steps: one linear assembly instead of a copy per step
        out, arc_map = _concat_many(machines)
        out = Fst(*out, fst.semiring, isymbols, osymbols, props, check=False)
        return (out, arc_map) if return_arc_map else out
    code = fst.semiring.code
    acc = raw(fst)
    arc_offset = fst.num_arcs
    for other in others:
        acc = concat_parts(acc, raw(other, arc_offset), code)
        arc_offset += other.num_arcs
    return freeze(acc, fst.semiring, isymbols, osymbols, props, return_arc_map)


def _concat_many(machines) -> tuple:
    """The layout the pairwise steps of :func:`concat` give, assembled at
    once (the first machine has a start state): the machines' states in
    order; each final state of machine k gets, after its own arcs, an ε arc
    weighted by its final weight to machine k+1's start (none when that
    has no start) and stops being final, except in the last machine.
    O(V + E).

    Returns ``((indptr, ilabel, olabel, nextstate, weight, final, start),
    arc_map)``."""
    sr = machines[0].semiring
    arcs = ArcColumns()
    finals = []
    eps_src, eps_w, eps_dst = [], [], []
    num_states = 0
    last = len(machines) - 1
    for k, m in enumerate(machines):
        offset = num_states
        num_states += m.num_states
        arcs.add_machine(m, offset)
        if k == last:
            finals.append(m.final)
            continue
        finals.append(np.full(m.num_states, sr.zero, sr.dtype))
        nxt = machines[k + 1]
        if nxt.start >= 0:
            is_final = np.flatnonzero(m.final != sr.zero)
            eps_src.append(is_final + offset)
            eps_w.append(m.final[is_final])
            eps_dst.append(np.full(is_final.shape[0], nxt.start + num_states, np.int64))
    if eps_src:
        arcs.add_epsilons(np.concatenate(eps_src), np.concatenate(eps_dst),
                          np.concatenate(eps_w))
    indptr, il, ol, dst, w, origin = arcs.to_csr(num_states, sr.dtype)
    return (indptr, il, ol, dst, w, np.concatenate(finals), machines[0].start), origin
