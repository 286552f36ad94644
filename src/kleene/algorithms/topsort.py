"""Topological renumbering of states (OpenFst's ``TopSort``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop
from ..errors import FstOpError
from ..kernels.topsort import CYCLIC, topological_order


def permute_states(fst: Fst, order: np.ndarray, props) -> tuple[Fst, np.ndarray]:
    """Renumbers state ``s`` to ``order[s]`` (a permutation), keeping each
    state's arcs in order (OpenFst's ``StateSort``). Returns the machine and
    the arc map."""
    n = fst.num_states
    old_of_new = np.empty(n, np.int64)
    old_of_new[order] = np.arange(n, dtype=np.int64)
    counts = np.diff(fst.indptr)[old_of_new]
    indptr = np.zeros(n + 1, INDPTR_DTYPE)
    np.cumsum(counts, out=indptr[1:])
    # arc j of new state k is arc j of old state old_of_new[k]
    shift = np.repeat(fst.indptr[old_of_new] - indptr[:-1], counts)
    arc_map = np.arange(fst.num_arcs, dtype=np.int64) + shift
    out = Fst(indptr, fst.ilabel[arc_map], fst.olabel[arc_map],
              order[fst.nextstate[arc_map]].astype(STATE_DTYPE), fst.weight[arc_map],
              fst.final[old_of_new], int(order[fst.start]) if fst.start >= 0 else -1,
              fst.semiring, fst.isymbols, fst.osymbols, props, check=False)
    return out, arc_map


def topsort(fst: Fst, *, return_arc_map: bool = False):
    """Renumbers the states so that every arc goes from a lower to a higher
    state id.

    The numbering is OpenFst's (and so ``pynini.topsort``'s): reverse
    finishing order of a depth-first search that follows arcs in stored
    order, from the start state first and then from every unvisited state
    in increasing id order. Arcs keep their order within each state. The
    result has ``ACYCLIC`` and ``TOP_SORTED`` known true.

    Differences from OpenFst: a cyclic machine raises :class:`FstOpError`
    (OpenFst silently returns it unchanged and only clears its
    ``kTopSorted`` property), and a machine with states but no start state
    is sorted by searching from every state in id order (OpenFst flags an
    error there).

    Preconditions: the machine is acyclic.

    Complexity: O(V + E).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``, ``arc_map[k]``
    being the input arc that output arc ``k`` is.
    """
    status, order = topological_order(fst.indptr, fst.nextstate, fst.start)
    if status == CYCLIC:
        raise FstOpError("topsort: the machine is cyclic; topsort needs an acyclic "
                         "machine (test fst.has(Prop.ACYCLIC) before calling it)")
    props = fst.props.set(Prop.ACYCLIC, True).set(Prop.TOP_SORTED, True)
    out, arc_map = permute_states(fst, order, props)
    if return_arc_map:
        return out, arc_map
    return out
