"""Weight pushing (OpenFst ``Push``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, NO_STATE, STATE_DTYPE, Fst
from ..core.properties import Prop
from ..errors import FstArgError
from ..kernels import push as _k
from ..kernels.graph import on_cycle
from ..semirings import DEFAULT_DELTA
from .shortest_distance import distances

# structural properties reweighting keeps (labels and topology do not change)
_KEPT = (Prop.ACCEPTOR | Prop.NO_EPSILONS | Prop.NO_IEPSILONS | Prop.NO_OEPSILONS
         | Prop.ILABEL_SORTED | Prop.OLABEL_SORTED | Prop.I_DETERMINISTIC
         | Prop.O_DETERMINISTIC | Prop.ACYCLIC | Prop.TOP_SORTED | Prop.ACCESSIBLE
         | Prop.COACCESSIBLE)


def push(fst: Fst, *, to_final: bool = False, push_weights: bool = True,
         push_labels: bool = False, remove_total_weight: bool = False,
         delta: float = DEFAULT_DELTA) -> Fst:
    """Pushes the weights towards the initial state (default) or the final
    states, keeping every path's weight (up to ``delta``-convergence of the
    distances).

    Towards the initial state each useful state's outgoing weights (arcs and
    final weight) ⊕-sum to one (the machine becomes stochastic) and the total
    weight sits at the start: on the start's arcs and final weight when no arc
    lies on a cycle through the start state, otherwise on an epsilon arc from a new start
    state (appended as the last state), as OpenFst does. Towards the final
    states the distance from the start is moved onto the final weights; a
    correcting weight goes to the start the same way. With
    ``remove_total_weight`` the total weight (the ⊕-sum of all path weights)
    is dropped instead (towards the initial state) or divided out of the
    final weights (towards the final states). Arcs of states that are not on
    a successful path keep their weights; a machine with no successful path
    is returned unchanged by pushing towards the initial state.

    Preconditions: a weakly divisible semiring (tropical, log, real, boolean)
    and convergent distances (no negative tropical cycle, no log/real cycle
    of probability >= 1: raises :class:`FstOpError`). Label pushing is not
    implemented (raises NotImplementedError).

    Complexity: one shortest-distance computation (O(V + E) acyclic) plus an
    O(V + E) reweighting pass.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"push expects a kleene.Fst, not {type(fst).__name__}")
    if push_labels:
        raise NotImplementedError(
            "push(push_labels=True): label pushing (moving output labels towards the "
            "initial/final states, OpenFst's kPushLabels) is not implemented in kleene yet; "
            "push weights only, or use pynini.push(..., push_labels=True) meanwhile")
    if not push_weights or fst.num_states == 0 or fst.start == NO_STATE:
        return fst
    sr = fst.semiring
    code = sr.code
    # distances converge to ~1e-6, tighter than ``delta``, so pushed weights stay exact
    dist_delta = min(float(delta), 1e-6)
    # float64 potentials: the total weight of a large log lattice loses ~1e-2 in float32
    potential = distances(fst, reverse=not to_final, delta=dist_delta)
    if not to_final and sr.is_zero(potential[fst.start]):
        return fst          # no successful path: OpenFst leaves it unchanged
    weight, final = _k.reweight(fst.indptr, fst.nextstate, fst.weight, fst.final,
                                potential, code, bool(to_final))
    start = fst.start
    # the weight the start must carry so that path weights are unchanged
    if to_final:
        correction = sr.divide(sr.one, potential[start]) \
            if not sr.is_zero(potential[start]) else sr.one_value()
        if remove_total_weight:
            total = sr.sum(sr.times(potential, fst.final))
            if not sr.is_zero(total):
                nonzero = final != sr.zero
                final[nonzero] = sr.divide(final[nonzero], total)
    else:
        correction = potential[start]
    indptr, ilabel, olabel, nextstate = fst.indptr, fst.ilabel, fst.olabel, fst.nextstate
    props = fst.props.keep(_KEPT)
    if not sr.is_one(correction):
        if remove_total_weight and not to_final:
            correction = sr.one_value()      # the total weight is what we drop
        if _enters_start(fst):
            # OpenFst adds the new start even when the weight became one
            indptr, ilabel, olabel, nextstate, weight, final, start = _new_start(
                fst, weight, final, correction)
            props = props.keep(Prop.ACCEPTOR | Prop.ACYCLIC | Prop.COACCESSIBLE)
        elif not sr.is_one(correction):
            lo, hi = int(indptr[start]), int(indptr[start + 1])
            weight[lo:hi] = sr.times(correction, weight[lo:hi])
            if not sr.is_zero(final[start]):
                final[start] = sr.times(correction, final[start])
    return Fst(indptr, ilabel, olabel, nextstate, weight, final, start, sr,
               fst.isymbols, fst.osymbols, props, check=False)


def _enters_start(fst: Fst) -> bool:
    return bool(on_cycle(fst.indptr, fst.nextstate, fst.start))


def _new_start(fst, weight, final, correction):
    """Appends a start state with one epsilon arc (weight ``correction``) to
    the old start."""
    sr = fst.semiring
    n = fst.num_states
    indptr = np.append(fst.indptr, fst.num_arcs + 1).astype(INDPTR_DTYPE)
    ilabel = np.append(fst.ilabel, 0).astype(LABEL_DTYPE)
    olabel = np.append(fst.olabel, 0).astype(LABEL_DTYPE)
    nextstate = np.append(fst.nextstate, fst.start).astype(STATE_DTYPE)
    weight = np.append(weight, correction).astype(sr.dtype)
    final = np.append(final, sr.zero).astype(sr.dtype)
    return indptr, ilabel, olabel, nextstate, weight, final, n
