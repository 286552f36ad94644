"""intersect: arc-for-arc agreement with pynini.intersect, the definition
on acyclic acceptors, arc maps and errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kleene import FstArgError, Prop
from kleene.algorithms.intersect import intersect

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.compose import composed_path_weights, path_weights
from .test_compose import assert_same_weights, check_arc_map


def acceptor_pair(semirings, **kwargs):
    kwargs.setdefault("max_states", 5)
    kwargs.setdefault("max_arcs", 10)
    kwargs.setdefault("num_labels", 3)
    return st.sampled_from(semirings).flatmap(lambda s: st.tuples(
        fsts(s, acceptor=True, **kwargs), fsts(s, acceptor=True, **kwargs)))


@given(acceptor_pair(PYNINI_SEMIRINGS),
       st.sampled_from(["auto", "sequence", "alt_sequence", "match", "no_match"]),
       st.booleans())
def test_matches_pynini_arc_for_arc(ab, compose_filter, connect):
    pynini = require_pynini()
    a, b = ab
    want = pynini.intersect(a.to_pynini(), b.to_pynini(), compose_filter=compose_filter,
                            connect=connect)
    got, maps = intersect(a, b, compose_filter=compose_filter, connect=connect,
                          return_arc_map=True)
    if want.start() < 0:
        assert got.num_states == 0
    else:
        assert_same_fst(got, want)
    assert got.props.get(Prop.ACCEPTOR) is True and got.has(Prop.ACCEPTOR)
    check_arc_map(a, b, got, maps)


@given(acceptor_pair(["tropical", "log", "real"], acyclic=True))
def test_weights_are_products(ab):
    a, b = ab
    assert_same_weights(path_weights(intersect(a, b)), composed_path_weights(a, b))


@given(acceptor_pair(["tropical"], acyclic=True))
def test_commutative_on_strings(ab):
    a, b = ab
    assert_same_weights(path_weights(intersect(a, b)), path_weights(intersect(b, a)))


@given(fsts("tropical", max_states=3, max_arcs=6))
def test_transducers_are_refused(fst):
    if fst.has(Prop.ACCEPTOR):
        assert intersect(fst, fst).has(Prop.ACCEPTOR)
    else:
        with pytest.raises(FstArgError, match="acceptor"):
            intersect(fst, fst)
        with pytest.raises(FstArgError, match="acceptor"):
            intersect(fst.project(), fst)  # only the second is a transducer
