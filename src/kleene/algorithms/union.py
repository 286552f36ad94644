"""Union of machines (OpenFst's ``Union``), and the pieces that union,
concat and closure share: machines under construction are kept as raw CSR
tuples between kernel calls, so chained operations build one ``Fst`` at the
end."""

from __future__ import annotations

import numpy as np

from ..core.fst import _NO_PROPS, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError
from ..kernels.csr import coo_to_csr
from ..kernels.union import ARC_FROM_START, NEW_START, TAKE_START, union_pair

# Properties that every structural combination (union, concat, closure)
# preserves when all its inputs have them: the new arcs are epsilon:epsilon
# (acceptor arcs) weighted by one or by final weights.
_PRESERVED_WHEN_ALL_TRUE = (int(Prop.ACCEPTOR), int(Prop.UNWEIGHTED))
_ACYCLIC = int(Prop.ACYCLIC)


def raw(fst: Fst, arc_offset: int = 0) -> tuple:
    """``fst`` as the tuple the pair kernels take and return: ``(indptr,
    ilabel, olabel, weight, nextstate, final, start, origin)``, with
    ``origin[k] = arc_offset + k`` (the arc map of a copy)."""
    origin = np.arange(arc_offset, arc_offset + fst.num_arcs, dtype=np.int64)
    origin.setflags(write=False)
    return (fst.indptr, fst.ilabel, fst.olabel, fst.weight, fst.nextstate, fst.final,
            fst.start, origin)


def read_only(parts: tuple) -> tuple:
    """Marks a kernel's output arrays read-only before they feed the next
    kernel call: numba compiles one specialization per read-only/writable
    combination, so keeping every input read-only keeps one per dtype."""
    for x in parts:
        if x.__class__ is np.ndarray:
            x.setflags(write=False)
    return parts


def freeze(parts: tuple, semiring, isymbols, osymbols, props: Props,
           return_arc_map: bool):
    """The ``Fst`` of a raw tuple (and its arc map when asked)."""
    indptr, il, ol, w, dst, final, start, origin = parts
    out = Fst(indptr, il, ol, dst, w, final, int(start), semiring, isymbols, osymbols,
              props, check=False)
    if return_arc_map:
        return out, origin if origin.flags.writeable else origin.copy()
    return out


def check_compatible(op: str, fsts) -> tuple:
    """Checks that the machines share a semiring and have compatible symbol
    tables (equal, or missing); returns the ``(isymbols, osymbols)`` the
    result carries (the first table given on each side)."""
    for f in fsts:
        if f.__class__ is not Fst and not isinstance(f, Fst):
            raise FstArgError(f"{op}: expected kleene.Fst arguments, got "
                              f"{type(f).__name__}")
    first = fsts[0].semiring
    isymbols = osymbols = None
    for f in fsts:
        if f.semiring is not first and f.semiring != first:
            raise FstArgError(f"{op}: machines must share a semiring, got {first} and "
                              f"{f.semiring}; convert one of them first")
        if f.isymbols is not None:
            isymbols = _agree(op, "isymbols", isymbols, f.isymbols)
        if f.osymbols is not None:
            osymbols = _agree(op, "osymbols", osymbols, f.osymbols)
    return isymbols, osymbols


def _agree(op: str, side: str, chosen, table):
    """The table a result carries on ``side``: the first one given."""
    if chosen is None or table is chosen:
        return table
    if table != chosen:
        raise FstArgError(f"{op}: incompatible {side} tables "
                          f"({chosen.name!r} and {table.name!r}); relabel one "
                          f"machine onto the other's table first")
    return chosen


def preserved_props(fsts, extra: int = 0) -> Props:
    """Properties true of every input that the combination keeps (those of
    ``_PRESERVED_WHEN_ALL_TRUE`` and the bits of ``extra``)."""
    bits = _PRESERVED_WHEN_ALL_TRUE[0] | _PRESERVED_WHEN_ALL_TRUE[1] | int(extra)
    for f in fsts:
        props = f.props
        bits &= props.known & props.value
        if not bits:
            return _NO_PROPS
    return Props(bits, bits)


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

    Complexity: O(V + E) over all inputs (two machines: one copying pass;
    more: one stable counting sort of all the arcs).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``; arc indices run
    over the inputs' arcs concatenated in argument order, -1 for new arcs.
    """
    machines = (fst, *others)
    isymbols, osymbols = check_compatible("union", machines)
    semiring = fst.semiring
    props = preserved_props(machines, extra=_ACYCLIC)
    if len(others) > 1:
        # several steps: one linear assembly instead of a copy per step
        out, arc_map = _union_many(machines)
        out = Fst(*out, semiring, isymbols, osymbols, props, check=False)
        return (out, arc_map) if return_arc_map else out
    acc = raw(fst)
    # OpenFst adds a new start state unless it knows the start is not on a
    # cycle; with computed properties it knows that exactly when the whole
    # machine is acyclic, so kleene uses that test (pynini numbering). The
    # machine deciding it is looked at only if a later machine needs it.
    initial_acyclic: bool | Fst = fst
    arc_offset = fst.num_arcs
    for other in others:
        if other.start >= 0:
            if acc[6] < 0:
                # OpenFst sets the start to other's *unshifted* start id here
                # (a bug that points into the wrong machine); kleene shifts it.
                mode = TAKE_START
                initial_acyclic = other
            else:
                if initial_acyclic.__class__ is Fst:
                    initial_acyclic = initial_acyclic.has(Prop.ACYCLIC)
                mode = ARC_FROM_START if initial_acyclic else NEW_START
                initial_acyclic = True  # the start now has no incoming arcs
            acc = read_only(union_pair(*acc, *raw(other, arc_offset), mode,
                                       semiring.code))
        arc_offset += other.num_arcs
    return freeze(acc, semiring, isymbols, osymbols, props, return_arc_map)


class ArcColumns:
    """Arc columns gathered machine by machine for a multi-way union or
    concatenation: each machine's arcs with its states shifted, then new ε
    arcs, grouped into CSR at the end (stably, so every state keeps its arcs
    in insertion order). ``origin`` is the arc map (-1 for new arcs)."""

    def __init__(self):
        self.src, self.ilabel, self.olabel, self.weight, self.dst, self.origin = (
            [], [], [], [], [], [])
        self._arc_offset = 0

    def add_machine(self, m: Fst, offset: int) -> None:
        """``m``'s arcs, its states renumbered from ``offset``."""
        self.src.append(m.arc_source + offset if offset else m.arc_source)
        self.ilabel.append(m.ilabel)
        self.olabel.append(m.olabel)
        self.weight.append(m.weight)
        self.dst.append(m.nextstate + offset if offset else m.nextstate)
        self.origin.append(np.arange(self._arc_offset, self._arc_offset + m.num_arcs,
                                     dtype=np.int64))
        self._arc_offset += m.num_arcs

    def skip_machine(self, m: Fst) -> None:
        """``m`` contributes no arcs (its arc indices are still counted)."""
        self._arc_offset += m.num_arcs

    def add_epsilons(self, src, dst, weight) -> None:
        """New ε:ε arcs ``src[i] -> dst[i]`` with ``weight[i]``."""
        n = len(src)
        self.src.append(np.asarray(src))
        self.ilabel.append(np.zeros(n, np.int32))
        self.olabel.append(np.zeros(n, np.int32))
        self.weight.append(np.asarray(weight))
        self.dst.append(np.asarray(dst))
        self.origin.append(np.full(n, -1, np.int64))

    def to_csr(self, num_states: int, dtype) -> tuple:
        """``(indptr, ilabel, olabel, nextstate, weight, origin)``."""
        indptr, il, ol, w, dst, order = coo_to_csr(
            np.concatenate(self.src).astype(np.int32, copy=False),
            np.concatenate(self.ilabel), np.concatenate(self.olabel),
            np.concatenate(self.weight).astype(dtype, copy=False),
            np.concatenate(self.dst).astype(np.int32, copy=False), num_states)
        return indptr, il, ol, dst, w, np.concatenate(self.origin)[order]


def _union_many(machines) -> tuple:
    """The layout the pairwise steps of :func:`union` give, assembled at
    once: the machines with a start state (and the first one) in order,
    the new start state (if one is needed) right after the machine that
    needed it, and the new ε arcs, in order, at the end of the arc list of
    the state they leave (the start, or the new state). O(V + E).

    Returns ``((indptr, ilabel, olabel, nextstate, weight, final, start),
    arc_map)``."""
    sr = machines[0].semiring
    start = machines[0].start
    initial_acyclic: bool | Fst = machines[0]
    hub = -1                       # the state the ε arcs leave
    eps_dst: list[int] = []
    arcs = ArcColumns()
    finals = []
    num_states = 0
    for k, m in enumerate(machines):
        if k == 0 or m.start >= 0:
            offset = num_states
            num_states += m.num_states
            arcs.add_machine(m, offset)
            finals.append(m.final)
            if k > 0:
                root = m.start + offset
                if start < 0:
                    start = root  # (OpenFst: unshifted; see union's docstring)
                    initial_acyclic = m
                elif hub >= 0:
                    eps_dst.append(root)
                else:
                    if initial_acyclic.__class__ is Fst:
                        initial_acyclic = initial_acyclic.has(Prop.ACYCLIC)
                    if initial_acyclic:
                        hub = start
                        eps_dst.append(root)
                    else:
                        hub = num_states  # a new start after this machine
                        num_states += 1
                        finals.append(np.full(1, sr.zero, sr.dtype))
                        eps_dst.extend((start, root))
                        start = hub
        else:
            arcs.skip_machine(m)
    k = len(eps_dst)
    arcs.add_epsilons(np.full(k, hub, np.int32), np.asarray(eps_dst, np.int32),
                      np.full(k, sr.one, sr.dtype))
    indptr, il, ol, dst, w, origin = arcs.to_csr(num_states, sr.dtype)
    return (indptr, il, ol, dst, w, np.concatenate(finals), start), origin
