"""Concatenation of machines (OpenFst's ``Concat``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from .union import ArcChunks, check_compatible, preserved_props


def concat_right(acc: ArcChunks, fst: Fst, arc_offset: int) -> None:
    """OpenFst's destructive ``Concat(acc, fst)``: appends ``fst``."""
    if acc.start < 0:
        return  # OpenFst leaves a machine without start unchanged
    final = acc.final_array()
    final_states = np.flatnonzero(final != acc.semiring.zero)
    final_weights = final[final_states].copy()
    offset = acc.add_machine(fst, arc_offset)
    final[final_states] = acc.semiring.zero
    if fst.start >= 0:
        acc.add_epsilon_arcs(final_states, final_weights, fst.start + offset)


def concat_left(fst: Fst, acc: ArcChunks, arc_offset: int) -> None:
    """OpenFst's destructive ``Concat(fst, acc)``: prepends ``fst``. Its
    states are appended after ``acc``'s; each of its final states gets an
    ``ε:ε/final`` arc to ``acc``'s start *before* its own arcs."""
    start2 = acc.start
    if start2 < 0:
        return
    offset = acc.num_states
    final_states = np.flatnonzero(fst.final != acc.semiring.zero)
    acc.num_states += fst.num_states
    acc.finals.append(np.full(fst.num_states, acc.semiring.zero, acc.semiring.dtype))
    acc.add_epsilon_arcs(final_states + offset, fst.final[final_states], start2)
    acc.chunks.append((fst.arc_source.astype(np.int64) + offset, fst.ilabel, fst.olabel,
                       fst.weight, fst.nextstate.astype(np.int64) + offset,
                       np.arange(fst.num_arcs, dtype=np.int64) + arc_offset))
    acc.start = fst.start + offset if fst.start >= 0 else acc.add_state()
    acc.initial_acyclic = fst  # decided by fst's acyclicity, if needed


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
    acc = ArcChunks(fst.semiring)
    acc.add_machine(fst, 0)
    acc.start = fst.start
    arc_offset = fst.num_arcs
    for other in others:
        concat_right(acc, other, arc_offset)
        arc_offset += other.num_arcs
    out, arc_map = acc.freeze(isymbols, osymbols,
                              preserved_props(machines, extra=(Prop.ACYCLIC,)))
    if return_arc_map:
        return out, arc_map
    return out
