"""shortest_distance against pynini and the float64 reference."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kleene
from kleene import FstBuilder, FstOpError, shortest_distance

from ..helpers import fsts, require_pynini
from ..reference.paths import Diverges, ref_shortest_distance, spectral_radius


def _close(ours, ref, sr_name, tol):
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape
    inf_o, inf_r = np.isinf(ours), np.isinf(ref)
    np.testing.assert_array_equal(inf_o, inf_r)
    np.testing.assert_array_equal(ours[inf_o], ref[inf_r])
    fin = ~inf_o
    if sr_name == "real":
        np.testing.assert_allclose(ours[fin], ref[fin], rtol=tol, atol=tol)
    else:
        np.testing.assert_allclose(ours[fin], ref[fin], rtol=tol, atol=tol)


def _pynini_distance(fst, reverse):
    pynini = require_pynini()
    got = pynini.shortestdistance(fst.to_pynini(), reverse=reverse)
    vals = [float("inf") if str(w) == "Infinity" else float(str(w)) for w in got]
    vals += [float("inf")] * (fst.num_states - len(vals))
    return np.array(vals)


def _tol(fst):
    """Rounding (float32) plus the convergence error of the cyclic algorithm:
    it stops when a relaxation adds less than delta = 1e-6 (relative, in the
    log semiring), leaving a geometric tail of about delta / (1 - rho)."""
    base = 2e-3 if fst.semiring.dtype == np.float32 else 1e-5
    if fst.semiring.name in ("log", "real"):
        rho = spectral_radius(fst)
        base += 20 * 1e-6 / max(1e-9, 1 - rho)
    return base


@pytest.mark.parametrize("semiring", ["tropical", "log", "log64"])
@pytest.mark.parametrize("acyclic", [True, False])
@pytest.mark.parametrize("reverse", [False, True])
@given(data=st.data())
def test_matches_pynini(semiring, acyclic, reverse, data):
    fst = data.draw(fsts(semiring, acyclic=acyclic))
    try:
        ref = ref_shortest_distance(fst, reverse=reverse)
    except Diverges:
        with pytest.raises(FstOpError, match="diverge"):
            shortest_distance(fst, reverse=reverse)
        return
    ours = shortest_distance(fst, reverse=reverse)
    assert ours.dtype == fst.semiring.dtype
    _close(ours, ref, semiring, _tol(fst))
    # pynini converges on these (the reference says the sums are finite)
    _close(ours, _pynini_distance(fst, reverse), semiring, _tol(fst))


@pytest.mark.parametrize("semiring", ["real", "real64", "boolean", "tropical64"])
@pytest.mark.parametrize("reverse", [False, True])
@given(data=st.data())
def test_matches_reference(semiring, reverse, data):
    fst = data.draw(fsts(semiring, acyclic=data.draw(st.booleans())))
    try:
        ref = ref_shortest_distance(fst, reverse=reverse)
    except Diverges:
        with pytest.raises(FstOpError, match="diverge"):
            shortest_distance(fst, reverse=reverse)
        return
    ours = shortest_distance(fst, reverse=reverse)
    assert ours.dtype == fst.semiring.dtype
    _close(ours, ref, fst.semiring.name, _tol(fst))


def _machine(semiring, arcs, finals, n=None, start=0):
    n = n if n is not None else 1 + max([max(a[0], a[4]) for a in arcs] + list(finals) + [0])
    b = FstBuilder(semiring)
    b.add_states(n)
    if n:
        b.set_start(start)
    for s, i, o, w, t in arcs:
        b.add_arc(s, i, o, w, t)
    for s, w in finals.items():
        b.set_final(s, w)
    return b.freeze()


def test_empty_machine():
    assert shortest_distance(kleene.Fst.empty()).shape == (0,)
    assert shortest_distance(kleene.Fst.empty("log"), reverse=True).shape == (0,)


def test_no_final_and_unreachable():
    fst = _machine("tropical", [(0, 1, 1, 1.0, 1), (2, 1, 1, 1.0, 1)], {}, n=3)
    fwd = shortest_distance(fst)
    assert fwd.tolist() == [0.0, 1.0, math.inf]
    assert np.all(np.isinf(shortest_distance(fst, reverse=True)))


def test_divergent_log_cycle_raises():
    fst = _machine("log", [(0, 1, 1, 0.0, 0), (0, 2, 2, 1.0, 1)], {1: 0.0})
    with pytest.raises(FstOpError, match="diverge"):
        shortest_distance(fst)
    with pytest.raises(FstOpError, match="diverge"):
        shortest_distance(fst, reverse=True)


def test_divergent_real_cycle_raises():
    fst = _machine("real", [(0, 1, 1, 2.0, 0), (0, 2, 2, 1.0, 1)], {1: 1.0})
    with pytest.raises(FstOpError, match="diverge"):
        shortest_distance(fst)


def test_negative_tropical_cycle_raises():
    fst = _machine("tropical", [(0, 1, 1, 1.0, 1), (1, 1, 1, -2.0, 0)], {1: 0.0})
    with pytest.raises(FstOpError, match="negative-weight cycle"):
        shortest_distance(fst)


def test_negative_acyclic_weights_are_fine():
    fst = _machine("tropical", [(0, 1, 1, -1.0, 1), (1, 1, 1, -2.0, 2)], {2: 0.5})
    assert shortest_distance(fst).tolist() == [0.0, -1.0, -3.0]
    assert shortest_distance(fst, reverse=True).tolist() == [-2.5, -1.5, 0.5]


def test_slow_convergence_needs_budget():
    # a self-loop of probability 0.9999 converges only after ~10^5 rounds
    w = -math.log(0.9999)
    fst = _machine("log64", [(0, 1, 1, w, 0), (0, 2, 2, 1.0, 1)], {1: 0.0})
    with pytest.raises(FstOpError, match="max_relaxations"):
        shortest_distance(fst, max_relaxations=50)
    got = shortest_distance(fst, max_relaxations=10**6, delta=1e-9)
    assert abs(got[0] - (-math.log(1 / (1 - 0.9999)))) < 1e-3


def test_records_acyclic_property():
    fst = _machine("tropical", [(0, 1, 1, 1.0, 1)], {1: 0.0})
    shortest_distance(fst)
    assert fst.props.get(kleene.Prop.ACYCLIC) is True
