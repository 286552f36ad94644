"""Trimming: remove states that are not on a successful path (OpenFst's
``Connect``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop, Props
from ..kernels.connect import connect_csr

# Properties that stay true when states and arcs are deleted (and the
# remaining states keep their relative order).
_KEPT_WHEN_TRUE = int(Prop.ACCEPTOR | Prop.NO_EPSILONS | Prop.NO_IEPSILONS
                      | Prop.NO_OEPSILONS | Prop.ILABEL_SORTED | Prop.OLABEL_SORTED
                      | Prop.I_DETERMINISTIC | Prop.O_DETERMINISTIC | Prop.ACYCLIC
                      | Prop.TOP_SORTED | Prop.UNWEIGHTED)
_TRIMMED = int(Prop.ACCESSIBLE | Prop.COACCESSIBLE)


def _trimmed_props(props: Props) -> Props:
    bits = (props.known & props.value & _KEPT_WHEN_TRUE) | _TRIMMED
    return Props(bits, bits)


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

    Complexity: O(V + E) time and memory (two graph searches and the copy
    in one numba kernel); O(1) for a machine known to be trim, which is
    returned as it is.

    With ``return_arc_map=True`` returns ``(fst, arc_map)``, ``arc_map[k]``
    being the input arc that output arc ``k`` is.
    """
    props = fst.props
    if fst.start >= 0 and props.known & props.value & _TRIMMED == _TRIMMED:
        # known trim already: the result would be this machine, arc for arc
        if return_arc_map:
            return fst, np.arange(fst.num_arcs, dtype=np.int64)
        return fst
    # on a path from the start to a final state = accessible and coaccessible
    indptr, il, ol, w, dst, final, start, arc_map = connect_csr(
        fst.indptr, fst.ilabel, fst.olabel, fst.weight, fst.nextstate, fst.final,
        fst.start, fst.semiring.code)
    out = Fst(indptr, il, ol, dst, w, final, int(start), fst.semiring, fst.isymbols,
              fst.osymbols, _trimmed_props(props), check=False)
    if return_arc_map:
        return out, arc_map
    return out
