"""pynini's module-level functions, each a thin adapter over kleene.

Every function takes pynini's ``FstLike`` (a compat ``Fst``, a kleene
``Fst`` or a string compiled with the default token type), calls the kleene
operation with pynini's option names mapped to kleene's, and returns a new
compat :class:`~kleene.compat.pynini.Fst`. pynini's defaults are kept where
they differ from kleene's (``closure``'s ``upper=0`` means unbounded,
``delta`` is ``1/1024`` where OpenFst uses ``kDelta``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...algorithms import arcsort as _arcsort_mod
from ...algorithms import compose as _compose_mod
from ...algorithms import connect as _connect_mod
from ...algorithms import determinize as _determinize_mod
from ...algorithms import disambiguate as _disambiguate_mod
from ...algorithms import encode as _encode_mod
from ...algorithms import epsnormalize as _epsnormalize_mod
from ...algorithms import equivalent as _equivalent_mod
from ...algorithms import intersect as _intersect_mod
from ...algorithms import invert as _invert_mod
from ...algorithms import isomorphic as _isomorphic_mod
from ...algorithms import minimize as _minimize_mod
from ...algorithms import optimize as _optimize_mod
from ...algorithms import project as _project_mod
from ...algorithms import prune as _prune_mod
from ...algorithms import push as _push_mod
from ...algorithms import randequivalent as _randequivalent_mod
from ...algorithms import randgen as _randgen_mod
from ...algorithms import relabel as _relabel_mod
from ...algorithms import replace as _replace_mod
from ...algorithms import reverse as _reverse_mod
from ...algorithms import rmepsilon as _rmepsilon_mod
from ...algorithms import shortest_distance as _shortest_distance_mod
from ...algorithms import shortest_path as _shortest_path_mod
from ...algorithms import synchronize as _synchronize_mod
from ...algorithms import topsort as _topsort_mod
from ...core.fst import NO_STATE
from ...core.fst import Fst as KleeneFst
from ...core.strings import string as _string
from ...errors import FstArgError
from ...grammar import builders as _builders
from ...grammar import cdrewrite as _cdrewrite_fn
from ...grammar import ops as _gops
from ...grammar.symbols import generated_name
from ...grammar.symbols import generated_symbols as _generated_symbols
from ...semirings import get_semiring
from . import _tokens
from ._fst import Fst, _check_project_type, wrap
from ._weight import Weight, as_float, semiring_of_arc_type, weight_type_of

# pynini's default delta for the algorithms that take one (OpenFst's kDelta).
DELTA = 1.0 / 1024


def _m(value, semiring=None) -> KleeneFst:
    return _tokens.machine(value, semiring)


def _args(*values):
    """The arguments for a kleene grammar operation: machines unwrapped;
    strings passed through when kleene's grammar layer compiles them the same
    way (the byte token type, the default), compiled here otherwise."""
    if _tokens.default() == "byte":
        return [v._kleene() if v.__class__ is Fst else v for v in values]
    return _tokens.machines(*values)


def _state_limit(nstate) -> int | None:
    return None if nstate is None or nstate == NO_STATE else int(nstate)


# -- construction ---------------------------------------------------------------
def escape(string: str) -> str:
    """``string`` with ``[``, ``]`` and ``\\`` escaped, to compile it literally."""
    return _builders.escape(string)


def accep(astring: str, weight=None, arc_type: str = "standard", token_type=None) -> Fst:
    """The acceptor of ``astring`` (bracketed names are generated symbols)."""
    return wrap(_builders.accep(astring, weight=as_float(weight),
                                token_type=_tokens.token_type(token_type),
                                semiring=semiring_of_arc_type(arc_type)))


def cross(fst1, fst2) -> Fst:
    """The cross product: maps every string of ``fst1`` to every string of
    ``fst2``."""
    a, b = _args(fst1, fst2)
    return wrap(_builders.cross(a, b))


def string_map(lines, arc_type: str = "standard", input_token_type=None,
               output_token_type=None) -> Fst:
    """A prefix tree over ``lines`` (strings, (input, output) or (input,
    output, weight) tuples). Like pynini, a dict is iterated as an iterable,
    so its keys (not its items) are the entries."""
    if isinstance(lines, Mapping):
        lines = list(lines)
    return wrap(_builders.string_map(
        lines, input_token_type=_tokens.token_type(input_token_type),
        output_token_type=_tokens.token_type(output_token_type),
        semiring=semiring_of_arc_type(arc_type)))


def string_file(filename, arc_type: str = "standard", input_token_type=None,
                output_token_type=None) -> Fst:
    """:func:`string_map` over the tab-separated lines of a file."""
    return wrap(_builders.string_file(
        filename, input_token_type=_tokens.token_type(input_token_type),
        output_token_type=_tokens.token_type(output_token_type),
        semiring=semiring_of_arc_type(arc_type)))


def generated_symbols():
    """The table of generated (bracketed) symbols."""
    return _generated_symbols()


# -- rational operations ---------------------------------------------------------
def union(*fsts) -> Fst:
    return wrap(_gops.union(*_args(*fsts)))


def concat(fst1, fst2) -> Fst:
    return wrap(_gops.concat(*_args(fst1, fst2)))


def closure(fst, lower: int = 0, upper: int = 0) -> Fst:
    """``fst`` repeated ``lower`` to ``upper`` times (``upper=0``: unbounded)."""
    (f,) = _args(fst)
    return wrap(_gops.closure(f, int(lower), int(upper) or None))


def compose(fst1, fst2, compose_filter: str = "auto", connect: bool = True) -> Fst:
    a, b = _tokens.machines(fst1, fst2)
    if compose_filter == "auto" and connect:
        return wrap(_gops.compose(a, b))
    return wrap(_compose_mod.compose(a, b, compose_filter=compose_filter, connect=connect))


def intersect(fst1, fst2, compose_filter: str = "auto", connect: bool = True) -> Fst:
    a, b = _tokens.machines(fst1, fst2)
    return wrap(_intersect_mod.intersect(a, b, compose_filter=compose_filter,
                                         connect=connect))


def difference(fst1, fst2, compose_filter: str = "auto", connect: bool = True) -> Fst:
    a, b = _tokens.machines(fst1, fst2)
    if compose_filter == "auto" and connect:
        return wrap(_gops.difference(a, b))
    from ...algorithms.difference import difference as _difference
    return wrap(_difference(a, b, compose_filter=compose_filter, connect=connect))


def leniently_compose(fst1, fst2, sigma, compose_filter: str = "auto",
                      connect: bool = True) -> Fst:
    """``fst1 ∘ fst2`` where it is defined, ``fst1`` elsewhere: the priority
    union of ``fst1 ∘ fst2`` and ``fst1`` over ``sigma*`` (pynini's
    definition)."""
    a, b, s = _tokens.machines(fst1, fst2, sigma)
    from ...grammar.priority import priority_union
    composed = _compose_mod.compose(a, b, compose_filter=compose_filter, connect=connect)
    return wrap(priority_union(composed, a, _gops.closure(s)))


def cdrewrite(tau, l, r, sigma_star, direction: str = "ltr", mode: str = "obl") -> Fst:
    """The context-dependent rewrite rule ``tau / l _ r`` over ``sigma_star``."""
    t, left, right, sigma = _args(tau, l, r, sigma_star)
    return wrap(_cdrewrite_fn(t, left, right, sigma, direction=direction, mode=mode))


def replace(pairs, call_arc_labeling: str = "input", return_arc_labeling: str = "neither",
            epsilon_on_replace: bool = False, return_label: int = 0) -> Fst:
    """Replaces nonterminal arcs by machines; ``pairs`` is ``(label, fst)``
    with the root first, as in pynini."""
    kpairs = [(int(label), _m(f)) for label, f in pairs]
    return wrap(_replace_mod.replace(kpairs, call_arc_labeling=call_arc_labeling,
                                     return_arc_labeling=return_arc_labeling,
                                     epsilon_on_replace=epsilon_on_replace,
                                     return_label=return_label))


# -- unary operations (copies) -----------------------------------------------------
def arcsort(fst, sort_type: str = "ilabel") -> Fst:
    return wrap(_arcsort_mod.arcsort(_m(fst), sort_type=sort_type))


def connect(fst) -> Fst:
    return wrap(_connect_mod.connect(_m(fst)))


def invert(fst) -> Fst:
    return wrap(_invert_mod.invert(_m(fst)))


def project(fst, project_type) -> Fst:
    return wrap(_project_mod.project(_m(fst), project_type=_check_project_type(project_type)))


def optimize(fst, compute_props: bool = False) -> Fst:
    return wrap(_optimize_mod.optimize(_m(fst), compute_props=compute_props))


def minimize(fst, delta: float = DELTA, allow_nondet: bool = False) -> Fst:
    return wrap(_minimize_mod.minimize(_m(fst), delta=delta, allow_nondet=allow_nondet))


def topsort(fst) -> Fst:
    return wrap(_topsort_mod.topsort(_m(fst)))


def rmepsilon(fst, queue_type: str = "auto", connect: bool = True, weight=None,
              nstate: int = NO_STATE, delta: float = DELTA) -> Fst:
    return wrap(_rmepsilon_mod.rmepsilon(
        _m(fst), queue_type=queue_type, connect=connect, delta=delta,
        weight_threshold=as_float(weight), state_threshold=_state_limit(nstate)))


def determinize(fst, delta: float = DELTA, det_type: str = "functional",
                nstate: int = NO_STATE, subsequential_label: int = 0, weight=None,
                increment_subsequential_label: bool = False) -> Fst:
    return wrap(_determinize_mod.determinize(
        _m(fst), det_type=det_type, delta=delta, weight_threshold=as_float(weight),
        state_threshold=_state_limit(nstate), subsequential_label=subsequential_label,
        increment_subsequential_label=increment_subsequential_label))


def disambiguate(fst, delta: float = DELTA, nstate: int = NO_STATE,
                 subsequential_label: int = 0, weight=None) -> Fst:
    return wrap(_disambiguate_mod.disambiguate(
        _m(fst), delta=delta, weight_threshold=as_float(weight),
        state_threshold=_state_limit(nstate), subsequential_label=subsequential_label))


def epsnormalize(fst, eps_norm_type: str = "input") -> Fst:
    return wrap(_epsnormalize_mod.epsnormalize(_m(fst), eps_norm_type=eps_norm_type))


def prune(fst, delta: float = DELTA, nstate: int = NO_STATE, weight=None) -> Fst:
    return wrap(_prune_mod.prune(_m(fst), weight=as_float(weight),
                                 nstate=_state_limit(nstate), delta=delta))


def push(fst, delta: float = DELTA, push_weights: bool = False, push_labels: bool = False,
         remove_common_affix: bool = False, remove_total_weight: bool = False,
         reweight_type: str = "to_initial") -> Fst:
    if remove_common_affix:
        raise NotImplementedError("push(remove_common_affix=True) is not implemented "
                                  "in kleene")
    if reweight_type not in ("to_initial", "to_final"):
        raise FstArgError(f"unknown reweight type {reweight_type!r}")
    return wrap(_push_mod.push(_m(fst), to_final=reweight_type == "to_final",
                               push_weights=push_weights, push_labels=push_labels,
                               remove_total_weight=remove_total_weight, delta=delta))


def randgen(fst, npath: int = 1, select: str = "uniform", max_length: int = 2 ** 31 - 1,
            weighted: bool = False, remove_total_weight: bool = False, seed: int = 0) -> Fst:
    return wrap(_randgen_mod.randgen(_m(fst), npath=npath, seed=seed, select=select,
                                     max_length=max_length, weighted=weighted,
                                     remove_total_weight=remove_total_weight))


def reverse(fst, require_superinitial: bool = True) -> Fst:
    return wrap(_reverse_mod.reverse(_m(fst), require_superinitial=require_superinitial))


def shortestpath(fst, delta: float = DELTA, nshortest: int = 1, nstate: int = NO_STATE,
                 queue_type: str = "auto", unique: bool = False, weight=None) -> Fst:
    """The ``nshortest`` best paths (``unique``: distinct strings only)."""
    return wrap(_shortest_path_mod.shortest_path(
        _m(fst), nshortest=nshortest, unique=unique, delta=delta,
        weight_threshold=as_float(weight), state_threshold=_state_limit(nstate)))


def shortestdistance(fst, delta: float = DELTA, nstate: int = NO_STATE,
                     queue_type: str = "auto", reverse: bool = False) -> list[Weight]:
    m = _m(fst)
    dist = _shortest_distance_mod.shortest_distance(m, reverse=reverse, delta=delta)
    wt = weight_type_of(m.semiring)
    return [Weight._of(wt, d) for d in dist]


def synchronize(fst) -> Fst:
    return wrap(_synchronize_mod.synchronize(_m(fst)))


def relabel_pairs(fst, ipairs=None, opairs=None) -> Fst:
    return wrap(_relabel_mod.relabel(_m(fst), ipairs=ipairs, opairs=opairs))


def relabel_tables(fst, old_isymbols=None, new_isymbols=None, unknown_isymbol="",
                   attach_new_isymbols=True, old_osymbols=None, new_osymbols=None,
                   unknown_osymbol="", attach_new_osymbols=True) -> Fst:
    m = _m(fst)
    if old_isymbols is not None or old_osymbols is not None or unknown_isymbol \
            or unknown_osymbol or not attach_new_isymbols or not attach_new_osymbols:
        raise NotImplementedError("relabel_tables: only new_isymbols/new_osymbols "
                                  "(relabelling from the attached tables) are implemented")
    return wrap(_relabel_mod.relabel(m, isymbols=new_isymbols, osymbols=new_osymbols))


def reweight(fst, potentials, reweight_type: str = "to_initial") -> Fst:
    raise NotImplementedError("reweight is not implemented in kleene's pynini "
                              "compatibility layer; use kleene.push")


def encode(fst, mapper) -> Fst:
    return wrap(_encode_mod.encode(_m(fst), mapper._mapper))


def decode(fst, mapper) -> Fst:
    return wrap(_encode_mod.decode(_m(fst), mapper._mapper))


class EncodeMapper:
    """pynini's ``EncodeMapper(arc_type, encode_labels, encode_weights)``."""

    def __init__(self, arc_type: str = "standard", encode_labels: bool = False,
                 encode_weights: bool = False) -> None:
        self._arc_type = arc_type
        self._mapper = _encode_mod.EncodeMapper(encode_labels=encode_labels,
                                                encode_weights=encode_weights)

    def arc_type(self) -> str:
        return self._arc_type

    def __len__(self) -> int:
        return len(self._mapper)


_ARCMAP_TYPES = ("identity", "input_epsilon", "invert", "output_epsilon", "plus", "power",
                 "quantize", "rmweight", "superfinal", "times", "to_log", "to_log64",
                 "to_std", "to_standard")


def arcmap(fst, delta: float = DELTA, map_type: str = "identity", power: float = 1.0,
           weight=None) -> Fst:
    """Maps every arc (and final weight) as OpenFst's ``ArcMap``: ``rmweight``
    sets every non-zero weight to one, ``invert`` inverts every weight
    (``One / w``), ``superfinal`` routes every final state to one new final
    state,
    ``input_epsilon``/``output_epsilon`` clear one side, ``plus``/``times``
    ⊕/⊗ a constant ``weight``, ``power`` raises to ``power``, ``quantize``
    rounds to ``delta``, ``to_log``/``to_log64``/``to_std`` change the
    semiring keeping the numbers."""
    if map_type not in _ARCMAP_TYPES:
        raise FstArgError(f"unknown arcmap type {map_type!r}; expected one of {_ARCMAP_TYPES}")
    m = _m(fst)
    sr = m.semiring
    il, ol, w, final = m.ilabel, m.olabel, m.weight, m.final
    if map_type == "identity":
        return wrap(m)
    if map_type == "superfinal":
        return wrap(_superfinal(m))
    if map_type == "invert":
        # OpenFst's InvertWeightMapper: every weight w becomes One / w (the
        # labels stay); zero weights (non-final states) stay zero.
        w = np.where(np.isinf(w) & (w > 0), w, -w).astype(sr.dtype)
        final = np.where(np.isinf(final) & (final > 0), final, -final).astype(sr.dtype)
    elif map_type in ("input_epsilon", "output_epsilon"):
        zeros = np.zeros_like(il)
        il, ol = (zeros, ol) if map_type == "input_epsilon" else (il, zeros)
    elif map_type == "rmweight":
        w = np.where(np.isinf(w) & (w > 0), w, sr.one).astype(sr.dtype)
        final = np.where(np.isinf(final) & (final > 0), final, sr.one).astype(sr.dtype)
    elif map_type in ("times", "plus"):
        c = as_float(weight)
        if c is None:
            raise FstArgError(f"arcmap(map_type={map_type!r}) needs a weight")
        if map_type == "times":
            w, final = (w + c).astype(sr.dtype), np.where(np.isinf(final), final,
                                                         final + c).astype(sr.dtype)
        else:
            w = _plus_const(sr, w, c)
            final = np.where(np.isinf(final), final, _plus_const(sr, final, c))
    elif map_type == "power":
        if power == 0:
            # Power(w, 0) is One for every weight, Zero included: OpenFst makes
            # every state final with weight One.
            w, final = np.full_like(w, sr.one), np.full_like(final, sr.one)
        else:
            w = (w * power).astype(sr.dtype)
            final = np.where(np.isinf(final), final, final * power).astype(sr.dtype)
    elif map_type == "quantize":
        w = _quantize(w, delta, sr.dtype)
        final = _quantize(final, delta, sr.dtype)
    else:
        target = {"to_log": "log", "to_log64": "log64", "to_std": "tropical",
                  "to_standard": "tropical"}[map_type]
        sr = get_semiring(target)
        w, final = w.astype(sr.dtype), final.astype(sr.dtype)
    out = KleeneFst(m.indptr, il, ol, m.nextstate, w, final, m.start, sr,
                    m.isymbols, m.osymbols)
    return wrap(out)


def _superfinal(m: KleeneFst) -> KleeneFst:
    """OpenFst's ``SuperFinalMapper``: a new state (numbered last) becomes the
    only final state, with weight One; every final state ``q`` gets an
    ``ε:ε/final(q)`` arc to it after its other arcs."""
    sr = m.semiring
    n = m.num_states
    if m.start == NO_STATE:
        return m  # OpenFst leaves a machine without a start state as it is
    finals = np.flatnonzero(~(np.isinf(m.final) & (m.final > 0)))
    src = np.concatenate([m.arc_source, finals]).astype(np.int64)
    zeros = np.zeros(finals.shape[0], m.ilabel.dtype)
    # from_arrays groups arcs by source stably, so each new arc follows the
    # state's existing ones
    out = KleeneFst.from_arrays(
        num_states=n + 1, src=src, ilabel=np.concatenate([m.ilabel, zeros]),
        olabel=np.concatenate([m.olabel, zeros]),
        weight=np.concatenate([m.weight, m.final[finals]]).astype(sr.dtype),
        nextstate=np.concatenate([m.nextstate, np.full(finals.shape[0], n, m.nextstate.dtype)]),
        final=np.concatenate([np.full(n, sr.zero, sr.dtype), np.full(1, sr.one, sr.dtype)]),
        start=m.start, semiring=sr)
    return out.replace(isymbols=m.isymbols, osymbols=m.osymbols)


def _plus_const(sr, values: np.ndarray, c: float) -> np.ndarray:
    if sr.name == "tropical":
        return np.minimum(values, c).astype(sr.dtype)
    return (-np.logaddexp(-values.astype(np.float64), -c)).astype(sr.dtype)


def _quantize(values: np.ndarray, delta: float, dtype) -> np.ndarray:
    finite = np.isfinite(values)
    out = values.astype(np.float64)
    out[finite] = np.floor(out[finite] / delta + 0.5) * delta
    return out.astype(dtype)


# -- comparisons ---------------------------------------------------------------------
def equal(fst1, fst2, delta: float = DELTA) -> bool:
    """Whether the two machines are the same (states, arcs and weights)."""
    a, b = _tokens.machines(fst1, fst2)
    return a.equal(b, delta=delta)


def equivalent(fst1, fst2, delta: float = DELTA) -> bool:
    a, b = _tokens.machines(fst1, fst2)
    return _equivalent_mod.equivalent(a, b, delta=delta)


def isomorphic(fst1, fst2, delta: float = DELTA) -> bool:
    a, b = _tokens.machines(fst1, fst2)
    return _isomorphic_mod.isomorphic(a, b, delta=delta)


def randequivalent(fst1, fst2, npath: int = 1, delta: float = DELTA,
                   select: str = "uniform", max_length: int = 2 ** 31 - 1,
                   seed: int = 0) -> bool:
    a, b = _tokens.machines(fst1, fst2)
    return _randequivalent_mod.randequivalent(a, b, npath=npath, delta=delta, seed=seed,
                                              select=select, max_length=max_length)


# -- strings ---------------------------------------------------------------------------
def string_of(machine: KleeneFst, token_type) -> str:
    """The string of a string machine, generated symbols written ``[NAME]``."""
    return _string(machine, token_type=token_type, generated=generated_name)
