"""arcsort's kernel paths (insertion sort for short rows, merge sort for long
ones, float32 and float64 weights, the already-sorted shortcut) against a
brute-force stable sort, and against pynini on a larger machine."""

from __future__ import annotations

import numpy as np
import pytest

import kleene
from kleene import Fst, Prop

from ..helpers import assert_same_fst, require_pynini
from ..reference.structural import check_arc_map


def _machine(seed, semiring="tropical", num_states=40, max_degree=80, num_labels=3,
             big_labels=False):
    """Random machine whose out-degrees range from 0 to ``max_degree`` (so
    both sort paths run) with few labels (many ties)."""
    rng = np.random.default_rng(seed)
    degrees = rng.integers(0, max_degree + 1, num_states)
    degrees[: num_states // 2] = rng.integers(0, 6, num_states // 2)  # mostly short rows
    src = np.repeat(np.arange(num_states), degrees)
    m = src.shape[0]
    base = 2**31 - 1 - num_labels if big_labels else 0
    ilabel = base + rng.integers(0, num_labels + 1, m)
    olabel = base + rng.integers(0, num_labels + 1, m)
    weight = rng.random(m) * 4
    nextstate = rng.integers(0, num_states, m)
    final = np.where(rng.random(num_states) < 0.3, 0.5, np.inf)
    return Fst.from_arrays(num_states, src, ilabel, olabel, weight, nextstate,
                           final=final, semiring=semiring)


def _reference_order(fst, sort_type):
    """Python's stable sort of each state's arcs by the OpenFst comparator."""
    il, ol = fst.ilabel.tolist(), fst.olabel.tolist()
    key = (lambda a: (il[a], ol[a])) if sort_type == "ilabel" else (lambda a: (ol[a], il[a]))
    order = []
    for s in range(fst.num_states):
        order += sorted(range(fst.indptr[s], fst.indptr[s + 1]), key=key)
    return np.array(order, dtype=np.int64)


@pytest.mark.parametrize("semiring", ["tropical", "log64"])
@pytest.mark.parametrize("sort_type", ["ilabel", "olabel"])
@pytest.mark.parametrize("seed", range(4))
def test_matches_a_stable_sort(semiring, sort_type, seed):
    fst = _machine(seed, semiring, big_labels=seed == 3)
    assert np.diff(fst.indptr).max() > 24  # the merge-sort path runs too
    out, arc_map = kleene.arcsort(fst, sort_type=sort_type, return_arc_map=True)
    order = _reference_order(fst, sort_type)
    assert arc_map.tolist() == order.tolist()
    for name in ("ilabel", "olabel", "nextstate", "weight"):
        got, want = getattr(out, name), getattr(fst, name)[order]
        assert got.dtype == want.dtype and np.array_equal(got, want), name
    assert out.indptr is fst.indptr and out.final is fst.final
    check_arc_map([fst], out, arc_map)
    flag = Prop.ILABEL_SORTED if sort_type == "ilabel" else Prop.OLABEL_SORTED
    assert out.props.get(flag) is True and out.properties().get(flag) is True
    plain = kleene.arcsort(fst, sort_type=sort_type)
    assert plain.equal(out, delta=0.0)


@pytest.mark.parametrize("sort_type", ["ilabel", "olabel"])
def test_sorted_input_shares_its_arrays(sort_type):
    fst = kleene.arcsort(_machine(7), sort_type=sort_type)
    again, arc_map = kleene.arcsort(fst.replace(props=kleene.Props()), sort_type=sort_type,
                                    return_arc_map=True)
    assert again.ilabel is fst.ilabel and again.weight is fst.weight
    assert arc_map.tolist() == list(range(fst.num_arcs))


def test_matches_pynini_on_long_rows():
    pynini = require_pynini()
    fst = _machine(11, num_states=30, max_degree=200, num_labels=6)
    for sort_type in ("ilabel", "olabel"):
        assert_same_fst(kleene.arcsort(fst, sort_type=sort_type),
                        pynini.arcsort(fst.to_pynini(), sort_type=sort_type))
