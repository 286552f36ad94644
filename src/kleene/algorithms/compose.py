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
    # (one acyclic side is not enough: the other's ε cycles loop in place)
    if a.props.get(Prop.ACYCLIC) and b.props.get(Prop.ACYCLIC):
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


def _trim(out: Fst, want_map: bool):
    """``connect(out)`` and (with ``want_map``) its arc map, or ``(out,
    None)`` when every state is already useful (often so: then nothing is
    copied). Every state of a composition is accessible (it was discovered
    from the start)."""
    from ..kernels.graph import coaccessible_states
    from .connect import connect as trim
    if out.num_states and coaccessible_states(out.indptr, out.nextstate, out.final,
                                              out.semiring.code).all():
        props = out.props.set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True)
        return out.replace(props=props), None
    if not want_map:
        return trim(out), None
    return trim(out, return_arc_map=True)


def _check_key_range(a: Fst, b: Fst) -> None:
    # the kernels pack (q1, q2, filter state) into one int64 key
    if a.num_states * b.num_states * 3 >= 2 ** 62:
        raise FstArgError("compose: the machines are too large to pair their states "
                          f"({a.num_states} x {b.num_states})")


def _raise_for_size(status: int, limit: int) -> None:
    if status == kc.STATE_LIMIT:
        raise FstOpError(f"compose: more than state_threshold={limit} state tuples; "
                         "the composition blows up: prune or restrict the inputs, "
                         "or raise the threshold")
    if status == kc.TOO_MANY_STATES:
        raise FstOpError("compose: the result would have more than 2**31 - 1 states; "
                         "prune or restrict the inputs (state_threshold stops earlier)")


def _through(inner: np.ndarray, outer: np.ndarray | None) -> np.ndarray:
    """Composes arc maps: ``outer[inner]`` keeping -1."""
    if outer is None:
        return inner
    out = inner.copy()
    keep = inner >= 0
    out[keep] = outer[inner[keep]]
    return out


def compose(a: Fst, b: Fst, *, compose_filter: ComposeFilter = "auto",
            connect: bool = True, sort: Literal["auto", "error"] = "auto",
            phi_label: int | None = None, sigma_label: int | None = None,
            rho_label: int | None = None, special_side: Literal["a", "b"] = "b",
            phi_loop: bool = True, state_threshold: int | None = None,
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

    Special matchers (OpenFst's PhiMatcher, SigmaMatcher, RhoMatcher with
    rewrite mode "auto"; give at most one of the three labels, > 0): on
    ``special_side`` (b by default, as in text ∘ backoff LM) the label is
    not matched literally. ``phi_label`` (failure): where the state has no
    arc for the label being read, its single φ arc is followed without
    consuming anything (its weight multiplied in), possibly along a chain;
    with ``phi_loop`` a φ self-loop met on the way matches the label
    itself (without it such a loop raises :class:`FstOpError`, where OpenFst
    would loop forever). ``sigma_label`` matches every non-ε label, in
    addition to exact matches; ``rho_label`` matches every non-ε label that
    no arc of the state matches. A σ/ρ/φ-loop match writes the matched label
    in place of the special one on the special side's other tape when that
    machine is an acceptor. φ is never followed for final weights, and the
    other machine must not carry the special label on the matched tape
    (:class:`FstArgError`). With a special matcher the numbering is
    OpenFst's for the special side's matcher alone (the other side is
    always walked); ``sort="error"`` then requires the special side sorted
    on the matched tape.

    Preconditions: same semiring; a's output and b's input symbol tables
    (if both present) equal. Complexity: O(V1 V2 F) states and O(E1 E2)
    arcs in the worst case; O(E log d) per expanded arc pair for the
    binary searches. ``state_threshold`` caps the number of tuples
    expanded (:class:`FstOpError` beyond it).

    With ``return_arc_map=True`` returns ``(fst, (map_a, map_b))``: for
    every output arc, the arc of a and of b it was made from (indices into
    the arguments' arc arrays), -1 where that side stayed in place. For a
    match through φ arcs the special side's entry is the arc finally taken
    (the φ arcs followed contribute their weights only).
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
        return _compose_special(a, b, compose_filter, sort, phi_label, sigma_label,
                                rho_label, special_side, phi_loop, connect,
                                state_threshold, return_arc_map)
    _check_key_range(a, b)
    sa, sb, sort_map_a, sort_map_b, mode = _prepare(a, b, sort)
    limit = -1 if state_threshold is None else int(state_threshold)
    (status, indptr, il, ol, dst, w, fin, map_a, map_b) = kc.compose_csr(
        sa.indptr, sa.ilabel, sa.olabel, sa.nextstate, sa.weight, sa.final, sa.start,
        sb.indptr, sb.ilabel, sb.olabel, sb.nextstate, sb.weight, sb.final, sb.start,
        a.semiring.code, _FILTER_CODES[compose_filter], mode, limit, bool(return_arc_map))
    _raise_for_size(status, limit)
    start = 0 if fin.shape[0] else NO_STATE
    out = Fst(indptr, il, ol, dst, w, fin, start, a.semiring, a.isymbols, b.osymbols,
              _output_props(a, b), check=False)
    del indptr, il, ol, dst, w, fin       # (owned by out now; trimming may drop it)
    return _finish(out, map_a, map_b, sort_map_a, sort_map_b, connect, return_arc_map)


def _finish(out, map_a, map_b, sort_map_a, sort_map_b, connect, return_arc_map):
    """Trims ``out`` when asked and, with ``return_arc_map``, carries the
    kernel's arc maps through the input sorting and the trimming."""
    if not return_arc_map:
        return _trim(out, False)[0] if connect else out
    map_a = _through(map_a, sort_map_a)
    map_b = _through(map_b, sort_map_b)
    if connect:
        out, kept = _trim(out, True)
        if kept is not None:
            map_a, map_b = map_a[kept], map_b[kept]
    return out, (map_a, map_b)


_SPECIAL_ERRORS = {
    2: "the {other} machine carries the special label {label} on its {tape} "
       "labels; a special label may only appear on the special side",
    3: "a state of the {side} machine has more than one φ arc (label {label}); "
       "φ transitions must be deterministic",
    4: "a φ chain (label {label}) returns to a state it has visited without a "
       "φ self-loop match (or phi_loop=False met a φ self-loop): the failure "
       "transitions form a cycle; remove it or pass phi_loop=True",
}


def _compose_special(a, b, compose_filter, sort, phi_label, sigma_label, rho_label,
                     special_side, phi_loop, connect, state_threshold, return_arc_map):
    from ..kernels import compose_special as ks
    from .arcsort import arcsort
    from .invert import invert
    given = [(k, v) for k, v in ((ks.PHI, phi_label), (ks.SIGMA, sigma_label),
                                 (ks.RHO, rho_label)) if v is not None]
    if len(given) != 1:
        raise FstArgError("compose: give at most one of phi_label, sigma_label, rho_label")
    kind, label = given[0]
    if isinstance(label, bool) or int(label) <= 0:
        raise FstArgError(f"compose: special labels must be positive integers "
                          f"(0 is ε), got {label!r}")
    label = int(label)
    if special_side == "a":
        # a ∘ b with a special on a's output = invert(b⁻¹ ∘ a⁻¹ with the
        # special on the second's input); the sequence filter becomes
        # alt_sequence because the roles of the two machines swap.
        swapped = {"auto": "alt_sequence", "sequence": "alt_sequence",
                   "alt_sequence": "sequence"}.get(compose_filter, compose_filter)
        out = _compose_special(invert(b), invert(a), swapped, sort,
                               phi_label, sigma_label, rho_label, "b", phi_loop,
                               connect, state_threshold, return_arc_map)
        if not return_arc_map:
            return invert(out)
        fst, (map_b, map_a) = out
        return invert(fst), (map_a, map_b)
    _check_key_range(a, b)
    sort_map_b = None
    if not b.has(Prop.ILABEL_SORTED):
        if sort == "error":
            raise FstArgError("compose: special matchers search the special side's "
                              "input labels; arcsort it (sort_type='ilabel') or pass "
                              "sort='auto'")
        b_sorted, sort_map_b = arcsort(b, sort_type="ilabel", return_arc_map=True)
    else:
        b_sorted = b
    limit = -1 if state_threshold is None else int(state_threshold)
    (status, indptr, il, ol, dst, w, fin, map_a, map_b) = ks.compose_special_csr(
        a.indptr, a.ilabel, a.olabel, a.nextstate, a.weight, a.final, a.start,
        b_sorted.indptr, b_sorted.ilabel, b_sorted.olabel, b_sorted.nextstate,
        b_sorted.weight, b_sorted.final, b_sorted.start,
        a.semiring.code, _FILTER_CODES[compose_filter], kind, label,
        bool(b.has(Prop.ACCEPTOR)), bool(phi_loop), limit, bool(return_arc_map))
    _raise_for_size(status, limit)
    if status in (ks.PHI_NONDET, ks.PHI_CYCLE):
        raise FstOpError("compose: " + _SPECIAL_ERRORS[status].format(
            side="special-side", label=label, other="other", tape="output"))
    if status == ks.BAD_LABEL:
        raise FstArgError("compose: " + _SPECIAL_ERRORS[status].format(
            side="special-side", label=label, other="other", tape="matched"))
    start = 0 if fin.shape[0] else NO_STATE
    out = Fst(indptr, il, ol, dst, w, fin, start, a.semiring, a.isymbols, b.osymbols,
              Props(), check=False)
    del indptr, il, ol, dst, w, fin
    return _finish(out, map_a, map_b, None, sort_map_b, connect, return_arc_map)
