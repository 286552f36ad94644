"""cdrewrite's shortcuts for common shapes of Σ* and of the contexts, each
compared with the general construction it replaces: the one-state ``A*``
(must accept exactly the language of the given Σ*), and the directly built
context matchers (must be isomorphic to the minimized subset construction,
the unique minimal DFA)."""

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.algorithms.concat import concat
from kleene.algorithms.minimize import minimize
from kleene.algorithms.reverse import reverse
from kleene.algorithms.rmepsilon import rmepsilon
from kleene.grammar import _cdrewrite_markers as mk
from kleene.grammar.charclass import sigma_star
from kleene.grammar.ops import union
from kleene.semirings import tropical

cd = importlib.import_module("kleene.grammar.cdrewrite")


def _general_suffix_dfa(sigma, beta, reverse_beta):
    """The subset construction the shortcut replaces."""
    if reverse_beta:
        beta, sigma = reverse(beta), reverse(sigma)
    return minimize(cd._determinize_unweighted(rmepsilon(concat(sigma, beta))))


ALPHABET = "abcde"


def _sigma(alphabet=ALPHABET):
    return union(*alphabet).closure()


@pytest.mark.parametrize("alphabet", ["a", "ab", ALPHABET])
def test_closure_of_symbols_becomes_one_state(alphabet):
    sigma = _sigma(alphabet)
    one = cd._one_state_closure(sigma)
    assert one.num_states == 1 and one.num_arcs == len(alphabet)
    assert kleene.equivalent(rmepsilon(one), _determinize_min(sigma))


def _determinize_min(fst):
    return minimize(cd._determinize_unweighted(rmepsilon(fst)))


@pytest.mark.parametrize("make", [
    lambda: union("ab").closure(),                     # (ab)*: a restricted language
    lambda: concat(union("a").closure(), union("b").closure()),  # a*b*
    lambda: union("a", "b"),                           # no closure at all
    lambda: union("a", "bc").closure(),                # a multi-label symbol
])
def test_other_sigmas_are_kept(make):
    sigma = make()
    assert cd._one_state_closure(sigma) is sigma


def test_byte_sigma_is_simplified_and_equivalent():
    sigma = sigma_star("BYTE")
    one = cd._one_state_closure(sigma)
    assert one.num_states == 1
    assert kleene.equivalent(one, _determinize_min(sigma))


strings = st.text(alphabet=ALPHABET, min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(strings, st.booleans())
def test_string_matcher_is_the_minimal_dfa(text, reverse_beta):
    sigma = mk.unweighted(cd._one_state_closure(_sigma()), tropical)
    beta = mk.unweighted(union(text), tropical)
    fast = cd._suffix_dfa(sigma, beta, reverse_beta=reverse_beta)
    slow = _general_suffix_dfa(sigma, beta, reverse_beta)
    assert fast.num_states == len(text) + 1
    assert kleene.isomorphic(fast, slow)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(ALPHABET), min_size=1), st.booleans())
def test_class_matcher_is_the_minimal_dfa(labels, reverse_beta):
    sigma = mk.unweighted(cd._one_state_closure(_sigma()), tropical)
    beta = mk.unweighted(union(*sorted(labels)), tropical)
    fast = cd._suffix_dfa(sigma, beta, reverse_beta=reverse_beta)
    slow = _general_suffix_dfa(sigma, beta, reverse_beta)
    assert fast.num_states == 2
    assert kleene.isomorphic(fast, slow)


def test_context_outside_the_alphabet_takes_the_general_path():
    sigma = mk.unweighted(cd._one_state_closure(_sigma("ab")), tropical)
    beta = mk.unweighted(union("az"), tropical)  # z is not in A
    assert cd._matcher_dfa(sigma, cd._label_classes(beta)) is None
    fast = cd._suffix_dfa(sigma, beta, reverse_beta=False)
    assert kleene.isomorphic(fast, _general_suffix_dfa(sigma, beta, False))


@pytest.mark.parametrize("make", [
    lambda: union("ab", "c"),           # strings of different lengths
    lambda: union("ab", "cd"),          # two longer strings
    lambda: union("a").closure(),       # a cycle
    lambda: union("a", ""),             # the empty string
])
@pytest.mark.parametrize("remove_epsilons", [False, True])
def test_other_contexts_are_not_classes(make, remove_epsilons):
    beta = rmepsilon(make()) if remove_epsilons else make()
    assert cd._label_classes(beta) is None


def test_epsilon_cycles_end_the_search():
    loop = kleene.Fst.from_arrays(2, [0, 1, 0], [0, 0, 97], [0, 0, 97], [0.0] * 3,
                                  [1, 0, 1], final=[np.inf, 0.0], start=0)
    assert cd._label_classes(loop) is None  # "a" after any number of ε rounds: cyclic


def _chain(*classes):
    """The acceptor s0 -C1-> s1 -C2-> ... (classes of characters)."""
    src = [i for i, c in enumerate(classes) for _ in c]
    labels = [ord(x) for c in classes for x in c]
    final = [np.inf] * len(classes) + [0.0]
    return kleene.Fst.from_arrays(len(classes) + 1, src, labels, labels, [0.0] * len(src),
                                  [i + 1 for i in src], final=final, start=0)


def test_a_chain_of_classes_is_not_a_matcher():
    beta = _chain("ba", "c")  # (a|b) c: two strings of length 2
    assert cd._label_classes(beta) is None
    # the general construction serves it
    sigma = mk.unweighted(cd._one_state_closure(_sigma()), tropical)
    fast = cd._suffix_dfa(sigma, mk.unweighted(beta, tropical), reverse_beta=False)
    slow = _general_suffix_dfa(sigma, mk.unweighted(beta, tropical), False)
    assert kleene.isomorphic(fast, slow)
    assert np.array_equal(np.sort(fast.ilabel), np.sort(slow.ilabel))


def test_a_union_of_labels_is_one_class():
    for beta in (union("e", "a", "i"), rmepsilon(union("e", "a", "i"))):
        classes = cd._label_classes(beta)
        assert [c.tolist() for c in classes] == [[ord("a"), ord("e"), ord("i")]]
    assert [c.tolist() for c in cd._label_classes(union("ab"))] == [[ord("a")], [ord("b")]]


@pytest.mark.parametrize("make", [
    lambda: union("a", "ab"),           # a sink with an arc of its own
    lambda: union("a", "a"),            # a repeated label
])
def test_unions_that_are_not_one_class(make):
    beta = rmepsilon(make())
    classes = cd._label_classes(beta)
    if classes is not None:  # only a faithful reading may come back
        sigma = mk.unweighted(cd._one_state_closure(_sigma()), tropical)
        fast = cd._suffix_dfa(sigma, mk.unweighted(beta, tropical), reverse_beta=False)
        slow = _general_suffix_dfa(sigma, mk.unweighted(beta, tropical), False)
        assert kleene.isomorphic(fast, slow)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=4),
       st.lists(st.text(alphabet="abcd", min_size=0, max_size=2), min_size=1, max_size=3))
def test_one_state_closure_keeps_the_language(symbols, extra):
    """Random closures of symbol sets, also with extra strings unioned in
    (multi-label members keep the original machine)."""
    sigma = union(*symbols, *extra).closure()
    one = cd._one_state_closure(sigma)
    assert kleene.equivalent(_determinize_min(one), _determinize_min(sigma))
