"""cdrewrite against pynini.cdrewrite: the same rule built in both libraries
rewrites random strings into the same outputs with the same weights
(tropical), for every direction and mode, weighted and unweighted tau,
insertions and deletions, contexts with [BOS]/[EOS] and empty contexts.

pynini is not an oracle in the log semiring: its log-semiring rules carry
weights of duplicated paths (e.g. -26.9 on identity arcs), so log rules are
checked against the tropical rule of the same tau instead (same outputs, and
with single-symbol substitutions one path per output).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import FstArgError
from kleene.grammar.builders import accep, cross
from kleene.grammar.cdrewrite import cdrewrite
from kleene.grammar.ops import closure, concat, union

from ..helpers import require_pynini

ALPHABET = "abc"
DIRECTIONS = ("ltr", "rtl", "sim")
MODES = ("obl", "opt")
WEIGHTS = (None, 0.0, 0.5, 1.0, 2.5)


# -- building the same rule in both libraries ---------------------------------------

def _kleene_sigma(semiring="tropical"):
    return closure(union(*(accep(c, semiring=semiring) for c in ALPHABET)))


def _pynini_sigma():
    import pynini
    return pynini.union(*ALPHABET).closure()


def _kleene_tau(pairs, semiring="tropical"):
    return union(*(cross(accep(i, semiring=semiring), accep(o, semiring=semiring),
                         weight=w) for i, o, w in pairs))


def _pynini_tau(pairs):
    import pynini
    return pynini.union(*(pynini.cross(i, o) if w is None
                          else pynini.cross(i, pynini.accep(o, weight=w))
                          for i, o, w in pairs))


def _kleene_context(spec, semiring="tropical"):
    """``spec``: a list of strings (their union), or ("star", s, t) for s* t."""
    if isinstance(spec, tuple):
        _, s, t = spec
        return concat(closure(accep(s, semiring=semiring)), accep(t, semiring=semiring))
    return union(*(accep(s, semiring=semiring) for s in spec))


def _pynini_context(spec):
    import pynini
    if isinstance(spec, tuple):
        _, s, t = spec
        return pynini.accep(s).closure() + pynini.accep(t)
    return pynini.union(*spec)


# -- applying a rule ------------------------------------------------------------------

def kleene_outputs(rule, text: str) -> dict[str, float]:
    """{output: weight} of every rewrite of ``text`` (outputs ⊕-summed)."""
    lattice = kleene.compose(accep(text, semiring=rule.semiring), rule)
    lattice = kleene.rmepsilon(kleene.project(lattice, project_type="output"))
    if lattice.start < 0:
        return {}
    return {o: float(w) for _, o, w in kleene.paths(kleene.determinize(lattice))}


def pynini_outputs(rule, text: str) -> dict[str, float]:
    import pynini
    lattice = pynini.project(pynini.accep(text) @ rule, "output").rmepsilon()
    if lattice.start() == -1:
        return {}
    return {o: float(w) for _, o, w in pynini.determinize(lattice).paths().items()}


def assert_same_outputs(got: dict, want: dict, context: str) -> None:
    assert set(got) == set(want), f"{context}: kleene {sorted(got)} != pynini {sorted(want)}"
    for out, w in want.items():
        assert math.isclose(got[out], w, abs_tol=1e-4), \
            f"{context}: weight of {out!r}: kleene {got[out]} != pynini {w}"


# -- strategies -----------------------------------------------------------------------

short = st.text(alphabet=ALPHABET, min_size=0, max_size=2)
pairs = st.lists(st.tuples(short, short, st.sampled_from(WEIGHTS)), min_size=1,
                 max_size=3).filter(lambda ps: all(i or o for i, o, _ in ps))


@st.composite
def contexts(draw, boundary: str):
    kind = draw(st.sampled_from(["empty", "strings", "star", "boundary"]))
    if kind == "empty":
        return [""]
    if kind == "star":
        return ("star", draw(st.sampled_from(ALPHABET)), draw(short))
    strings = draw(st.lists(short, min_size=1, max_size=2))
    if kind == "boundary":
        strings = [boundary + s if boundary == "[BOS]" else s + boundary for s in strings]
    return strings


texts = st.lists(st.text(alphabet=ALPHABET, max_size=6), min_size=1, max_size=4)


def _both_rules(tau, left, right, direction, mode):
    """The same rule compiled by kleene and by pynini."""
    pynini = require_pynini()
    krule = cdrewrite(_kleene_tau(tau), _kleene_context(left), _kleene_context(right),
                      _kleene_sigma(), direction=direction, mode=mode)
    prule = pynini.cdrewrite(_pynini_tau(tau), _pynini_context(left),
                             _pynini_context(right), _pynini_sigma(),
                             direction=direction, mode=mode)
    return krule, prule


@settings(max_examples=40)
@given(pairs, contexts("[BOS]"), contexts("[EOS]"), st.sampled_from(DIRECTIONS),
       st.sampled_from(MODES), texts)
def test_random_rules_match_pynini(tau, left, right, direction, mode, strings):
    krule, prule = _both_rules(tau, left, right, direction, mode)
    for text in strings:
        assert_same_outputs(kleene_outputs(krule, text), pynini_outputs(prule, text),
                            f"{tau} / {left} _ {right} {direction} {mode} on {text!r}")


# Hand-picked rules where the directions and modes differ, each in every
# direction × mode, on strings that chain the contexts.
CASES = [
    # (tau pairs, left, right, strings)
    ([("a", "b", None)], ["a"], [""], ["aaa", "aaaa", "baab"]),            # left on output
    ([("a", "b", 1.0)], [""], ["a"], ["aaa", "caaac"]),                     # right on output (rtl)
    ([("", "c", 0.5)], ["a"], ["b"], ["ab", "abab", "aabb"]),               # insertion
    ([("a", "", None)], ["a"], [""], ["aaab", "abaa"]),                     # deletion
    ([("ab", "c", 2.0), ("a", "b", 1.0)], [""], ["b"], ["abbabb", "aab"]),  # overlapping matches
    ([("a", "c", None)], ["[BOS]"], [""], ["aab", "ba", ""]),              # beginning of string
    ([("a", "c", None)], [""], ["[EOS]"], ["aaba", "a", ""]),              # end of string
    ([("a", "c", None)], ["[BOS]b"], ["[EOS]"], ["ba", "bba", "a"]),        # both boundaries
    ([("b", "a", None), ("b", "c", 1.5)], ["a"], ["a"], ["abababa", "abba"]),  # weighted, ambiguous
]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_hand_picked_rules_match_pynini(case, direction, mode):
    pynini = require_pynini()
    tau, left, right, strings = CASES[case]
    krule, prule = _both_rules(tau, left, right, direction, mode)
    for text in strings:
        assert_same_outputs(kleene_outputs(krule, text), pynini_outputs(prule, text),
                            f"case {case} {direction} {mode} on {text!r}")
    # the whole relations agree too (random paths of each accepted by the other)
    assert pynini.randequivalent(krule.to_pynini(), prule, npath=20, seed=1)


def test_string_arguments_are_byte_acceptors():
    require_pynini()
    import pynini
    krule = cdrewrite(cross("a", "b"), "c", "", _kleene_sigma())
    prule = pynini.cdrewrite(pynini.cross("a", "b"), "c", "", _pynini_sigma())
    for text in ["ca", "caa", "aca"]:
        assert_same_outputs(kleene_outputs(krule, text), pynini_outputs(prule, text), text)


# -- log semiring: no pynini oracle, checked against the tropical rule ---------------

substitutions = st.lists(st.tuples(st.sampled_from(ALPHABET), st.sampled_from(ALPHABET),
                                   st.sampled_from([0.0, 0.5, 1.25])),
                         min_size=1, max_size=2, unique_by=lambda p: p[0]
                         ).filter(lambda ps: all(i != o for i, o, _ in ps))


@settings(max_examples=15)
@given(substitutions, st.sampled_from(["", "a", "b"]), st.sampled_from(["", "c"]),
       st.sampled_from(DIRECTIONS), st.sampled_from(MODES), texts)
def test_log_rules_have_one_path_per_rewrite(tau, left, right, direction, mode, strings):
    """A substitution tau (one output per input symbol, never the identity)
    rewrites a string into distinct outputs for distinct sets of rewritten
    positions, so each output has exactly one derivation: the log rule must
    give it the same weight as the tropical rule, and the lattice must have
    one path per output (the construction is unambiguous)."""
    log_rule = cdrewrite(_kleene_tau(tau, "log"), accep(left, semiring="log"),
                         accep(right, semiring="log"), _kleene_sigma("log"),
                         direction=direction, mode=mode)
    trop_rule = cdrewrite(_kleene_tau(tau), left, right, _kleene_sigma(),
                          direction=direction, mode=mode)
    for text in strings:
        lattice = kleene.compose(accep(text, semiring="log"), log_rule)
        raw = list(kleene.paths(lattice, max_paths=10_000))
        outputs = kleene_outputs(log_rule, text)
        assert len(raw) == len(outputs), f"{text!r}: {len(raw)} paths for {len(outputs)} outputs"
        want = kleene_outputs(trop_rule, text)
        assert set(outputs) == set(want)
        for out, w in want.items():
            assert math.isclose(outputs[out], w, abs_tol=1e-4)


# -- errors ---------------------------------------------------------------------------

def test_weighted_sigma_is_rejected():
    weighted = closure(union(accep("a", weight=1.0), "b"))
    with pytest.raises(FstArgError, match="sigma_star must be unweighted"):
        cdrewrite(cross("a", "b"), "", "", weighted)


def test_transducer_sigma_is_rejected():
    with pytest.raises(FstArgError, match="sigma_star must be an acceptor"):
        cdrewrite(cross("a", "b"), "", "", closure(union(cross("a", "b"), "c")))


@pytest.mark.parametrize("side", ["left", "right"])
def test_context_must_be_an_unweighted_acceptor(side):
    sigma = _kleene_sigma()
    for bad, message in ((cross("a", "b"), "must be an acceptor"),
                         (accep("a", weight=2.0), "must be unweighted")):
        args = {"left": "", "right": ""}
        args[side] = bad
        with pytest.raises(FstArgError, match=f"{side} context {message}"):
            cdrewrite(cross("a", "b"), args["left"], args["right"], sigma)


def test_pynini_rejects_the_same_inputs():
    """The cases above are errors in pynini too (FstOpError there)."""
    require_pynini()
    import pynini
    sigma = _pynini_sigma()
    with pytest.raises(pynini.FstOpError):
        pynini.cdrewrite(pynini.cross("a", "b"), "", "",
                         pynini.union(pynini.accep("a", weight=1.0), "b").closure())
    with pytest.raises(pynini.FstOpError):
        pynini.cdrewrite(pynini.cross("a", "b"), pynini.cross("a", "b"), "", sigma)


def test_tau_outside_sigma_is_rejected():
    """pynini silently drops rewrites whose labels sigma_star lacks; kleene
    says which labels are missing."""
    with pytest.raises(FstArgError, match=r"label\(s\) \[120\]"):
        cdrewrite(cross("a", "x"), "", "", _kleene_sigma())


@pytest.mark.parametrize("option", [{"direction": "up"}, {"mode": "maybe"}])
def test_unknown_options_are_rejected(option):
    with pytest.raises(FstArgError, match="must be one of"):
        cdrewrite(cross("a", "b"), "", "", _kleene_sigma(), **option)


def test_mixed_semirings_are_rejected():
    with pytest.raises(FstArgError, match="semiring|over"):
        cdrewrite(_kleene_tau([("a", "b", None)], "log"), "", "", _kleene_sigma())


def test_markers_do_not_leak():
    """Only labels of the alphabet appear on the result's arcs."""
    rule = cdrewrite(cross("a", "b"), "[BOS]", "c", _kleene_sigma(), direction="sim")
    labels = set(rule.ilabel.tolist()) | set(rule.olabel.tolist())
    assert labels <= {0} | {ord(c) for c in ALPHABET}


# -- result size: optimized as pynini's ---------------------------------------------

@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_result_is_optimized_like_pynini(case, direction, mode):
    """pynini optimizes the composed rule; kleene's ltr and sim rules are
    isomorphic to pynini's, rtl ones equivalent and never larger (kleene
    builds them by reversal, which aligns some ε arcs differently)."""
    require_pynini()
    import pynini
    tau, left, right, _ = CASES[case]
    krule = cdrewrite(_kleene_tau(tau), _kleene_context(left), _kleene_context(right),
                      _kleene_sigma(), direction=direction, mode=mode)
    prule = pynini.cdrewrite(_pynini_tau(tau), _pynini_context(left),
                             _pynini_context(right), _pynini_sigma(),
                             direction=direction, mode=mode)
    if direction == "rtl":
        assert krule.num_states <= prule.num_states()
    else:
        assert pynini.isomorphic(krule.to_pynini(), prule, delta=1e-4), \
            f"{krule.num_states} states vs pynini's {prule.num_states()}"


def test_context_cache_gives_the_same_rule():
    """Context DFAs are cached by content between calls: a rule compiled
    with a warm cache equals the one compiled from scratch, and rules with
    other contexts over the same alphabet are not confused with it."""
    import importlib
    cdrewrite_module = importlib.import_module("kleene.grammar.cdrewrite")
    cdrewrite_module.clear_cache()
    sigma = _kleene_sigma()
    cold = cdrewrite(cross("a", "b"), "c", "a", sigma)
    warm = cdrewrite(cross("a", "b"), "c", "a", sigma)
    other = cdrewrite(cross("a", "b"), "b", "a", sigma)
    assert kleene.isomorphic(cold, warm)
    assert kleene_outputs(warm, "caa") == {"cba": 0.0}
    assert kleene_outputs(other, "caa") == {"caa": 0.0}
    assert kleene_outputs(other, "bab") == {"bab": 0.0}
    assert kleene_outputs(other, "baa") == {"bba": 0.0}


# -- symbols of several labels (UTF-8 characters over bytes) ----------------------------

MULTIBYTE = "aé€"  # 1, 2 and 3 bytes in UTF-8
multibyte_short = st.text(alphabet=MULTIBYTE, min_size=0, max_size=2)
multibyte_pairs = st.lists(st.tuples(multibyte_short, multibyte_short), min_size=1,
                           max_size=2).filter(lambda ps: all(i or o for i, o in ps))


@settings(max_examples=30)
@given(multibyte_pairs, st.lists(multibyte_short, min_size=1, max_size=2),
       st.lists(multibyte_short, min_size=1, max_size=2), st.sampled_from(DIRECTIONS),
       st.sampled_from(MODES), st.lists(st.text(alphabet=MULTIBYTE, max_size=5), min_size=1,
                                        max_size=3))
def test_multibyte_symbols_match_pynini(tau, left, right, direction, mode, strings):
    """Σ* over byte strings of several labels (NeMo's utf8.VALID_UTF8_CHAR
    closures): filters that read the string backwards must see each
    character's bytes reversed (a regression: they rejected every string
    holding a multi-byte character)."""
    pynini = require_pynini()
    krule = cdrewrite(union(*(cross(i, o) for i, o in tau)), union(*left), union(*right),
                      closure(union(*MULTIBYTE)), direction=direction, mode=mode)
    prule = pynini.cdrewrite(pynini.union(*(pynini.cross(i, o) for i, o in tau)),
                             pynini.union(*left), pynini.union(*right),
                             pynini.union(*MULTIBYTE).closure(), direction=direction,
                             mode=mode)
    for text in strings:
        assert_same_outputs(kleene_outputs(krule, text), pynini_outputs(prule, text),
                            f"{tau} / {left} _ {right} ({direction}, {mode}) on {text!r}")
