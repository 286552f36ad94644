import numpy as np
import pytest
from hypothesis import given

import kleene
from kleene import Fst, FstArgError, FstBuilder, FstIndexError, Prop

from ..helpers import ALL_SEMIRING_NAMES, fsts, require_pynini
from ..reference.properties import reference_properties


def small():
    b = FstBuilder("tropical")
    s, t, u = b.add_states(3)
    b.set_start(s)
    b.add_arc(s, 2, 1, 0.5, t)
    b.add_arc(s, 1, 1, 1.0, u)
    b.add_arc(t, 0, 3, 0.0, u)
    b.set_final(u, 2.0)
    return b.freeze()


def test_builder_freezes_csr_in_insertion_order():
    f = small()
    assert f.num_states == 3 and f.num_arcs == 3 and f.start == 0
    assert list(f.indptr) == [0, 2, 3, 3]
    assert [a.ilabel for a in f.arcs(0)] == [2, 1]
    assert f.final_weight(2) == 2.0 and not f.is_final(0)
    assert f.ilabel.dtype == np.int32 and f.nextstate.dtype == np.int32
    assert f.weight.dtype == np.float32


def test_arrays_are_read_only():
    f = small()
    for arr in (f.indptr, f.ilabel, f.olabel, f.nextstate, f.weight, f.final):
        with pytest.raises(ValueError):
            arr[0] = arr[0]


def test_bulk_construction_matches_single_arcs():
    rng = np.random.default_rng(1)
    n, m = 50, 400
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    il, ol, w = rng.integers(0, 9, m), rng.integers(0, 9, m), rng.random(m)
    bulk = Fst.from_arrays(n, src, il, ol, w, dst, final=np.where(np.arange(n) % 7 == 0, 0.0, np.inf))
    b = FstBuilder()
    b.add_states(n)
    b.set_start(0)
    for k in range(m):
        b.add_arc(src[k], il[k], ol[k], w[k], dst[k])
    for s in range(0, n, 7):
        b.set_final(s, 0.0)
    assert bulk.equal(b.freeze())


def test_builder_errors():
    b = FstBuilder()
    s = b.add_state()
    with pytest.raises(FstIndexError):
        b.add_arc(s, 1, 1, 0.0, 5)
    with pytest.raises(FstArgError):
        b.add_arc(s, -1, 1, 0.0, s)
    with pytest.raises(FstArgError):
        b.add_arc(s, 1, 1, float("nan"), s)
    with pytest.raises(FstIndexError):
        b.set_start(3)
    with pytest.raises(IndexError):  # FstIndexError is an IndexError
        b.add_arcs([0], [1], [1], [0.0], [9])


def test_constructor_validates_arrays():
    with pytest.raises(FstIndexError):
        Fst([0, 1], [1], [1], [4], [0.0], [0.0], 0)
    with pytest.raises(FstArgError):
        Fst([0, 2], [1], [1], [0], [0.0], [0.0], 0)
    with pytest.raises(FstIndexError):
        Fst([0, 0], [], [], [], [], [0.0], 3)


def test_to_builder_roundtrip_and_edit():
    f = small()
    b = f.to_builder()
    assert b.freeze().equal(f)
    b.add_arc(2, 4, 4, 1.0, 0)
    g = b.freeze()
    assert g.num_arcs == 4 and f.num_arcs == 3


def test_empty_machine():
    e = Fst.empty()
    assert e.num_states == 0 and e.start == -1
    assert e.has(Prop.ACYCLIC) and e.has(Prop.ACCESSIBLE)


def test_pickle_is_refused():
    import pickle
    with pytest.raises(TypeError):
        pickle.dumps(small())


@pytest.mark.parametrize("semiring", ALL_SEMIRING_NAMES)
@given(data=__import__("hypothesis").strategies.data())
def test_properties_match_reference(semiring, data):
    f = data.draw(fsts(semiring=semiring, no_start_ok=True))
    expected = reference_properties(f)
    got = f.properties()
    for name, value in expected.items():
        assert got.get(Prop[name.upper()]) == value, (name, str(f))


def test_props_are_trinary_and_swap_on_inversion():
    f = small()
    assert f.props.get(Prop.ACCEPTOR) is None
    assert f.has(Prop.ACCEPTOR) is False
    assert f.props.get(Prop.ACCEPTOR) is False
    p = f.properties().swap_io()
    assert p.get(Prop.NO_IEPSILONS) == f.props.get(Prop.NO_OEPSILONS)


@given(fsts(semiring="log"))
def test_pynini_roundtrip_is_arc_for_arc(f):
    require_pynini()
    assert kleene.from_pynini(f.to_pynini()).equal(f)
