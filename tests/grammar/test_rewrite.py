"""kleene.grammar.rewrite against pynini.lib.rewrite: the same rule (built in
pynini, or random and converted) gives the same rewrites with the same
weights, and the same errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import FstArgError, FstOpError
from kleene.core.symbols import SymbolTable
from kleene.grammar.rewrite import (RewriteError, lattice_to_dfa, lattice_to_nshortest,
                                    lattice_to_one_top_string, lattice_to_strings,
                                    lattice_to_top_string, matches, one_top_rewrite,
                                    optimal_rewrites, rewrite_lattice, rewrites,
                                    top_rewrite, top_rewrites)

from ..helpers import fsts, require_pynini, weights_close

# random rules over labels 1..3, read as the bytes \x01..\x03
INPUTS = st.text(alphabet="\x01\x02\x03", min_size=0, max_size=4)
_IDENTITY = kleene.union(*[kleene.accep(chr(label)) for label in (1, 2, 3)])


@st.composite
def _covering_rules(draw):
    """(random machine | identity on 1..3)*: accepts every input, often with
    several rewrites, ties, and ε-cycles (cyclic lattices)."""
    return kleene.closure(kleene.union(draw(fsts(max_states=4, max_arcs=8,
                                                 num_labels=3)), _IDENTITY))


RULES = st.one_of(fsts(max_states=5, max_arcs=10, num_labels=3), _covering_rules())


def _pynini_weighted(pynini, lattice):
    """(string, weight) pairs of a pynini acceptor's paths."""
    it = lattice.paths()
    out = []
    while not it.done():
        out.append((it.ostring(), float(it.weight())))
        it.next()
    return out


def _same_pairs(ours, theirs, delta=1e-4):
    assert [s for s, _ in ours] == [s for s, _ in theirs], (ours, theirs)
    for (s, a), (_, b) in zip(ours, theirs):
        assert weights_close(a, b, delta), (s, a, b)


def _pynini_lattice(pynini, rw, string, prule):
    """pynini's rewrite lattice, or None when it raises rewrite.Error."""
    try:
        return rw.rewrite_lattice(string, prule)
    except rw.Error:
        return None


# -- random rules --------------------------------------------------------------
@given(RULES, INPUTS)
def test_rewrites_match_pynini_on_random_rules(rule, string):
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    prule = rule.to_pynini()
    plat = _pynini_lattice(pynini, rw, string, prule)
    if plat is None:
        with pytest.raises(RewriteError):
            rewrites(string, rule)
        with pytest.raises(RewriteError):
            rewrite_lattice(string, rule)
        return
    ours_lattice = rewrite_lattice(string, rule)
    if not plat.properties(pynini.ACYCLIC, True):
        assert not ours_lattice.has(kleene.Prop.ACYCLIC)
        with pytest.raises(FstOpError):
            rewrites(string, rule)
        return
    theirs = _pynini_weighted(pynini, rw.lattice_to_dfa(plat, False))
    assert [s for s, _ in theirs] == rw.rewrites(string, prule)
    _same_pairs(rewrites(string, rule, with_weights=True), theirs)
    assert rewrites(string, rule) == [s for s, _ in theirs]


@given(RULES, INPUTS)
def test_optimal_and_one_top_rewrite_match_pynini(rule, string):
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    prule = rule.to_pynini()
    plat = _pynini_lattice(pynini, rw, string, prule)
    if plat is None:
        for fn in (optimal_rewrites, one_top_rewrite, top_rewrite):
            with pytest.raises(RewriteError):
                fn(string, rule)
        return
    if not rw.lattice_to_dfa(plat, True).properties(pynini.ACYCLIC, True):
        # infinitely many optimal strings: pynini fails, kleene says why
        with pytest.raises(FstOpError, match="infinitely many"):
            optimal_rewrites(string, rule)
        return
    theirs = rw.optimal_rewrites(string, prule)
    ours = optimal_rewrites(string, rule, with_weights=True)
    assert [s for s, _ in ours] == theirs
    best = float(pynini.shortestdistance(plat, reverse=True)[plat.start()])
    assert all(weights_close(w, best, 1e-4) for _, w in ours)
    if len(theirs) == 1:
        assert one_top_rewrite(string, rule) == rw.one_top_rewrite(string, prule)
    else:
        with pytest.raises(RewriteError, match="Multiple top rewrites"):
            one_top_rewrite(string, rule)
    # top_rewrite picks one of the optimal rewrites, with the best weight
    text, weight = top_rewrite(string, rule, with_weights=True)
    assert text in theirs and rw.top_rewrite(string, prule) in theirs
    assert weights_close(weight, best, 1e-4)


@given(RULES, INPUTS, st.integers(1, 4))
def test_top_rewrites_match_pynini(rule, string, n):
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    prule = rule.to_pynini()
    plat = _pynini_lattice(pynini, rw, string, prule)
    if plat is None:
        with pytest.raises(RewriteError):
            top_rewrites(string, rule, n)
        return
    if not plat.properties(pynini.ACYCLIC, True):
        # pynini's unique n-best determinizes, which may not terminate here;
        # still, ours are distinct, best first, and start with the best weight
        ours = top_rewrites(string, rule, n, with_weights=True)
        assert len({s for s, _ in ours}) == len(ours) <= n
        assert [w for _, w in ours] == sorted(w for _, w in ours)
        best = float(pynini.shortestdistance(plat, reverse=True)[plat.start()])
        assert weights_close(ours[0][1], best, 1e-4)
        return
    all_weights = dict(_pynini_weighted(pynini, rw.lattice_to_dfa(plat, False)))
    theirs = _pynini_weighted(pynini, rw.lattice_to_nshortest(plat, n))
    ours = top_rewrites(string, rule, n, with_weights=True)
    assert len({s for s, _ in ours}) == len(ours)
    # the same weights (ties may pick different strings) ...
    assert len(ours) == len(theirs)
    for a, b in zip([w for _, w in ours], sorted(w for _, w in theirs)):
        assert weights_close(a, b, 1e-4)
    # ... and every string of ours is a rewrite with the weight we report
    for s, w in ours:
        assert s in all_weights and weights_close(w, all_weights[s], 1e-4)
    assert top_rewrites(string, rule, n) == [s for s, _ in ours]


@settings(max_examples=25)
@given(RULES, INPUTS, INPUTS)
def test_matches_agrees_with_pynini(rule, istring, ostring):
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    prule = rule.to_pynini()
    try:
        expected = rw.matches(istring, ostring, prule)
    except rw.Error:
        with pytest.raises(RewriteError):
            matches(istring, ostring, rule)
        return
    assert matches(istring, ostring, rule) == expected
    if expected is False and plat_acyclic(pynini, rw, istring, prule):
        assert ostring not in rewrites(istring, rule)


def plat_acyclic(pynini, rw, string, prule) -> bool:
    return bool(rw.rewrite_lattice(string, prule).properties(pynini.ACYCLIC, True))


@settings(max_examples=20)
@given(fsts(semiring="log", max_states=4, max_arcs=8, num_labels=3, acyclic=True),
       INPUTS)
def test_log_rewrites_sum_the_paths(rule, string):
    """pynini's rewrite helpers refuse log rules; kleene's rewrites() sums the
    paths of each string: compare with pynini's own log determinization."""
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    prule = rule.to_pynini()
    plat = _pynini_lattice(pynini, rw, string, prule)
    if plat is None:
        with pytest.raises(RewriteError):
            rewrites(string, rule)
        return
    theirs = _pynini_weighted(pynini, pynini.determinize(plat))
    _same_pairs(rewrites(string, rule, with_weights=True), sorted(theirs))
    with pytest.raises(FstArgError, match="path semiring"):
        top_rewrite(string, rule)
    with pytest.raises(FstArgError):
        optimal_rewrites(string, rule)


# -- a realistic rule ------------------------------------------------------------------
@pytest.fixture(scope="module")
def flapping():
    """Intervocalic t -> d (weight 1) or t -> ɾ (byte string "r", weight 0.5),
    optional; s -> z obligatory between vowels. Built with pynini.cdrewrite."""
    pynini = require_pynini()
    sigma = pynini.union(*"abcdefghijklmnopqrstuvwxyz ").closure().optimize()
    vowel = pynini.union(*"aeiou")
    flap = pynini.cdrewrite(pynini.cross("t", "d") + pynini.accep("", weight=1)
                            | pynini.cross("t", "r") + pynini.accep("", weight=0.5),
                            vowel, vowel, sigma, mode="opt")
    voice = pynini.cdrewrite(pynini.cross("s", "z"), vowel, vowel, sigma)
    prule = (flap @ voice).optimize()
    return prule, kleene.from_pynini(prule)


@settings(max_examples=30)
@given(st.text(alphabet="aeiostr ", max_size=12))
def test_cdrewrite_rule_matches_pynini(flapping, string):
    import pynini.lib.rewrite as rw
    prule, rule = flapping
    assert rewrites(string, rule) == rw.rewrites(string, prule)
    assert optimal_rewrites(string, rule) == rw.optimal_rewrites(string, prule)
    assert top_rewrite(string, rule) in rw.optimal_rewrites(string, prule)
    ours = top_rewrites(string, rule, 3)
    assert set(ours) <= set(rw.rewrites(string, prule))
    assert len(ours) == len(rw.top_rewrites(string, prule, 3))
    for out in ours:
        assert matches(string, out, rule) and rw.matches(string, out, prule)


def test_flapping_example(flapping):
    _, rule = flapping
    # the flap (0.5) beats the d (1) and the unchanged t (0): no, 0 is best
    assert top_rewrite("ata", rule) == "ata"
    assert rewrites("ata", rule, with_weights=True) == [
        ("ada", 1.0), ("ara", 0.5), ("ata", 0.0)]
    # the second place is a tie between the two single flaps (pynini's own
    # order of ties follows its search tree)
    best, second = top_rewrites("atata", rule, 3, with_weights=True)[:2]
    assert best == ("atata", 0.0)
    assert second in [("arata", 0.5), ("atara", 0.5)]
    assert one_top_rewrite("asa", rule) == "aza"
    assert not matches("asa", "asa", rule)
    with pytest.raises(RewriteError, match="no rewrite for 'aXa'"):
        top_rewrite("aXa", rule)


# -- token types -------------------------------------------------------------
def test_utf8_token_type():
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    sigma = pynini.union(*[pynini.accep(c, token_type="utf8") for c in "aeéøz"]).closure()
    tau = pynini.cross(pynini.accep("é", token_type="utf8"),
                       pynini.accep("e", token_type="utf8"))
    prule = pynini.cdrewrite(tau, "", "", sigma).optimize()
    rule = kleene.from_pynini(prule)
    with pynini.default_token_type("utf8"):
        expected = rw.rewrites("aéøé", prule)
    assert rewrites("aéøé", rule, input_token_type="utf8",
                    output_token_type="utf8") == expected == ["aeøe"]
    assert top_rewrite("éa", rule, input_token_type="utf8",
                       output_token_type="utf8") == "ea"
    # byte input to a code-point rule: é is two bytes the rule does not know
    with pytest.raises(RewriteError):
        rewrites("é", rule)


def test_symbol_table_token_type():
    table = SymbolTable()
    for label, name in enumerate(["<eps>", "cat", "cats", "dog", "dogs", "PL"]):
        table.add_symbol(name, label)
    b = kleene.FstBuilder()
    s0, s1, s2 = b.add_states(3)
    b.set_start(s0)
    b.set_final(s2)
    b.add_arc(s0, 1, 1, 0.0, s1)   # cat
    b.add_arc(s0, 3, 3, 0.0, s1)   # dog
    b.add_arc(s1, 5, 0, 0.0, s2)   # PL -> eps ...
    b.add_arc(s1, 0, 0, 0.0, s2)   # or nothing
    rule = b.freeze()
    assert rewrites("cat PL", rule, input_token_type=table,
                    output_token_type=table) == ["cat"]
    assert matches("dog", "dog", rule, input_token_type=table, output_token_type=table)
    with pytest.raises(kleene.FstSymbolError):
        rewrites("cow", rule, input_token_type=table)


# -- lattice helpers and errors -----------------------------------------------
def test_lattice_helpers():
    lines = [("x", "z", 3.0), ("x", "y", 1.0), ("x", "w", 2.0), ("x", "v", 1.0)]
    rule = kleene.union(*[_cross(i, o, w) for i, o, w in lines])
    lattice = rewrite_lattice("x", rule)
    assert lattice.has(kleene.Prop.ACCEPTOR) and lattice.num_arcs == 4
    assert lattice_to_strings(lattice_to_dfa(lattice)) == ["v", "w", "y", "z"]
    optimal = lattice_to_dfa(lattice, True)
    assert lattice_to_strings(optimal, with_weights=True) == [("v", 1.0), ("y", 1.0)]
    with pytest.raises(RewriteError, match="Multiple top rewrites"):
        lattice_to_one_top_string(optimal)
    assert lattice_to_top_string(lattice) in ("v", "y")
    two = lattice_to_nshortest(lattice, 3)
    assert sorted(lattice_to_strings(two)) == ["v", "w", "y"]
    assert top_rewrites("x", rule, 10)[:2] in (["v", "y"], ["y", "v"])
    assert top_rewrites("x", rule, 10)[2:] == ["w", "z"]


def _cross(i: str, o: str, w: float):
    b = kleene.FstBuilder()
    s0, s1 = b.add_states(2)
    b.set_start(s0)
    b.set_final(s1, w)
    b.add_arc(s0, ord(i), ord(o), 0.0, s1)
    return b.freeze()


def test_errors():
    rule = _cross("a", "b", 0.0)
    with pytest.raises(RewriteError) as info:
        rewrites("c", rule)
    assert isinstance(info.value, FstOpError) and isinstance(info.value, RuntimeError)
    with pytest.raises(RewriteError):
        matches("c", "b", rule)
    assert matches("a", "b", rule) and not matches("a", "a", rule)
    with pytest.raises(FstArgError):
        top_rewrites("a", rule, 0)
    with pytest.raises(FstArgError):
        lattice_to_dfa(rewrite_lattice("a", rule), state_multiplier=-1)
    # a rule that inserts under a closure has infinitely many rewrites
    b = kleene.FstBuilder()
    s0, s1 = b.add_states(2)
    b.set_start(s0)
    b.set_final(s1)
    b.add_arc(s0, ord("a"), ord("a"), 0.0, s1)
    b.add_arc(s1, 0, ord("b"), 1.0, s1)
    inserting = b.freeze()
    with pytest.raises(FstOpError, match="infinitely many"):
        rewrites("a", inserting)
    assert top_rewrites("a", inserting, 3) == ["a", "ab", "abb"]
    assert one_top_rewrite("a", inserting) == "a"


def test_state_cap_warns_like_pynini():
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    sigma = pynini.union(*"ab").closure()
    prule = pynini.cdrewrite(pynini.cross("a", "b"), "", "", sigma, mode="opt").optimize()
    rule = kleene.from_pynini(prule)
    text = "a" * 9    # 2**9 rewrites: a DFA of 2**9 paths but only 10 states
    assert rewrites(text, rule) == rw.rewrites(text, prule)
    assert len(rewrites(text, rule)) == 512
    long_text = "ab" * 150   # 301 DFA states > the cap of 256 + 0 * 301
    with pytest.warns(RuntimeWarning, match="state_multiplier"):
        partial = rewrites(long_text, rule, state_multiplier=0)
    for out in partial[:5]:   # truncated, but what it returns is right
        assert matches(long_text, out, rule)
    assert len(rewrites("ab" * 3, rule, state_multiplier=0)) == 8


# -- the fast path (a text applied by kernels.apply_string) against the general
# composition (taken for a machine input): same answers, same errors ----------
def _outcome(fn, *args, **kwargs):
    try:
        return "ok", fn(*args, **kwargs)
    except (RewriteError, FstOpError, FstArgError) as exc:
        return "error", type(exc)


@given(RULES, INPUTS, st.text(alphabet="\x01\x02\x03", max_size=4))
def test_fast_path_agrees_with_general_composition(rule, string, ostring):
    import warnings
    machine = kleene.accep(string)  # a machine input takes the general path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the state cap warns alike
        for fn in (rewrites, optimal_rewrites):
            fast = _outcome(fn, string, rule, with_weights=True)
            general = _outcome(fn, machine, rule, with_weights=True)
            assert fast[0] == general[0], (fn.__name__, fast, general)
            if fast[0] == "ok":
                _same_pairs(fast[1], general[1])
            else:
                assert fast[1] is general[1]
    fast = _outcome(top_rewrite, string, rule, with_weights=True)
    general = _outcome(top_rewrite, machine, rule, with_weights=True)
    assert fast[0] == general[0]
    if fast[0] == "ok":
        assert weights_close(fast[1][1], general[1][1], 1e-4)
    fast = _outcome(top_rewrites, string, rule, 3, with_weights=True)
    general = _outcome(top_rewrites, machine, rule, 3, with_weights=True)
    assert fast[0] == general[0]
    if fast[0] == "ok":
        assert len(fast[1]) == len(general[1])
        for (_, a), (_, b) in zip(fast[1], general[1]):
            assert weights_close(a, b, 1e-4)
    assert _outcome(matches, string, ostring, rule) == \
        _outcome(matches, machine, ostring, rule)


def test_fast_path_caches_the_rule_preparation(flapping):
    _, rule = flapping
    rewrites("ata", rule)
    prepared = [v for k, v in rule._cache.items() if "rewrite" in k]
    assert len(prepared) == 1 and prepared[0]
    rewrites("atata", rule)
    assert [v for k, v in rule._cache.items() if "rewrite" in k] == prepared
