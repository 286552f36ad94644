"""Concatenation of machines (OpenFst's ``Concat``)."""

from __future__ import annotations

from ..core.fst import Fst
from ..kernels.concat import concat_pair
from .union import _ACYCLIC, check_compatible, freeze, preserved_props, raw, read_only


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

    Complexity: O(V + E) over all inputs.

    With ``return_arc_map=True`` returns ``(fst, arc_map)``; arc indices run
    over the inputs' arcs concatenated in argument order, -1 for new arcs.
    """
    machines = (fst, *others)
    isymbols, osymbols = check_compatible("concat", machines)
    code = fst.semiring.code
    acc = raw(fst)
    arc_offset = fst.num_arcs
    for other in others:
        acc = concat_parts(acc, raw(other, arc_offset), code)
        arc_offset += other.num_arcs
    return freeze(acc, fst.semiring, isymbols, osymbols,
                  preserved_props(machines, extra=_ACYCLIC), return_arc_map)
