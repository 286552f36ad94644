"""viterbi and best_path against kleene.shortest_path and brute-force
enumeration of the best paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.torch.forward import forward_score
from kleene.torch.tensor_fst import TensorFst
from kleene.torch.viterbi import best_path, viterbi

from ..helpers import fsts as random_fsts
from ..reference import fsa_scores as ref

IMPLS = ["numba", "torch"]


def _random_lattice(rng, n: int, m: int, start: int = 0) -> kleene.Fst:
    """Acyclic, continuous weights (no ties), several final states (the
    last state always)."""
    src = rng.integers(0, n - 1, m)
    dst = src + 1 + (rng.random(m) * (n - 1 - src)).astype(np.int64)
    labels = rng.integers(0, 5, m)
    final = np.where(rng.random(n) < 0.4, rng.random(n) * 2, np.inf)
    final[-1] = 0.5
    return kleene.Fst.from_arrays(n, src, labels, labels + 1, rng.random(m) * 4, dst,
                                  final=final, start=start, semiring="tropical64")


def _local_path(t: TensorFst, b: int, arcs: torch.Tensor) -> list[int]:
    return (arcs - int(t.arc_offsets_np[b])).tolist()


@pytest.mark.parametrize("impl", IMPLS)
def test_viterbi_matches_kleene_shortest_path(impl):
    rng = np.random.default_rng(11)
    fsts = [_random_lattice(rng, n, m, start) for n, m, start in
            ((6, 12, 0), (1, 0, 0), (9, 30, 1), (4, 5, 0), (12, 40, 0))]
    fsts.insert(2, kleene.Fst.empty("tropical64"))
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    scores, paths = viterbi(t, implementation=impl)
    assert len(paths) == len(fsts)
    for b, fst in enumerate(fsts):
        one, arc_map = kleene.shortest_path(fst, return_arc_map=True)
        if one.num_states == 0:
            assert scores[b] == -math.inf and paths[b].numel() == 0
            continue
        # kleene's path is linear from its start: arc_map lists it in order
        assert _local_path(t, b, paths[b]) == arc_map.tolist()
        want = -float(kleene.shortest_distance(fst, reverse=True)[fst.start])
        assert scores[b].item() == pytest.approx(want, rel=1e-12)
        assert paths[b].dtype == torch.int64
    np.testing.assert_allclose(scores.numpy(), forward_score(
        t, semiring="tropical", implementation=impl).numpy(), rtol=1e-12)


@settings(deadline=None)
@given(st.lists(random_fsts(semiring="tropical64", acyclic=True, max_states=6, max_arcs=12),
                min_size=1, max_size=3))
def test_viterbi_path_is_a_best_path_with_ties(fsts):
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    results = [viterbi(t, implementation=impl) for impl in IMPLS]
    for b in range(len(fsts)):
        assert results[0][1][b].tolist() == results[1][1][b].tolist()   # same tie-break
        s0, s1 = t.state_offsets_np[b], t.state_offsets_np[b + 1]
        a0, a1 = t.arc_offsets_np[b], t.arc_offsets_np[b + 1]
        arcs = list(zip((t.src[a0:a1] - s0).tolist(), (t.dst[a0:a1] - s0).tolist()))
        start = int(t.start[b]) - s0 if int(t.start[b]) >= 0 else -1
        paths = ref.successful_paths(int(s1 - s0), start, arcs, t.scores[a0:a1].tolist(),
                                     t.final_scores[s0:s1].tolist())
        best = ref.total(paths, "tropical")
        for scores, path in results:
            assert scores[b].item() == pytest.approx(best, abs=1e-12)
            if best == -math.inf:
                assert path[b].numel() == 0
            else:
                # path order: consecutive arcs chain from the start state
                local = _local_path(t, b, path[b])
                assert any(list(p[0]) == local for p in ref.best_paths(paths))


@pytest.mark.parametrize("impl", IMPLS)
def test_viterbi_score_gradient_is_the_path(impl):
    rng = np.random.default_rng(2)
    fsts = [_random_lattice(rng, 7, 16), _random_lattice(rng, 5, 9)]
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    scores = t.scores.detach().clone().requires_grad_(True)
    final = t.final_scores.detach().clone().requires_grad_(True)
    best, paths = viterbi(t.with_scores(scores, final), implementation=impl)
    best.sum().backward()
    want = torch.zeros(t.num_arcs, dtype=torch.float64)
    want[torch.cat(paths)] = 1.0
    assert torch.equal(scores.grad, want)
    assert final.grad.sum().item() == 2.0
    # the path ends in the state whose final score got the gradient
    for b, path in enumerate(paths):
        end = t.dst[path[-1]] if path.numel() else t.start[b]
        assert final.grad[end].item() == 1.0


@pytest.mark.parametrize("impl", IMPLS)
def test_best_path_machines(impl):
    rng = np.random.default_rng(4)
    fsts = [_random_lattice(rng, 8, 20), kleene.Fst.empty("tropical64"),
            _random_lattice(rng, 5, 8)]
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    t.attrs["frame"] = torch.arange(t.num_arcs) * 10
    scores = t.scores.detach().clone().requires_grad_(True)
    leaf = t.with_scores(scores)
    best, paths = viterbi(leaf, implementation=impl)
    bp = best_path(leaf, implementation=impl)
    assert bp.batch_size == 3 and bp.start[1] == -1
    np.testing.assert_allclose(forward_score(bp, semiring="log").detach().numpy(),
                               best.detach().numpy(), rtol=1e-12)
    assert torch.equal(bp.ilabel, t.ilabel[torch.cat(paths)])
    assert torch.equal(bp.attrs["frame"], torch.cat(paths) * 10)
    forward_score(bp).sum().backward()
    assert scores.grad[torch.cat(paths)].eq(1).all() and scores.grad.sum() == bp.num_arcs
    # the kleene machines: one string each, the input's best one
    for b, fst in enumerate(bp.to_fsts("tropical64")):
        want, arc_map = kleene.shortest_path(fsts[b], return_arc_map=True)
        assert fst.num_states == want.num_states
        assert fst.ilabel.tolist() == fsts[b].ilabel[arc_map].tolist()
