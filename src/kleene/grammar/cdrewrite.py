"""Context-dependent rewrite rules: ``cdrewrite(tau, left, right, sigma_star)``
compiles ``φ → ψ / λ _ ρ`` (``tau`` maps φ to ψ) into a transducer that
rewrites every string of ``sigma_star``, as pynini's ``cdrewrite``.

Construction (Mohri & Sproat 1996, "An efficient compiler for weighted
rewrite rules"), for a left-to-right rule. Three marker labels above every
label of the inputs are used: ``>`` (R), ``<1`` (L1) and ``<2`` (L2).

1. ``r`` inserts ``>`` before every position where ρ starts.
2. ``f`` inserts ``<1`` or ``<2`` before every position where φ starts
   and ends just before a ``>`` (φ ignoring ``>`` inside it).
3. ``replace`` rewrites ``<1 φ >`` as ``<1 ψ`` with tau's weight (markers
   inside the match are dropped), passes ``<2`` and deletes the other ``>``.
4. ``l1`` deletes each ``<1`` and requires λ to end there; ``l2`` deletes
   each ``<2`` and requires λ not to end there (where the contexts hold,
   the rule must apply). Both use one DFA of ``Σ*·λ``.

An optional rule needs neither ``f`` nor ``l2`` (as in Mohri & Sproat and
pynini): its replacement may start a rewrite anywhere, marking it ``<1``,
and must end it at a ``>``; ``l1`` then checks λ before each ``<1``. This
skips determinizing ``Σ*·φ``, the costliest filter.

``r`` and ``f`` read the input, ``l1``/``l2`` the output of ``replace``: the
right context is checked on the input, the left one on the output of the
rewrites made so far. A right-to-left rule is the reversed left-to-right
rule of the reversed strings (contexts swapped), and a simultaneous rule
checks both contexts on the input (``l1``/``l2`` move before
``replace``; optional: ``l`` inserts the ``<1`` where λ ends). ``[BOS]``/``[EOS]`` in a context: the rule is compiled over
``Σ ∪ {[BOS], [EOS]}`` and applied to ``[BOS] w [EOS]``, whose markers are
then dropped.

The composed rule is then optimized as pynini's ``Optimize`` does
(ε-removal, determinization and minimization of the label-pair acceptor),
so left-to-right and simultaneous rules come out isomorphic to pynini's
(233 states on the 100-pair benchmark rule, not 3209). Right-to-left rules
are equivalent and at most as large (the reversals align some ε arcs
differently, and pynini's own result is sometimes not minimal). Unweighted
machines (the filters' ``Σ*·β``, the optimized tau and rule) are
determinized by a dedicated subset construction
(:mod:`kleene.kernels.cdrewrite`), and the context DFAs are cached by
content across calls (:func:`clear_cache`).

Weights: tau's weights appear on the rewrites; the filters are unweighted.
The construction is unambiguous (each rewrite of a string has one path),
so in the log semiring the weight of an output is the ⊕-sum of the
weights of the distinct ways tau rewrites the input into it.
"""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np

from ..algorithms.arcsort import arcsort
from ..algorithms.compose import compose
from ..algorithms.concat import concat
from ..algorithms.connect import connect
from ..algorithms.determinize import busiest_loop_state
from ..algorithms.minimize import minimize
from ..algorithms.optimize import arc_sum, optimize
from ..algorithms.project import project
from ..algorithms.relabel import relabel
from ..algorithms.reverse import reverse
from ..algorithms.rmepsilon import rmepsilon
from ..core.fst import Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import cdrewrite as _k
from ..semirings import get_semiring, tropical
from . import _cdrewrite_markers as mk
from .coerce import FstLike, to_fst
from .symbols import BOS, EOS

Direction = Literal["ltr", "rtl", "sim"]
Mode = Literal["obl", "opt"]

_DIRECTIONS = ("ltr", "rtl", "sim")
_MODES = ("obl", "opt")

# bound on the states of any machine cdrewrite determinizes
MAX_DFA_STATES = 1 << 22
# labels below this index the subset kernel's per-label array directly
_DENSE_LABELS = 1 << 18


def cdrewrite(tau: FstLike, left: FstLike, right: FstLike, sigma_star: FstLike, *,
              direction: Direction = "ltr", mode: Mode = "obl") -> Fst:
    """The transducer of the context-dependent rewrite rule
    ``tau / left _ right`` over ``sigma_star``.

    - ``tau``: a (possibly weighted) transducer from the strings to rewrite
      (φ, its input side; ε allowed for insertions) to their replacements;
      an acceptor rewrites strings to themselves (useful with weights).
    - ``left``, ``right``: unweighted acceptors of the contexts (``""``
      for none); ``[BOS]`` / ``[EOS]`` stand for the beginning and the end
      of the string.
    - ``sigma_star``: the unweighted acceptor of all strings, the closure
      of the alphabet; it must contain every label tau reads or writes.
    - ``direction``: ``"ltr"`` applies the rule left to right (the left
      context is matched on the rewritten output, the right one on the
      input), ``"rtl"`` right to left (the reverse), ``"sim"``
      simultaneously (both contexts on the input).
    - ``mode``: ``"obl"`` rewrites every match in context, ``"opt"`` may
      leave any of them alone.

    Strings are compiled as byte acceptors over tau's semiring (the first
    machine argument's; tropical if all are strings). Returns a transducer
    over the alphabet (markers removed), optimized as pynini's (ε-free,
    deterministic and minimal on label pairs when unweighted).

    Errors: :class:`FstArgError` for an unknown direction or mode, a
    weighted or non-acceptor ``sigma_star``, a weighted or non-acceptor
    context, machines over different semirings, or a label of tau that
    ``sigma_star`` lacks (pynini silently drops those rewrites).

    Complexity: dominated by determinizing ``Σ*·ρ``, ``Σ*·λ`` and (obligatory
    rules) ``Σ*·φ`` (exponential in the worst case, linear in the size of
    the context automata times |Σ| for the usual string and class
    contexts), by the two to four compositions of the marker transducers,
    each O(V₁V₂ + E₁E₂) in the worst case, and by the final optimization
    (exponential in the worst case, as pynini's). The unweighted subset
    constructions stop with :class:`FstOpError` beyond ``MAX_DFA_STATES``
    states.
    """
    if direction not in _DIRECTIONS:
        raise FstArgError(f"cdrewrite: direction must be one of {_DIRECTIONS}, "
                          f"got {direction!r}")
    if mode not in _MODES:
        raise FstArgError(f"cdrewrite: mode must be one of {_MODES}, got {mode!r}")
    semiring = _common_semiring(tau, left, right, sigma_star)
    tau = to_fst(tau, semiring=semiring)
    left = to_fst(left, semiring=semiring)
    right = to_fst(right, semiring=semiring)
    sigma_star = to_fst(sigma_star, semiring=semiring)
    _check_unweighted_acceptor(sigma_star, "sigma_star",
                               "pass the closure of the alphabet, e.g. "
                               "union(*symbols).closure()")
    _check_unweighted_acceptor(left, "the left context", "weights belong in tau")
    _check_unweighted_acceptor(right, "the right context", "weights belong in tau")

    sigma_star = _one_state_closure(sigma_star)
    alphabet = _labels(sigma_star)
    missing = np.setdiff1d(_labels(tau), alphabet)
    if missing.size:
        raise FstArgError(f"cdrewrite: tau uses label(s) {missing[:10].tolist()} that "
                          f"sigma_star lacks; add them to the alphabet of sigma_star")
    boundaries = bool(np.isin([BOS, EOS], np.concatenate([left.ilabel, right.ilabel])).any())
    if boundaries:
        sigma_star = mk.add_loops(sigma_star, [(BOS, BOS), (EOS, EOS)])
        alphabet = np.union1d(alphabet, [BOS, EOS])

    top = max(int(alphabet.max(initial=0)), _max_label(tau), _max_label(left),
              _max_label(right), BOS if boundaries else 0, EOS if boundaries else 0)
    markers = _Markers(begin=top + 1, keep=top + 2, end=top + 3)

    if direction == "rtl":
        # ε-free reversals: an ε:ε arc on both sides of a composition would
        # give some rewrites several paths (wrong weights in the log semiring)
        def rev(fst):
            return rmepsilon(reverse(fst))
        rev_sigma = sigma_star if _is_one_state_closure(sigma_star) else rev(sigma_star)
        rule = reverse(_compile_ltr(rev(tau), rev(right), rev(left), rev_sigma,
                                    alphabet, markers, mode))
        if boundaries:  # composed once more below; else the final optimization
            rule = rmepsilon(rule)  # removes the ε arcs of the reversal
    else:
        rule = _compile_ltr(tau, left, right, sigma_star, alphabet, markers, mode,
                            simultaneous=direction == "sim")
    if boundaries:
        rule = _with_boundaries(rule, sigma_star)
    return _optimize(rule)


# -- validation --------------------------------------------------------------------


def _common_semiring(*values):
    for value in values:
        if isinstance(value, Fst):
            return value.semiring
    return get_semiring("tropical")


def _check_unweighted_acceptor(fst: Fst, what: str, hint: str) -> None:
    if not fst.has(Prop.ACCEPTOR):
        raise FstArgError(f"cdrewrite: {what} must be an acceptor (its arcs have "
                          f"different input and output labels); project it first")
    if not fst.has(Prop.UNWEIGHTED):
        raise FstArgError(f"cdrewrite: {what} must be unweighted; {hint}")


def _is_one_state_closure(fst: Fst) -> bool:
    """One final start state whose arcs all loop (the language ``A*``)."""
    return (fst.num_states == 1 and fst.start == 0 and fst.final[0] != fst.semiring.zero
            and bool(np.all(fst.nextstate == 0)))


def _one_state_closure(sigma_star: Fst) -> Fst:
    """``sigma_star`` as one final state with a loop per label, when its
    language is plainly ``A*`` for the set ``A`` of its non-ε arc labels:
    from the start and from the end of every labelled arc (the states a
    prefix leads to), the ε-closure reaches a final state and has an arc
    for every label of ``A`` (then every string over ``A`` is read, and no
    other). The usual ``union(*symbols).closure()`` has three
    states joined by ε arcs, and every filter's ``Σ*·β`` determinization
    would otherwise carry two copies of its |A| arcs in each subset (about
    twice the work on a byte alphabet). Any other shape (multi-label
    symbols, a restricted language, more than 1024 states) is returned as
    it is. O(V·(V + E))."""
    n = sigma_star.num_states
    if sigma_star.start < 0 or n > 1024 or _is_one_state_closure(sigma_star) \
            or sigma_star.num_arcs == 0:
        return sigma_star
    ok, in_alphabet = _k.closure_alphabet(
        sigma_star.indptr, sigma_star.ilabel, sigma_star.nextstate,
        sigma_star.final != sigma_star.semiring.zero, sigma_star.start,
        int(sigma_star.ilabel.max()) + 1)
    alphabet = np.flatnonzero(in_alphabet)
    if not ok or alphabet.size == 0:
        return sigma_star
    sr = sigma_star.semiring
    k = alphabet.size
    loops = alphabet.astype(np.int32)
    return Fst(np.array([0, k], np.int64), loops, loops.copy(), np.zeros(k, np.int32),
               np.full(k, sr.one_value(), sr.dtype), np.full(1, sr.one_value(), sr.dtype),
               0, sr, sigma_star.isymbols, sigma_star.osymbols, _CLOSURE_PROPS, check=False)


def _labels(fst: Fst) -> np.ndarray:
    labels = np.union1d(fst.ilabel, fst.olabel)
    return labels[labels != 0].astype(np.int64)


def _max_label(fst: Fst) -> int:
    if fst.num_arcs == 0:
        return 0
    return int(max(fst.ilabel.max(), fst.olabel.max()))


class _Markers:
    """The three marker labels: ``<1`` (begin), ``<2`` (keep), ``>`` (end)."""

    __slots__ = ("begin", "end", "keep")

    def __init__(self, begin: int, keep: int, end: int):
        self.begin, self.keep, self.end = begin, keep, end


# -- the construction --------------------------------------------------------------


def _suffix_dfa(sigma_star: Fst, beta: Fst, *, reverse_beta: bool) -> Fst:
    """The minimal DFA of ``Σ*·β`` (or, with ``reverse_beta``, of the reversed
    language ``reverse(Σ*)·reverse(β)``, for filters that read the string
    backwards): final exactly after a prefix that ends with a string of β.

    ``Σ*`` is reversed too: when the alphabet has multi-label symbols (UTF-8
    characters as byte sequences) reading backwards meets their labels in
    reverse order, and the unreversed ``Σ*`` would reject every string
    containing one."""
    if _is_one_state_closure(sigma_star) and beta.num_arcs <= 64:
        classes = _label_classes(beta)
        if classes is not None:
            if reverse_beta:
                classes = classes[::-1]
            dfa = _matcher_dfa(sigma_star, classes)
            if dfa is not None:
                return dfa
    if reverse_beta:
        beta = reverse(beta)
        if not _is_one_state_closure(sigma_star):  # A* reversed is A*
            sigma_star = reverse(sigma_star)
    return minimize(_determinize_unweighted(rmepsilon(concat(sigma_star, beta))))


def _label_classes(beta: Fst, max_paths: int = 256) -> list[np.ndarray] | None:
    """β's language as a sequence of label classes ``C1 C2 ... Ck`` when it
    is one string (single-label classes) or a set of single labels (one
    class), read off its paths (ε arcs skipped, so unions and
    concatenations qualify in any layout). ``None`` for anything else: a
    cycle, the empty string, strings of several lengths or several longer
    strings, more than ``max_paths`` paths. O(V + E) to rule out a cycle,
    then O(paths · E)."""
    if beta.start < 0 or beta.num_arcs == 0 or not _acyclic(beta):
        return None
    zero = beta.semiring.zero
    indptr, ilabel, nextstate, final = beta.indptr, beta.ilabel, beta.nextstate, beta.final
    strings = set()
    stack = [(beta.start, ())]
    paths = steps = 0
    while stack:
        steps += 1
        if steps > max_paths * (beta.num_arcs + 1):  # many shared prefixes
            return None
        state, labels = stack.pop()
        if final[state] != zero:
            strings.add(labels)
            paths += 1
            if paths > max_paths or not labels:
                return None
        for a in range(int(indptr[state]), int(indptr[state + 1])):
            label = int(ilabel[a])
            stack.append((int(nextstate[a]), labels + (label,) if label else labels))
    if not strings:
        return None
    if all(len(w) == 1 for w in strings):
        return [np.array(sorted(w[0] for w in strings), dtype=np.int64)]
    if len(strings) == 1:
        return [np.array([label], dtype=np.int64) for label in next(iter(strings))]
    return None


def _acyclic(fst: Fst) -> bool:
    """Whether the (small) machine has no cycle: Kahn's algorithm in
    Python, O(V + E)."""
    n = fst.num_states
    src, dst = fst.arc_source.tolist(), fst.nextstate.tolist()
    indegree = [0] * n
    for d in dst:
        indegree[d] += 1
    out: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(src, dst):
        out[a].append(b)
    ready = [q for q in range(n) if indegree[q] == 0]
    done = 0
    while ready:
        q = ready.pop()
        done += 1
        for d in out[q]:
            indegree[d] -= 1
            if indegree[d] == 0:
                ready.append(d)
    return done == n


def _matcher_dfa(sigma_star: Fst, classes: list[np.ndarray]) -> Fst | None:
    """The minimal DFA of ``A*·C1...Ck`` built directly, for a one-state
    ``A*`` (``sigma_star``) and either one class (two states: after a
    label of ``C1``, or not) or single-label classes, a string ``w``
    (Knuth–Morris–Pratt's matcher: state ``q`` = the longest prefix of
    ``w`` that ends the input read; its k+1 states are pairwise
    distinguishable, so it is minimal). ``None`` when a class label is
    not in ``A`` (then ``A*`` does not loop over it and the subset
    construction must decide). O(k·|A|)."""
    alphabet = sigma_star.ilabel
    if alphabet.size == 0 or alphabet[0] == 0 or np.any(alphabet[1:] <= alphabet[:-1]):
        alphabet = np.unique(alphabet)  # (the one-state closures cdrewrite makes are sorted)
        alphabet = alphabet[alphabet != 0]
    k = len(classes)
    index = [np.searchsorted(alphabet, c) for c in classes]
    for c, i in zip(classes, index):
        if np.any(i >= alphabet.size) or np.any(alphabet[np.minimum(i, alphabet.size - 1)] != c):
            return None
    width = alphabet.size
    delta = np.zeros((k + 1, width), np.int32)
    if k == 1:
        delta[:, index[0]] = 1
    else:
        fail = 0  # the state the matcher is in after w[1:q] (the failure link of q)
        delta[0, index[0][0]] = 1
        for q in range(1, k + 1):
            delta[q] = delta[fail]
            if q < k:
                delta[q, index[q][0]] = q + 1
                fail = int(delta[fail, index[q][0]])
    sr = sigma_star.semiring
    one = sr.one_value()
    labels = np.empty((k + 1, width), np.int32)
    labels[:] = alphabet
    labels = labels.reshape(-1)
    final = np.full(k + 1, sr.zero, sr.dtype)
    final[k] = one
    return Fst(np.arange(k + 2, dtype=np.int64) * width, labels, labels.copy(),
               delta.reshape(-1), np.full(labels.shape[0], one, sr.dtype), final, 0, sr,
               sigma_star.isymbols, sigma_star.osymbols, _DFA_PROPS, check=False)


_DFA_PROPS = Props().set(Prop.ACCEPTOR | Prop.NO_EPSILONS | Prop.NO_IEPSILONS
                         | Prop.NO_OEPSILONS | Prop.ILABEL_SORTED | Prop.OLABEL_SORTED
                         | Prop.I_DETERMINISTIC | Prop.O_DETERMINISTIC | Prop.ACCESSIBLE
                         | Prop.UNWEIGHTED, True)


_CLOSURE_PROPS = _DFA_PROPS.set(Prop.COACCESSIBLE, True)


def _determinize_unweighted(fst: Fst, max_states: int = MAX_DFA_STATES) -> Fst:
    """The subset construction of the ε-free unweighted acceptor ``fst``
    (a filter's ``Σ*·β`` or a label-encoded rule), by the dedicated
    unweighted kernel. O(Σ over DFA states of their subsets' arcs)."""
    sr = fst.semiring
    if fst.start < 0:
        return fst
    labels = fst.ilabel
    dense = None
    if labels.shape[0] and int(labels.max()) >= _DENSE_LABELS:
        # large labels (generated symbols, markers above them): renumber
        dense, labels = np.unique(labels, return_inverse=True)
        labels = (labels + 1).astype(np.int32)
    num_labels = int(labels.max(initial=0)) + 1
    status, indptr, ilabel, nextstate, is_final = _k.determinize_unweighted(
        fst.indptr, labels, fst.nextstate, fst.final != sr.zero, fst.start,
        num_labels, max_states, busiest_loop_state(fst))
    if dense is not None:
        ilabel = dense[ilabel - 1].astype(np.int32)
    if status == _k.BUDGET:
        raise FstOpError(f"cdrewrite: determinizing a context filter or the rule needs "
                         f"more than {max_states} states; simplify the contexts or tau")
    one = sr.one_value()
    final = np.where(is_final, one, sr.zero).astype(sr.dtype)
    return Fst(indptr, ilabel, ilabel, nextstate, np.full(ilabel.shape[0], one, sr.dtype),
               final, 0, sr, fst.isymbols, fst.osymbols, _DFA_PROPS, check=False)


def _unweighted_idempotent(fst: Fst) -> bool:
    return fst.semiring.idempotent and fst.has(Prop.UNWEIGHTED)


def _optimize(rule: Fst) -> Fst:
    """pynini's ``Optimize`` of an unweighted tau or of the composed rule.

    Over an idempotent semiring it runs the dedicated unweighted subset
    construction on the label-encoded machine (ε-removal, labels encoded as
    pairs, determinized, minimized, decoded: what :func:`kleene.optimize`
    does, faster). A weighted rule (cyclic: its arc weights would not
    converge under determinization) has its weights encoded into the labels
    too and parallel equal arcs ⊕-merged afterwards, as
    :func:`kleene.optimize` does for it, when its ε-free final weights are
    one (tau's final weights sit on its closing arcs, but ε-removal may
    move weights onto final states). Any other machine goes through
    :func:`kleene.optimize`."""
    sr = rule.semiring
    if not sr.idempotent:
        return optimize(rule)
    original = rule
    rule = rmepsilon(rule)
    if rule.start < 0:
        return rule
    weighted = not rule.has(Prop.UNWEIGHTED)
    if weighted and not np.all(sr.is_one(rule.final[rule.final != sr.zero])):
        return optimize(original)  # ε-removal moved weights onto final states
    # labels (and weights) encoded with numpy's unique instead of an
    # EncodeMapper (the table never leaves this function)
    base = np.int64(max(_max_label(rule), 0) + 1)
    pairs = rule.ilabel.astype(np.int64) * base + rule.olabel
    if weighted:  # key: (pair, rank of the weight among the distinct weights)
        weights, rank = np.unique(rule.weight, return_inverse=True)
        pairs = pairs * weights.shape[0] + rank.reshape(-1)
    table, codes = np.unique(pairs, return_inverse=True)
    codes = (codes.reshape(-1) + 1).astype(np.int32)
    one = np.full(codes.shape[0], sr.one_value(), sr.dtype)
    encoded = Fst(rule.indptr, codes, codes, rule.nextstate, one, rule.final,
                  rule.start, sr, check=False)
    dfa = minimize(_determinize_unweighted(encoded))
    pairs = table[dfa.ilabel.astype(np.int64) - 1]
    if weighted:
        pairs, rank = np.divmod(pairs, weights.shape[0])
        weight = weights[rank]
        props = Props().set(Prop.NO_EPSILONS | Prop.ACCESSIBLE, True)
    else:
        weight = dfa.weight
        props = Props().set(Prop.UNWEIGHTED | Prop.NO_EPSILONS | Prop.ACCESSIBLE, True)
    out = Fst(dfa.indptr, (pairs // base).astype(np.int32), (pairs % base).astype(np.int32),
              dfa.nextstate, np.ascontiguousarray(weight), dfa.final, dfa.start, sr,
              rule.isymbols, rule.osymbols, props, check=False)
    return arc_sum(out) if weighted else out


def _filter(beta: Fst, sigma_star: Fst, kind: mk.MarkerType, pairs, *,
            right_to_left: bool) -> Fst:
    """A marker transducer for context β. ``right_to_left``: the filter
    reads the string backwards, so it acts at positions where β *starts*
    (it is built on the reversed language and reversed back)."""
    return _marker_filter(_context_dfa(beta, sigma_star, right_to_left=right_to_left),
                          kind, pairs, right_to_left=right_to_left,
                          semiring=beta.semiring)


def _context_dfa(beta: Fst, sigma_star: Fst, *, right_to_left: bool) -> Fst:
    """The DFA of ``Σ*·β`` (reversed β when ``right_to_left``), tropical.

    Grammars compile many rules over one ``sigma_star`` with recurring
    contexts (vowel classes, ``[BOS]``, ``[EOS]``), so the DFAs are kept in
    a small cache keyed by the *content* of the two machines (their arrays;
    machines are immutable, so a hit is always the same language).
    :func:`clear_cache` empties it."""
    key = (_digest(sigma_star), _digest(beta), right_to_left)
    dfa = _DFA_CACHE.pop(key, None)
    if dfa is None:
        # determinized in the tropical semiring: Σ*·β is ambiguous, and in the
        # log semiring its path multiplicities would become weights that never
        # converge; the filter is unweighted, so it is then moved back
        dfa = _suffix_dfa(mk.unweighted(sigma_star, tropical), mk.unweighted(beta, tropical),
                          reverse_beta=right_to_left)
    _DFA_CACHE[key] = dfa  # most recently used last
    while len(_DFA_CACHE) > _DFA_CACHE_SIZE:
        del _DFA_CACHE[next(iter(_DFA_CACHE))]
    return dfa


_DFA_CACHE: dict = {}
_DFA_CACHE_SIZE = 64


def clear_cache() -> None:
    """Forgets the context DFAs cdrewrite keeps between calls (benchmarks
    call it to time a compilation from scratch)."""
    _DFA_CACHE.clear()


def _digest(fst: Fst) -> bytes:
    """A digest of the language-defining content of an unweighted acceptor:
    its arcs (labels, destinations), which states are final, its start."""
    h = hashlib.blake2b(digest_size=16)
    for arr in (fst.indptr, fst.ilabel, fst.nextstate):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(np.ascontiguousarray(fst.final != fst.semiring.zero).tobytes())
    h.update(int(fst.start).to_bytes(8, "little", signed=True))
    return h.digest()


def _marker_filter(dfa: Fst, kind: mk.MarkerType, pairs, *, right_to_left: bool,
                   semiring, ignore=()) -> Fst:
    """The marker transducer of ``kind`` over a context DFA, with loops
    ``ignore`` on every state. Adding the loops to the DFA is the same as
    adding them to Σ* and β before determinizing (a label looping on every
    state of the NFA loops on every subset), so one DFA serves the two
    left-context filters."""
    if ignore:
        dfa = mk.add_loops(dfa, ignore)
    fst = mk.marker(dfa, kind, pairs)
    if right_to_left:
        # The reversal starts with ε arcs into every final state (all of a
        # "mark" filter's). Removing them would copy every state's arcs onto
        # the start (the 100-pair rule: ~46k arcs), which then multiplies
        # through the compositions and the final determinization (about 40%
        # of the compile time). Kept where path multiplicities cannot change
        # weights (idempotent semirings: the final optimization merges the
        # paths); removed otherwise, so that log rules keep one path per
        # rewrite.
        fst = reverse(fst) if semiring.idempotent else rmepsilon(reverse(fst))
    return fst if semiring == tropical else mk.unweighted(fst, semiring)


def _compile_ltr(tau: Fst, left: Fst, right: Fst, sigma_star: Fst, alphabet: np.ndarray,
                 m: _Markers, mode: str, *, simultaneous: bool = False) -> Fst:
    """The left-to-right (or, with ``simultaneous``, the simultaneous) rule."""
    sr = tau.semiring
    # optimized first, as pynini's MakeReplace does: the replacement then
    # walks tau's minimal machine (the 100-pair trie of the benchmark
    # shrinks from 258 to 143 states, the composed rule from 3209 to 1921)
    # (a weighted tau with the properties kleene knows, as pynini: its
    # weights are then placed as pynini places them)
    tau = _optimize(tau) if _unweighted_idempotent(tau) else optimize(tau)
    phi = mk.unweighted(project(tau, project_type="input"))  # the domain of tau
    obligatory = mode == "obl"

    # r: '>' before every start of the right context
    r = _filter(right, sigma_star, "mark", [(0, m.end)], right_to_left=True)
    left_dfa = _context_dfa(left, sigma_star, right_to_left=False)
    if not obligatory:
        # optional rules need no f filter: a rewrite may start anywhere
        # (marked '<1' by the replacement, ltr, or by l on the input, sim)
        # and must end at a '>'; l checks λ before each '<1'
        if simultaneous:
            insert = _marker_filter(left_dfa, "check", [(0, m.begin)], right_to_left=False,
                                    semiring=sr, ignore=[(m.end, m.end)])
            replace = mk.optional_replace_transducer(tau, alphabet, end=m.end,
                                                     enter=(m.begin, 0))
            stages = [r, insert, replace]
        else:
            replace = mk.optional_replace_transducer(tau, alphabet, end=m.end,
                                                     enter=(0, m.begin))
            check = _marker_filter(left_dfa, "check", [(m.begin, 0)], right_to_left=False,
                                   semiring=sr)
            stages = [r, replace, check]
        return _compose_stages(stages)

    # f: '<1' or '<2' before every φ that ends at a '>'
    sigma_end = mk.add_loops(sigma_star, [(m.end, m.end)])
    phi_end = concat(mk.add_loops(phi, [(m.end, m.end)]),
                     mk.single_arc(m.end, m.end, sr))
    f = _filter(phi_end, sigma_end, "mark", [(0, m.begin), (0, m.keep)], right_to_left=True)

    if simultaneous:
        # both contexts on the input: check '<1'/'<2' against λ before the
        # replacement, keeping the markers (the other markers are ignored)
        l1 = _marker_filter(left_dfa, "check", [(m.begin, m.begin)], right_to_left=False,
                            semiring=sr, ignore=[(m.end, m.end), (m.keep, m.keep)])
        l2 = _marker_filter(left_dfa, "check_complement", [(m.keep, m.keep)],
                            right_to_left=False, semiring=sr,
                            ignore=[(m.end, m.end), (m.begin, m.begin)])
        # the filters let one of '<1'/'<2' through at each inner position
        replace = mk.replace_transducer(tau, alphabet, begin=m.begin, keep=m.keep,
                                        end=m.end, begin_out=0, keep_out=0,
                                        absorb=[m.begin, m.keep])
        stages = [r, f, l1, l2, replace]
    else:
        # the left context on the output of the replacement
        replace = mk.replace_transducer(tau, alphabet, begin=m.begin, keep=m.keep,
                                        end=m.end, begin_out=m.begin, keep_out=m.keep,
                                        absorb=[m.begin])
        l1 = _marker_filter(left_dfa, "check", [(m.begin, 0)], right_to_left=False,
                            semiring=sr, ignore=[(m.keep, m.keep)])
        l2 = _marker_filter(left_dfa, "check_complement", [(m.keep, 0)],
                            right_to_left=False, semiring=sr)
        stages = [r, f, replace, l1, l2]
    return _compose_stages(stages)


def _compose_stages(stages) -> Fst:
    """``stages[0] ∘ stages[1] ∘ ...`` left to right. Each operand is
    arcsorted here (one permutation pass), so compose knows the sort bits
    and does not scan the machines for them."""
    rule = stages[0]
    for stage in stages[1:]:
        rule = compose(arcsort(rule, sort_type="olabel"), arcsort(stage, sort_type="ilabel"))
    return rule


def _with_boundaries(rule: Fst, sigma_star: Fst) -> Fst:
    """``rule`` applied to ``[BOS] w [EOS]`` for every w, with the
    boundary symbols dropped from the output."""
    sr = rule.semiring
    wrap = concat(mk.single_arc(0, BOS, sr), _without_boundaries(sigma_star),
                  mk.single_arc(0, EOS, sr))
    out = compose(wrap, rule)
    return connect(relabel(out, opairs=[(BOS, 0), (EOS, 0)]))


def _without_boundaries(sigma_star: Fst) -> Fst:
    keep = (sigma_star.ilabel != BOS) & (sigma_star.ilabel != EOS)
    if keep.all():
        return sigma_star
    src = sigma_star.arc_source[keep]
    return Fst.from_arrays(sigma_star.num_states, src, sigma_star.ilabel[keep],
                           sigma_star.olabel[keep], sigma_star.weight[keep],
                           sigma_star.nextstate[keep], final=sigma_star.final,
                           start=sigma_star.start, semiring=sigma_star.semiring)
