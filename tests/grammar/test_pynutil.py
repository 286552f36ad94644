"""pynutil helpers against pynini.lib.pynutil."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kleene.errors import FstArgError
from kleene.grammar.builders import accep
from kleene.grammar.pynutil import add_weight, delete, insert, join

from ..helpers import assert_isomorphic, fsts, require_pynini

weights = st.sampled_from([None, 0.5, -1.0, "2.25"])


@given(st.text(alphabet="abé", max_size=3), weights)
def test_insert_delete_match_pynini(text, weight):
    pynini = require_pynini()
    from pynini.lib import pynutil
    assert_isomorphic(insert(text, weight), pynutil.insert(text, weight))
    assert_isomorphic(delete(text, weight), pynutil.delete(text, weight))


@given(fsts(acceptor=True, max_states=3, max_arcs=4, num_labels=3))
def test_insert_delete_of_machines(fst):
    pynini = require_pynini()
    from pynini.lib import pynutil
    assert_isomorphic(insert(fst), pynutil.insert(fst.to_pynini()))
    assert_isomorphic(delete(fst), pynutil.delete(fst.to_pynini()))


@given(fsts(max_states=3, max_arcs=4, num_labels=3), st.sampled_from([0.0, 1.5, -2.0]))
def test_add_weight_matches_pynini(fst, weight):
    pynini = require_pynini()
    from pynini.lib import pynutil
    assert_isomorphic(add_weight(fst, weight), pynutil.add_weight(fst.to_pynini(), weight))


@given(st.text(alphabet="ab", min_size=1, max_size=2), st.sampled_from([" ", ",", ", "]))
def test_join_matches_pynini(text, sep):
    pynini = require_pynini()
    from pynini.lib import pynutil
    assert_isomorphic(join(text, sep), pynutil.join(text, sep))
    assert_isomorphic(join(accep(text), sep), pynutil.join(pynini.accep(text), sep))


def test_generated_symbol_insertion():
    fst = insert("[TAG]")
    assert fst.ilabel.tolist() == [0] and fst.olabel.tolist()[0] >= 0xF0000


def test_bad_weight():
    with pytest.raises(FstArgError):
        add_weight("a", "heavy")
    with pytest.raises(FstArgError):
        insert(3)
