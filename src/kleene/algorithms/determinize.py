"""Weighted determinization (OpenFst ``Determinize``, ``pynini.determinize``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import _NO_PROPS, INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import cdrewrite as _ku
from ..kernels import determinize as _k
from ..kernels.csr import coo_to_csr

#: pynini's default for determinize (OpenFst's ``kShortestDelta``); the C++
#: ``DeterminizeOptions`` default is ``kDelta`` = 1/1024.
DETERMINIZE_DELTA = 1e-6

DetType = Literal["functional", "nonfunctional", "disambiguate"]

_MODES = {"functional": 1, "nonfunctional": 2, "disambiguate": 3}

# What a determinized acceptor is known to be (plus accessible unless pruned).
_ACCEPTOR_BITS = int(Prop.ACCEPTOR | Prop.I_DETERMINISTIC | Prop.O_DETERMINISTIC
                     | Prop.ILABEL_SORTED | Prop.OLABEL_SORTED)
_ACCEPTOR_PROPS = Props(_ACCEPTOR_BITS, _ACCEPTOR_BITS)
_ACCEPTOR_ACCESSIBLE_PROPS = Props(_ACCEPTOR_BITS | int(Prop.ACCESSIBLE),
                                   _ACCEPTOR_BITS | int(Prop.ACCESSIBLE))
_DFA_BITS = _ACCEPTOR_BITS | int(Prop.ACCESSIBLE | Prop.UNWEIGHTED | Prop.NO_EPSILONS
                                 | Prop.NO_IEPSILONS | Prop.NO_OEPSILONS)
_UNWEIGHTED_DFA_PROPS = Props(_DFA_BITS, _DFA_BITS)

#: Elements (state, residual) summed over all subsets before giving up.
_DEFAULT_MAX_ELEMENTS = 200_000_000


def determinize(fst: Fst, *, det_type: DetType = "functional",
                delta: float = DETERMINIZE_DELTA, weight_threshold: float | None = None,
                state_threshold: int | None = None, subsequential_label: int = 0,
                increment_subsequential_label: bool = False,
                max_states: int | None = None) -> Fst:
    """An input-deterministic machine equivalent to ``fst``.

    Acceptors: Mohri's weighted subset construction. A state of the result is
    a set of ``(input state, residual weight)`` pairs, normalized by the
    ``⊕`` of the weights reaching it (tropical: min, log: log-sum), with the
    residuals quantized to multiples of ``delta`` (default 1e-6, pynini's) so
    that subsets equal up to rounding are one state (as OpenFst: equality is
    exact after quantization). Arcs leave each state in label order;
    a state's final weight is ``⊕ residual ⊗ final``. Every path weight per
    string is preserved: the result maps each accepted string to the
    ``⊕``-sum of its path weights.

    Transducers (ε is an ordinary label, as in OpenFst): each element also
    carries a residual output string. An arc emits the first output label
    that every residual shares (at most one label per arc, like OpenFst);
    what is left at a final state is emitted by arcs with input
    ``subsequential_label`` (counting up per alternative with
    ``increment_subsequential_label``) into a superfinal state. ``det_type``
    picks what happens when an input string has several outputs:

    * ``"functional"`` (default): an error (:class:`FstOpError`).
    * ``"nonfunctional"``: all outputs are kept (a p-subsequential result).
    * ``"disambiguate"``: only the best output per input string is kept
      (tropical only).

    ``weight_threshold`` / ``state_threshold`` give pruned determinization: for
    acceptors the states are built lazily best first and only those on a path
    within ``weight_threshold`` of the best (and at most ``state_threshold``
    states) are kept, so machines whose full determinization is infinite can
    be pruned-determinized; transducers are determinized then pruned.

    Preconditions: ``fst`` should have the twins property (all acyclic and
    all unweighted machines do), else the construction is infinite: it stops
    after ``max_states`` states (default ``max(1_000_000, 100 × states)``) with
    :class:`FstOpError`. Thresholds need tropical weights.

    Complexity: O(V' · k · d · log(k d)) time for V' output states, subsets of
    at most ``k`` elements and out-degree ``d``; exponential V' in the worst
    case (as any subset construction).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"determinize expects a kleene.Fst, not {type(fst).__name__}")
    if det_type not in _MODES:
        raise FstArgError(f"det_type must be one of {sorted(_MODES)}, got {det_type!r}")
    delta = float(delta)
    if not delta >= 0:
        raise FstArgError(f"delta must be non-negative, got {delta}")
    sr = fst.semiring
    pruning = weight_threshold is not None or state_threshold is not None
    if pruning and sr.name != "tropical":
        raise FstArgError("determinize: weight_threshold/state_threshold need tropical "
                          f"weights (pruning needs the path property), not {sr}")
    if weight_threshold is not None and not float(weight_threshold) >= 0:
        raise FstArgError(f"weight_threshold must be non-negative, got {weight_threshold}")
    if state_threshold is not None and int(state_threshold) < 0:
        raise FstArgError(f"state_threshold must be non-negative, got {state_threshold}")
    if int(subsequential_label) < 0:
        raise FstArgError("subsequential_label must be a non-negative label")
    if max_states is None:
        max_states = max(1_000_000, 100 * fst.num_states)
    acceptor = fst.is_acceptor()
    if not acceptor and det_type == "disambiguate" and not sr.path:
        raise FstArgError(f"det_type='disambiguate' needs a path semiring (tropical), not {sr}")
    if fst.start < 0 or fst.num_states == 0 or state_threshold == 0:
        return _empty(fst)
    mode = 0 if acceptor else _MODES[det_type]
    pruned = pruning and acceptor
    if (acceptor and not pruning and sr.idempotent and fst.has(Prop.UNWEIGHTED)
            and fst.has(Prop.NO_EPSILONS)):
        return _determinize_unweighted(fst, max_states)
    if pruned:
        from .shortest_distance import distances
        in_dist = distances(fst, reverse=True)
        if in_dist[fst.start] == sr.zero:
            return _empty(fst)
    else:
        in_dist = np.zeros(1, np.float64)
    has_limit = weight_threshold is not None and float(weight_threshold) != np.inf
    limit = float(weight_threshold) + delta if has_limit else 0.0
    dtype = sr.dtype
    status, num, src, il, ol, w, dst, final = _k.determinize_kernel(
        fst.indptr, fst.ilabel, fst.olabel, fst.nextstate, fst.weight, fst.final,
        fst.start, sr.code, mode, dtype(delta), dtype(0.5), pruned, in_dist, has_limit,
        limit, -1 if state_threshold is None else int(state_threshold),
        int(subsequential_label), bool(increment_subsequential_label), int(max_states),
        _DEFAULT_MAX_ELEMENTS)
    if status == _k.BUDGET:
        raise FstOpError(
            f"determinize gave up after {max_states} states: the machine probably lacks "
            "the twins property (its determinization is infinite). Pass "
            "weight_threshold= or state_threshold= for a pruned determinization, "
            "encode the weights first (kleene.EncodeMapper(encode_weights=True)) to "
            "determinize them as labels, or raise max_states if it is just large")
    if status == _k.NONFUNCTIONAL:
        raise FstOpError(
            "determinize: the transducer is not functional (an input string has "
            "several output strings); use det_type='nonfunctional' to keep them all, "
            "det_type='disambiguate' to keep the best one, or encode the labels "
            "(kleene.EncodeMapper) and determinize as an acceptor")
    indptr, il2, ol2, w2, dst2, _ = coo_to_csr(src, il, ol, w, dst, num)
    props = _NO_PROPS
    if acceptor:
        props = _ACCEPTOR_PROPS if pruned else _ACCEPTOR_ACCESSIBLE_PROPS
    out = Fst(indptr.astype(INDPTR_DTYPE, copy=False), il2.astype(LABEL_DTYPE, copy=False),
              ol2.astype(LABEL_DTYPE, copy=False), dst2.astype(STATE_DTYPE, copy=False),
              w2.astype(dtype, copy=False), final.astype(dtype, copy=False), 0, sr,
              fst.isymbols, fst.osymbols, props, check=False)
    if pruning and not acceptor:
        from .prune import prune
        out = prune(out, weight=weight_threshold, nstate=state_threshold, delta=delta)
    return out


# Labels up to this bound index a dense per-label array in the unweighted
# kernel; larger ones (generated symbols) are renumbered first.
_DENSE_LABELS = 1 << 16


def busiest_loop_state(fst: Fst, minimum: int = 16) -> int:
    """The state with the most self-loops when it has at least ``minimum``
    (Σ*'s state in a filter's ``Σ*·β``), else -1: the unweighted subset
    kernel handles its loops without hashing (same result). O(E)."""
    if fst.num_arcs == 0:
        return -1
    src = fst.arc_source
    loops = np.bincount(src[fst.nextstate == src], minlength=1)
    return int(loops.argmax()) if loops.max() >= minimum else -1


def _determinize_unweighted(fst: Fst, max_states: int) -> Fst:
    """The plain subset construction, for an ε-free unweighted acceptor over
    an idempotent semiring: with no residual weights (every subset's
    weights are one, ``one ⊕ one = one``) the weighted kernel's result is
    the subset DFA, numbered and ordered the same way (breadth first,
    arcs in label order), which the unweighted kernel builds several times
    faster. O(Σ over result states of their subsets' arcs)."""
    sr = fst.semiring
    labels = fst.ilabel
    dense = None
    if labels.shape[0] and int(labels.max()) >= _DENSE_LABELS:
        dense, labels = np.unique(labels, return_inverse=True)
        labels = (labels.reshape(-1) + 1).astype(LABEL_DTYPE)
    status, indptr, ilabel, nextstate, is_final = _ku.determinize_unweighted(
        fst.indptr, labels, fst.nextstate, fst.final != sr.zero, fst.start,
        int(labels.max(initial=0)) + 1, max_states, busiest_loop_state(fst))
    if status == _ku.BUDGET:
        raise FstOpError(f"determinize gave up after {max_states} states; raise "
                         "max_states if the machine is just large (an unweighted "
                         "acceptor's determinization is finite but may be exponential)")
    if dense is not None:
        ilabel = dense[ilabel - 1].astype(LABEL_DTYPE)
    final = np.where(is_final, sr.one, sr.zero).astype(sr.dtype)
    return Fst(indptr, ilabel, ilabel, nextstate, np.full(ilabel.shape[0], sr.one, sr.dtype),
               final, 0, sr, fst.isymbols, fst.osymbols, _UNWEIGHTED_DFA_PROPS, check=False)


def _empty(fst: Fst) -> Fst:
    return Fst.empty(fst.semiring).replace(isymbols=fst.isymbols, osymbols=fst.osymbols)
