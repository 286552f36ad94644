"""forward_score, arc_posteriors, forward/backward_scores: both
implementations against kleene's shortest_distance, pynini's
shortestdistance and brute-force path enumeration."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.torch.errors import TorchInputError
from kleene.torch.forward import (
    arc_posteriors,
    backward_scores,
    forward_score,
    forward_scores,
)
from kleene.torch.tensor_fst import TensorFst

from ..helpers import fsts as random_fsts
from ..reference import fsa_scores as ref

IMPLS = ["numba", "torch"]
SEMIRINGS = ["log", "tropical"]


def _with_semiring(fst: kleene.Fst, name: str) -> kleene.Fst:
    return fst.replace(semiring=kleene.get_semiring(name))


def _kleene_total(fst: kleene.Fst, semiring: str) -> float:
    """-(shortest distance from the start to the final states) in kleene's
    log64 / tropical64 semiring: the total as a log-score."""
    if fst.start < 0:
        return -math.inf
    sr = "log64" if semiring == "log" else "tropical64"
    return -float(kleene.shortest_distance(_with_semiring(fst, sr), reverse=True)[fst.start])


def _paths(t: TensorFst, b: int):
    """Brute-force successful paths of machine b (local arc/state ids)."""
    s0, s1 = t.state_offsets_np[b], t.state_offsets_np[b + 1]
    a0, a1 = t.arc_offsets_np[b], t.arc_offsets_np[b + 1]
    arcs = list(zip((t.src[a0:a1] - s0).tolist(), (t.dst[a0:a1] - s0).tolist()))
    start = int(t.start[b]) - s0 if int(t.start[b]) >= 0 else -1
    return ref.successful_paths(int(s1 - s0), start, arcs, t.scores[a0:a1].tolist(),
                                t.final_scores[s0:s1].tolist())


machines = st.lists(random_fsts(semiring="log64", acyclic=True, max_states=6, max_arcs=12),
                    min_size=1, max_size=3)


def _leaf(t: TensorFst) -> tuple[TensorFst, torch.Tensor, torch.Tensor]:
    scores = t.scores.detach().clone().requires_grad_(True)
    final = t.final_scores.detach().clone().requires_grad_(True)
    return t.with_scores(scores, final), scores, final


@settings(deadline=None)
@given(machines)
def test_forward_score_matches_kleene_pynini_and_enumeration(fsts):
    pynini = pytest.importorskip("pynini")
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    for semiring in SEMIRINGS:
        expected = [_kleene_total(f, semiring) for f in fsts]
        brute = [ref.total(_paths(t, b), semiring) for b in range(len(fsts))]
        np.testing.assert_allclose(brute, expected, rtol=1e-9, atol=1e-9)
        for impl in IMPLS:
            got = forward_score(t, semiring=semiring, implementation=impl)
            assert got.dtype == torch.float64 and got.shape == (len(fsts),)
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-9)
    # pynini (OpenFst) in its log64 and standard (float32 tropical) arc types
    for fst, ours in zip(fsts, forward_score(t, semiring="log").tolist()):
        dist = pynini.shortestdistance(fst.to_pynini(), reverse=True)
        theirs = -float(dist[fst.start]) if fst.start < len(dist) else -math.inf
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-6)
    for fst, ours in zip(fsts, forward_score(t, semiring="tropical").tolist()):
        dist = pynini.shortestdistance(_with_semiring(fst, "tropical").to_pynini(),
                                       reverse=True)
        theirs = -float(dist[fst.start]) if fst.start < len(dist) else -math.inf
        assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-5)


@settings(deadline=None)
@given(machines)
def test_posteriors_match_enumeration_and_autograd(fsts):
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    want_arc, want_final = [], []
    for b in range(len(fsts)):
        a, f = ref.arc_posteriors(_paths(t, b), fsts[b].num_arcs, fsts[b].num_states)
        want_arc += a
        want_final += f
    for impl in IMPLS:
        arc, fin = arc_posteriors(t, implementation=impl, return_final=True)
        np.testing.assert_allclose(arc.numpy(), want_arc, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fin.numpy(), want_final, rtol=1e-9, atol=1e-12)
        leaf, scores, final = _leaf(t)
        forward_score(leaf, implementation=impl).sum().backward()
        np.testing.assert_allclose(scores.grad.numpy(), want_arc, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(final.grad.numpy(), want_final, rtol=1e-9, atol=1e-12)


@settings(deadline=None)
@given(machines)
def test_tropical_gradient_is_one_best_path_same_in_both_implementations(fsts):
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    grads = []
    for impl in IMPLS:
        leaf, scores, final = _leaf(t)
        forward_score(leaf, semiring="tropical", implementation=impl).sum().backward()
        grads.append((scores.grad.numpy().copy(), final.grad.numpy().copy()))
        assert np.array_equal(arc_posteriors(t, semiring="tropical", implementation=impl),
                              scores.grad.numpy())
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    arc_grad, final_grad = grads[0]
    for b in range(len(fsts)):
        a0, a1 = t.arc_offsets_np[b], t.arc_offsets_np[b + 1]
        s0, s1 = t.state_offsets_np[b], t.state_offsets_np[b + 1]
        on_arcs = np.flatnonzero(arc_grad[a0:a1]).tolist()
        on_final = np.flatnonzero(final_grad[s0:s1]).tolist()
        ties = ref.best_paths(_paths(t, b))
        if not ties:
            assert on_arcs == [] and on_final == []
            continue
        # the gradient marks exactly one of the best paths (an arc at most once)
        assert any(sorted(arcs) == on_arcs and [last] == on_final for arcs, last in ties)


@pytest.mark.parametrize("impl", IMPLS)
def test_forward_backward_scores_match_shortest_distance(impl):
    rng = np.random.default_rng(3)
    fsts = []
    for seed in range(3):
        n = 7
        src = rng.integers(0, n - 1, 15)
        dst = src + 1 + (rng.random(15) * (n - 1 - src)).astype(np.int64)
        fsts.append(kleene.Fst.from_arrays(
            n, src, np.ones(15, np.int64), np.ones(15, np.int64), rng.random(15) * 3, dst,
            final=np.where(rng.random(n) < 0.4, rng.random(n), np.inf), start=seed % 2,
            semiring="log64"))
    t = TensorFst.from_fsts(fsts, dtype=torch.float64)
    for semiring, sr in (("log", "log64"), ("tropical", "tropical64")):
        alpha = np.concatenate([-kleene.shortest_distance(_with_semiring(f, sr)) for f in fsts])
        beta = np.concatenate([-kleene.shortest_distance(_with_semiring(f, sr), reverse=True)
                               for f in fsts])
        np.testing.assert_allclose(
            forward_scores(t, semiring=semiring, implementation=impl).numpy(), alpha, atol=1e-9)
        np.testing.assert_allclose(
            backward_scores(t, semiring=semiring, implementation=impl).numpy(), beta, atol=1e-9)


def _awkward_batch(dtype=torch.float64) -> TensorFst:
    """A batch with an empty machine, one without any accepting path (no
    final state reachable) and two ordinary ones of different sizes."""
    ordinary = kleene.Fst.from_arrays(4, [0, 0, 1, 2, 1], [1, 2, 3, 1, 0], [1, 2, 3, 1, 0],
                                      [0.5, 1.0, 0.25, 2.0, 0.0], [1, 2, 3, 3, 2],
                                      final=[np.inf, 1.0, np.inf, 0.5], start=0,
                                      semiring="log64")
    dead = kleene.Fst.from_arrays(3, [0, 1], [1, 1], [1, 1], [0.0, 1.0], [1, 2],
                                  final=[np.inf, np.inf, np.inf], start=0, semiring="log64")
    single = kleene.Fst.from_arrays(1, [], [], [], [], [], final=[0.75], start=0,
                                    semiring="log64")
    return TensorFst.from_fsts([ordinary, kleene.Fst.empty("log64"), dead, single],
                               dtype=dtype)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("semiring", SEMIRINGS)
def test_empty_and_dead_machines_give_minus_inf_and_zero_gradients(impl, semiring):
    leaf, scores, final = _leaf(_awkward_batch())
    total = forward_score(leaf, semiring=semiring, implementation=impl)
    assert total[1] == -math.inf and total[2] == -math.inf
    assert total[3].item() == pytest.approx(-0.75)
    brute = ref.total(_paths(leaf, 0), semiring)
    assert total[0].item() == pytest.approx(brute, abs=1e-12)
    total.sum().backward()   # -inf totals: zero gradients, never NaN
    assert torch.isfinite(scores.grad).all() and torch.isfinite(final.grad).all()
    dead_arcs = slice(int(leaf.arc_offsets_np[2]), int(leaf.arc_offsets_np[3]))
    assert (scores.grad[dead_arcs] == 0).all()
    assert final.grad[-1].item() == 1.0


@pytest.mark.parametrize("impl", IMPLS)
def test_gradcheck_log(impl):
    t = _awkward_batch()
    scores = t.scores.detach().clone().requires_grad_(True)

    def fn(s, f):
        # (the -inf totals of the empty and dead machines have no numerical
        # derivative; their zero gradients are checked above)
        total = forward_score(t.with_scores(s, f), implementation=impl)
        return total[torch.isfinite(total)]

    assert torch.autograd.gradcheck(lambda s: fn(s, t.final_scores), (scores,))
    rng = np.random.default_rng(0)
    final2 = torch.tensor(rng.normal(size=t.num_states), requires_grad=True)
    assert torch.autograd.gradcheck(fn, (scores, final2))


@pytest.mark.parametrize("impl", IMPLS)
def test_gradcheck_tropical_without_ties(impl):
    rng = np.random.default_rng(1)
    src = np.array([0, 0, 0, 1, 1, 2, 3, 2])
    dst = np.array([1, 2, 3, 2, 4, 4, 4, 3])
    fst = kleene.Fst.from_arrays(5, src, src + 1, src + 1, rng.random(8) * 4, dst,
                                 final=[np.inf, np.inf, 1.3, np.inf, 0.2], semiring="log64")
    t = TensorFst.from_fst(fst, dtype=torch.float64)
    scores = t.scores.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda s: forward_score(t.with_scores(s), semiring="tropical", implementation=impl),
        (scores,))


@pytest.mark.parametrize("impl", IMPLS)
def test_float32_in_float32_out(impl):
    t = _awkward_batch(torch.float32)
    leaf, scores, _ = _leaf(t)
    total = forward_score(leaf, implementation=impl)
    assert total.dtype == torch.float32
    total[0].backward()
    assert scores.grad.dtype == torch.float32
    want = forward_score(_awkward_batch(), implementation=impl)
    np.testing.assert_allclose(total.detach().numpy(), want.numpy(), rtol=1e-6)


def test_cyclic_machine_raises_naming_it():
    acyclic = kleene.Fst.from_arrays(2, [0], [1], [1], [0.0], [1], final=[np.inf, 0.0])
    cyclic = kleene.Fst.from_arrays(3, [0, 1, 2], [1, 1, 1], [1, 1, 1], [0.0] * 3, [1, 2, 1],
                                    final=[np.inf, np.inf, 0.0])
    t = TensorFst.from_fsts([acyclic, cyclic])
    for fn in (forward_score, arc_posteriors, forward_scores, backward_scores):
        with pytest.raises(TorchInputError, match="machine 1 of the batch is cyclic"):
            fn(t)


def test_bad_arguments():
    t = _awkward_batch()
    with pytest.raises(TorchInputError, match="semiring"):
        forward_score(t, semiring="real")
    with pytest.raises(TorchInputError, match="implementation"):
        forward_score(t, implementation="cuda")
    with pytest.raises(TorchInputError, match="fsts"):
        forward_score(kleene.Fst.empty())


def test_long_chain_levels():
    """A 300-state chain plus skip arcs: many levels, against kleene."""
    rng = np.random.default_rng(5)
    n = 300
    src = np.concatenate([np.arange(n - 1), rng.integers(0, n - 3, 200)])
    dst = np.concatenate([np.arange(1, n), src[n - 1:] + rng.integers(1, 3, 200)])
    fst = kleene.Fst.from_arrays(n, src, np.ones_like(src), np.ones_like(src),
                                 rng.random(src.shape[0]), dst,
                                 final=np.where(np.arange(n) > n - 5, 0.0, np.inf),
                                 semiring="log64")
    t = TensorFst.from_fst(fst, dtype=torch.float64)
    for semiring in SEMIRINGS:
        want = _kleene_total(fst, semiring)
        for impl in IMPLS:
            got = forward_score(t, semiring=semiring, implementation=impl).item()
            assert got == pytest.approx(want, rel=1e-10)
    np.testing.assert_allclose(arc_posteriors(t, implementation="torch").numpy(),
                               arc_posteriors(t, implementation="numba").numpy(), atol=1e-10)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("semiring", SEMIRINGS)
def test_modifying_the_result_in_place_keeps_the_gradient(impl, semiring):
    """The backward must not read the returned tensor: an in-place edit of
    the result (``total.add_``) changed the log posteriors of the torch
    implementation, which kept the result itself for its backward."""
    leaf, scores, final = _leaf(_awkward_batch())
    want_arc, want_final = arc_posteriors(leaf, semiring=semiring, implementation=impl,
                                          return_final=True)
    total = forward_score(leaf, semiring=semiring, implementation=impl)
    total.add_(1.0)
    total[torch.isfinite(total)].sum().backward()
    torch.testing.assert_close(scores.grad, want_arc, rtol=0, atol=1e-12)
    torch.testing.assert_close(final.grad, want_final, rtol=0, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_scores_edited_in_place_after_the_forward_fail_loudly(impl):
    """The backward uses the scores of the forward pass; editing them in
    place in between raises autograd's usual error instead of giving the
    posteriors of other scores."""
    leaf, scores, final = _leaf(_awkward_batch())
    moved = scores * 1.0
    total = forward_score(leaf.with_scores(moved, final), implementation=impl)
    moved.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        total[0].backward()


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("semiring", SEMIRINGS)
def test_float32_scores_are_summed_in_float64(impl, semiring):
    """Both implementations run in float64 and round the results once: a
    float32 machine gives exactly the float64 results of the same values,
    rounded (over a 400-arc chain float32 sums would drift by many ulps)."""
    rng = np.random.default_rng(9)
    n = 401
    src = np.concatenate([np.arange(n - 1), np.arange(0, n - 2, 3)])
    dst = np.concatenate([np.arange(1, n), np.arange(0, n - 2, 3) + 2])
    order = np.argsort(src, kind="stable")
    fst = kleene.Fst.from_arrays(n, src[order], np.ones(src.shape[0], np.int64),
                                 np.ones(src.shape[0], np.int64),
                                 (rng.random(src.shape[0]) * 3.0 + 100.0).astype(np.float32),
                                 dst[order], final=np.where(np.arange(n) == n - 1, 0.0, np.inf),
                                 semiring="log64")
    results = {}
    for dtype in (torch.float32, torch.float64):
        leaf, scores, _ = _leaf(TensorFst.from_fst(fst, dtype=dtype))
        total = forward_score(leaf, semiring=semiring, implementation=impl)
        total.sum().backward()
        results[dtype] = (total.detach(), scores.grad)
    (t32, g32), (t64, g64) = results[torch.float32], results[torch.float64]
    assert t32.dtype == torch.float32 and g32.dtype == torch.float32
    assert torch.equal(t32, t64.float())
    assert torch.equal(g32, g64.float())
