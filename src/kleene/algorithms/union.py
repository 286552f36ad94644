"""Union of machines (OpenFst's ``Union``), and the small arc-list machinery
that union, concat and closure share to reproduce OpenFst's state numbering
and arc order."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError
from ..kernels.csr import coo_to_csr

# Properties that every structural combination (union, concat, closure)
# preserves when all its inputs have them: the new arcs are epsilon:epsilon
# (acceptor arcs) weighted by one or by final weights.
_PRESERVED_WHEN_ALL_TRUE = (Prop.ACCEPTOR, Prop.UNWEIGHTED)


class ArcChunks:
    """A machine under construction, OpenFst ``VectorFst`` style: states are
    appended, arcs are appended to the end of their source state's list.

    Arcs are kept as chunks of parallel arrays in insertion order;
    :meth:`freeze` groups them by source state with a stable counting sort, which gives
    exactly the arc order a mutable OpenFst machine would have. Every arc
    carries its origin (an index into the inputs' arcs, -1 for new arcs) so
    the arc map comes for free.
    """

    def __init__(self, semiring):
        self.semiring = semiring
        self.num_states = 0
        self.start = NO_STATE
        # OpenFst's kInitialAcyclic as Union sees it (see union_into): a bool,
        # or the machine whose acyclicity decides it, tested only if needed
        self._initial_acyclic: "bool | Fst" = False
        self.finals: list[np.ndarray] = []
        self.chunks: list[tuple[np.ndarray, ...]] = []

    @property
    def initial_acyclic(self) -> bool:
        value = self._initial_acyclic
        if isinstance(value, Fst):
            value = self._initial_acyclic = value.has(Prop.ACYCLIC)
        return value

    @initial_acyclic.setter
    def initial_acyclic(self, value: "bool | Fst") -> None:
        self._initial_acyclic = value

    def add_machine(self, fst: Fst, arc_offset: int) -> int:
        """Appends a copy of ``fst`` (states, finals, arcs); returns the id
        offset of its states. The start state is not changed."""
        offset = self.num_states
        self.num_states += fst.num_states
        self.finals.append(np.array(fst.final))
        self.chunks.append((fst.arc_source.astype(np.int64) + offset, fst.ilabel,
                            fst.olabel, fst.weight,
                            fst.nextstate.astype(np.int64) + offset,
                            np.arange(fst.num_arcs, dtype=np.int64) + arc_offset))
        return offset

    def add_state(self) -> int:
        self.finals.append(np.full(1, self.semiring.zero, self.semiring.dtype))
        self.num_states += 1
        return self.num_states - 1

    def add_epsilon_arcs(self, src, weight, dst) -> None:
        """Appends new ``0:0`` arcs (arc map -1)."""
        src = np.atleast_1d(np.asarray(src, np.int64))
        m = src.shape[0]
        zeros = np.zeros(m, LABEL_DTYPE)
        self.chunks.append((src, zeros, zeros,
                            np.broadcast_to(np.asarray(weight, self.semiring.dtype), (m,)),
                            np.broadcast_to(np.asarray(dst, np.int64), (m,)),
                            np.full(m, -1, np.int64)))

    def final_array(self) -> np.ndarray:
        """The final weights, merged into one writable array."""
        merged = (np.concatenate(self.finals) if self.finals
                  else np.zeros(0, self.semiring.dtype))
        self.finals = [merged]
        return merged

    def freeze(self, isymbols, osymbols, props: Props) -> tuple[Fst, np.ndarray]:
        n = self.num_states
        dtype = self.semiring.dtype
        if self.chunks:
            src, il, ol, w, dst, origin = (np.concatenate(p) for p in zip(*self.chunks))
        else:
            src = dst = origin = np.zeros(0, np.int64)
            il = ol = np.zeros(0, LABEL_DTYPE)
            w = np.zeros(0, dtype)
        # stable O(V + E) grouping by source: the arc order of a mutable
        # OpenFst machine that had these arcs appended in this order
        w = w.astype(dtype, copy=False)
        if src.shape[0] < 2 or bool(np.all(src[1:] >= src[:-1])):
            # appended in state order already (e.g. union with a new start)
            indptr = np.zeros(n + 1, INDPTR_DTYPE)
            np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
            il, ol, dst = il.astype(LABEL_DTYPE), ol.astype(LABEL_DTYPE), dst.astype(STATE_DTYPE)
            order = np.arange(src.shape[0])
        else:
            indptr, il, ol, w, dst, order = coo_to_csr(src, il, ol, w, dst, n)
        fst = Fst(indptr, il, ol, dst, w,
                  self.final_array().astype(dtype, copy=True), self.start,
                  self.semiring, isymbols, osymbols, props, check=False)
        return fst, origin[order]


def check_compatible(op: str, fsts) -> tuple:
    """Checks that the machines share a semiring and have compatible symbol
    tables (equal, or missing); returns the ``(isymbols, osymbols)`` the
    result carries (the first table given on each side)."""
    for f in fsts:
        if not isinstance(f, Fst):
            raise FstArgError(f"{op}: expected kleene.Fst arguments, got "
                              f"{type(f).__name__}")
    first = fsts[0].semiring
    for f in fsts[1:]:
        if f.semiring != first:
            raise FstArgError(f"{op}: machines must share a semiring, got {first} and "
                              f"{f.semiring}; convert one of them first")
    tables = []
    for side in ("isymbols", "osymbols"):
        chosen = None
        for f in fsts:
            t = getattr(f, side)
            if t is None:
                continue
            if chosen is None:
                chosen = t
            elif t != chosen:
                raise FstArgError(f"{op}: incompatible {side} tables "
                                  f"({chosen.name!r} and {t.name!r}); relabel one "
                                  f"machine onto the other's table first")
        tables.append(chosen)
    return tuple(tables)


def preserved_props(fsts, extra=()) -> Props:
    """Properties true of every input that the combination keeps."""
    out = Props()
    for p in (*_PRESERVED_WHEN_ALL_TRUE, *extra):
        if all(f.props.get(p) for f in fsts):
            out = out.set(p, True)
    return out


def union_into(acc: ArcChunks, fst: Fst, arc_offset: int) -> None:
    """OpenFst's destructive ``Union(acc, fst)``."""
    if fst.start < 0:
        return  # nothing to add: the result is unchanged
    offset = acc.add_machine(fst, arc_offset)
    start2 = fst.start + offset
    if acc.start < 0:
        # OpenFst sets the start to fst's *unshifted* start id here (a bug
        # that points into the wrong machine); kleene shifts it.
        acc.start = start2
        acc.initial_acyclic = fst  # decided by fst's acyclicity, if needed
        return
    if acc.initial_acyclic:
        acc.add_epsilon_arcs(acc.start, acc.semiring.one, start2)
    else:
        new_start = acc.add_state()
        acc.add_epsilon_arcs([new_start, new_start], acc.semiring.one,
                             [acc.start, start2])
        acc.start = new_start
    acc.initial_acyclic = True  # the start now has no incoming arcs


def union(fst: Fst, *others: Fst, return_arc_map: bool = False):
    """The union of ``fst`` and ``others`` (OpenFst's ``Union`` applied left to
    right, as ``pynini.union`` does).

    Construction, for each further machine B: B's states are appended (ids
    offset by the current state count) and an ``ε:ε/1`` arc is added from the
    current start to B's start. When ``fst`` is cyclic (so its start may
    lie on a cycle), a new start state is appended first, with ε arcs to the
    old start and to B's start; later machines then hang off that new
    start. A machine without a start state adds nothing. States and arcs
    are numbered exactly as in ``pynini.union`` on machines with computed
    properties (OpenFst decides on the new start from the *cached*
    ``kInitialAcyclic`` bit, so a pynini machine whose properties were never
    computed may get a new start even when acyclic).

    Deviation: when ``fst`` has no start state, the first later machine
    with one provides it, shifted to its new id; OpenFst sets the unshifted
    id, which names a state of ``fst``.

    Preconditions: all machines share a semiring; symbol tables are equal
    or absent (the result takes the first one given). Otherwise
    :class:`FstArgError`.

    Complexity: O(V + E) over all inputs (one stable sort of the arcs).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``; arc indices run
    over the inputs' arcs concatenated in argument order, -1 for new arcs.
    """
    machines = (fst, *others)
    isymbols, osymbols = check_compatible("union", machines)
    acc = ArcChunks(fst.semiring)
    acc.add_machine(fst, 0)
    acc.start = fst.start
    # OpenFst adds a new start state unless it knows the start is not on a
    # cycle; with computed properties it knows that exactly when the whole
    # machine is acyclic, so kleene uses that test (pynini numbering).
    acc.initial_acyclic = fst  # decided by fst's acyclicity, if needed
    arc_offset = fst.num_arcs
    for other in others:
        union_into(acc, other, arc_offset)
        arc_offset += other.num_arcs
    out, arc_map = acc.freeze(isymbols, osymbols,
                              preserved_props(machines, extra=(Prop.ACYCLIC,)))
    if return_arc_map:
        return out, arc_map
    return out
