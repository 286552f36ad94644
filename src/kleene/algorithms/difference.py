"""Difference of acceptors (OpenFst's ``Difference``, ``pynini.difference``)."""

from __future__ import annotations

import numpy as np

from ..core.builder import FstBuilder
from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop
from ..errors import FstArgError, FstOpError
from ..kernels import difference as _kd
from .compose import ComposeFilter, compose
from .connect import connect


def difference(a: Fst, b: Fst, *, compose_filter: ComposeFilter = "auto",
               connect: bool = True) -> Fst:
    """The paths of acceptor ``a`` whose string acceptor ``b`` does not
    accept, with ``a``'s weights: ``a ∩ complement(b)``.

    ``b`` must be an unweighted acceptor. As pynini does for the right-hand
    side, it is ε-removed when it has ε arcs and determinized when it is not
    deterministic; its complement over ``a``'s alphabet (a sink state
    catches every label a state of ``b`` lacks; final and non-final states
    swap) is then intersected with ``a`` by composition with
    ``compose_filter``, trimmed when ``connect``. The result is isomorphic to
    ``pynini.difference``'s. Unlike OpenFst, ``b`` is determinized as an
    unweighted machine in every semiring, so an ambiguous ``b`` in the log
    semiring is accepted (OpenFst's log determinization makes it weighted
    and then refuses it).

    Preconditions: same semiring; ``a`` an acceptor, ``b`` an unweighted
    acceptor (arc weights one, final weights one), else
    :class:`FstArgError`.

    With the default ``compose_filter`` and ``connect`` the complement is
    never built: ``b`` is determinized lazily, only on the subsets some
    prefix of ``a`` reaches (:mod:`kleene.kernels.difference`), which is the
    same machine up to state numbering; a large ``b`` costs nothing beyond
    what ``a`` explores.

    Complexity: O(P · (d log d)) for the P reachable pairs (state of a,
    subset of b) and subsets of size d (exponential in the worst case, as
    any determinization); the eager path (other filters, ``connect=False``)
    determinizes all of ``b`` and builds the complement's O(V_b' · |Σ_a|)
    arcs first.
    """
    if not isinstance(a, Fst) or not isinstance(b, Fst):
        raise FstArgError(f"difference: both arguments must be kleene.Fst, got "
                          f"{type(a).__name__} and {type(b).__name__}")
    if a.semiring != b.semiring:
        raise FstArgError(f"difference: the machines have different semirings "
                          f"({a.semiring} and {b.semiring}); convert one first")
    if not a.has(Prop.ACCEPTOR):
        raise FstArgError("difference: the first machine is not an acceptor; project "
                          "it first (kleene.project) to subtract from one side")
    if not b.has(Prop.ACCEPTOR):
        raise FstArgError("difference: the second machine must be an acceptor; "
                          "project it first")
    if not b.has(Prop.UNWEIGHTED):
        raise FstArgError("difference: the second machine must be unweighted (arc and "
                          "final weights one); drop its weights first, e.g. with "
                          "kleene.encode(..., EncodeMapper(encode_weights=True)) or by "
                          "rebuilding it with weight one")
    if compose_filter == "auto" and connect and a.start >= 0 and b.start >= 0:
        out = _lazy(a, b)
        props = out.props.set(Prop.ACCEPTOR, True)
        return out.replace(isymbols=a.isymbols, osymbols=a.osymbols, props=props)
    rhs = _deterministic_unweighted(b)
    alphabet = np.unique(a.ilabel[a.ilabel > 0]).astype(np.int64)
    complement = _complement(rhs, alphabet, a.semiring)
    out = compose(a, complement, compose_filter=compose_filter, connect=connect)
    props = out.props.set(Prop.ACCEPTOR, True)
    return out.replace(isymbols=a.isymbols, osymbols=a.osymbols, props=props)


def _lazy(a: Fst, b: Fst) -> Fst:
    """``a − b`` with ``b`` determinized only where ``a`` leads (see
    :mod:`kleene.kernels.difference`), then trimmed: the same machine as
    the composition with the complement (up to state numbering)."""
    rhs = _epsilon_free_unweighted(b)
    if rhs.start < 0:  # b accepts nothing
        return connect(a)
    sr = a.semiring
    status, indptr, ilabel, weight, nextstate, final, _ = _kd.lazy_difference(
        a.indptr, a.ilabel, a.weight, a.nextstate, a.final, a.start, rhs.indptr, rhs.ilabel,
        rhs.nextstate, ~np.isinf(rhs.final), rhs.start,
        int(rhs.ilabel.max(initial=0)) + 1, np.dtype(sr.dtype).type(sr.zero), _MAX_PAIRS)
    if status != _kd.OK:
        raise FstOpError(f"difference: more than {_MAX_PAIRS} states; the operands are "
                         f"too large for one machine")
    labels = ilabel.astype(LABEL_DTYPE)
    out = Fst(indptr.astype(INDPTR_DTYPE), labels, labels, nextstate.astype(STATE_DTYPE),
              weight, final, 0, sr, check=False)
    return connect(out)


_MAX_PAIRS = 2**31 - 2


def _epsilon_free_unweighted(b: Fst) -> Fst:
    """``b`` as an ε-free tropical acceptor with every weight one."""
    from .rmepsilon import rmepsilon
    tropical = Fst(b.indptr, b.ilabel, b.olabel, b.nextstate,
                   np.zeros(b.num_arcs, np.float32),
                   np.where(b.semiring.is_zero(b.final), np.inf, 0.0).astype(np.float32),
                   b.start, "tropical", check=False)
    if not tropical.has(Prop.NO_EPSILONS):
        tropical = rmepsilon(tropical)
    return tropical


def _deterministic_unweighted(b: Fst) -> Fst:
    """``b`` as an ε-free deterministic tropical acceptor (weights all one)."""
    from .determinize import determinize
    tropical = _epsilon_free_unweighted(b)
    if not tropical.has(Prop.I_DETERMINISTIC):
        tropical = determinize(tropical)
    return tropical


def _complement(rhs: Fst, alphabet: np.ndarray, semiring) -> Fst:
    """The complement of the deterministic acceptor ``rhs`` over
    ``alphabet``: ``rhs``'s states plus a sink (the last state); the labels
    of ``alphabet`` a state has no arc for lead to the sink, which loops on
    every label; final states of ``rhs`` become non-final and vice versa,
    the sink is final. Arcs of each state come in label order."""
    n = rhs.num_states
    sink = n
    k = alphabet.shape[0]
    b = FstBuilder(semiring)
    b.add_states(n + 1)
    b.set_start(rhs.start if rhs.start >= 0 else sink)
    src = rhs.arc_source.astype(np.int64)
    labels = rhs.ilabel.astype(np.int64)
    # the arcs of rhs over the alphabet (others can never match a label of a)
    pos = np.searchsorted(alphabet, labels)
    in_alphabet = (pos < k) & (alphabet[np.minimum(pos, max(k - 1, 0))] == labels) \
        if k else np.zeros(labels.shape[0], bool)
    present = np.zeros((n + 1, k), bool)
    present[src[in_alphabet], pos[in_alphabet]] = True
    missing_src, missing_pos = np.nonzero(~present)  # includes every sink loop
    arc_src = np.concatenate([src[in_alphabet], missing_src])
    arc_label = np.concatenate([labels[in_alphabet], alphabet[missing_pos]])
    arc_dst = np.concatenate([rhs.nextstate[in_alphabet].astype(np.int64),
                              np.full(missing_src.shape[0], sink, np.int64)])
    order = np.lexsort((arc_label, arc_src))
    b.add_arcs(arc_src[order], arc_label[order], arc_label[order], semiring.one,
               arc_dst[order])
    rhs_final = ~rhs.semiring.is_zero(rhs.final)
    b.set_finals(np.append(np.flatnonzero(~rhs_final), sink))
    out = b.freeze()
    return out.replace(props=out.props.set(Prop.ACCEPTOR, True)
                       .set(Prop.UNWEIGHTED, True).set(Prop.I_DETERMINISTIC, True)
                       .set(Prop.ILABEL_SORTED, True).set(Prop.NO_EPSILONS, True))
