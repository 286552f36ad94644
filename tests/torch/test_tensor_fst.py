"""TensorFst: batching layout, weight-to-score conversion per semiring,
validation, round trips, device moves."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import kleene
from kleene.torch.errors import TorchInputError
from kleene.torch.forward import forward_score
from kleene.torch.tensor_fst import TensorFst


def _machine(semiring="log64", weights=(0.5, 1.0, 2.0), final=(np.inf, 0.25, 0.0)):
    return kleene.Fst.from_arrays(3, [0, 0, 1], [1, 2, 3], [4, 5, 6], list(weights), [1, 2, 2],
                                  final=list(final), start=0, semiring=semiring)


def test_batch_layout_is_concatenation_with_global_ids():
    a = _machine()
    b = kleene.Fst.from_arrays(2, [1, 0], [7, 8], [7, 8], [0.0, 3.0], [1, 1],
                               final=[np.inf, 0.0], start=1, semiring="log64")
    t = TensorFst.from_fsts([a, kleene.Fst.empty("log64"), b], dtype=torch.float64)
    assert (t.batch_size, t.num_states, t.num_arcs) == (3, 5, 5)
    assert t.state_offsets.tolist() == [0, 3, 3, 5]
    assert t.arc_offsets.tolist() == [0, 3, 3, 5]
    assert t.start.tolist() == [0, -1, 4]
    # b's arcs in its CSR order (state 0's arc first), states shifted by 3
    assert t.src.tolist() == [0, 0, 1, 3, 4]
    assert t.dst.tolist() == [1, 2, 2, 4, 4]
    assert t.ilabel.tolist() == [1, 2, 3, 8, 7]
    assert t.olabel.tolist() == [4, 5, 6, 8, 7]
    assert t.scores.tolist() == [-0.5, -1.0, -2.0, -3.0, -0.0]
    assert t.final_scores.tolist() == [-math.inf, -0.25, -0.0, -math.inf, -0.0]
    assert t.scores.dtype == torch.float64 and t.final_scores.dtype == torch.float64
    assert isinstance(t.state_offsets_np, np.ndarray)


@pytest.mark.parametrize("semiring,weights,final,scores,final_scores", [
    ("tropical", (0.5, 1.0, 2.0), (np.inf, 0.25, 0.0), [-0.5, -1.0, -2.0],
     [-math.inf, -0.25, 0.0]),
    ("real64", (0.5, 1.0, 0.0), (0.0, 0.25, 1.0), [math.log(0.5), 0.0, -math.inf],
     [-math.inf, math.log(0.25), 0.0]),
    ("boolean", (1.0, 1.0, 0.0), (0.0, 1.0, 1.0), [0.0, 0.0, -math.inf],
     [-math.inf, 0.0, 0.0]),
])
def test_weights_read_as_log_scores(semiring, weights, final, scores, final_scores):
    t = TensorFst.from_fst(_machine(semiring, weights, final), dtype=torch.float64)
    assert t.scores.tolist() == pytest.approx(scores)
    assert t.final_scores.tolist() == pytest.approx(final_scores)
    # and back: to_fsts inverts the reading in the semiring asked for
    back = t.to_fsts(semiring)[0]
    assert back.semiring.name == _machine(semiring).semiring.name
    np.testing.assert_allclose(back.weight, weights, rtol=1e-12)
    np.testing.assert_allclose(back.final, final, rtol=1e-12)


def test_given_scores_keep_their_history_and_round_trip():
    fsts = [_machine(), _machine(weights=(1.5, 0.0, 0.75))]
    base = TensorFst.from_fsts(fsts, dtype=torch.float64)
    raw = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    t = TensorFst.from_fsts(fsts, scores=base.scores + raw)
    forward_score(t).sum().backward()
    assert raw.grad is not None and raw.grad.abs().sum() > 0
    for back, orig in zip(base.to_fsts("log64"), fsts):
        np.testing.assert_array_equal(back.indptr, orig.indptr)
        np.testing.assert_array_equal(back.nextstate, orig.nextstate)
        np.testing.assert_array_equal(back.ilabel, orig.ilabel)
        np.testing.assert_allclose(back.weight, orig.weight)
        np.testing.assert_allclose(back.final, orig.final)
        assert back.start == orig.start
    with pytest.raises(TorchInputError, match="scores has shape"):
        TensorFst.from_fsts(fsts, scores=torch.zeros(5))
    with pytest.raises(TorchInputError, match="final_scores has shape"):
        TensorFst.from_fsts(fsts, final_scores=torch.zeros(5))
    with pytest.raises(TorchInputError, match="scores must be a floating"):
        TensorFst.from_fsts(fsts, scores=[0.0] * 6)
    with pytest.raises(TorchInputError, match="scores must be a floating"):
        TensorFst.from_fsts(fsts, scores=torch.zeros(6, dtype=torch.int64))
    with pytest.raises(TorchInputError, match="final_scores must be a floating"):
        TensorFst.from_fsts(fsts, final_scores=np.zeros(6))
    with pytest.raises(TorchInputError, match="final_scores is on meta"):
        TensorFst.from_fsts(fsts, final_scores=torch.zeros(6, device="meta"))


def test_with_scores_and_to_share_the_topology_analysis():
    t = TensorFst.from_fst(_machine(), dtype=torch.float64)
    forward_score(t)
    assert "topology" in t._cache
    s = t.scores.detach().clone().requires_grad_(True)
    other = t.with_scores(s * 2)
    assert other._cache is t._cache
    assert forward_score(other).item() != forward_score(t).item()
    moved = other.to("cpu")
    assert moved._cache.get("topology") is t._cache["topology"]
    moved.scores.sum().backward()           # autograd history survives .to()
    assert s.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(TorchInputError, match="keep the shapes"):
        t.with_scores(torch.zeros(2, dtype=torch.float64))
    # scores elsewhere than the topology would mix devices in every algorithm
    with pytest.raises(TorchInputError, match="device"):
        t.with_scores(torch.zeros(3, dtype=torch.float64, device="meta"))
    with pytest.raises(TorchInputError, match="floating"):
        t.with_scores(torch.zeros(3, dtype=torch.int64))


def _parts(t: TensorFst) -> dict:
    return {"src": t.src, "dst": t.dst, "ilabel": t.ilabel, "olabel": t.olabel,
            "scores": t.scores, "final_scores": t.final_scores, "start": t.start,
            "state_offsets": t.state_offsets_np, "arc_offsets": t.arc_offsets_np}


@pytest.mark.parametrize("change,message", [
    ({"src": torch.tensor([0, 1, 0])}, "sorted by source"),
    ({"dst": torch.tensor([1, 2, 3])}, "leaves its machine"),
    ({"ilabel": torch.tensor([1, 2])}, "ilabel has shape"),
    ({"scores": torch.zeros(3, dtype=torch.int64)}, "floating point"),
    ({"scores": torch.zeros(3, 1)}, "1-D"),
    ({"state_offsets": np.array([0, 2])}, "offsets must rise"),
    ({"arc_offsets": np.array([0, 1, 3])}, "B\\+1 entries"),
    # a start outside its machine's states would index out of bounds in the kernels
    ({"start": torch.tensor([3])}, "start"),
    ({"start": torch.tensor([-2])}, "start"),
    ({"start": torch.tensor([0, 0])}, "start"),
    ({"scores": torch.tensor(0.0)}, "1-D"),
    ({"scores": [0.0, 0.0, 0.0]}, "scores must be a torch.Tensor"),
    ({"final_scores": np.zeros(3)}, "final_scores must be a torch.Tensor"),
])
def test_constructor_validation(change, message):
    t = TensorFst.from_fst(_machine(), dtype=torch.float64)
    parts = _parts(t)
    parts.update(change)
    with pytest.raises(TorchInputError, match=message):
        TensorFst(**parts)
    with pytest.raises(TorchInputError, match="attribute 'x'"):
        TensorFst(**_parts(t), attrs={"x": torch.zeros(2)})
    for bad in ([0, 1, 2], torch.tensor(1.0), torch.zeros(3, device="meta")):
        with pytest.raises(TorchInputError, match="attribute 'x'"):
            TensorFst(**_parts(t), attrs={"x": bad})
    TensorFst(**_parts(t), attrs={"x": torch.zeros(3, 2)})   # the valid one passes


def test_bad_machines_rejected():
    with pytest.raises(TorchInputError, match="at least one"):
        TensorFst.from_fsts([])
    with pytest.raises(TorchInputError, match="expected kleene Fst"):
        TensorFst.from_fsts([_machine(), "abc"])
    assert TorchInputError.__mro__[1:].count(ValueError) == 1
