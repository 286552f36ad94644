import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Prop
from kleene.errors import FstArgError

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.structural import check_arc_map


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("sort_type", ["ilabel", "olabel"])
@given(data=st.data())
def test_matches_pynini(semiring, sort_type, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_arcs=16, num_labels=2))
    out, arc_map = kleene.arcsort(fst, sort_type=sort_type, return_arc_map=True)
    assert_same_fst(out, pynini.arcsort(fst.to_pynini(), sort_type))
    check_arc_map([fst], out, arc_map)
    flag = Prop.ILABEL_SORTED if sort_type == "ilabel" else Prop.OLABEL_SORTED
    assert out.props.get(flag) is True
    assert out.properties().get(flag) is True   # recomputed from scratch


def test_ties_keep_original_order():
    # same (ilabel, olabel): weights and destinations must not reorder them
    fst = kleene.Fst.from_arrays(3, [0, 0, 0, 0], [1, 1, 1, 0], [2, 2, 2, 0],
                                 [2.0, 1.0, 0.5, 3.0], [2, 1, 2, 1],
                                 final=[np.inf, 0.0, 0.0])
    out, arc_map = kleene.arcsort(fst, return_arc_map=True)
    assert arc_map.tolist() == [3, 0, 1, 2]
    assert out.weight.tolist() == [3.0, 2.0, 1.0, 0.5]


def test_empty_and_bad_option():
    empty = kleene.Fst.empty()
    assert kleene.arcsort(empty).num_states == 0
    with pytest.raises(FstArgError, match="sort_type"):
        kleene.arcsort(empty, sort_type="weight")


def test_sorts_ties_on_the_secondary_label_even_when_primary_is_known_sorted():
    # olabels 0, 0, 0 are sorted, so OLABEL_SORTED holds, yet OpenFst's
    # OLabelCompare still orders the ties by ilabel
    from kleene import FstBuilder
    b = FstBuilder()
    s = b.add_state()
    b.set_start(s)
    b.set_final(s)
    for ilabel in (2, 0, 1):
        b.add_arc(s, ilabel, 0, 0.0, s)
    fst = b.freeze()
    assert fst.has(Prop.OLABEL_SORTED)
    out = kleene.arcsort(fst, sort_type="olabel")
    assert [a.ilabel for a in out.arcs(0)] == [0, 1, 2]
    pynini = require_pynini()
    assert_same_fst(out, pynini.arcsort(fst.to_pynini(), sort_type="olabel"))
