"""Tropical shortest distance on cyclic machines: the label-correcting search
with its Dijkstra fallback for non-negative weights
(kleene.kernels.shortest_distance.tropical_distance) and the generic FIFO
search kept for negative weights, on machines of many strongly connected
components, against an exact slow reference (Bellman-Ford sweeps), the
generic FIFO kernel and pynini."""

import numpy as np
import pytest

import kleene
from kleene import FstOpError, shortest_distance
from kleene.algorithms.shortest_distance import _reversed, distances
from kleene.kernels import shortest_distance as kernels

from ..helpers import require_pynini

INF = np.inf


def _machine(n, src, dst, w, final, semiring="tropical", start=0):
    sr = kleene.get_semiring(semiring)
    src = np.asarray(src, np.int64)
    lab = np.ones(src.shape[0], np.int64)
    return kleene.Fst.from_arrays(n, src, lab, lab, np.asarray(w, sr.dtype),
                                  np.asarray(dst, np.int64),
                                  final=np.asarray(final, sr.dtype), start=start,
                                  semiring=sr)


def _blocks(rng, n, kind, semiring="tropical"):
    """A cyclic machine of many components: blocks of 1-6 consecutive states
    with arcs inside a block (cycles), forward arcs to later states, a few
    backward arcs merging blocks, and states nothing reaches. ``kind``:
    "real" (weights in [0, 4)), "ties" (weights 0, 1 or 2: equal path sums,
    zero-weight cycles), "negative" (potential-shifted weights: negative arcs,
    every cycle weighs >= 0.05)."""
    src, dst = [], []
    lo = 0
    while lo < n:
        hi = min(n, lo + int(rng.integers(1, 7)))
        for _ in range(int(rng.integers(0, 3 * (hi - lo) + 1))):
            src.append(int(rng.integers(lo, hi)))
            dst.append(int(rng.integers(lo, hi)))
        lo = hi
    for _ in range(2 * n):
        s = int(rng.integers(0, n))
        if s < n - 1:
            src.append(s)
            dst.append(int(rng.integers(s + 1, n)))
    for _ in range(n // 10):
        src.append(int(rng.integers(1, n)))
        dst.append(int(rng.integers(0, src[-1])))
    src, dst = np.array(src), np.array(dst)
    keep = (dst < n - 3) | (dst == src)     # the last states: no arcs in (but self-loops)
    src, dst = src[keep], dst[keep]
    m = src.shape[0]
    if kind == "real":
        w = rng.random(m) * 4.0
    elif kind == "ties":
        w = rng.integers(0, 3, m).astype(np.float64)
    else:
        pot = rng.random(n) * 3.0
        w = 0.05 + rng.random(m) * 2.0 + pot[src] - pot[dst]
    final = np.full(n, INF)
    is_final = rng.random(n) < 0.2
    final[is_final] = rng.random(int(is_final.sum())) * 4.0
    return _machine(n, src, dst, w, final, semiring)


def _reference(fst, reverse):
    """Bellman-Ford sweeps in float64 with exact comparisons, each path's sum
    formed from its source end (as the kernels do)."""
    n = fst.num_states
    src = np.repeat(np.arange(n), np.diff(fst.indptr))
    w = fst.weight.astype(np.float64)
    d = fst.final.astype(np.float64) if reverse else np.full(n, INF)
    if not reverse:
        d[fst.start] = 0.0
    frm, to = (fst.nextstate, src) if reverse else (src, fst.nextstate)
    for _ in range(3 * n + 3):
        changed = False
        for k in range(w.shape[0]):
            cand = d[frm[k]] + w[k]
            if cand < d[to[k]]:
                d[to[k]] = cand
                changed = True
        if not changed:
            return d
    raise AssertionError("reference did not converge")


def _pynini(fst, reverse):
    pynini = require_pynini()
    got = pynini.shortestdistance(fst.to_pynini(), reverse=reverse)
    vals = [INF if str(x) == "Infinity" else float(str(x)) for x in got]
    return np.array(vals + [INF] * (fst.num_states - len(vals)))


def _assert_close(ours, ref, tol):
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
    fin = ~np.isinf(ref)
    np.testing.assert_allclose(ours[fin], ref[fin], rtol=tol, atol=tol)


@pytest.mark.parametrize("semiring", ["tropical", "tropical64"])
@pytest.mark.parametrize("kind", ["real", "ties"])
@pytest.mark.parametrize("reverse", [False, True])
def test_non_negative_weights_are_exact(semiring, kind, reverse):
    rng = np.random.default_rng([len(semiring), len(kind), int(reverse)])
    for _ in range(6):
        fst = _blocks(rng, int(rng.integers(5, 60)), kind, semiring)
        ours = kleene.shortest_distance(fst, reverse=reverse)
        assert ours.dtype == fst.semiring.dtype
        ref = _reference(fst, reverse)
        # exactly the minimum over the paths' float64 sums, then the dtype
        np.testing.assert_array_equal(ours, ref.astype(fst.semiring.dtype))
        if not reverse:
            assert np.isinf(ours[-3:]).all()  # unreachable states stay zero
        if semiring == "tropical":          # pynini has no float64 tropical
            _assert_close(ours.astype(np.float64), _pynini(fst, reverse), 1e-4)


@pytest.mark.parametrize("semiring", ["tropical", "tropical64"])
@pytest.mark.parametrize("reverse", [False, True])
def test_negative_weights(semiring, reverse):
    rng = np.random.default_rng(11 if reverse else 12)
    for _ in range(6):
        fst = _blocks(rng, int(rng.integers(5, 60)), "negative", semiring)
        assert fst.weight.min() < 0
        ours = kleene.shortest_distance(fst, reverse=reverse).astype(np.float64)
        # the generic FIFO search keeps the delta = 1e-6 convergence test
        _assert_close(ours, _reference(fst, reverse), 1e-5)
        if semiring == "tropical":
            _assert_close(ours, _pynini(fst, reverse), 1e-4)


def test_integer_weights_match_the_generic_fifo():
    """Where every path sum is exact (integer weights) the search for
    non-negative weights gives the generic FIFO kernel's numbers bit for bit,
    both directions (and machines with negative weights still use it)."""
    rng = np.random.default_rng(5)
    for kind in ("ties", "negative"):
        for _ in range(5):
            fst = _blocks(rng, 40, kind, "tropical64")
            if kind == "negative":
                fst = fst.replace(weight=np.round(fst.weight * 4))
            for reverse in (False, True):
                dist = fst.final.astype(np.float64) if reverse else np.full(40, INF)
                if reverse:
                    indptr, nxt, idx = _reversed(fst)
                    w = fst.weight[idx]
                else:
                    indptr, nxt, w = fst.indptr, fst.nextstate, fst.weight
                    dist[0] = 0.0
                status = kernels.generic_distance(indptr, nxt, w, dist, 0, 1e-6, 82)
                if status != kernels.OK:
                    with pytest.raises(FstOpError):
                        shortest_distance(fst, reverse=reverse)
                    continue
                np.testing.assert_array_equal(shortest_distance(fst, reverse=reverse), dist)


def _ascending(indptr, nextstate, weight, dist, budget):
    return kernels.tropical_sweep(indptr, nextstate, weight, dist, budget, False)


def _descending(indptr, nextstate, weight, dist, budget):
    return kernels.tropical_sweep(indptr, nextstate, weight, dist, budget, True)


def _random_machine(n, arcs_per_state, *, seed):
    """``arcs_per_state · n`` uniform random arcs with weights in [0, 4), 10% of
    the states final with weight 1 (the same draws as the tests made inline)."""
    rng = np.random.default_rng(seed)
    m = arcs_per_state * n
    src = rng.integers(0, n, m)
    return _machine(n, src, rng.integers(0, n, m), rng.random(m) * 4,
                    np.where(rng.random(n) < 0.1, 1.0, INF))


def _search_inputs(fst, reverse):
    """The kernels' arrays for a forward (from state 0) or reverse search:
    ``(indptr, nextstate, weights, initial distances)``."""
    if reverse:
        indptr, nxt, idx = _reversed(fst)
        return indptr, nxt, fst.weight[idx], fst.final.astype(np.float64)
    init = np.full(fst.num_states, INF)
    init[0] = 0.0
    return fst.indptr, fst.nextstate, fst.weight, init


@pytest.mark.parametrize("reverse", [False, True])
def test_fifo_budget_and_dijkstra_agree(reverse):
    """The deque and the in-order sweep, and the Dijkstra fallback started
    from any point of either, compute the same array."""
    n = 300
    fst = _random_machine(n, 5, seed=3)
    indptr, nxt, w, init = _search_inputs(fst, reverse)
    results = []
    for search in (kernels.tropical_distance, _ascending, _descending):
        for budget in (0, 1, 7, n // 2, n, 10**9):
            dist = init.copy()
            assert search(indptr, nxt, w, dist, budget) == kernels.OK
            results.append(dist)
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
    np.testing.assert_array_equal(results[0], _reference(fst, reverse))


def test_fifo_worst_case_falls_back_to_dijkstra():
    # 0 -> i costs 2i (arcs in decreasing i), the chain i -> i+1 costs 1: a
    # FIFO queue improves each state once per round, O(V^2) in all
    n = 3000
    src = np.r_[np.arange(n - 1), np.zeros(n - 2, np.int64)]
    dst = np.r_[np.arange(1, n), np.arange(n - 1, 1, -1)]
    w = np.r_[np.ones(n - 1), 2.0 * np.arange(n - 1, 1, -1)]
    fst = _machine(n, src, dst, w, np.where(np.arange(n) == n - 1, 0.0, INF))
    np.testing.assert_array_equal(shortest_distance(fst), np.arange(n, dtype=np.float32))
    for search in (kernels.tropical_distance, _ascending, _descending):
        for budget in (4 * n, 10**9):
            dist = np.full(n, INF)
            dist[0] = 0.0
            assert search(fst.indptr, fst.nextstate, fst.weight, dist, budget) == kernels.OK
            np.testing.assert_array_equal(dist, np.arange(n))


@pytest.mark.parametrize("reverse", [False, True])
def test_large_machines_use_the_sweep(reverse):
    # from 50,000 states on shortest_distance searches in state order
    fst = _random_machine(60_000, 3, seed=4)
    indptr, nxt, w, dist = _search_inputs(fst, reverse)
    assert kernels.tropical_distance(indptr, nxt, w, dist, 10**9) == kernels.OK
    np.testing.assert_array_equal(distances(fst, reverse=reverse), dist)


@pytest.mark.parametrize("reverse", [False, True])
def test_negative_cycle_after_non_negative_components(reverse):
    # 0 -> 1 <-> 2 (weights >= 0), 2 -> 3, 3 <-> 4 (cycle weight -1), 4 final
    fst = _machine(5, [0, 1, 2, 2, 3, 4], [1, 2, 1, 3, 4, 3],
                   [1.0, 1.0, 1.0, 0.5, -2.0, 1.0], [INF, INF, INF, INF, 0.0])
    with pytest.raises(FstOpError, match="negative-weight cycle"):
        shortest_distance(fst, reverse=reverse)


def test_negative_final_weights_with_non_negative_arcs():
    # the reversed search starts from the final weights, whatever their sign
    fst = _machine(3, [0, 1, 2, 1], [1, 2, 0, 1], [1.0, 2.0, 0.5, 0.0],
                   [INF, -5.0, 1.0])
    assert shortest_distance(fst, reverse=True).tolist() == [-4.0, -5.0, -3.5]
    assert shortest_distance(fst).tolist() == [0.0, 1.0, 3.0]
