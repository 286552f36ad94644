"""compose: arc-for-arc agreement with pynini.compose for every filter, the
naive reference (all semirings), composition's definition on acyclic
machines, algebraic identities, arc maps and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import Fst, FstArgError, FstOpError, Prop, SymbolTable
from kleene.algorithms.arcsort import arcsort
from kleene.algorithms.compose import compose
from kleene.algorithms.invert import invert
from kleene.algorithms.project import project

from ..helpers import (
    PYNINI_SEMIRINGS,
    assert_same_fst,
    fsts,
    require_pynini,
    weights_close,
)
from ..reference.compose import composed_path_weights, path_weights, reference_fst

FILTERS = ["auto", "sequence", "alt_sequence", "match", "null", "no_match", "trivial"]


def pair(semirings, **kwargs):
    """Two random machines in the same (drawn) semiring."""
    kwargs.setdefault("max_states", 5)
    kwargs.setdefault("max_arcs", 10)
    kwargs.setdefault("num_labels", 3)
    return st.sampled_from(semirings).flatmap(
        lambda s: st.tuples(fsts(s, **kwargs), fsts(s, **kwargs)))


def assert_same_weights(got: dict, want: dict, delta=1e-3):
    assert set(got) == set(want), (got, want)
    for key, w in want.items():
        assert weights_close(got[key], w, delta), (key, got[key], w)


def check_arc_map(a, b, out, maps):
    """Every output arc has a's input label and b's output label of its
    mapped arcs (0 where a side stayed) and weight the ⊗ of theirs."""
    map_a, map_b = maps
    sr = out.semiring
    assert map_a.dtype == np.int64 and map_b.dtype == np.int64
    assert map_a.shape == map_b.shape == (out.num_arcs,)
    for k in range(out.num_arcs):
        i, j = int(map_a[k]), int(map_b[k])
        assert i >= 0 or j >= 0, "an arc where neither side moved"
        il = int(a.ilabel[i]) if i >= 0 else 0
        ol = int(b.olabel[j]) if j >= 0 else 0
        assert (int(out.ilabel[k]), int(out.olabel[k])) == (il, ol)
        if i >= 0 and j >= 0:
            assert a.olabel[i] == b.ilabel[j]
        if i < 0:
            assert b.ilabel[j] == 0
        if j < 0:
            assert a.olabel[i] == 0
        wa = float(a.weight[i]) if i >= 0 else sr.one
        wb = float(b.weight[j]) if j >= 0 else sr.one
        assert weights_close(float(out.weight[k]), float(sr.times(wa, wb)), 1e-5)


# -- pynini differential ----------------------------------------------------

@given(pair(PYNINI_SEMIRINGS), st.sampled_from(FILTERS), st.booleans())
def test_matches_pynini_arc_for_arc(ab, compose_filter, connect):
    pynini = require_pynini()
    a, b = ab
    want = pynini.compose(a.to_pynini(), b.to_pynini(), compose_filter=compose_filter,
                          connect=connect)
    got, maps = compose(a, b, compose_filter=compose_filter, connect=connect,
                        return_arc_map=True)
    if want.start() < 0:
        assert got.num_states == 0 and got.start == -1
    else:
        assert_same_fst(got, want)
    check_arc_map(a, b, got, maps)
    # without arc maps the kernel keeps none: the machine must not change
    assert compose(a, b, compose_filter=compose_filter, connect=connect).equal(got, delta=0)


@given(pair(["tropical"], max_states=6, max_arcs=14, num_labels=4, epsilons=False))
def test_matches_pynini_without_epsilons(ab):
    pynini = require_pynini()
    a, b = ab
    want = pynini.compose(a.to_pynini(), b.to_pynini())
    got = compose(a, b)
    if want.start() < 0:
        assert got.num_states == 0
    else:
        assert_same_fst(got, want)


@given(pair(PYNINI_SEMIRINGS), st.sampled_from(["a", "b"]))
def test_sort_error_uses_the_sorted_side_like_openfst(ab, which):
    """With one input sorted and sort="error", kleene sorts nothing and
    searches the sorted side, as OpenFst's Compose does (pywrapfst.compose
    calls it without sorting)."""
    pynini = require_pynini()
    import pywrapfst
    a, b = ab
    if which == "a":
        a = arcsort(a, sort_type="olabel")
    else:
        b = arcsort(b, sort_type="ilabel")
    want = pywrapfst.compose(a.to_pynini(), b.to_pynini())
    got = compose(a, b, sort="error")
    if want.start() < 0:
        assert got.num_states == 0
    else:
        assert_same_fst(got, pynini.Fst.read_from_string(want.write_to_string()))


def test_sort_error_when_neither_side_is_sorted():
    a = Fst.from_arrays(2, [0, 0], [1, 1], [2, 1], [0, 0], [1, 1], final=[np.inf, 0])
    b = Fst.from_arrays(2, [0, 0], [2, 1], [1, 1], [0, 0], [1, 1], final=[np.inf, 0])
    assert not a.has(Prop.OLABEL_SORTED) and not b.has(Prop.ILABEL_SORTED)
    with pytest.raises(FstArgError, match="arcsort"):
        compose(a, b, sort="error")
    assert compose(a, b, sort="auto").num_states == 2


# -- naive reference (every semiring) ------------------------------------------

def sorted_like_compose(fst, sort_type):
    """``fst`` sorted on ``sort_type`` unless it already is (what compose's
    ``sort="auto"`` does), and the arc order used."""
    if fst.has(Prop.OLABEL_SORTED if sort_type == "olabel" else Prop.ILABEL_SORTED):
        return fst, np.arange(fst.num_arcs, dtype=np.int64)
    return arcsort(fst, sort_type=sort_type, return_arc_map=True)


@given(pair(["tropical64", "log", "real", "real64", "boolean"]), st.sampled_from(FILTERS))
def test_matches_reference_construction(ab, compose_filter):
    a, b = ab
    # sorted as compose sorts them: only a side that is not sorted yet (an
    # already sorted machine keeps its order among equal labels; arcsort
    # would reorder those by output label)
    sa, order_a = sorted_like_compose(a, "olabel")
    sb, order_b = sorted_like_compose(b, "ilabel")
    want, (ref_a, ref_b) = reference_fst(sa, sb, compose_filter=compose_filter)
    got, maps = compose(a, b, compose_filter=compose_filter, connect=False,
                        return_arc_map=True)
    # the reference's maps index the sorted copies: translate (-1 stays -1)
    assert (maps[0] == np.append(order_a, -1)[ref_a]).all()
    assert (maps[1] == np.append(order_b, -1)[ref_b]).all()
    assert got.semiring == a.semiring
    assert got.weight.dtype == a.semiring.dtype
    assert got.equal(want)
    check_arc_map(a, b, got, maps)


# -- the definition, and identities on acyclic machines ----------------------------

@given(pair(["tropical", "log64", "real"], acyclic=True), st.sampled_from(
    ["sequence", "alt_sequence", "match"]))
def test_path_weights_are_path_pair_sums(ab, compose_filter):
    a, b = ab
    got = path_weights(compose(a, b, compose_filter=compose_filter))
    assert_same_weights(got, composed_path_weights(a, b))


@given(st.sampled_from(["tropical", "log"]).flatmap(lambda s: st.tuples(
    *[fsts(s, max_states=4, max_arcs=7, num_labels=2, acyclic=True)] * 3)))
def test_associative(abc):
    a, b, c = abc
    left = compose(compose(a, b), c)
    right = compose(a, compose(b, c))
    assert_same_weights(path_weights(left), path_weights(right))


@given(pair(["tropical", "log"], acyclic=True))
def test_invert_reverses_the_order(ab):
    a, b = ab
    got = path_weights(invert(compose(a, b)))
    assert_same_weights(got, path_weights(compose(invert(b), invert(a))))


@given(pair(["tropical", "log"], acyclic=True))
def test_output_projection_commutes(ab):
    """project_out(A ∘ B) = project_out(project_out(A) ∘ B): both give z the
    weight ⊕_{x,y} A(x, y) ⊗ B(y, z)."""
    a, b = ab
    left = project(compose(a, b), project_type="output")
    right = project(compose(project(a, project_type="output"), b), project_type="output")
    assert_same_weights(path_weights(left), path_weights(right))


# -- options, properties, errors ------------------------------------------------------

def _chain(n, label=1, semiring="tropical"):
    """A chain of n arcs labelled label:label."""
    return Fst.from_arrays(n + 1, list(range(n)), [label] * n, [label] * n, [0.5] * n,
                           list(range(1, n + 1)), final=[np.inf] * n + [0.0],
                           semiring=semiring)


def test_state_threshold():
    a = _chain(5)
    assert compose(a, a).num_states == 6
    assert compose(a, a, state_threshold=6).num_states == 6
    with pytest.raises(FstOpError, match="state_threshold=5"):
        compose(a, a, state_threshold=5)
    with pytest.raises(FstArgError):
        compose(a, a, state_threshold=-1)


def test_state_budget_without_threshold():
    # no state_threshold: the kernel's own budget is int32's; a caller's
    # threshold above that still ends as the int32 ceiling, never overflows
    from kleene.kernels import compose as kc
    a = _chain(5)
    args = (a.indptr, a.ilabel, a.olabel, a.nextstate, a.weight, a.final, a.start)
    for limit in (-1, 2**40):
        status, indptr, *_ = kc.compose_csr(*args, *args, a.semiring.code, kc.SEQUENCE, 0,
                                            limit, False)
        assert status == kc.OK and indptr.shape[0] == 7
    status, indptr, *_ = kc.compose_csr(*args, *args, a.semiring.code, kc.SEQUENCE, 0, 3,
                                        False)
    assert status == kc.STATE_LIMIT and indptr.shape[0] == 1


def test_symbol_tables_and_semirings():
    syms = SymbolTable("x")
    for i, s in enumerate(["<eps>", "p", "q"]):
        syms.add_symbol(s, i)
    other = SymbolTable("y")
    for i, s in enumerate(["<eps>", "q", "p"]):
        other.add_symbol(s, i)
    a = _chain(2).replace(isymbols=other, osymbols=syms)
    b = _chain(2).replace(isymbols=syms, osymbols=other)
    out = compose(a, b)
    assert out.isymbols is other and out.osymbols is other
    with pytest.raises(FstArgError, match="symbols"):
        compose(b, b)
    with pytest.raises(FstArgError, match="semiring"):
        compose(_chain(2), _chain(2, semiring="log"))
    with pytest.raises(FstArgError, match="compose_filter"):
        compose(a, b, compose_filter="fancy")
    with pytest.raises(FstArgError, match="sort"):
        compose(a, b, sort="never")
    with pytest.raises(FstArgError):
        compose(a, "ab")


def test_empty_and_startless_inputs():
    a = _chain(2)
    assert compose(a, Fst.empty()).num_states == 0
    assert compose(Fst.empty(), a).start == -1
    none = Fst.from_arrays(0, [], [], [], [], [], final=[])
    assert compose(none, none).num_states == 0


def test_method_and_package_forms():
    a = _chain(3, label=2)
    assert kleene.compose(a, a).equal(compose(a, a))
    assert a.compose(a).equal(compose(a, a))


@given(pair(["tropical"], max_states=4, max_arcs=8))
def test_properties_are_honest(ab):
    a, b = ab
    a.properties()
    b.properties()
    out = compose(a, b, connect=False)
    for prop in Prop:
        known = out.props.get(prop)
        if known is not None:
            assert Fst(out.indptr.copy(), out.ilabel.copy(), out.olabel.copy(),
                       out.nextstate.copy(), out.weight.copy(), out.final.copy(),
                       out.start, out.semiring).has(prop) == known, prop


def test_acyclic_only_when_both_are():
    """b's input-ε loop makes a ∘ b cyclic although a is acyclic."""
    a = _chain(1)
    b = Fst.from_arrays(1, [0, 0], [0, 1], [2, 1], [1.0, 0.0], [0, 0], final=[0.0])
    assert a.has(Prop.ACYCLIC) and not b.has(Prop.ACYCLIC)
    out = compose(a, b)
    assert out.props.get(Prop.ACYCLIC) is None
    assert not out.has(Prop.ACYCLIC)
