"""intersect_dense against brute-force enumeration of frame alignments."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kleene.core.fst import Fst
from kleene.torch.errors import TorchInputError
from kleene.torch.forward import forward_score
from kleene.torch.intersect_dense import intersect_dense
from kleene.torch.tensor_fst import TensorFst
from tests.reference.dense_lattice import (
    alignment_logsumexp,
    graph_alignments,
    machine_logsumexp,
    machine_paths,
)

IMPLEMENTATIONS = ("numba", "torch")


def _graph(rng, num_states, num_arcs, vocab, final_prob=0.5, eps_prob=0.0):
    """A random (usually cyclic) graph; with ``eps_prob`` some arcs from a
    lower to a higher state id lose their input label (acyclic epsilons)."""
    src = np.sort(rng.integers(0, num_states, num_arcs))
    dst = rng.integers(0, num_states, num_arcs)
    ilabel = rng.integers(1, vocab + 1, num_arcs)
    ilabel[(src < dst) & (rng.random(num_arcs) < eps_prob)] = 0
    final = np.where(rng.random(num_states) < final_prob, rng.normal(size=num_states), np.inf)
    return Fst.from_arrays(num_states, src=src, ilabel=ilabel,
                           olabel=rng.integers(0, 4, num_arcs), weight=rng.normal(size=num_arcs),
                           nextstate=dst, final=final, start=0, semiring="log")


def _machine(tfst, b):
    """One machine of a TensorFst as local-id plain lists."""
    s0 = int(tfst.state_offsets_np[b])
    a0, a1 = int(tfst.arc_offsets_np[b]), int(tfst.arc_offsets_np[b + 1])
    s1 = int(tfst.state_offsets_np[b + 1])
    return ((tfst.src[a0:a1] - s0).tolist(), (tfst.dst[a0:a1] - s0).tolist(),
            tfst.ilabel[a0:a1].tolist(), tfst.scores[a0:a1].tolist(),
            tfst.final_scores[s0:s1].tolist(), int(tfst.start[b]) - s0 if tfst.start[b] >= 0
            else -1, a0)


@given(seed=st.integers(0, 2**31 - 1), per_sequence=st.booleans(),
       impl=st.sampled_from(IMPLEMENTATIONS), eps_prob=st.sampled_from([0.0, 0.4]))
def test_paths_and_scores_match_enumeration(seed, per_sequence, impl, eps_prob):
    rng = np.random.default_rng(seed)
    batch, frames, vocab = int(rng.integers(1, 4)), int(rng.integers(1, 5)), 3
    count = batch if per_sequence else 1
    fsts = [_graph(rng, int(rng.integers(1, 5)), int(rng.integers(0, 8)), vocab,
                   eps_prob=eps_prob) for _ in range(count)]
    graphs = TensorFst.from_fsts(fsts, dtype=torch.float64)
    log_probs = torch.randn(batch, frames, vocab, dtype=torch.float64).log_softmax(-1)
    lengths = torch.as_tensor(rng.integers(0, frames + 1, batch))
    lattice = intersect_dense(graphs, log_probs, lengths, implementation=impl)
    assert lattice.batch_size == batch
    # TensorFst's invariants hold (the constructor's checks) and the state
    # numbering is topological (every arc goes to a higher id)
    TensorFst(lattice.src, lattice.dst, lattice.ilabel, lattice.olabel, lattice.scores,
              lattice.final_scores, lattice.start, lattice.state_offsets_np,
              lattice.arc_offsets_np, lattice.attrs, check=True)
    assert torch.all(lattice.src < lattice.dst)
    total = forward_score(lattice)
    for b in range(batch):
        src, dst, ilabel, scores, final, start, a0 = _machine(graphs, b if per_sequence else 0)
        length = int(lengths[b])
        expected = alignment_logsumexp(src, dst, ilabel, scores, final, start,
                                       log_probs[b].tolist(), length)
        # the lattice's paths are exactly the graph's alignments, arc by arc
        final_ok = [f > -math.inf for f in final]
        want = sorted(tuple(a + a0 for a in arcs)
                      for arcs, _ in graph_alignments(src, dst, ilabel, start, final_ok, length))
        paths = machine_paths(lattice, b)
        got = sorted(tuple(lattice.attrs["graph_arc"][arcs].tolist()) for arcs, _ in paths)
        assert got == want
        for arcs, _ in paths:
            # an arc's frame is the number of frames read before it
            frames_read = np.cumsum([0] + [int(lattice.ilabel[a] != 0) for a in arcs])[:-1]
            assert lattice.attrs["frame"][arcs].tolist() == frames_read.tolist()
        # trimmed: every state and arc of the lattice lies on a complete path
        s0, s1 = lattice.state_offsets_np[b], lattice.state_offsets_np[b + 1]
        on_path = {lattice.src[a].item() for arcs, _ in paths for a in arcs} | {
            last for _, last in paths}
        assert on_path == set(range(s0, s1))
        assert sum(len(arcs) for arcs, _ in paths) >= (lattice.arc_offsets_np[b + 1]
                                                       - lattice.arc_offsets_np[b])
        if expected == -math.inf:
            assert s1 == s0 and int(lattice.start[b]) == -1
            assert total[b].item() == -math.inf
        else:
            assert machine_logsumexp(lattice, b).item() == pytest.approx(expected, abs=1e-9)
            assert total[b].item() == pytest.approx(expected, abs=1e-9)


@given(seed=st.integers(0, 2**31 - 1))
def test_numba_and_torch_topologies_are_identical(seed):
    rng = np.random.default_rng(seed)
    batch, frames = int(rng.integers(1, 4)), int(rng.integers(0, 6))
    graphs = TensorFst.from_fsts([_graph(rng, int(rng.integers(1, 5)), int(rng.integers(0, 10)),
                                         4, eps_prob=0.3) for _ in range(batch)])
    log_probs = torch.randn(batch, frames, 4)
    lengths = torch.as_tensor(rng.integers(0, frames + 1, batch))
    a = intersect_dense(graphs, log_probs, lengths, implementation="numba")
    b = intersect_dense(graphs, log_probs, lengths, implementation="torch")
    for name in ("src", "dst", "ilabel", "olabel", "start", "scores", "final_scores"):
        assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.state_offsets_np, b.state_offsets_np)
    assert np.array_equal(a.arc_offsets_np, b.arc_offsets_np)
    for key in ("frame", "graph_arc"):
        assert torch.equal(a.attrs[key], b.attrs[key])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_gradcheck_in_graph_scores_and_log_probs(impl):
    rng = np.random.default_rng(2)  # (an epsilon path 0 -> 1 -> 2)
    # every state final (finite final scores: gradcheck perturbs them all)
    g = _graph(rng, 3, 7, 3, final_prob=1.0, eps_prob=0.5)
    assert 0 in g.ilabel  # epsilon arcs' scores get gradients too
    graphs = TensorFst.from_fst(g, dtype=torch.float64)
    scores = graphs.scores.clone().requires_grad_()
    final = graphs.final_scores.clone().requires_grad_()
    log_probs = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([3, 2])

    def through_forward(scores, final, log_probs):
        lat = intersect_dense(graphs.with_scores(scores, final), log_probs, lengths,
                              implementation=impl)
        return forward_score(lat, implementation=impl)

    def through_reference(scores, final, log_probs):
        lat = intersect_dense(graphs.with_scores(scores, final), log_probs, lengths,
                              implementation=impl)
        return torch.stack([machine_logsumexp(lat, b) for b in range(2)])

    assert torch.isfinite(through_reference(scores, final, log_probs)).all()
    torch.autograd.gradcheck(through_reference, (scores, final, log_probs))
    torch.autograd.gradcheck(through_forward, (scores, final, log_probs))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_padding_is_never_read_and_layout_does_not_matter(impl):
    """Frames past a sequence's length may hold garbage (NaN, inf): the scores
    and gradients equal those of zero padding, with no NaN anywhere, also
    for epsilon arcs at a sequence's last frame. A non-contiguous view gives
    the same lattice as its contiguous copy (ragged batch, T = 1 included)."""
    rng = np.random.default_rng(5)
    graphs = TensorFst.from_fst(_graph(rng, 3, 8, 3, final_prob=1.0, eps_prob=0.5),
                                dtype=torch.float64)
    assert bool((graphs.ilabel == 0).any())
    lengths = torch.tensor([3, 1, 0, 2])
    clean = torch.randn(4, 3, 3, dtype=torch.float64)
    clean[torch.arange(3) >= lengths[:, None]] = 0.0
    dirty = clean.clone()
    dirty[torch.arange(3) >= lengths[:, None]] = torch.tensor([math.nan, math.inf, -math.inf],
                                                              dtype=torch.float64)
    # (T, B, V) storage seen as (B, T, V): a non-contiguous view
    dirty = dirty.transpose(0, 1).contiguous().transpose(0, 1)
    assert not dirty.is_contiguous()
    results = []
    for log_probs in (clean, dirty):
        log_probs = log_probs.clone().requires_grad_() if log_probs.is_contiguous() else \
            log_probs.detach().requires_grad_()
        lat = intersect_dense(graphs, log_probs, lengths, implementation=impl)
        total = forward_score(lat, implementation=impl)
        (grad,) = torch.autograd.grad(total.sum(), log_probs)
        results.append((lat, total.detach(), grad))
    (lat0, total0, grad0), (lat1, total1, grad1) = results
    assert torch.isfinite(total0[:2]).all()
    torch.testing.assert_close(total1, total0, rtol=0, atol=0)
    assert not torch.isnan(grad1).any()
    torch.testing.assert_close(grad1, grad0, rtol=0, atol=0)
    assert (grad1[torch.arange(3) >= lengths[:, None]] == 0).all()
    assert torch.equal(lat1.src, lat0.src) and torch.equal(lat1.scores, lat0.scores)


def test_attributes_follow_and_labels_are_kept():
    g = Fst.from_arrays(2, src=[0, 0, 1], ilabel=[1, 2, 2], olabel=[7, 0, 9], weight=[0, 0, 0],
                        nextstate=[1, 0, 1], final=[np.inf, 0.0], start=0, semiring="log")
    graphs = TensorFst.from_fst(g, attrs={"tag": torch.tensor([10, 20, 30])})
    lat = intersect_dense(graphs, torch.zeros(1, 3, 2), torch.tensor([3]))
    arcs = lat.attrs["graph_arc"]
    assert torch.equal(lat.attrs["tag"], torch.tensor([10, 20, 30])[arcs])
    assert torch.equal(lat.ilabel, graphs.ilabel[arcs])
    assert torch.equal(lat.olabel, graphs.olabel[arcs])
    # paths of 3 frames ending in state 1: (0,0,1)->... enumerate: 0-a2->0-a2->0-a1->1,
    # 0-a2->0-a1->1-a3->1, 0-a1->1-a3->1-a3->1
    assert len(machine_paths(lat, 0)) == 3


def _small():
    g = Fst.from_arrays(2, src=[0, 1], ilabel=[1, 2], olabel=[1, 2], weight=[0.0, 0.0],
                        nextstate=[1, 1], final=[np.inf, 0.0], start=0, semiring="log")
    return TensorFst.from_fst(g)


@pytest.mark.parametrize("log_probs, lengths, match", [
    (torch.zeros(2, 3), torch.tensor([1, 1]), "log_probs must have shape"),
    (torch.zeros(2, 3, 2, dtype=torch.int64), torch.tensor([1, 1]), "log_probs must be float"),
    (torch.zeros(2, 3, 2), torch.tensor([1, 4]), r"lengths must lie in \[0, 3\]"),
    (torch.zeros(2, 3, 2), torch.tensor([1, -1]), "lengths must lie"),
    (torch.zeros(2, 3, 2), torch.tensor([1, 1, 1]), "lengths must have shape"),
    (torch.zeros(2, 3, 2), torch.tensor([1.0, 1.0]), "lengths must be int"),
    (torch.zeros(2, 3, 2), [1, 1], "lengths must be a torch.Tensor"),
    (torch.zeros(2, 3, 1), torch.tensor([1, 1]), "input label 2.*V=1"),
])
def test_bad_inputs_name_the_argument(log_probs, lengths, match):
    with pytest.raises(TorchInputError, match=match):
        intersect_dense(_small(), log_probs, lengths)


def test_bad_graphs():
    eps_cycle = Fst.from_arrays(3, src=[0, 1, 2], ilabel=[1, 0, 0], olabel=[1, 0, 0],
                                weight=[0.0, 0.0, 0.0], nextstate=[1, 2, 1],
                                final=[np.inf, 0.0, np.inf], start=0, semiring="log")
    for impl in IMPLEMENTATIONS:
        with pytest.raises(TorchInputError, match="cycle of epsilon-input arcs.*rmepsilon"):
            intersect_dense(TensorFst.from_fst(eps_cycle), torch.zeros(1, 2, 2),
                            torch.tensor([2]), implementation=impl)
    eps = Fst.from_arrays(2, src=[0], ilabel=[0], olabel=[1], weight=[0.0], nextstate=[1],
                          final=[np.inf, 0.0], start=0, semiring="log")
    two = TensorFst.from_fsts([_graph(np.random.default_rng(0), 2, 2, 2)] * 2)
    with pytest.raises(TorchInputError, match="graphs has batch size 2"):
        intersect_dense(two, torch.zeros(3, 2, 2), torch.tensor([2, 2, 2]))
    with pytest.raises(TorchInputError, match="graphs must be a TensorFst"):
        intersect_dense(eps, torch.zeros(1, 2, 2), torch.tensor([2]))
    with pytest.raises(TorchInputError, match="implementation"):
        intersect_dense(_small(), torch.zeros(1, 2, 2), torch.tensor([2]), implementation="cuda")


@given(seed=st.integers(0, 2**31 - 1), beam=st.sampled_from([0.0, 0.5, 2.0, math.inf]),
       impl=st.sampled_from(IMPLEMENTATIONS))
def test_output_beam_keeps_exactly_the_arcs_on_paths_within_the_beam(seed, beam, impl):
    rng = np.random.default_rng(seed)
    batch, frames = 2, int(rng.integers(1, 5))
    graphs = TensorFst.from_fst(_graph(rng, int(rng.integers(1, 4)), int(rng.integers(1, 8)), 3,
                                       eps_prob=0.3), dtype=torch.float64)
    log_probs = torch.randn(batch, frames, 3, dtype=torch.float64).log_softmax(-1)
    lengths = torch.as_tensor(rng.integers(0, frames + 1, batch))
    full = intersect_dense(graphs, log_probs, lengths, implementation=impl)
    pruned = intersect_dense(graphs, log_probs, lengths, output_beam=beam, implementation=impl)
    assert torch.all(torch.diff(pruned.src) >= 0)
    for b in range(batch):
        paths = machine_paths(full, b)
        totals = [full.scores[arcs].sum().item() + full.final_scores[last].item()
                  for arcs, last in paths]
        # (frame, graph arc) of every arc on a path within the beam
        want = set()
        for (arcs, _), total in zip(paths, totals):
            if total >= max(totals) - beam - 1e-9:
                want |= {(full.attrs["frame"][a].item(), full.attrs["graph_arc"][a].item())
                         for a in arcs}
        a0, a1 = pruned.arc_offsets_np[b], pruned.arc_offsets_np[b + 1]
        got = set(zip(pruned.attrs["frame"][a0:a1].tolist(),
                      pruned.attrs["graph_arc"][a0:a1].tolist()))
        assert got == want
        kept = machine_paths(pruned, b)
        assert bool(kept) == bool(paths)
        if paths:
            # the best path survives, with its score
            assert max(pruned.scores[arcs].sum().item() + pruned.final_scores[last].item()
                       for arcs, last in kept) == pytest.approx(max(totals))
        if beam == math.inf:
            assert len(kept) == len(paths)


def test_output_beam_must_be_a_non_negative_number():
    with pytest.raises(TorchInputError, match="output_beam"):
        intersect_dense(_small(), torch.zeros(1, 2, 2), torch.tensor([2]), output_beam=-1.0)
