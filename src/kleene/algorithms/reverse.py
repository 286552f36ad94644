"""Reversal of a machine (OpenFst's ``Reverse``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop, Props
from ..kernels.csr import coo_to_csr
from ..kernels.graph import on_cycle
from ..kernels.reverse import reverse_superinitial

# properties a reversed machine has when the input has them
_KEPT_BITS = int(Prop.ACCEPTOR | Prop.UNWEIGHTED | Prop.ACYCLIC)


def _unique_initial(fst: Fst) -> int:
    """The old final state that can serve as the new start without a
    super-initial state, or -1 (OpenFst's rule): it must be the only final
    state, and if its final weight is not one it must not lie on a cycle
    (its final weight is folded into the arcs leaving it in the result)."""
    finals = np.flatnonzero(fst.final != fst.semiring.zero)
    if finals.shape[0] != 1:
        return -1
    s = int(finals[0])
    if fst.final[s] != fst.semiring.one and on_cycle(fst.indptr, fst.nextstate, s):
        return -1
    return s


def reverse(fst: Fst, *, require_superinitial: bool = True,
            return_arc_map: bool = False):
    """The reversed machine: it accepts the reversed strings (paths read
    backwards) with the same weights (weights in these commutative
    semirings reverse to themselves).

    Construction (OpenFst's, so ``pynini.reverse`` numbers states the same):
    old state ``s`` becomes ``s + 1`` and a super-initial start state 0 is
    added with an ``ε:ε`` arc, weighted by the final weight, to every old
    final state; every arc ``s -> t`` becomes ``t -> s``; the old start becomes
    final with weight one. With ``require_superinitial=False`` and a single
    final state that is safe to start from (final weight one, or not on a
    cycle), no super-initial state is added: states keep their ids, that
    state is the start, and its final weight is multiplied into the arcs
    leaving it in the result. Arcs of each result state come in order of
    their old source state, then old arc order.

    Deviation: for a machine without a start state OpenFst's cycle test
    reads an empty SCC table (undefined behaviour); kleene applies the same
    cycle rule as for any other machine.

    Preconditions: none.

    Complexity: O(V + E) (a stable counting sort of arcs by destination,
    plus one graph search when ``require_superinitial=False``).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``: each reversed
    arc maps to the input arc it reverses, super-initial ε arcs to -1.
    """
    sr = fst.semiring
    n = fst.num_states
    ostart = -1 if require_superinitial else _unique_initial(fst)
    props = fst.props
    bits = props.known & props.value & _KEPT_BITS
    props = Props(bits, bits)
    if ostart < 0:
        # the usual case, with a super-initial state: one kernel pass
        indptr, ilabel, olabel, rweight, rdst, final, arc_map = reverse_superinitial(
            fst.indptr, fst.ilabel, fst.olabel, fst.weight, fst.nextstate, fst.final,
            fst.start, sr.code, bool(return_arc_map))
        out = Fst(indptr, ilabel, olabel, rdst, rweight, final, 0, sr, fst.isymbols,
                  fst.osymbols, props, check=False)
        return (out, arc_map) if return_arc_map else out
    # one final state that can start the result: states keep their ids and
    # its final weight moves onto the arcs leaving it in the result
    rsrc = fst.nextstate.astype(np.int64)
    rdst = fst.arc_source.astype(np.int64)
    rweight = fst.weight.copy()
    origin = np.arange(fst.num_arcs, dtype=np.int64)
    into_start = fst.nextstate == ostart
    rweight[into_start] = sr.times(fst.final[ostart], rweight[into_start])
    # group by new source with a stable O(V + E) counting sort
    indptr, ilabel, olabel, rweight, rdst, order = coo_to_csr(
        rsrc, fst.ilabel, fst.olabel, rweight.astype(sr.dtype, copy=False), rdst, n)
    final = np.full(n, sr.zero, sr.dtype)
    if fst.start >= 0:
        final[fst.start] = sr.one
    if ostart == fst.start:
        final[ostart] = fst.final[ostart]
    out = Fst(indptr, ilabel, olabel, rdst, rweight, final,
              ostart, sr, fst.isymbols, fst.osymbols, props, check=False)
    if return_arc_map:
        return out, origin[order]
    return out
