import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import Fst
from kleene.errors import FstArgError

from ..helpers import PYNINI_SEMIRINGS, fsts, require_pynini
from ..reference.structural import assert_fold_matches_pynini


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_matches_pynini(semiring, data):
    require_pynini()
    k = data.draw(st.integers(1, 3))
    machines = [data.draw(fsts(semiring, min_states=0, no_start_ok=True))
                for _ in range(k + 1)]
    assert_fold_matches_pynini("concat", machines)


def test_edge_cases_and_errors():
    empty = Fst.empty()
    single = Fst.from_arrays(1, [0], [1], [1], [0.5], [0], final=[0.25])
    assert kleene.concat(empty, single).num_states == 0   # no start: unchanged
    out = kleene.concat(single, single)
    assert out.num_states == 2 and out.final.tolist()[0] == float("inf")
    assert out.weight.tolist() == [0.5, 0.25, 0.5]
    assert kleene.concat(single).equal(single)
    with pytest.raises(FstArgError, match="share a semiring"):
        kleene.concat(single, Fst.empty("log64"))


@given(data=st.data())
def test_many_machines_match_pynini(data):
    """Many machines at once (one linear assembly, not a copy per step),
    some without a start state, number states and arcs as pynini's
    left-to-right concatenations do."""
    require_pynini()
    count = data.draw(st.integers(3, 12))
    machines = [data.draw(fsts("log64", min_states=0, max_states=4, max_arcs=6,
                               no_start_ok=True)) for _ in range(count)]
    if machines[0].start < 0:
        machines[0] = kleene.accep("a", semiring="log64")
    assert_fold_matches_pynini("concat", machines)
