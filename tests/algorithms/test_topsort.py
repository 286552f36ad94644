import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, Prop
from kleene.errors import FstOpError

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.structural import check_arc_map, is_topologically_sorted


def _shuffled(fst, perm):
    """The same machine with state s renamed perm[s] (so acyclic machines
    from the strategy are not already sorted)."""
    src = perm[fst.arc_source]
    final = np.empty_like(fst.final)
    final[perm] = fst.final
    return Fst.from_arrays(fst.num_states, src, fst.ilabel, fst.olabel, fst.weight,
                           perm[fst.nextstate], final=final,
                           start=int(perm[fst.start]) if fst.start >= 0 else 0,
                           semiring=fst.semiring)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_acyclic_matches_pynini(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_states=8, acyclic=True))
    perm = np.asarray(data.draw(st.permutations(range(fst.num_states))), np.int64)
    fst = _shuffled(fst, perm)
    out, arc_map = kleene.topsort(fst, return_arc_map=True)
    assert_same_fst(out, pynini.topsort(fst.to_pynini()))
    check_arc_map([fst], out, arc_map)
    assert is_topologically_sorted(out)
    assert out.props.get(Prop.TOP_SORTED) and out.properties().get(Prop.TOP_SORTED)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_cyclic_raises_where_pynini_leaves_unsorted(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_states=6))
    p = pynini.topsort(fst.to_pynini())
    if p.properties(pynini.TOP_SORTED, True) == pynini.TOP_SORTED:
        assert_same_fst(kleene.topsort(fst), p)
    else:
        with pytest.raises(FstOpError, match="is cyclic; topsort needs an acyclic"):
            kleene.topsort(fst)


def test_edge_cases():
    assert kleene.topsort(Fst.empty()).num_states == 0
    single = Fst.from_arrays(1, [], [], [], [], [], final=[0.0])
    assert kleene.topsort(single).equal(single)
    loop = Fst.from_arrays(1, [0], [1], [1], [0.0], [0], final=[0.0])
    with pytest.raises(FstOpError):
        kleene.topsort(loop)
    # no start state (OpenFst errors): searched from every state in id order
    nostart = Fst(np.array([0, 0, 1]), [1], [1], [0], [0.0], [0.0, np.inf], -1)
    out = kleene.topsort(nostart)
    assert out.start == -1 and is_topologically_sorted(out)
    assert out.final.tolist() == [np.inf, 0.0]
