"""Rewriting strings with a rule: pynini's ``pynini.lib.rewrite``.

A *rule* is any machine (usually a transducer such as a
:func:`~kleene.grammar.cdrewrite.cdrewrite` rule); rewriting a string applies
it: ``string @ rule``, read on the output side. Every helper raises
:class:`RewriteError` when the rule has no rewrite for the input (pynini
raises ``rewrite.Error("Composition failure")``).

The end-user functions, as pynini names them:

* :func:`rewrites`: every output string, in label order (pynini's order);
* :func:`top_rewrites`: the ``nshortest`` best outputs, best first;
* :func:`top_rewrite`: one best output (ties broken by the search);
* :func:`one_top_rewrite`: the best output, raising on a tie;
* :func:`optimal_rewrites`: every output whose weight equals the best;
* :func:`matches`: whether the rule maps an input to an output.

and the lattice helpers they are made of: :func:`rewrite_lattice`,
:func:`lattice_to_dfa`, :func:`lattice_to_nshortest`,
:func:`lattice_to_strings`, :func:`lattice_to_top_string`,
:func:`lattice_to_one_top_string`.

Token types (``"byte"``, ``"utf8"`` or a
:class:`~kleene.core.symbols.SymbolTable`) are keyword-only and default to
``"byte"`` (pynini's default); the input token type applies to the input
string, the output token type to decoding the rewrites. With
``with_weights=True`` the functions return ``(string, weight)`` pairs.

Speed: the functions that need only the best paths (:func:`top_rewrite`,
:func:`top_rewrites`, :func:`matches`) skip the lattice's ε-removal and
search the composition directly; only :func:`rewrites`,
:func:`optimal_rewrites` and :func:`one_top_rewrite` determinize.

Semirings: the best-path functions need a path semiring (tropical), as in
pynini. Unlike pynini, :func:`rewrites` and :func:`matches` also work for
log weights (the weight of a rewrite is then the ⊕-sum over its paths).

Deviations from pynini: ties in :func:`top_rewrite` and in the last places of
:func:`top_rewrites` are broken differently (pynini calls them
implementation-defined), and :func:`top_rewrites` returns its strings best
first (pynini's order follows its shortest-path tree's layout). ε-removal
treats ``a`` and ``a ε`` as one string, so :func:`top_rewrites` never returns
the same string twice (pynini may, when the rule outputs ε labels on
different paths).
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Union

import numpy as np

from ..algorithms.compose import compose
from ..algorithms.determinize import determinize
from ..algorithms.paths import paths
from ..algorithms.project import project
from ..algorithms.rmepsilon import rmepsilon
from ..algorithms.shortest_path import shortest_path
from ..core.fst import NO_STATE, Fst
from ..core.properties import Prop, Props
from ..core.strings import TokenType, decode_labels, encode_labels, string as _string
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstOpError
from ..kernels import apply_string as _apply
from .coerce import FstLike, to_fst
from .symbols import generated_label

#: A rewrite, or a rewrite with its weight when ``with_weights=True``.
Rewrite = Union[str, tuple[str, float]]


class RewriteError(FstOpError):
    """A rule cannot rewrite an input (no rewrite at all, or a tie where
    :func:`one_top_rewrite` needs a unique best rewrite)."""


# -- helpers -----------------------------------------------------------------
def _rule_fst(rule: FstLike) -> Fst:
    return to_fst(rule)


def _input_fst(string: FstLike, rule: Fst, token_type: TokenType) -> Fst:
    # the input must live in the rule's semiring (a string becomes one)
    return to_fst(string, token_type=token_type, semiring=rule.semiring)


def _describe(string: FstLike) -> str:
    return repr(string) if isinstance(string, str) else "the input machine"


def _no_rewrite(string: FstLike) -> RewriteError:
    return RewriteError(
        f"no rewrite for {_describe(string)}: the rule does not accept it "
        f"(composition failure); check that the rule's input side covers every "
        f"symbol of the input (e.g. a sigma_star that includes it)")


# -- fast path: a text applied to a rule whose input-ε arcs are acyclic --------
# (kleene.kernels.apply_string builds the output side of ``text @ rule``
# directly as a top-sorted, trimmed acceptor; the rule's arcsort and ε-rank
# are computed once and kept in the rule's ``_cache``.)
_PREPARED = "grammar.rewrite.apply_string"
# characters that make a byte string more than its UTF-8 bytes (bracketed
# symbols, escapes) or unusable (NUL would be ε)
_SPECIAL_CHARS = re.compile(r"[\[\]\\\x00]")

# everything known about the lattices apply_string builds (ε-arcs aside)
_LATTICE_PROPS = Props(int(Prop.ACCEPTOR | Prop.ACYCLIC | Prop.TOP_SORTED
                           | Prop.ACCESSIBLE | Prop.COACCESSIBLE),
                       int(Prop.ACCEPTOR | Prop.ACYCLIC | Prop.TOP_SORTED
                           | Prop.ACCESSIBLE | Prop.COACCESSIBLE))


class _Prepared:
    """A rule's input-label-sorted arcs, ε-rank and scratch arrays."""

    __slots__ = ("args", "rank", "slot", "mark", "code")

    def __init__(self, rule: Fst, rank):
        self.args = (rule.indptr, rule.ilabel, rule.olabel, rule.nextstate, rule.weight,
                     rule.final, rule.start)
        self.rank = rank
        self.slot = np.full(rule.num_states, -1, np.int64)
        self.mark = np.zeros(rule.num_states, np.bool_)
        self.code = rule.semiring.code


def _prepared(rule: Fst) -> "_Prepared | None":
    """The cached preparation of ``rule``, None when its input-ε arcs form a
    cycle (the general composition handles those rules)."""
    prep = rule._cache.get(_PREPARED)
    if prep is None:
        from ..algorithms.arcsort import arcsort
        srt = arcsort(rule, sort_type="ilabel")
        status, rank = _apply.epsilon_rank(srt.indptr, srt.ilabel, srt.nextstate)
        prep = _Prepared(srt, rank) if status == _apply.OK else False
        rule._cache[_PREPARED] = prep
    return prep or None


def _fast_labels(text: FstLike, token_type: TokenType, table) -> "np.ndarray | None":
    """The ε-free labels of a text, or None when the general path must run
    (a machine, or a symbol table that maps to ε or differs from the rule's)."""
    if not isinstance(text, str):
        return None
    if token_type == "byte" and not _SPECIAL_CHARS.search(text):
        # plain text: its UTF-8 bytes are the labels (the kernels take uint8)
        return np.frombuffer(text.encode("utf-8"), np.uint8)
    if isinstance(token_type, SymbolTable) and table is not None and table is not token_type:
        return None  # compose decides whether the tables agree
    labels = encode_labels(text, token_type, generated=generated_label)
    if labels.size and not labels.all():
        return None
    return labels


def _decode(labels: np.ndarray, token_type: TokenType) -> str:
    """:func:`decode_labels` without its checks when the labels are plain
    bytes forming UTF-8 (anything else goes through it, for its errors)."""
    if token_type == "byte":
        try:
            return bytes(labels.tolist()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            pass
    return decode_labels(labels, token_type)


def _fast_arrays(string: FstLike, rule: Fst, token_type: TokenType):
    """``(indptr, label, nextstate, weight, final)`` of the output side of
    ``string @ rule`` (trimmed, top-sorted), or None (general path)."""
    prep = _prepared(rule)
    if prep is None:
        return None
    labels = _fast_labels(string, token_type, rule.isymbols)
    if labels is None:
        return None
    return _apply.apply_string(labels, *prep.args, prep.rank, prep.slot, prep.mark,
                               prep.code)


def _lattice_fst(arrays, rule: Fst) -> Fst:
    indptr, label, nextstate, weight, final = arrays
    start = 0 if final.shape[0] else NO_STATE
    return Fst(indptr, label, label, nextstate, weight, final, start, rule.semiring,
               rule.osymbols, rule.osymbols, _LATTICE_PROPS, check=False)


#: Paths enumerated by the fast :func:`rewrites` family before it falls back
#: to ε-removal and determinization (ambiguous rules, huge lattices).
_MAX_ENUMERATED_PATHS = 4096
#: determinize's default delta, the tolerance of ``weight_threshold=0``
_OPTIMAL_DELTA = 1e-6


def _log_plus(a: float, b: float) -> float:
    lo, hi = (a, b) if a < b else (b, a)
    return lo - math.log1p(math.exp(lo - hi)) if hi != math.inf else lo


def _read_paths(arrays, code: int, token_type: TokenType, max_paths: int, live=None):
    """``(keys, texts, weights)`` of every path of an acyclic acceptor with
    start state 0 (keys: the label bytes, ordered as the labels), or None
    when the general reader must run (symbol tables, labels that do not
    decode, more than ``max_paths`` paths)."""
    if isinstance(token_type, SymbolTable):
        return None
    indptr, label, nextstate, weight, final = arrays
    if live is None:  # a trimmed lattice
        live = np.ones(final.shape[0], np.bool_)
    count, labels, offsets, weights = _apply.all_paths(
        indptr, label, nextstate, weight, final, live, code, max_paths)
    if count < 0:
        return None
    width, codec = (1, "utf-8") if token_type == "byte" else (4, "utf-32-le")
    if labels.size and (labels.min() <= 0 or labels.max() > (255 if width == 1 else 0x10FFFF)):
        return None  # undecodable labels: the general path raises the right error
    data = labels.astype(np.uint8 if width == 1 else "<u4").tobytes()
    bounds = (offsets * width).tolist()
    keys = [data[bounds[k]:bounds[k + 1]] for k in range(count)]
    try:
        texts = [key.decode(codec) for key in keys]
    except UnicodeDecodeError:
        return None
    return keys, texts, weights.tolist()


def _fast_distinct(arrays, rule: Fst, token_type: TokenType, state_multiplier: int,
                   *, allow_dfa: bool = True):
    """``[(string, weight)]`` for every distinct rewrite in label order,
    weights ⊕-summed over paths, read straight off the lattice's paths when
    that is cheap and exact; otherwise the lattice is ε-removed and
    determinized as :func:`rewrites` does. None (general path) for symbol
    tables and semirings other than tropical/log."""
    code = rule.semiring.code
    if code not in (0, 1):
        return None
    cast = rule.semiring.dtype
    read = _read_paths(arrays, code, token_type, _MAX_ENUMERATED_PATHS)
    if read is None:
        return _via_dfa(arrays, rule, token_type, state_multiplier) if allow_dfa else None
    keys, texts, weights = read
    merged: dict = {}
    for key, text, w in zip(keys, texts, weights):
        old = merged.get(key)
        merged[key] = (text, w) if old is None else (
            text, min(old[1], w) if code == 0 else _log_plus(old[1], w))
    # a deterministic machine has at most one state per distinct prefix: if
    # that bound is under the cap, determinizing would not have been capped
    ordered = sorted(merged)  # bytes order = label order for both codecs
    width = 1 if token_type == "byte" else 4
    nodes = 1 + sum(map(len, ordered)) // width
    # (the count of distinct arc targets only matters past the smaller bound)
    if nodes >= 256 + state_multiplier and nodes >= 256 + state_multiplier * (
            1 + np.unique(arrays[2][arrays[1] != 0]).size):
        return _via_dfa(arrays, rule, token_type, state_multiplier)
    return [(merged[key][0], float(cast(merged[key][1]))) for key in ordered]


def _via_dfa(arrays, rule: Fst, token_type: TokenType, state_multiplier: int):
    """The fast lattice ε-removed and determinized (with lattice_to_dfa's
    cap), its strings read by the path kernel."""
    dfa = lattice_to_dfa(rmepsilon(_lattice_fst(arrays, rule)), False,
                         state_multiplier=state_multiplier)
    if dfa.start < 0:
        return []
    # a capped determinization has dead ends: skip them
    from ..kernels.graph import coaccessible_states
    live = coaccessible_states(dfa.indptr, dfa.nextstate, dfa.final, rule.semiring.code)
    read = _read_paths((dfa.indptr, dfa.olabel, dfa.nextstate, dfa.weight, dfa.final),
                       rule.semiring.code, token_type, 1 << 62, live)
    if read is None:
        return None
    _, texts, weights = read
    cast = rule.semiring.dtype
    return [(text, float(cast(w))) for text, w in zip(texts, weights)]


def _composed(string: FstLike, rule: FstLike, token_type: TokenType) -> Fst:
    """``string @ rule`` with pynini's ``alt_sequence`` filter, untrimmed
    (callers trim as part of their next step)."""
    rule_fst = _rule_fst(rule)
    inp = _input_fst(string, rule_fst, token_type)
    return compose(inp, rule_fst, compose_filter="alt_sequence", connect=False)


def _check_path_semiring(fst: Fst, what: str) -> None:
    if not fst.semiring.path:
        raise FstArgError(
            f"{what} needs a path semiring (tropical): {fst.semiring.name} weights "
            f"have no single best rewrite; use rewrites(), or build the rule over "
            f"tropical weights")


def _check_nshortest(nshortest) -> int:
    if isinstance(nshortest, bool) or not isinstance(nshortest, int) or nshortest < 1:
        raise FstArgError(f"nshortest must be a positive int, got {nshortest!r}")
    return nshortest


# -- lattice helpers ------------------------------------------------------------
def rewrite_lattice(string: FstLike, rule: FstLike, *,
                    token_type: TokenType = "byte") -> Fst:
    """The weighted, ε-free acceptor of the rewrites of ``string`` by ``rule``:
    ``string @ rule`` (``alt_sequence`` composition filter, as pynini), projected
    on the output side, ε-removed and trimmed.

    ``string`` is a machine or a text compiled in ``token_type`` (in the
    rule's semiring). Raises :class:`RewriteError` when the rule has no
    rewrite for it. Complexity: that of composition, O(|string| · E_rule) for
    a string input, plus ε-removal of the result.
    """
    rule_fst = _rule_fst(rule)
    arrays = _fast_arrays(string, rule_fst, token_type)
    if arrays is None:
        lattice = project(_composed(string, rule_fst, token_type), project_type="output")
    elif arrays[4].shape[0] == 0:
        raise _no_rewrite(string)
    else:
        lattice = _lattice_fst(arrays, rule_fst)
    lattice = rmepsilon(lattice)
    if lattice.start < 0:
        raise _no_rewrite(string)
    return lattice


def lattice_to_dfa(lattice: Fst, optimal_only: bool = False, *,
                   state_multiplier: int = 4) -> Fst:
    """The lattice determinized: one path per output string, weighted by the
    ⊕-sum of its paths; with ``optimal_only`` only the strings whose weight
    equals the best one are kept (tropical only).

    As in pynini the determinization is capped at ``256 + state_multiplier ×
    lattice.num_states`` states (tropical: a pruned determinization; when the
    cap is reached a :class:`RuntimeWarning` says the result may miss
    strings). Preconditions: an ε-free acceptor such as
    :func:`rewrite_lattice` returns. Complexity: that of determinization,
    O(V' · k · d log(k d)) for V' <= the cap output states.
    """
    if isinstance(state_multiplier, bool) or not isinstance(state_multiplier, int) \
            or state_multiplier < 0:
        raise FstArgError(f"state_multiplier must be a non-negative int, "
                          f"got {state_multiplier!r}")
    cap = 256 + state_multiplier * lattice.num_states
    if lattice.semiring.name != "tropical":
        if optimal_only:
            _check_path_semiring(lattice, "optimal rewrites")
            raise FstArgError(f"optimal rewrites need tropical weights, not "
                              f"{lattice.semiring.name}")
        # no pruned determinization outside tropical: determinize fully, with
        # the cap as a budget (an error rather than a truncated answer)
        return determinize(lattice, max_states=max(cap, lattice.num_states * 100))
    dfa = determinize(lattice, weight_threshold=0.0 if optimal_only else None,
                      state_threshold=cap)
    if dfa.num_states >= cap:
        warnings.warn(f"rewrite lattice determinization hit its cap of {cap} states; "
                      f"some rewrites may be missing: pass a higher state_multiplier",
                      RuntimeWarning, stacklevel=3)
    return dfa


def lattice_to_nshortest(lattice: Fst, nshortest: int) -> Fst:
    """The ``nshortest`` best distinct strings of the lattice, as a machine
    (tropical only). Complexity: that of
    :func:`~kleene.algorithms.shortest_path.shortest_path`."""
    _check_path_semiring(lattice, "lattice_to_nshortest")
    return shortest_path(lattice, nshortest=_check_nshortest(nshortest), unique=True)


def lattice_to_strings(lattice: Fst, *, token_type: TokenType = "byte",
                       with_weights: bool = False) -> list[Rewrite]:
    """Every path's string, in path order (see :func:`kleene.paths`), as
    ``(string, weight)`` pairs when ``with_weights``. Preconditions: an
    acyclic acceptor (a cyclic lattice has infinitely many strings:
    :class:`FstOpError`). Complexity: O(total length of the paths)."""
    try:
        found = paths(lattice, input_token_type=token_type, output_token_type=token_type)
        if with_weights:
            return [(out, weight) for _, out, weight in found]
        return [out for _, out, _ in found]
    except FstOpError as exc:
        if not lattice.has(Prop.ACYCLIC):
            raise FstOpError("the rule has infinitely many rewrites for this input "
                             "(the rewrite lattice is cyclic); use top_rewrites() "
                             "instead") from exc
        raise


def lattice_to_top_string(lattice: Fst, *, token_type: TokenType = "byte") -> str:
    """The string of one best path of the lattice (tropical only; ties broken
    by the search). Raises :class:`RewriteError` for an empty lattice.
    Complexity: that of a one-best shortest path."""
    return _top(lattice, token_type, "the lattice")[0]


def lattice_to_one_top_string(lattice: Fst, *, token_type: TokenType = "byte") -> str:
    """The one string of a lattice pruned to its optimal strings (as
    :func:`lattice_to_dfa` with ``optimal_only`` returns); raises
    :class:`RewriteError` when it holds several (a tie) or none.
    Complexity: O(length of the first two strings)."""
    found = paths(lattice, input_token_type=token_type, output_token_type=token_type,
                  max_paths=2)
    first = next(found, None)
    if first is None:
        raise RewriteError("no rewrite: the lattice is empty")
    second = next(found, None)
    if second is not None:
        raise RewriteError(f"Multiple top rewrites found: {first[1]!r} and "
                           f"{second[1]!r} (weight: {second[2]:g})")
    return first[1]


def _top(fst: Fst, token_type: TokenType, what: str) -> tuple[str, float]:
    """One best path's output string and weight."""
    _check_path_semiring(fst, "top_rewrite")
    best = shortest_path(fst)
    if best.start < 0:
        raise RewriteError(f"no rewrite for {what}")
    (_, text, weight), = paths(best, input_token_type=token_type,
                               output_token_type=token_type)
    return text, weight


# -- end-user functions -------------------------------------------------------------
def rewrites(string: FstLike, rule: FstLike, *, input_token_type: TokenType = "byte",
             output_token_type: TokenType = "byte", state_multiplier: int = 4,
             with_weights: bool = False) -> list[Rewrite]:
    """Every rewrite of ``string`` by ``rule``, once each, in label order
    (for byte and utf8 strings: Python's string order), as pynini returns
    them; with ``with_weights`` as ``(string, weight)`` pairs, the weight
    being the ⊕-sum over the rule's paths (tropical: the best one).

    Raises :class:`RewriteError` when there is no rewrite and
    :class:`FstOpError` when there are infinitely many (a rule that inserts
    under a closure). Complexity: composition, ε-removal and determinization
    of the rewrite lattice (capped as :func:`lattice_to_dfa` says), then
    O(total length) to read the strings.
    """
    found = _fast_rewrites(string, rule, input_token_type, output_token_type,
                           state_multiplier)
    if found is not None:
        return found if with_weights else [text for text, _ in found]
    lattice = rewrite_lattice(string, rule, token_type=input_token_type)
    dfa = lattice_to_dfa(lattice, False, state_multiplier=state_multiplier)
    return lattice_to_strings(dfa, token_type=output_token_type, with_weights=with_weights)


def _fast_rewrites(string, rule, input_token_type, output_token_type, state_multiplier):
    """The distinct rewrites off the fast lattice, or None (general path)."""
    if isinstance(state_multiplier, bool) or not isinstance(state_multiplier, int) \
            or state_multiplier < 0:
        return None  # lattice_to_dfa raises the error
    rule_fst = _rule_fst(rule)
    arrays = _fast_arrays(string, rule_fst, input_token_type)
    if arrays is None:
        return None
    if arrays[4].shape[0] == 0:
        raise _no_rewrite(string)
    return _fast_distinct(arrays, rule_fst, output_token_type, state_multiplier)


def top_rewrites(string: FstLike, rule: FstLike, nshortest: int, *,
                 input_token_type: TokenType = "byte",
                 output_token_type: TokenType = "byte",
                 with_weights: bool = False) -> list[Rewrite]:
    """The ``nshortest`` best distinct rewrites, best first (equal weights in
    the search's order); fewer when the rule has fewer. Tropical only.

    Raises :class:`RewriteError` when there is no rewrite. Complexity: the
    composition, then an n-best search over it (no ε-removal or
    determinization): O(n (V + E) log(n (V + E))).
    """
    nshortest = _check_nshortest(nshortest)
    rule_fst = _rule_fst(rule)
    _check_path_semiring(rule_fst, "top_rewrites")
    arrays = _fast_arrays(string, rule_fst, input_token_type)
    if arrays is None:
        lattice = _composed(string, rule_fst, input_token_type)
    else:
        if arrays[4].shape[0] == 0:
            raise _no_rewrite(string)
        found = _fast_distinct(arrays, rule_fst, output_token_type, 1 << 30,
                               allow_dfa=False)
        if found is not None:
            ranked = sorted(found, key=lambda p: p[1])[:nshortest]  # stable
            return ranked if with_weights else [out for out, _ in ranked]
        lattice = _lattice_fst(arrays, rule_fst)
    best = shortest_path(lattice, nshortest=nshortest, unique=True)
    if best.start < 0:
        raise _no_rewrite(string)
    found = paths(best, input_token_type=input_token_type,
                  output_token_type=output_token_type)
    # stable sort: best first, ties in the search tree's order
    ranked = sorted(((out, weight) for _, out, weight in found), key=lambda p: p[1])
    return ranked if with_weights else [out for out, _ in ranked]


def top_rewrite(string: FstLike, rule: FstLike, *, input_token_type: TokenType = "byte",
                output_token_type: TokenType = "byte",
                with_weights: bool = False) -> Rewrite:
    """One best rewrite (which one, among equally good ones, is up to the
    search, as in pynini); ``(string, weight)`` with ``with_weights``.
    Tropical only. Raises :class:`RewriteError` when there is no rewrite.
    Complexity: the composition and a one-best search over it (no
    ε-removal), O((V + E) log(V + E)) at most.
    """
    rule_fst = _rule_fst(rule)
    _check_path_semiring(rule_fst, "top_rewrite")
    arrays = _fast_arrays(string, rule_fst, input_token_type)
    if arrays is not None:
        indptr, label, nextstate, weight, final = arrays
        if final.shape[0]:
            labels, best = _apply.best_path(indptr, label, nextstate, weight, final,
                                            rule_fst.semiring.code)
            if best != rule_fst.semiring.zero:
                text = _decode(labels, output_token_type)
                return (text, float(best)) if with_weights else text
        raise _no_rewrite(string)
    lattice = _composed(string, rule_fst, input_token_type)
    best = shortest_path(lattice)
    if best.start < 0:
        raise _no_rewrite(string)
    text = _string(best, token_type=output_token_type)
    if not with_weights:
        return text
    (_, _, weight), = paths(best, input_token_type=input_token_type,
                            output_token_type=output_token_type)
    return text, weight


def one_top_rewrite(string: FstLike, rule: FstLike, *,
                    input_token_type: TokenType = "byte",
                    output_token_type: TokenType = "byte", state_multiplier: int = 4,
                    with_weights: bool = False) -> Rewrite:
    """The best rewrite, raising :class:`RewriteError` when several rewrites
    share the best weight (or there is none). Tropical only.

    Exactly when :func:`optimal_rewrites` returns one string. Complexity: as
    :func:`optimal_rewrites`.
    """
    optimal = optimal_rewrites(string, rule, input_token_type=input_token_type,
                               output_token_type=output_token_type,
                               state_multiplier=state_multiplier, with_weights=True)
    if len(optimal) > 1:
        (first, _), (second, weight) = optimal[0], optimal[1]
        raise RewriteError(f"Multiple top rewrites found for {_describe(string)}: "
                           f"{first!r} and {second!r} (weight: {weight:g})")
    return optimal[0] if with_weights else optimal[0][0]


def optimal_rewrites(string: FstLike, rule: FstLike, *,
                     input_token_type: TokenType = "byte",
                     output_token_type: TokenType = "byte", state_multiplier: int = 4,
                     with_weights: bool = False) -> list[Rewrite]:
    """Every rewrite whose weight equals the best rewrite's, in label order
    (pynini's order). Tropical only. Raises :class:`RewriteError` when there
    is no rewrite. Complexity: the rewrite lattice, then its determinization
    pruned to the optimal paths (capped as :func:`lattice_to_dfa` says).
    """
    rule_fst = _rule_fst(rule)
    if rule_fst.semiring.code == 0:  # tropical (others raise below)
        found = _fast_rewrites(string, rule_fst, input_token_type, output_token_type,
                               state_multiplier)
        if found is not None:
            # determinize(weight_threshold=0) keeps the strings within its
            # delta of the best one
            best = min(w for _, w in found) + _OPTIMAL_DELTA
            found = [(text, w) for text, w in found if w <= best]
            return found if with_weights else [text for text, _ in found]
    lattice = rewrite_lattice(string, rule_fst, token_type=input_token_type)
    _check_path_semiring(lattice, "optimal_rewrites")
    dfa = lattice_to_dfa(lattice, True, state_multiplier=state_multiplier)
    return lattice_to_strings(dfa, token_type=output_token_type, with_weights=with_weights)


def matches(istring: FstLike, ostring: FstLike, rule: FstLike, *,
            input_token_type: TokenType = "byte",
            output_token_type: TokenType = "byte") -> bool:
    """Whether ``rule`` rewrites ``istring`` as ``ostring`` (with a weight
    other than zero).

    As in pynini, raises :class:`RewriteError` when the rule has no rewrite
    for ``istring`` at all (rather than returning False). Complexity: two
    compositions, ``(istring @ rule) @ ostring``; the rewrite lattice is never
    ε-removed.
    """
    rule_fst = _rule_fst(rule)
    arrays = _fast_arrays(istring, rule_fst, input_token_type)
    target_labels = None
    if arrays is not None:
        target_labels = _fast_labels(ostring, output_token_type, rule_fst.osymbols)
    if target_labels is not None:
        indptr, label, nextstate, weight, final = arrays
        if final.shape[0] == 0:
            raise _no_rewrite(istring)
        return bool(_apply.accepts(indptr, label, nextstate, final, target_labels,
                                   rule_fst.semiring.code))
    lattice = _composed(istring, rule_fst, input_token_type)
    target = to_fst(ostring, token_type=output_token_type, semiring=rule_fst.semiring)
    # matching on the lattice's output side is intersecting its output projection
    both = compose(lattice, target, compose_filter="sequence")
    if both.start >= 0:
        return True
    if _trimmed_is_empty(lattice):
        raise _no_rewrite(istring)
    return False


def _trimmed_is_empty(fst: Fst) -> bool:
    from ..algorithms.connect import connect
    return connect(fst).start < 0


__all__ = ["RewriteError", "rewrite_lattice", "lattice_to_dfa", "lattice_to_nshortest",
           "lattice_to_strings", "lattice_to_top_string", "lattice_to_one_top_string",
           "rewrites", "top_rewrites", "top_rewrite", "one_top_rewrite",
           "optimal_rewrites", "matches"]
