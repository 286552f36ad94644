"""Differentiable kleene operations: the output topology and weights equal
the kleene operation's on the same machines, gradients flow to the inputs
(gradcheck), attributes follow the arc maps."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.torch import ops
from kleene.torch.errors import TorchInputError
from kleene.torch.forward import forward_score
from kleene.torch.tensor_fst import TensorFst

from ..helpers import fsts as random_fsts


def _assert_same(ours: kleene.Fst, want: kleene.Fst):
    """Arc-for-arc equality (numbering, order, weights)."""
    assert ours.num_states == want.num_states
    assert ours.start == want.start
    np.testing.assert_array_equal(ours.indptr, want.indptr)
    np.testing.assert_array_equal(ours.ilabel, want.ilabel)
    np.testing.assert_array_equal(ours.olabel, want.olabel)
    np.testing.assert_array_equal(ours.nextstate, want.nextstate)
    np.testing.assert_allclose(ours.weight, want.weight, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.final, want.final, rtol=1e-12, atol=1e-12)


# name -> (torch op, kleene op, arity, semiring the weights are read in)
OPS = {
    "compose": (ops.compose, kleene.compose, 2, "log64"),
    "compose_nofilter": (lambda a, b: ops.compose(a, b, compose_filter="match",
                                                  connect=False),
                         lambda a, b: kleene.compose(a, b, compose_filter="match",
                                                     connect=False), 2, "log64"),
    "intersect": (lambda a, b: ops.intersect(ops.project(a), ops.project(b)),
                  lambda a, b: kleene.intersect(kleene.project(a, project_type="input"),
                                                kleene.project(b, project_type="input")), 2, "log64"),
    "connect": (ops.connect, kleene.connect, 1, "log64"),
    "arcsort": (lambda f: ops.arcsort(f, sort_type="olabel"),
                lambda f: kleene.arcsort(f, sort_type="olabel"), 1, "log64"),
    "topsort": (ops.topsort, kleene.topsort, 1, "log64"),
    "union": (ops.union, kleene.union, 3, "log64"),
    "concat": (ops.concat, kleene.concat, 3, "log64"),
    "star": (ops.closure, kleene.closure, 1, "log64"),
    "plus": (lambda f: ops.closure(f, closure_type="plus"),
             lambda f: kleene.closure(f, closure_type="plus"), 1, "log64"),
    "repeat": (lambda f: ops.closure(f, 1, 3), lambda f: kleene.closure(f, 1, 3), 1, "log64"),
    "reverse": (ops.reverse, kleene.reverse, 1, "log64"),
    "reverse_unique": (lambda f: ops.reverse(f, require_superinitial=False),
                       lambda f: kleene.reverse(f, require_superinitial=False), 1, "log64"),
    "prune": (lambda f: ops.prune(f, weight=1.0), lambda f: kleene.prune(f, weight=1.0), 1,
              "tropical64"),
    "shortest_path": (lambda f: ops.shortest_path(f, nshortest=2),
                      lambda f: kleene.shortest_path(f, nshortest=2), 1, "tropical64"),
}

machine = random_fsts(semiring="log64", acyclic=True, max_states=5, max_arcs=8, num_labels=3)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(deadline=None, max_examples=15)
@given(data=st.data())
def test_op_equals_kleene_op(name, data):
    ours_op, kleene_op, arity, semiring = OPS[name]
    size = data.draw(st.integers(1, 2))
    inputs = [TensorFst.from_fsts([data.draw(machine) for _ in range(size)],
                                  dtype=torch.float64) for _ in range(arity)]
    out = ours_op(*inputs)
    assert out.batch_size == size
    got = out.to_fsts(semiring)
    for b in range(size):
        want = kleene_op(*(t.to_fsts(semiring)[b] for t in inputs))
        _assert_same(got[b], want)


def _tiny_pair():
    a = kleene.Fst.from_arrays(4, [0, 0, 1, 2, 1], [1, 2, 1, 0, 2], [1, 2, 2, 1, 0],
                               [0.5, 1.0, 0.25, 2.0, 0.1], [1, 2, 3, 3, 2],
                               final=[np.inf, 1.0, np.inf, 0.5], semiring="log64")
    b = kleene.Fst.from_arrays(3, [0, 0, 1, 1, 0], [1, 2, 2, 1, 0], [3, 4, 3, 3, 5],
                               [0.3, 0.7, 0.2, 1.1, 0.6], [1, 1, 2, 2, 2],
                               final=[np.inf, 0.4, 0.9], semiring="log64")
    return a, b


def test_compose_forward_score_and_gradients():
    a, b = _tiny_pair()
    ta = TensorFst.from_fsts([a, a], dtype=torch.float64)
    tb = TensorFst.from_fsts([b, kleene.Fst.empty("log64")], dtype=torch.float64)
    composed = kleene.compose(a, b)
    want = -kleene.shortest_distance(composed, reverse=True)[composed.start]
    total = forward_score(ops.compose(ta, tb))
    assert total[0].item() == pytest.approx(want, rel=1e-12)
    assert total[1].item() == float("-inf")

    # gradients reach both inputs' arc and final scores (checked numerically)
    ta1, tb1 = TensorFst.from_fst(a, dtype=torch.float64), TensorFst.from_fst(b, dtype=torch.float64)
    fa = ta1.final_scores.clone()
    fb = tb1.final_scores.clone()

    def fn(sa, sb, ffa, ffb):
        fa_ = torch.where(torch.isfinite(fa), ffa, fa)
        fb_ = torch.where(torch.isfinite(fb), ffb, fb)
        return forward_score(ops.compose(ta1.with_scores(sa, fa_), tb1.with_scores(sb, fb_)))

    args = [ta1.scores.clone().requires_grad_(True), tb1.scores.clone().requires_grad_(True),
            torch.zeros_like(fa).requires_grad_(True), torch.ones_like(fb).requires_grad_(True)]
    assert torch.autograd.gradcheck(fn, args)
    fn(*args).sum().backward()
    assert args[0].grad.abs().sum() > 0 and args[1].grad.abs().sum() > 0
    assert args[2].grad.abs().sum() > 0 and args[3].grad.abs().sum() > 0


@pytest.mark.parametrize("name", ["concat", "reverse", "repeat", "union", "topsort"])
def test_gradcheck_through_structural_ops(name):
    """Final scores moved onto ε arcs (concat, reverse, repetition) keep
    their gradient."""
    a, b = _tiny_pair()
    op, _, arity, _ = OPS[name]
    base = [TensorFst.from_fst(f, dtype=torch.float64) for f in (a, b, a)[:arity]]

    def fn(*finals):
        ins = [t.with_scores(t.scores, torch.where(torch.isfinite(t.final_scores), f,
                                                   t.final_scores))
               for t, f in zip(base, finals)]
        return forward_score(op(*ins))

    finals = [torch.randn(t.num_states, dtype=torch.float64, requires_grad=True) for t in base]
    assert torch.autograd.gradcheck(fn, finals)


def test_attributes_follow_arc_maps():
    a, b = _tiny_pair()
    ta = TensorFst.from_fst(a, dtype=torch.float64)
    tb = TensorFst.from_fst(b, dtype=torch.float64)
    ta.attrs["frame"] = torch.arange(a.num_arcs) + 100
    ta.attrs["both"] = torch.arange(a.num_arcs, dtype=torch.float64).reshape(-1, 1) * 2
    tb.attrs["both"] = -torch.arange(b.num_arcs, dtype=torch.float64).reshape(-1, 1) - 1
    out = ops.compose(ta, tb)
    _, (map_a, map_b) = kleene.compose(a, b, return_arc_map=True)
    frame = np.where(map_a >= 0, map_a + 100, -1)
    assert out.attrs["frame"].tolist() == frame.tolist()
    both = np.where(map_a >= 0, map_a * 2.0, np.where(map_b >= 0, -map_b - 1.0, 0.0))
    assert out.attrs["both"][:, 0].tolist() == both.tolist()
    # union: new ε arcs get the fill value
    u = ops.union(ta, tb)
    _, umap = kleene.union(a, b, return_arc_map=True)
    assert u.attrs["frame"].tolist() == np.where(
        (umap >= 0) & (umap < a.num_arcs), umap + 100, -1).tolist()


def test_empty_machines_and_broadcast():
    a, b = _tiny_pair()
    empty = kleene.Fst.empty("log64")
    ta = TensorFst.from_fsts([a, empty, b], dtype=torch.float64)
    tb = TensorFst.from_fst(b, dtype=torch.float64)     # broadcast to 3
    for out in (ops.compose(ta, tb), ops.concat(ta, tb), ops.union(ta, tb),
                ops.connect(ta), ops.reverse(ta), ops.closure(ta, 0, 2)):
        assert out.batch_size == 3
    assert forward_score(ops.concat(ta, tb))[1].item() == float("-inf")
    u = forward_score(ops.union(ta, tb))
    assert u[1].item() == pytest.approx(forward_score(tb).item())


def test_unsupported_and_bad_arguments():
    t = TensorFst.from_fst(_tiny_pair()[0])
    with pytest.raises(NotImplementedError, match="rmepsilon"):
        ops.apply_op(kleene.rmepsilon, t)
    with pytest.raises(NotImplementedError, match="determinize"):
        ops.apply_op(kleene.determinize, t)
    with pytest.raises(NotImplementedError, match="phi_label"):
        ops.compose(t, t, phi_label=3)
    two = TensorFst.from_fsts([_tiny_pair()[0]] * 2)
    three = TensorFst.from_fsts([_tiny_pair()[0]] * 3)
    with pytest.raises(TorchInputError, match="batch sizes"):
        ops.compose(two, three)
    with pytest.raises(TorchInputError, match="argument 1"):
        ops.union(t, _tiny_pair()[1])
    with pytest.raises(TorchInputError, match="project_type"):
        ops.project(t, project_type="both")


@pytest.mark.parametrize("special", [{"sigma_label": 9}, {"rho_label": 9}])
def test_compose_with_sigma_and_rho_matchers(special):
    a = kleene.Fst.from_arrays(3, [0, 0, 1], [1, 2, 3], [1, 2, 3], [0.5, 1.0, 0.25], [1, 2, 2],
                               final=[np.inf, 1.0, 0.5], semiring="log64")
    b = kleene.Fst.from_arrays(2, [0, 0, 1], [9, 2, 9], [4, 5, 6], [0.3, 0.7, 0.2], [1, 1, 1],
                               final=[np.inf, 0.4], semiring="log64")
    out = ops.compose(TensorFst.from_fst(a, dtype=torch.float64),
                      TensorFst.from_fst(b, dtype=torch.float64), **special)
    _assert_same(out.to_fsts("log64")[0], kleene.compose(a, b, **special))


def test_invert_and_project_do_not_reuse_label_derived_analyses():
    """invert/project share the topology analyses of their input, but not
    what was derived from the labels: intersect_dense's epsilon analysis of
    ``g`` (no epsilon inputs) must not be reused for ``invert(g)``, whose
    epsilon-input self-loops make intersect_dense refuse it."""
    from kleene.torch.intersect_dense import intersect_dense

    # one state, a self-loop reading 1 and writing epsilon
    g = TensorFst.from_fst(kleene.Fst.from_arrays(1, [0], [1], [0], [0.0], [0], final=[0.0],
                                                  start=0, semiring="log64"))
    log_probs = torch.zeros(1, 2, 1)
    lengths = torch.tensor([2])
    assert forward_score(intersect_dense(g, log_probs, lengths)).item() == 0.0
    with pytest.raises(TorchInputError, match="cycle of epsilon"):
        intersect_dense(ops.invert(g), log_probs, lengths)
    with pytest.raises(TorchInputError, match="cycle of epsilon"):
        intersect_dense(ops.project(g, project_type="output"), log_probs, lengths)
    # and the other way round: the projection has no epsilon inputs any more
    h = ops.invert(g)
    with pytest.raises(TorchInputError, match="cycle of epsilon"):
        intersect_dense(h, log_probs, lengths)
    assert forward_score(intersect_dense(ops.project(h, project_type="output"), log_probs,
                                         lengths)).item() == 0.0
