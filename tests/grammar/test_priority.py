"""priority_union against the pynini expression q | ((sigma - q.project("input")) @ r)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import FstArgError
from kleene.grammar.priority import priority_union
from kleene.grammar.rewrite import RewriteError, rewrites

from ..helpers import fsts, require_pynini

ALPHABET = "\x01\x02\x03"
STRINGS = st.text(alphabet=ALPHABET, max_size=4)


def _sigma_star():
    return kleene.closure(kleene.union(*[kleene.accep(c) for c in ALPHABET]))


def _pynini_priority_union(pynini, q, r, sigma):
    domain = pynini.arcmap(q.copy().project("input"), map_type="rmweight")
    return q | ((sigma - domain.rmepsilon()) @ r)


def _pynini_rewrites(rw, string, rule):
    """pynini's rewrites with their weights, or None for no rewrite."""
    try:
        lattice = rw.lattice_to_dfa(rw.rewrite_lattice(string, rule), False)
    except rw.Error:
        return None
    found, it = [], lattice.paths()
    while not it.done():
        found.append((it.ostring(), float(it.weight())))
        it.next()
    return found


@settings(max_examples=20)
@given(fsts(max_states=4, max_arcs=7, num_labels=3, acyclic=True),
       fsts(max_states=4, max_arcs=7, num_labels=3, acyclic=True))
def test_priority_union_matches_pynini(q, r):
    """Same rewrites, with the same weights, for every input up to length 3."""
    pynini = require_pynini()
    import pynini.lib.rewrite as rw
    sigma = _sigma_star()
    ours = priority_union(q, r, sigma)
    theirs = _pynini_priority_union(pynini, q.to_pynini(), r.to_pynini(),
                                    sigma.to_pynini())
    inputs = ["".join(p) for n in range(4) for p in itertools.product(ALPHABET, repeat=n)]
    for string in inputs:
        expected = _pynini_rewrites(rw, string, theirs)
        if expected is None:
            with pytest.raises(RewriteError):
                rewrites(string, ours)
            continue
        got = rewrites(string, ours, with_weights=True)
        assert [s for s, _ in got] == [s for s, _ in expected], string
        assert [w for _, w in got] == pytest.approx([w for _, w in expected], abs=1e-4)


@settings(max_examples=30)
@given(fsts(max_states=4, max_arcs=7, num_labels=3, acyclic=True), STRINGS)
def test_inputs_of_q_never_use_r(q, string):
    """On q's domain the result rewrites exactly as q does; elsewhere as r."""
    require_pynini()
    r = kleene.closure(kleene.union(*[_cross(c, "\x03") for c in ALPHABET]))
    pu = priority_union(q, r, _sigma_star())
    domain = kleene.project(q, project_type="input")
    in_q = kleene.compose(kleene.accep(string), domain).start >= 0
    try:
        expected = rewrites(string, q if in_q else r, with_weights=True)
    except RewriteError:
        with pytest.raises(RewriteError):
            rewrites(string, pu)
        return
    ours = rewrites(string, pu, with_weights=True)
    assert [s for s, _ in ours] == [s for s, _ in expected]
    assert [w for _, w in ours] == pytest.approx([w for _, w in expected], abs=1e-4)


def _cross(i: str, o: str, weight: float = 0.0):
    b = kleene.FstBuilder()
    s0, s1 = b.add_states(2)
    b.set_start(s0)
    b.set_final(s1, weight)
    b.add_arc(s0, ord(i), ord(o), 0.0, s1)
    return b.freeze()


def test_irregular_plurals_take_priority():
    sigma = kleene.closure(kleene.union(*[kleene.accep(c) for c in "abcdefghijklmnopqrstuvwxyz"]))
    irregular = kleene.union(_word_pair("mouse", "mice"), _word_pair("ox", "oxen"))
    regular = kleene.concat(sigma, _word_pair("", "s"))
    plural = priority_union(irregular, regular, sigma)
    assert rewrites("mouse", plural) == ["mice"]
    assert rewrites("ox", plural) == ["oxen"]
    assert rewrites("cat", plural) == ["cats"]
    # strings work wherever machines do
    assert rewrites("dog", priority_union("dog", regular, sigma)) == ["dog"]


def _word_pair(upper: str, lower: str):
    b = kleene.FstBuilder()
    n = max(len(upper), len(lower))
    states = b.add_states(n + 1)
    b.set_start(states[0])
    b.set_final(states[-1])
    for k in range(n):
        i = ord(upper[k]) if k < len(upper) else 0
        o = ord(lower[k]) if k < len(lower) else 0
        b.add_arc(states[k], i, o, 0.0, states[k + 1])
    return b.freeze()


def test_sigma_star_must_be_an_acceptor():
    with pytest.raises(FstArgError, match="acceptor"):
        priority_union("a", "b", _word_pair("a", "b"))
