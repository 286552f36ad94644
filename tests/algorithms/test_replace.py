"""replace: arc-for-arc pynini.replace on random acyclic grammars, arc maps,
and OpenFst's refusal of cyclic dependencies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import Fst, FstArgError, FstOpError
from kleene.algorithms.replace import replace

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini

LABELINGS = ["input", "output", "both", "neither"]
NT_BASE = 100


@st.composite
def grammars(draw, semiring="tropical", cyclic=False):
    """``[(label, fst), ...]``: the root first; machine j calls only
    nonterminals of higher index (an acyclic grammar) unless ``cyclic``."""
    count = draw(st.integers(1, 4))
    labels = [1000] + [NT_BASE + j for j in range(1, count)]
    pairs = []
    for j in range(count):
        fst = draw(fsts(semiring=semiring, max_states=4, max_arcs=7, num_labels=3))
        olabel = np.array(fst.olabel)
        callees = list(range(j + 1, count)) if not cyclic else list(range(count))
        for a in range(fst.num_arcs):
            if callees and draw(st.integers(0, 2)) == 0:
                olabel[a] = labels[draw(st.sampled_from(callees))]
        fst = Fst(fst.indptr.copy(), fst.ilabel.copy(), olabel, fst.nextstate.copy(),
                  fst.weight.copy(), fst.final.copy(), fst.start, fst.semiring)
        pairs.append((labels[j], fst))
    return pairs


def pynini_replace(pairs, **options):
    pynini = require_pynini()
    return pynini.replace([(label, f.to_pynini()) for label, f in pairs], **options)


@settings(max_examples=60)
@given(grammars(), st.sampled_from(LABELINGS), st.sampled_from(LABELINGS),
       st.sampled_from([0, 9]))
def test_matches_pynini_arc_for_arc(pairs, call, ret, return_label):
    expected = pynini_replace(pairs, call_arc_labeling=call, return_arc_labeling=ret,
                              return_label=return_label)
    out = replace(pairs, call_arc_labeling=call, return_arc_labeling=ret,
                  return_label=return_label)
    assert_same_fst(out, expected)


@settings(max_examples=20)
@given(st.sampled_from(PYNINI_SEMIRINGS).flatmap(grammars))
def test_semirings_and_epsilon_on_replace(pairs):
    expected = pynini_replace(pairs, epsilon_on_replace=True, call_arc_labeling="both",
                              return_arc_labeling="both", return_label=5)
    out = replace(pairs, epsilon_on_replace=True, call_arc_labeling="both",
                  return_arc_labeling="both", return_label=5)
    assert out.semiring == pairs[0][1].semiring
    assert_same_fst(out, expected)


@settings(max_examples=30)
@given(grammars(), st.sampled_from(LABELINGS))
def test_arc_map_points_at_the_source_arc(pairs, call):
    out, arc_map = replace(pairs, call_arc_labeling=call, return_arc_map=True)
    assert arc_map.shape == (out.num_arcs,) and arc_map.dtype == np.int64
    weights = np.concatenate([f.weight for _, f in pairs])
    ilabels = np.concatenate([f.ilabel for _, f in pairs])
    olabels = np.concatenate([f.olabel for _, f in pairs])
    nonterminals = {label for label, _ in pairs}
    for a in range(out.num_arcs):
        src = arc_map[a]
        if src < 0:  # a return arc: epsilon (labeling "neither")
            assert out.ilabel[a] == 0 and out.olabel[a] == 0
            continue
        assert out.weight[a] == weights[src]
        if olabels[src] in nonterminals:  # a call arc
            assert out.ilabel[a] == (ilabels[src] if call in ("input", "both") else 0)
            assert out.olabel[a] == (olabels[src] if call in ("output", "both") else 0)
        else:
            assert (out.ilabel[a], out.olabel[a]) == (ilabels[src], olabels[src])


@settings(max_examples=20)
@given(grammars())
def test_root_option_selects_the_root(pairs):
    if len(pairs) < 2:
        return
    # the last machine calls nothing, so it is a valid root on its own terms
    label = pairs[-1][0]
    out = replace(pairs, root=label)
    reordered = [pairs[-1]] + pairs[:-1]
    assert_same_fst(out, pynini_replace(reordered))


@settings(max_examples=25)
@given(grammars(cyclic=True))
def test_cyclic_dependencies_are_refused_like_openfst(pairs):
    pynini = require_pynini()
    try:
        expected = pynini_replace(pairs)
    except pynini.FstOpError:
        with pytest.raises(FstOpError, match="cyclic dependency"):
            replace(pairs)
    else:
        assert_same_fst(replace(pairs), expected)


def test_center_recursion_is_an_error_naming_the_cycle():
    # S -> a S b | <eps>: not regular
    s = kleene.compile_text("0 1 1 1\n1 2 0 100\n2 3 2 2\n3\n0\n")
    with pytest.raises(FstOpError, match="100 -> 100"):
        replace([(100, s)])


def test_state_budget():
    # each level calls the next twice: 2**k copies of the leaf
    leaf = kleene.compile_text("0 1 1 1\n1\n")
    pairs = [(1000, kleene.compile_text("0 1 0 101\n1 2 0 101\n2\n"))]
    for level in range(101, 110):
        pairs.append((level, kleene.compile_text(f"0 1 0 {level + 1}\n1 2 0 {level + 1}\n2\n")))
    pairs.append((110, leaf))
    with pytest.raises(FstOpError, match="max_states=500"):
        replace(pairs, max_states=500)
    assert replace(pairs).num_states > 500


def test_empty_root_and_empty_callee():
    root = kleene.compile_text("0 1 1 100\n0 1 2 2\n1\n")
    out = replace([(1000, root), (100, Fst.empty())])
    assert out.num_arcs == 1 and out.ilabel[0] == 2  # the call arc is dropped
    leaf = kleene.compile_text("0 1 3 3\n1\n")
    assert replace([(1000, Fst.empty()), (100, leaf)]).num_states == 0


def test_bad_arguments():
    a = kleene.compile_text("0 1 1 1\n1\n")
    with pytest.raises(FstArgError, match="at least one"):
        replace([])
    with pytest.raises(FstArgError, match="call_arc_labeling"):
        replace([(1, a)], call_arc_labeling="left")
    with pytest.raises(FstArgError, match="root label 7"):
        replace([(1, a)], root=7)
    with pytest.raises(FstArgError, match="semiring"):
        replace([(1, a), (2, kleene.compile_text("0\n", semiring="log"))])
    with pytest.raises(FstArgError, match="pair"):
        replace([a])
