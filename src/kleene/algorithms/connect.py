"""Trimming: remove states that are not on a successful path (OpenFst's
``Connect``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..kernels.graph import accessible_states, coaccessible_states

# Properties that stay true when states and arcs are deleted (and the
# remaining states keep their relative order).
_KEPT_WHEN_TRUE = (Prop.ACCEPTOR, Prop.NO_EPSILONS, Prop.NO_IEPSILONS,
                   Prop.NO_OEPSILONS, Prop.ILABEL_SORTED, Prop.OLABEL_SORTED,
                   Prop.I_DETERMINISTIC, Prop.O_DETERMINISTIC, Prop.ACYCLIC,
                   Prop.TOP_SORTED, Prop.UNWEIGHTED)


def _trimmed_props(props: Props) -> Props:
    out = Props()
    for p in _KEPT_WHEN_TRUE:
        if props.get(p):
            out = out.set(p, True)
    return out.set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True)


def connect(fst: Fst, *, return_arc_map: bool = False):
    """Removes every state that is not accessible (reachable from the start)
    or not coaccessible (cannot reach a final state), with its arcs.

    The surviving states keep their relative order and the surviving arcs
    their order, so the result is arc-for-arc what ``pynini.connect`` gives.
    A machine whose start state is useless becomes the empty machine, and
    so does one without a start state (a deviation: OpenFst's ``Connect``
    returns such a machine unchanged, though none of its states is
    accessible). The result has ``ACCESSIBLE`` and ``COACCESSIBLE`` known
    true.

    Preconditions: none.

    Complexity: O(V + E) time and memory (two graph searches in a numba
    kernel, then vectorised renumbering).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``, ``arc_map[k]``
    being the input arc that output arc ``k`` is.
    """
    # on a path from the start to a final state = accessible and coaccessible
    keep = (accessible_states(fst.indptr, fst.nextstate, fst.start)
            & coaccessible_states(fst.indptr, fst.nextstate, fst.final, fst.semiring.code))
    new_id = np.cumsum(keep, dtype=np.int64) - 1
    n_out = int(keep.sum())
    src = fst.arc_source
    arc_keep = keep[src] & keep[fst.nextstate]
    arc_map = np.flatnonzero(arc_keep).astype(np.int64)
    counts = np.bincount(new_id[src[arc_map]], minlength=n_out) if n_out else \
        np.zeros(0, np.int64)
    indptr = np.zeros(n_out + 1, INDPTR_DTYPE)
    np.cumsum(counts, out=indptr[1:])
    start = int(new_id[fst.start]) if n_out else NO_STATE
    out = Fst(indptr, fst.ilabel[arc_map], fst.olabel[arc_map],
              new_id[fst.nextstate[arc_map]].astype(STATE_DTYPE), fst.weight[arc_map],
              fst.final[keep], start, fst.semiring, fst.isymbols, fst.osymbols,
              _trimmed_props(fst.props), check=False)
    if return_arc_map:
        return out, arc_map
    return out
