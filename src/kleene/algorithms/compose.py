"""Weighted composition (OpenFst's ``Compose``, ``pynini.compose``), with
OpenFst's compose filters and failure (φ), σ and ρ matchers."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import NO_STATE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import compose as kc

ComposeFilter = Literal["auto", "sequence", "alt_sequence", "match", "null",
                        "no_match", "trivial"]

_FILTER_CODES = {"auto": kc.SEQUENCE, "sequence": kc.SEQUENCE,
                 "alt_sequence": kc.ALT_SEQUENCE, "match": kc.MATCH,
                 "null": kc.NULL, "no_match": kc.NO_MATCH, "trivial": kc.TRIVIAL}


def _check_pair(a: Fst, b: Fst, what: str) -> None:
    if not isinstance(a, Fst) or not isinstance(b, Fst):
        raise FstArgError(f"{what}: both arguments must be kleene.Fst, got "
                          f"{type(a).__name__} and {type(b).__name__}")
    if a.semiring != b.semiring:
        raise FstArgError(f"{what}: the machines have different semirings "
                          f"({a.semiring} and {b.semiring}); convert one first")
    if (a.osymbols is not None and b.isymbols is not None
            and not _tables_compatible(a.osymbols, b.isymbols)):
        raise FstArgError(f"{what}: the first machine's output symbols and the "
                          "second's input symbols disagree; relabel one of them "
                          "or drop the tables")


def _tables_compatible(s, t) -> bool:
    if s is t:
        return True
    return list(s) == list(t)


def _output_props(a: Fst, b: Fst) -> Props:
    """What composition preserves cheaply (OpenFst's ComposeProperties)."""
    out = Props()
    if a.props.get(Prop.ACCEPTOR) and b.props.get(Prop.ACCEPTOR):
        out = out.set(Prop.ACCEPTOR, True)
    if a.props.get(Prop.ACYCLIC) or b.props.get(Prop.ACYCLIC):
        out = out.set(Prop.ACYCLIC, True)
    if a.props.get(Prop.UNWEIGHTED) and b.props.get(Prop.UNWEIGHTED):
        out = out.set(Prop.UNWEIGHTED, True)
    if a.props.get(Prop.NO_IEPSILONS) and b.props.get(Prop.NO_IEPSILONS):
        out = out.set(Prop.NO_IEPSILONS, True)
    if a.props.get(Prop.NO_OEPSILONS) and b.props.get(Prop.NO_OEPSILONS):
        out = out.set(Prop.NO_OEPSILONS, True)
    return out


def _prepare(a: Fst, b: Fst, sort: str):
    """Sorts the inputs as pynini does (a by output, b by input label) and
    picks the matcher mode; returns ``(a, b, map_a, map_b, match_mode)``
    with the arcsort arc maps (``None`` when unchanged)."""
    from .arcsort import arcsort
    a_sorted = a.has(Prop.OLABEL_SORTED)
    b_sorted = b.has(Prop.ILABEL_SORTED)
    if sort == "error":
        if not (a_sorted or b_sorted):
            raise FstArgError(
                "compose: neither the first machine's output labels nor the "
                "second's input labels are sorted; arcsort one of them "
                "(kleene.arcsort(a, sort_type='olabel') or "
                "kleene.arcsort(b, sort_type='ilabel')) or pass sort='auto'")
        mode = 0 if (a_sorted and b_sorted) else (2 if a_sorted else 1)
        return a, b, None, None, mode
    if sort != "auto":
        raise FstArgError(f"compose: sort must be 'auto' or 'error', got {sort!r}")
    map_a = map_b = None
    if not a_sorted:
        a, map_a = arcsort(a, sort_type="olabel", return_arc_map=True)
    if not b_sorted:
        b, map_b = arcsort(b, sort_type="ilabel", return_arc_map=True)
    return a, b, map_a, map_b, 0


def _through(inner: np.ndarray, outer: "np.ndarray | None") -> np.ndarray:
    """Composes arc maps: ``outer[inner]`` keeping -1."""
    if outer is None:
        return inner
    out = inner.copy()
    keep = inner >= 0
    out[keep] = outer[inner[keep]]
    return out


def compose(a: Fst, b: Fst, *, compose_filter: ComposeFilter = "auto",
            connect: bool = True, sort: Literal["auto", "error"] = "auto",
            phi_label: "int | None" = None, sigma_label: "int | None" = None,
            rho_label: "int | None" = None, special_side: Literal["a", "b"] = "b",
            phi_loop: bool = True, state_threshold: "int | None" = None,
            return_arc_map: bool = False):
    """The composition ``a ∘ b``: if a maps x to y with weight u and b maps y
    to z with weight v, the result maps x to z with weight ``u ⊗ v``,
    ⊕-summed over every such y and pair of paths.

    Same states, numbering and arcs as ``pynini.compose``: tuples
    ``(state of a, state of b, filter state)`` are numbered in the
    breadth-first order in which OpenFst's ``ComposeFst`` discovers them,
    then ``connect`` (default) trims useless states. ``compose_filter``
    picks OpenFst's ε handling: ``"auto"``/``"sequence"`` (a's ε moves
    before b's; no redundant ε paths), ``"alt_sequence"`` (b's first),
    ``"match"`` (ε:ε matches preferred), ``"null"`` (ε is an ordinary
    label), ``"no_match"`` and ``"trivial"`` (may keep redundant ε paths:
    correct only in idempotent semirings).

    Sorting: OpenFst needs a's output or b's input labels sorted. With
    ``sort="auto"`` whichever is not sorted is arcsorted first, as pynini
    does (both sorted: at each state pair the side with fewer arcs is
    walked and the other searched); ``sort="error"`` raises
    :class:`FstArgError` when neither is sorted and sorts nothing.

    ``phi_label``/``sigma_label``/``rho_label`` make that label special on
    ``special_side`` (see :func:`compose_special`); ``phi_loop`` is
    OpenFst's PhiMatcher loop option.

    Preconditions: same semiring; a's output and b's input symbol tables
    (if both present) equal. Complexity: O(V1 V2 F) states and O(E1 E2)
    arcs in the worst case; O(E log d) per expanded arc pair for the
    binary searches. ``state_threshold`` caps the number of tuples
    expanded (:class:`FstOpError` beyond it).

    With ``return_arc_map=True`` returns ``(fst, (map_a, map_b))``: for
    every output arc, the arc of a and of b it was made from (indices into
    the arguments' arc arrays), -1 where that side stayed in place.
    """
    _check_pair(a, b, "compose")
    if compose_filter not in _FILTER_CODES:
        raise FstArgError(f"compose: compose_filter must be one of "
                          f"{sorted(_FILTER_CODES)}, got {compose_filter!r}")
    if special_side not in ("a", "b"):
        raise FstArgError(f"compose: special_side must be 'a' or 'b', got {special_side!r}")
    if state_threshold is not None and (isinstance(state_threshold, bool)
                                        or int(state_threshold) < 0):
        raise FstArgError(f"compose: state_threshold must be None or >= 0, "
                          f"got {state_threshold!r}")
    if phi_label is not None or sigma_label is not None or rho_label is not None:
        from .compose_special import compose_special
        return compose_special(a, b, phi_label=phi_label, sigma_label=sigma_label,
                               rho_label=rho_label, special_side=special_side,
                               phi_loop=phi_loop, connect=connect,
                               state_threshold=state_threshold,
                               return_arc_map=return_arc_map)
    sa, sb, sort_map_a, sort_map_b, mode = _prepare(a, b, sort)
    limit = -1 if state_threshold is None else int(state_threshold)
    (status, indptr, il, ol, dst, w, fin, map_a, map_b) = kc.compose_csr(
        sa.indptr, sa.ilabel, sa.olabel, sa.nextstate, sa.weight, sa.final, sa.start,
        sb.indptr, sb.ilabel, sb.olabel, sb.nextstate, sb.weight, sb.final, sb.start,
        a.semiring.code, _FILTER_CODES[compose_filter], mode, limit)
    if status == kc.STATE_LIMIT:
        raise FstOpError(f"compose: more than state_threshold={limit} state tuples; "
                         "the composition blows up: prune or restrict the inputs, "
                         "or raise the threshold")
    start = 0 if fin.shape[0] else NO_STATE
    out = Fst(indptr, il, ol, dst, w, fin, start, a.semiring, a.isymbols, b.osymbols,
              _output_props(a, b), check=False)
    map_a = _through(map_a, sort_map_a)
    map_b = _through(map_b, sort_map_b)
    if connect:
        from .connect import connect as trim
        out, kept = trim(out, return_arc_map=True)
        map_a, map_b = map_a[kept], map_b[kept]
    if return_arc_map:
        return out, (map_a, map_b)
    return out
