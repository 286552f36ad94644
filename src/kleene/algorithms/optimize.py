"""Generic optimization (pynini's ``Fst.optimize``): ε-removal,
determinization and minimization, with label/weight encoding where needed."""

from __future__ import annotations

import numpy as np

from ..core.fst import INDPTR_DTYPE, Fst
from ..core.properties import Prop
from ..errors import FstArgError
from .determinize import determinize
from .encode import EncodeMapper, decode, encode
from .minimize import minimize
from .rmepsilon import rmepsilon


def optimize(fst: Fst, *, compute_props: bool = False) -> Fst:
    """An equivalent machine, usually with far fewer states: pynini's
    ``Fst.optimize`` (the generic optimization of Thrax and pynini).

    Steps, each deciding on the properties *known* for the machine at that
    point (all of them computed exactly when ``compute_props``; OpenFst's
    semantics of the flag):

    1. ε-removal (:func:`~kleene.rmepsilon`) unless known ε-free.
    2. If known input-deterministic: :func:`~kleene.minimize`, done.
    3. Idempotent semiring (tropical, boolean): a machine known to be
       acyclic, unweighted or with unweighted cycles is determinized
       (transducers: with labels encoded as pairs) and minimized; any other
       is encoded with weights too (so determinization cannot diverge),
       determinized, minimized, decoded, and parallel arcs with equal labels
       and destination are merged with ⊕.
    4. Other semirings (log, real): only a known acyclic machine is
       determinized and minimized (label-encoded if a transducer); a cyclic
       one is left after step 1.

    Transducers are handled as acceptors of encoded label pairs, so the
    result is deterministic on pairs (not necessarily on input labels).
    With ``compute_props=True`` the result is isomorphic to pynini's
    ``optimize(compute_props=True)`` on acceptors. Without it, steps are
    chosen from what kleene happens to know about the machine, which may
    differ from what OpenFst knows about the same machine, so results are
    equivalent but not always isomorphic to pynini's.

    Preconditions: those of the steps (ε-cycles must converge for
    rmepsilon). Complexity: ε-removal O(V E); determinization exponential
    in the worst case (polynomial for acyclic or unambiguous inputs);
    minimization O(E log V).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"optimize expects a kleene.Fst, not {type(fst).__name__}")
    if not isinstance(compute_props, (bool, np.bool_)):
        raise FstArgError(f"optimize: compute_props must be a bool, got {compute_props!r}")
    def known(machine: Fst, prop: Prop) -> bool:
        return machine.has(prop) if compute_props else bool(machine.props.get(prop))

    acceptor = known(fst, Prop.ACCEPTOR)
    if not known(fst, Prop.NO_EPSILONS):
        if compute_props:
            fst.has(Prop.ACYCLIC)  # so that rmepsilon passes it on
        fst = rmepsilon(fst)
    if known(fst, Prop.I_DETERMINISTIC):
        return minimize(fst)
    if fst.semiring.idempotent:
        weights_need_encoding = not (
            known(fst, Prop.ACYCLIC) or known(fst, Prop.UNWEIGHTED)
            or (compute_props and has_unweighted_cycles(fst)))
        if weights_need_encoding:
            box = [fst]
            del fst  # the ε-removed copy is released inside, once encoded
            return arc_sum(_optimize_encoded(box, labels=not acceptor, weights=True))
        if acceptor:
            return minimize(determinize(fst))
        box = [fst]
        del fst
        return _optimize_encoded(box, labels=True, weights=False)
    if known(fst, Prop.ACYCLIC):
        # acyclic machines over zero-sum-free semirings are determinizable
        if acceptor:
            return minimize(determinize(fst))
        box = [fst]
        del fst
        return _optimize_encoded(box, labels=True, weights=False)
    return fst


def _optimize_encoded(box: list, *, labels: bool, weights: bool) -> Fst:
    """Encode, determinize, minimize, decode (pynini's ``OptimizeAs``).

    ``box`` holds the machine; each intermediate is released as soon as the
    next step has consumed it, so at most two of them are alive at once
    (this is what keeps optimize's peak memory below OpenFst's)."""
    mapper = EncodeMapper(encode_labels=labels, encode_weights=weights)
    machine = encode(box.pop(), mapper)
    machine = determinize(machine)
    machine = minimize(machine)
    return decode(machine, mapper)


def has_unweighted_cycles(fst: Fst) -> bool:
    """Whether every arc that lies on a cycle has weight one (OpenFst's
    kUnweightedCycles). O(V + E) (strongly connected components)."""
    if fst.num_arcs == 0:
        return True
    weighted = ~fst.semiring.is_one(fst.weight)
    if not np.any(weighted):
        return True
    from ..kernels.optimize import strong_components
    component = strong_components(fst.indptr, fst.nextstate)
    src = fst.arc_source
    on_cycle = component[src] == component[fst.nextstate]  # same SCC (incl. self-loops)
    return not np.any(weighted & on_cycle)


def arc_sum(fst: Fst) -> Fst:
    """Merges arcs of a state with equal ``(ilabel, olabel, nextstate)``,
    ⊕-summing their weights, and sorts each state's arcs by that triple
    (OpenFst's ``ArcSumMapper``). O(E log E)."""
    m = fst.num_arcs
    if m == 0:
        return fst
    src = fst.arc_source.astype(np.int64)
    order = np.lexsort((fst.nextstate, fst.olabel, fst.ilabel, src))
    s, il, ol, nx = src[order], fst.ilabel[order], fst.olabel[order], fst.nextstate[order]
    first = np.ones(m, bool)
    first[1:] = ((s[1:] != s[:-1]) | (il[1:] != il[:-1]) | (ol[1:] != ol[:-1])
                 | (nx[1:] != nx[:-1]))
    starts = np.flatnonzero(first)
    weight = _plus_reduce(fst.semiring, fst.weight[order].astype(np.float64), starts)
    indptr = np.zeros(fst.num_states + 1, INDPTR_DTYPE)
    np.cumsum(np.bincount(s[starts], minlength=fst.num_states), out=indptr[1:])
    props = fst.props.keep(int(Prop.ACCEPTOR | Prop.ACYCLIC | Prop.ACCESSIBLE
                               | Prop.COACCESSIBLE | Prop.NO_EPSILONS
                               | Prop.NO_IEPSILONS | Prop.NO_OEPSILONS))
    props = props.set(Prop.ILABEL_SORTED, True)
    return Fst(indptr, il[starts].copy(), ol[starts].copy(), nx[starts].copy(),
               weight.astype(fst.semiring.dtype), fst.final.copy(), fst.start,
               fst.semiring, fst.isymbols, fst.osymbols, props, check=False)


def _plus_reduce(semiring, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """⊕ over the runs ``values[starts[k]:starts[k+1]]``."""
    name = semiring.name
    if name == "tropical":
        return np.minimum.reduceat(values, starts)
    if name == "boolean":
        return np.maximum.reduceat(values, starts)
    if name == "real":
        return np.add.reduceat(values, starts)
    if name == "log":
        return -np.logaddexp.reduceat(-values, starts)
    out = values[starts].copy()  # any other semiring: the generic plus
    bounds = np.append(starts, values.shape[0])
    for k in range(starts.shape[0]):
        for v in values[bounds[k] + 1:bounds[k + 1]]:
            out[k] = semiring.plus(out[k], v)
    return out
