"""CTC through graphs against torch.nn.functional.ctc_loss, and the graph
constructions against composition with the CTC topology."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from kleene import compose
from kleene.core.fst import Fst
from kleene.torch.ctc import ctc_graph, ctc_loss, ctc_topology
from kleene.torch.errors import TorchInputError
from kleene.torch.tensor_fst import TensorFst

IMPLEMENTATIONS = ("numba", "torch")


@st.composite
def ctc_cases(draw):
    frames = draw(st.integers(1, 7))
    batch = draw(st.integers(1, 3))
    vocab = draw(st.integers(2, 4))
    blank = draw(st.sampled_from([0, vocab - 1, -1]))  # (-1: the last column, Python-style)
    tokens = [c for c in range(vocab) if c != blank % vocab]
    width = draw(st.integers(0, 4))
    # small alphabets make repeats (which need a blank between them) common
    targets = [[draw(st.sampled_from(tokens)) for _ in range(width)] for _ in range(batch)]
    target_lengths = [draw(st.integers(0, width)) for _ in range(batch)]
    input_lengths = [draw(st.integers(0, frames)) for _ in range(batch)]
    return frames, batch, vocab, blank, targets, target_lengths, input_lengths


@given(case=ctc_cases(), seed=st.integers(0, 2**31 - 1),
       dtype=st.sampled_from([torch.float32, torch.float64]),
       reduction=st.sampled_from(["none", "mean", "sum"]),
       impl=st.sampled_from(IMPLEMENTATIONS), concatenated=st.booleans())
def test_matches_torch_ctc_loss(case, seed, dtype, reduction, impl, concatenated):
    frames, batch, vocab, blank, targets, target_lengths, input_lengths = case
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(frames, batch, vocab, generator=gen, dtype=dtype, requires_grad=True)
    targets = torch.tensor(targets, dtype=torch.int64).reshape(batch, -1)
    target_lengths = torch.tensor(target_lengths)
    input_lengths = torch.tensor(input_lengths)
    if concatenated:
        targets = torch.cat([targets[b, :target_lengths[b]] for b in range(batch)])
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-10}
    for zero_infinity in (False, True):
        args = (targets, input_lengths, target_lengths, blank, reduction, zero_infinity)
        ours = ctc_loss(logits.log_softmax(-1), *args, implementation=impl)
        ref = F.ctc_loss(logits.log_softmax(-1), *args[:3], blank % vocab, *args[4:])
        assert ours.dtype == dtype and ours.shape == ref.shape
        torch.testing.assert_close(ours, ref, **tol)
        if zero_infinity or torch.isfinite(ref).all():
            # PyTorch's gradient is right with respect to the logits (after
            # log_softmax); see ctc_loss's docstring
            (g_ours,) = torch.autograd.grad(ours.sum(), logits)
            (g_ref,) = torch.autograd.grad(ref.sum(), logits)
            torch.testing.assert_close(g_ours, g_ref, **tol)


def test_impossible_alignment_is_inf_and_zero_infinity_zeros_it():
    log_probs = torch.randn(3, 2, 3, dtype=torch.float64).log_softmax(-1).requires_grad_()
    # [1, 1] needs 3 frames (a blank between the repeats) and gets 2
    targets, il, tl = torch.tensor([[1, 1], [2, 0]]), torch.tensor([2, 3]), torch.tensor([2, 1])
    loss = ctc_loss(log_probs, targets, il, tl, reduction="none")
    assert loss[0].item() == math.inf and math.isfinite(loss[1].item())
    zeroed = ctc_loss(log_probs, targets, il, tl, reduction="none", zero_infinity=True)
    assert zeroed[0].item() == 0.0
    (grad,) = torch.autograd.grad(zeroed.sum(), log_probs)
    assert torch.all(grad[:, 0] == 0) and torch.isfinite(grad).all()
    assert grad[:, 1].abs().sum() > 0


def test_gradient_is_exact_in_log_probs():
    log_probs = torch.randn(5, 2, 3, dtype=torch.float64).log_softmax(-1).requires_grad_()
    targets, il, tl = torch.tensor([[1, 2], [2, 2]]), torch.tensor([5, 4]), torch.tensor([2, 2])
    for impl in IMPLEMENTATIONS:
        torch.autograd.gradcheck(
            lambda lp, impl=impl: ctc_loss(lp, targets, il, tl, reduction="none",
                                           implementation=impl), (log_probs,))


def _acceptor(labels, semiring="log"):
    """Linear acceptor of kleene labels (token + 1)."""
    n = len(labels)
    return Fst.from_arrays(n + 1, src=np.arange(n), ilabel=labels, olabel=labels,
                           weight=np.zeros(n), nextstate=np.arange(1, n + 1),
                           final=np.r_[np.full(n, np.inf), 0.0], start=0, semiring=semiring)


@pytest.mark.parametrize("modified", [False, True])
@pytest.mark.parametrize("blank", [0, 3])
def test_topology_composed_with_targets_equals_ctc_graph(modified, blank):
    vocab, frames = 4, 6
    tokens = [c for c in range(vocab) if c != blank]
    seqs = [[tokens[0], tokens[0], tokens[1]], [tokens[2]], [], [tokens[1], tokens[1]]]
    topo = ctc_topology(vocab, modified=modified, blank=blank)
    composed = TensorFst.from_fsts(
        [compose(topo, _acceptor([c + 1 for c in s])) for s in seqs], dtype=torch.float64)
    log_probs = torch.randn(frames, len(seqs), vocab, dtype=torch.float64).log_softmax(-1)
    il = torch.tensor([6, 5, 4, 3])
    tl = torch.tensor([len(s) for s in seqs])
    padded = torch.tensor([s + [tokens[0]] * (3 - len(s)) for s in seqs])
    via_graph = ctc_loss(log_probs, padded, il, tl, blank=blank, reduction="none",
                         modified=modified)
    via_topology = ctc_loss(log_probs, padded, il, tl, blank=blank, reduction="none",
                            graphs=composed)
    torch.testing.assert_close(via_graph, via_topology)
    if not modified:
        torch.testing.assert_close(
            via_graph, F.ctc_loss(log_probs, padded, il, tl, blank=blank, reduction="none"))
    else:
        # the modified graphs accept more alignments: never a higher loss;
        # [t1, t1] fits in 2 frames only without a blank between the repeats
        standard = ctc_loss(log_probs, padded, il, tl, blank=blank, reduction="none")
        assert torch.all(via_graph <= standard + 1e-12)
        assert via_graph[0] < standard[0]
        short = torch.tensor([6, 5, 4, 2])
        assert ctc_loss(log_probs, padded, short, tl, blank=blank, reduction="none")[3] == math.inf
        assert ctc_loss(log_probs, padded, short, tl, blank=blank, reduction="none",
                        modified=True)[3] < math.inf


def test_lexicon_graph_sums_over_its_words():
    # a tiny "lexicon": the token sequences [1, 2] and [2] (one epsilon-free
    # acceptor), composed with the topology: the loss is -log of the summed
    # probabilities of the two sequences, each given by PyTorch's ctc_loss
    vocab, frames = 3, 5
    lexicon = Fst.from_arrays(3, src=[0, 0, 1], ilabel=[2, 3, 3], olabel=[2, 3, 3],
                              weight=[0.0, 0.0, 0.0], nextstate=[1, 2, 2],
                              final=[np.inf, np.inf, 0.0], start=0, semiring="log")
    graphs = TensorFst.from_fst(compose(ctc_topology(vocab), lexicon), dtype=torch.float64)
    log_probs = torch.randn(frames, 2, vocab, dtype=torch.float64).log_softmax(-1)
    il = torch.tensor([5, 3])
    ours = ctc_loss(log_probs, None, il, None, reduction="none", graphs=graphs)
    each = [F.ctc_loss(log_probs, torch.tensor([seq, seq]), il, torch.tensor([n, n]),
                       reduction="none") for seq, n in (([1, 2], 2), ([2, 0], 1))]
    expected = -torch.logsumexp(-torch.stack(each), 0)
    torch.testing.assert_close(ours, expected)


def test_topology_matches_k2():
    # k2/csrc/fsa_algo_test.cu, TestCtcTopo (max_token=3): k2 labels are
    # kleene labels - 1 and k2's aux label 0 is kleene's output epsilon
    def arcs(fst):
        return sorted((s, a.ilabel - 1, a.olabel - 1 if a.olabel else 0, a.nextstate)
                      for s in fst.states() for a in fst.arcs(s))

    std = [(s, j, 0 if j in (0, s) else j, j) for s in range(4) for j in range(4)]
    assert arcs(ctc_topology(4)) == sorted(std)
    assert all(ctc_topology(4).is_final(s) for s in range(4))
    mod = ([(0, j, j, 0) for j in range(4)] + [(0, j, j, j) for j in range(1, 4)]
           + [(j, j, 0, j) for j in range(1, 4)] + [(j, j, 0, 0) for j in range(1, 4)])
    topo = ctc_topology(4, modified=True)
    assert arcs(topo) == sorted(mod)
    assert [topo.is_final(s) for s in range(4)] == [True, False, False, False]


def test_ctc_graph_shape():
    g = ctc_graph([[1, 1, 2], []], dtype=torch.float64)
    assert g.batch_size == 2
    assert list(np.diff(g.state_offsets_np)) == [7, 1]
    # 3 tokens: 4 blank self-loops + 3 token self-loops + 3 enter + 3 leave-to-blank
    # + 1 direct token->token (2 differs from 1; 1->1 needs the blank)
    assert list(np.diff(g.arc_offsets_np)) == [14, 1]
    assert (g.final_scores == 0).nonzero().flatten().tolist() == [5, 6, 7]
    assert list(np.diff(ctc_graph([[1, 1, 2]], modified=True).arc_offsets_np)) == [15]


@pytest.mark.parametrize("kwargs, match", [
    ({"targets": torch.tensor([[1, 0]])}, "targets contain the blank"),
    ({"targets": torch.tensor([[1, 3]])}, r"targets must lie in \[0, 3\)"),
    ({"input_lengths": torch.tensor([5])}, r"input_lengths must lie in \[0, 4\]"),
    ({"input_lengths": torch.tensor([4, 4])}, "input_lengths must have 1 entries"),
    ({"target_lengths": torch.tensor([3])}, r"target_lengths must lie in \[0, 2\]"),
    ({"target_lengths": torch.tensor([1.0])}, "target_lengths must be int"),
    ({"log_probs": torch.zeros(4, 1, 3, dtype=torch.int64)}, "log_probs must be float"),
    ({"log_probs": torch.zeros(4, 1, 1, 3)}, "log_probs must have shape"),
    ({"blank": 3}, "blank=3 is outside"),
    ({"reduction": "avg"}, "reduction must be"),
    ({"targets": torch.tensor([1, 2, 1])}, "concatenated.*3 labels.*sum to 2"),
])
def test_bad_inputs_name_the_argument(kwargs, match):
    args = {"log_probs": torch.zeros(4, 1, 3), "targets": torch.tensor([[1, 2]]),
            "input_lengths": torch.tensor([4]), "target_lengths": torch.tensor([2])}
    args.update(kwargs)
    with pytest.raises(TorchInputError, match=match):
        ctc_loss(**args)


def test_bad_graph_arguments():
    with pytest.raises(TorchInputError, match="vocab_size"):
        ctc_topology(0)
    with pytest.raises(TorchInputError, match="targets contain the blank"):
        ctc_graph([[0, 1]])
    with pytest.raises(TorchInputError, match="targets must be"):
        ctc_graph("abc")


def test_unbatched_and_list_lengths_like_torch():
    log_probs = torch.randn(6, 4, dtype=torch.float64).log_softmax(-1)
    targets = torch.tensor([1, 2, 2])
    for reduction in ("none", "mean", "sum"):
        ours = ctc_loss(log_probs, targets, torch.tensor(6), torch.tensor(3), reduction=reduction)
        ref = F.ctc_loss(log_probs, targets, torch.tensor(6), torch.tensor(3),
                         reduction=reduction)
        assert ours.shape == ref.shape == ()
        torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(
        ctc_loss(log_probs[:, None], targets[None], [6], [3]),
        F.ctc_loss(log_probs[:, None], targets[None], [6], [3]))


def test_ctc_graph_target_forms_agree():
    want = ctc_graph([[1, 2], [3], [2, 2, 1]])
    padded = torch.tensor([[1, 2, 9], [3, 9, 9], [2, 2, 1]])
    lengths = torch.tensor([2, 1, 3])
    for got in (ctc_graph(padded, lengths=lengths),
                ctc_graph(torch.tensor([1, 2, 3, 2, 2, 1]), lengths=lengths)):
        for name in ("src", "dst", "ilabel", "olabel", "start", "final_scores"):
            assert torch.equal(getattr(got, name), getattr(want, name)), name


def test_graphs_with_epsilon_arcs():
    # union() joins the two token sequences [1, 2] and [3] with epsilon arcs;
    # composed with the topology they stay (as epsilon-input arcs that read
    # no frame), and the loss still sums over exactly the two sequences
    from kleene import union

    vocab, frames = 5, 6
    words = union(_acceptor([2, 3]), _acceptor([4]))
    graph = compose(ctc_topology(vocab), words)
    assert 0 in graph.ilabel
    log_probs = torch.randn(frames, 2, vocab, dtype=torch.float64).log_softmax(-1)
    il = torch.tensor([6, 2])
    for impl in IMPLEMENTATIONS:
        ours = ctc_loss(log_probs, None, il, None, reduction="none", implementation=impl,
                        graphs=TensorFst.from_fst(graph, dtype=torch.float64))
        each = [F.ctc_loss(log_probs, torch.tensor([seq, seq]), il, torch.tensor([n, n]),
                           reduction="none") for seq, n in (([1, 2], 2), ([3, 0], 1))]
        torch.testing.assert_close(ours, -torch.logsumexp(-torch.stack(each), 0))


def test_torch_paths_create_every_tensor_on_the_input_device():
    """The device-agnostic paths run here on CPU tensors only; with the
    default device set to ``meta``, a tensor created without ``device=``
    lands on meta and mixing it with the CPU inputs raises, so this catches
    the tensors a CUDA run would create on the wrong device."""
    from kleene.torch.forward import arc_posteriors, forward_score
    from kleene.torch.intersect_dense import intersect_dense
    from kleene.torch.viterbi import best_path, viterbi

    torch.manual_seed(0)
    x = torch.randn(5, 2, 4, dtype=torch.float64, requires_grad=True)
    targets, in_lens, tgt_lens = torch.tensor([[1, 2], [3, 3]]), torch.tensor([5, 4]), \
        torch.tensor([2, 2])
    graphs = TensorFst.from_fst(ctc_topology(4), dtype=torch.float64)
    lengths = torch.tensor([5, 3])
    with torch.device("meta"):
        for modified in (False, True):
            loss = ctc_loss(x.log_softmax(-1), targets, in_lens, tgt_lens, modified=modified,
                            implementation="torch")
            loss.backward()
        lattice = intersect_dense(graphs, x.transpose(0, 1), lengths, output_beam=4.0,
                                  implementation="torch")
        for semiring in ("log", "tropical"):
            forward_score(lattice, semiring=semiring, implementation="torch").sum().backward(
                retain_graph=True)
            arc_posteriors(lattice, semiring=semiring, implementation="torch")
        viterbi(lattice, implementation="torch")
        best_path(lattice, implementation="torch")
    assert x.grad.device.type == "cpu" and torch.isfinite(x.grad).all()
    want = F.ctc_loss(x.detach().log_softmax(-1), targets, in_lens, tgt_lens)
    torch.testing.assert_close(ctc_loss(x.detach().log_softmax(-1), targets, in_lens, tgt_lens,
                                        implementation="torch"), want)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_empty_batch_and_no_frames(impl):
    """B = 0 gives an empty loss (sum 0); T = 0 gives 0 for an empty target
    (the empty alignment) and inf for a non-empty one, with zero gradients.
    (F.ctc_loss refuses both, so the values are the definition's.)"""
    empty = ctc_loss(torch.zeros(5, 0, 4), torch.zeros(0, 2, dtype=torch.int64),
                     torch.zeros(0, dtype=torch.int64), torch.zeros(0, dtype=torch.int64),
                     reduction="none", implementation=impl)
    assert empty.shape == (0,)
    assert ctc_loss(torch.zeros(5, 0, 4), torch.zeros(0, 2, dtype=torch.int64),
                    torch.zeros(0, dtype=torch.int64), torch.zeros(0, dtype=torch.int64),
                    reduction="sum", implementation=impl).item() == 0.0
    log_probs = torch.zeros(0, 2, 4, requires_grad=True)
    loss = ctc_loss(log_probs, torch.tensor([[1], [2]]), torch.tensor([0, 0]),
                    torch.tensor([0, 1]), reduction="none", implementation=impl)
    assert loss.tolist() == [0.0, math.inf]
    (grad,) = torch.autograd.grad(loss[0], log_probs)
    assert grad.shape == (0, 2, 4)
