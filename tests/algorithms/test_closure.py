import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import Fst, Prop
from kleene.errors import FstArgError

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini
from ..reference.structural import check_arc_map

# the last three have more copies than the pair kernels chain (_KERNEL_STEPS):
# they are assembled in one pass
BOUNDS = [(0, None), (1, None), (0, 1), (2, None), (3, None), (2, 2), (1, 1),
          (0, 3), (1, 3), (2, 4), (0, 0), (3, 0), (2, 7), (6, None), (5, 5)]


def _pynini_closure(pynini, p, lower, upper):
    return pynini.closure(p, lower, 0 if upper is None else upper)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@pytest.mark.parametrize("lower,upper", BOUNDS)
@given(data=st.data())
def test_matches_pynini(semiring, lower, upper, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, max_states=4, max_arcs=6, no_start_ok=True))
    out, arc_map = kleene.closure(fst, lower, upper, return_arc_map=True)
    check_arc_map([fst], out, arc_map, repeats=True)
    if fst.start < 0:
        # OpenFst adds arcs to state -1 here; kleene: the empty language
        # repeated is {ε} when zero repetitions are allowed, else empty
        trimmed = kleene.connect(out)
        if lower == 0:
            assert trimmed.num_states >= 1
            assert not trimmed.ilabel.any() and not trimmed.olabel.any()
        else:
            assert trimmed.num_states == 0
        return
    assert_same_fst(out, _pynini_closure(pynini, fst.to_pynini(), lower, upper))
    check_arc_map([fst], out, arc_map, repeats=True)


@pytest.mark.parametrize("closure_type,bounds", [("star", (0, None)),
                                                 ("plus", (1, None)), ("ques", (0, 1))])
def test_closure_types(closure_type, bounds):
    fst = Fst.from_arrays(2, [0, 1], [1, 2], [1, 2], [0.5, 1.0], [1, 0],
                          final=[float("inf"), 0.25])
    assert kleene.closure(fst, closure_type=closure_type).equal(
        kleene.closure(fst, *bounds))


@given(data=st.data())
def test_bounded_repetition_is_equivalent_to_concatenated_copies(data):
    pynini = require_pynini()
    fst = data.draw(fsts("tropical", max_states=3, max_arcs=4, acceptor=True,
                         epsilons=False, weighted=False))
    n = data.draw(st.integers(1, 3))
    ours = kleene.closure(fst, n, n)
    copies = kleene.concat(*([fst] * n))
    a = pynini.determinize(pynini.rmepsilon(ours.to_pynini()))
    b = pynini.determinize(pynini.rmepsilon(copies.to_pynini()))
    assert pynini.equivalent(a, b)


def test_no_start_and_errors():
    nostart = Fst.from_arrays(1, [], [], [], [], [], final=[0.0]).replace(start=-1)
    star = kleene.closure(nostart)
    assert star.start == 1 and star.final.tolist() == [0.0, 0.0] and star.num_arcs == 0
    assert kleene.connect(kleene.closure(nostart, 2, 3)).num_states == 0
    single = Fst.from_arrays(1, [], [], [], [], [], final=[0.0])
    with pytest.raises(FstArgError, match="cannot exceed"):
        kleene.closure(single, 3, 2)
    with pytest.raises(FstArgError, match="non-negative"):
        kleene.closure(single, -1)
    with pytest.raises(FstArgError, match="not both"):
        kleene.closure(single, 1, closure_type="star")
    with pytest.raises(FstArgError, match="closure_type"):
        kleene.closure(single, closure_type="many")
    acyclic = Fst.from_arrays(2, [0], [1], [1], [0.0], [1], final=[float("inf"), 0.0])
    acyclic.properties()
    assert kleene.closure(acyclic, 1, 3).props.get(Prop.ACYCLIC) is True
    assert kleene.closure(acyclic, 1, 3).properties().get(Prop.ACYCLIC) is True


@pytest.mark.parametrize("semiring", ["tropical64", "real", "real64", "boolean"])
def test_other_semirings_keep_their_dtype(semiring):
    from ..helpers import get_semiring
    sr = get_semiring(semiring)
    fst = Fst.from_arrays(2, [0, 1], [1, 2], [1, 2], [1.0, 1.0], [1, 0],
                          final=[sr.zero, sr.one], semiring=sr)
    results = [kleene.closure(fst, 1, 3), kleene.closure(fst),
               kleene.union(fst, fst), kleene.concat(fst, fst),
               kleene.reverse(fst, require_superinitial=False), kleene.connect(fst),
               kleene.arcsort(fst), kleene.invert(fst), kleene.project(fst)]
    for out in results:
        assert out.semiring == sr
        assert out.weight.dtype == sr.dtype and out.final.dtype == sr.dtype
        assert kleene.verify(out)
    assert fst.closure(1, 3).equal(results[0])          # method form
