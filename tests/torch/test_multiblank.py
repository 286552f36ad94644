"""multiblank_rnnt_loss against brute-force enumeration, the RNN-T loop and
warp-transducer's published small test, gradcheck, and input checks."""

import numpy as np
import pytest
import torch

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.multiblank import MultiblankRNNTLoss, multiblank_rnnt_loss
from kleene.torch.transducer.rnnt import rnnt_loss
from tests.reference.tdt import log_softmax, multiblank_brute_force, rnnt_loop

IMPLS = ("numba", "torch")


def _case(seed, B, T, U, C, n_big, dtype=torch.float64):
    """Blank last (id C-1), big blanks below it, labels in [0, C-1-n_big)."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(B, T, U + 1, C, generator=g, dtype=dtype)
    targets = torch.randint(0, C - 1 - n_big, (B, U), generator=g)
    frames = torch.randint(1, T + 1, (B,), generator=g)
    frames[0] = T
    labels = torch.randint(0, U + 1, (B,), generator=g)
    labels[0] = U
    return logits, targets, frames, labels


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("sigma", [0.0, 0.05])
@pytest.mark.parametrize("big", [[2], [2, 3], [3, 2, 4]])
def test_equals_brute_force(impl, sigma, big):
    C = 3 + len(big)
    blank = C - 1
    logits, targets, frames, labels = _case(len(big) * 10 + int(sigma * 100), 4, 4, 2, C,
                                            len(big))
    got = multiblank_rnnt_loss(logits, targets, frames, labels, blank=blank,
                               big_blank_durations=big, sigma=sigma, reduction="none",
                               implementation=impl)
    want = [multiblank_brute_force(log_softmax(logits[b, :frames[b], :labels[b] + 1].numpy()),
                                   targets[b, :labels[b]].tolist(), blank, big, sigma)
            for b in range(4)]
    torch.testing.assert_close(got, torch.tensor(want, dtype=torch.float64), rtol=1e-10,
                               atol=1e-10)


@pytest.mark.parametrize("impl", IMPLS)
def test_no_big_blanks_is_the_rnnt_loss(impl):
    logits, targets, frames, labels = _case(3, 3, 7, 4, 5, 0)
    x = logits.clone().requires_grad_()
    got = multiblank_rnnt_loss(x, targets, frames, labels, blank=-1,
                               big_blank_durations=[], reduction="none", implementation=impl)
    want = [rnnt_loop(log_softmax(logits[b, :frames[b], :labels[b] + 1].numpy()),
                      targets[b, :labels[b]].tolist(), 4) for b in range(3)]
    torch.testing.assert_close(got, torch.tensor(want, dtype=torch.float64))
    # and kleene's rnnt_loss, gradients included
    y = logits.clone().requires_grad_()
    other = rnnt_loss(y, targets, frames, labels, blank=-1, reduction="none")
    torch.testing.assert_close(got, other)
    got.sum().backward()
    other.sum().backward()
    torch.testing.assert_close(x.grad, y.grad)


@pytest.mark.parametrize("impl", IMPLS)
def test_warp_transducer_small_case(impl):
    # pytorch_binding/test/test.py::small_test of HawkAaron/warp-transducer:
    # B=1, T=2, U=2 (targets [1, 2]), V=5, blank=0; cost 4.495666 and its grads
    acts = torch.tensor([[[[0.1, 0.6, 0.1, 0.1, 0.1], [0.1, 0.1, 0.6, 0.1, 0.1],
                           [0.1, 0.1, 0.2, 0.8, 0.1]],
                          [[0.1, 0.6, 0.1, 0.1, 0.1], [0.1, 0.1, 0.2, 0.1, 0.1],
                           [0.7, 0.1, 0.2, 0.1, 0.1]]]], requires_grad=True)
    expected_grads = np.array([[[[-0.13116688, -0.3999269, 0.17703125, 0.17703125, 0.17703125],
                                 [-0.18572757, 0.12247056, -0.18168412, 0.12247056, 0.12247056],
                                 [-0.32091254, 0.06269141, 0.06928472, 0.12624499, 0.06269141]],
                                [[0.05456069, -0.21824276, 0.05456069, 0.05456069, 0.05456069],
                                 [0.12073959, 0.12073959, -0.48295835, 0.12073959, 0.12073959],
                                 [-0.6925882, 0.16871116, 0.18645467, 0.16871116, 0.16871116]]]])
    cost = multiblank_rnnt_loss(acts, torch.tensor([[1, 2]]), torch.tensor([2]),
                                torch.tensor([2]), blank=0, big_blank_durations=[],
                                reduction="sum", implementation=impl)
    cost.backward()
    assert abs(float(cost.detach()) - 4.495666) < 1e-5
    np.testing.assert_allclose(acts.grad.numpy(), expected_grads, atol=1e-6)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("fused", [True, False])
def test_gradcheck(impl, fused):
    logits, targets, frames, labels = _case(5, 2, 5, 2, 5, 2)
    frames[1], labels[1] = 3, 1
    x = logits.clone().requires_grad_()

    def f(x):
        return multiblank_rnnt_loss(x, targets, frames, labels, blank=4,
                                    big_blank_durations=[2, 3], sigma=0.05, reduction="none",
                                    fused_log_softmax=fused, implementation=impl)

    assert torch.autograd.gradcheck(f, (x,), fast_mode=impl == "torch")


def test_implementations_agree_float32_and_module():
    logits, targets, frames, labels = _case(8, 3, 14, 5, 9, 3)
    kw = {"blank": 8, "big_blank_durations": [2, 4, 8], "sigma": 0.05, "reduction": "none"}
    res = {}
    for impl in IMPLS:
        for dtype in (torch.float64, torch.float32):
            x = logits.to(dtype).clone().requires_grad_()
            loss = multiblank_rnnt_loss(x, targets, frames, labels, implementation=impl, **kw)
            loss.sum().backward()
            res[impl, dtype] = (loss.double(), x.grad.double())
    ref = res["numba", torch.float64]
    torch.testing.assert_close(res["torch", torch.float64], ref, rtol=1e-9, atol=1e-10)
    for impl in IMPLS:
        torch.testing.assert_close(res[impl, torch.float32], ref, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(MultiblankRNNTLoss(**kw)(logits, targets, frames, labels),
                               ref[0])
    for b in range(3):
        assert torch.all(ref[1][b, frames[b]:] == 0)
        assert torch.all(ref[1][b, :, labels[b] + 1:] == 0)


def _bad(match, big=(2, 3), **over):
    logits, targets, frames, labels = _case(0, 2, 4, 2, 6, 2)
    args = {"logits": logits, "targets": targets, "logit_lengths": frames,
            "target_lengths": labels}
    kw = {"blank": 5, "big_blank_durations": big}
    for key in list(over):
        if key in args:
            args[key] = over.pop(key)
    kw.update(over)
    with pytest.raises(TorchInputError, match=match):
        multiblank_rnnt_loss(args["logits"], args["targets"], args["logit_lengths"],
                             args["target_lengths"], **kw)


def test_bad_inputs_name_the_argument():
    _bad("big_blank_durations", big=(0, 2))
    _bad("big_blank_durations", big=(2.0,))
    _bad("big_blank_durations", big=(2, 3, 4), blank=2)
    _bad("big_blank_durations", big=None)
    _bad("targets", targets=torch.tensor([[1, 4], [0, 0]]))  # 4 is a big blank
    _bad("targets", targets=torch.tensor([[1, 5], [0, 0]]))  # 5 is the blank
    _bad("blank", blank=6)
    _bad("sigma", sigma=float("nan"))
    _bad("logits", logits=torch.zeros(2, 4, 3))
    _bad("logits", logits=torch.zeros(2, 4, 3, 6, dtype=torch.float16))
    _bad("target_lengths", target_lengths=torch.tensor([3, 0]))
    _bad("implementation", implementation="gpu")


def test_module_takes_durations_as_a_tensor_and_checks_them():
    logits, targets, frames, labels = _case(2, 2, 5, 2, 6, 2)
    kw = {"blank": 5, "reduction": "none"}
    want = multiblank_rnnt_loss(logits, targets, frames, labels, big_blank_durations=[2, 3],
                                **kw)
    module = MultiblankRNNTLoss(big_blank_durations=torch.tensor([2, 3]), **kw)
    assert module.big_blank_durations == [2, 3]
    torch.testing.assert_close(module(logits, targets, frames, labels), want)
    with pytest.raises(TorchInputError, match="big_blank_durations"):
        MultiblankRNNTLoss(blank=5, big_blank_durations=[0])
