"""rnnt_loss against published values (warp-transducer, torchaudio), the slow
reference in tests/reference/rnnt.py, brute-force alignment sums,
gradcheck, warprnnt_numba, and its input checks. Both implementations run
on CPU: "numba" (the CPU kernels) and "torch" (the device-agnostic path)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.rnnt import RNNTLoss, rnnt_loss
from tests.reference.rnnt import brute_force_log_likelihood, rnnt_loss_reference

IMPLS = ["numba", "torch"]
DTYPES = [torch.float32, torch.float64]


def _ints(values):
    return torch.tensor(values, dtype=torch.int32)


def _run(logits, targets, frames, labels, **kw):
    """(loss, d loss / d logits) from rnnt_loss."""
    x = logits.detach().clone().requires_grad_(True)
    loss = rnnt_loss(x, targets, frames, labels, **kw)
    loss.sum().backward()
    return loss.detach(), x.grad


# --- published reference values ------------------------------------------------------------

# warp-transducer's "small" test: tests/test_cpu.cpp (small_test, cost 4.495666) and
# pytorch_binding/test/test.py (small_test, its gradient) in github:HawkAaron/warp-transducer;
# blank = 0, gradients of the summed cost w.r.t. the logits (log-softmax fused).
SMALL_LOGITS = [[[[0.1, 0.6, 0.1, 0.1, 0.1], [0.1, 0.1, 0.6, 0.1, 0.1], [0.1, 0.1, 0.2, 0.8, 0.1]],
                 [[0.1, 0.6, 0.1, 0.1, 0.1], [0.1, 0.1, 0.2, 0.1, 0.1], [0.7, 0.1, 0.2, 0.1, 0.1]]]]
SMALL_COST = 4.495666
SMALL_GRAD = [[[[-0.13116688, -0.3999269, 0.17703125, 0.17703125, 0.17703125],
                [-0.18572757, 0.12247056, -0.18168412, 0.12247056, 0.12247056],
                [-0.32091254, 0.06269141, 0.06928472, 0.12624499, 0.06269141]],
               [[0.05456069, -0.21824276, 0.05456069, 0.05456069, 0.05456069],
                [0.12073959, 0.12073959, -0.48295835, 0.12073959, 0.12073959],
                [-0.6925882, 0.16871116, 0.18645467, 0.16871116, 0.16871116]]]]

# torchaudio's get_B1_T2_U3_D5_data (test/torchaudio_unittest/common_utils/rnnt_utils.py in
# github:pytorch/audio): the same logits with blank = -1 (the last class).
SMALL_BLANK_LAST_COST = 5.09566688538
SMALL_BLANK_LAST_GRAD = [
    0.17703132, -0.39992708, 0.17703132, 0.17703132, -0.13116692, 0.12247062, 0.12247062,
    -0.181684, 0.12247062, -0.1857276, 0.06269141, 0.06269141, 0.06928471, 0.12624498,
    -0.32091248, 0.05456069, -0.2182428, 0.05456069, 0.05456069, 0.05456069, 0.12073967,
    0.12073967, -0.48295838, 0.12073967, 0.12073967, 0.30741188, 0.16871123, 0.18645471,
    0.16871123, -0.83128875]

# torchaudio's get_B2_T4_U3_D3_data (same file; also warp-transducer's options_test in
# tests/test_cpu.cpp and big_test in pytorch_binding/test/test.py): B=2, T=4, V=3, blank 0.
B2_LOGITS = [
    0.065357, 0.787530, 0.081592, 0.529716, 0.750675, 0.754135, 0.609764, 0.868140, 0.622532,
    0.668522, 0.858039, 0.164539, 0.989780, 0.944298, 0.603168, 0.946783, 0.666203, 0.286882,
    0.094184, 0.366674, 0.736168, 0.166680, 0.714154, 0.399400, 0.535982, 0.291821, 0.612642,
    0.324241, 0.800764, 0.524106, 0.779195, 0.183314, 0.113745, 0.240222, 0.339470, 0.134160,
    0.505562, 0.051597, 0.640290, 0.430733, 0.829473, 0.177467, 0.320700, 0.042883, 0.302803,
    0.675178, 0.569537, 0.558474, 0.083132, 0.060165, 0.107958, 0.748615, 0.943918, 0.486356,
    0.418199, 0.652408, 0.024243, 0.134582, 0.366342, 0.295830, 0.923670, 0.689929, 0.741898,
    0.250005, 0.603430, 0.987289, 0.592606, 0.884672, 0.543450, 0.660770, 0.377128, 0.358021]
B2_COSTS = [4.2806528590890736, 3.9384369822503591]
B2_GRAD = [
    -0.186844, -0.062555, 0.249399, -0.203377, 0.202399, 0.000977, -0.141016, 0.079123, 0.061893,
    -0.011552, -0.081280, 0.092832, -0.154257, 0.229433, -0.075176, -0.246593, 0.146405, 0.100188,
    -0.012918, -0.061593, 0.074512, -0.055986, 0.219831, -0.163845, -0.497627, 0.209240, 0.288387,
    0.013605, -0.030220, 0.016615, 0.113925, 0.062781, -0.176706, -0.667078, 0.367659, 0.299419,
    -0.356344, -0.055347, 0.411691, -0.096922, 0.029459, 0.067463, -0.063518, 0.027654, 0.035863,
    -0.154499, -0.073942, 0.228441, -0.166790, -0.000088, 0.166878, -0.172370, 0.105565, 0.066804,
    0.023875, -0.118256, 0.094381, -0.104707, -0.108934, 0.213642, -0.369844, 0.180118, 0.189726,
    0.025714, -0.079462, 0.053748, 0.122328, -0.238789, 0.116460, -0.598687, 0.302203, 0.296484]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_warp_transducer_small(impl, dtype):
    logits = torch.tensor(SMALL_LOGITS, dtype=dtype)
    loss, grad = _run(logits, _ints([[1, 2]]), _ints([2]), _ints([2]), blank=0,
                      reduction="sum", implementation=impl)
    assert loss.dtype == dtype
    assert abs(float(loss) - SMALL_COST) < 1e-5
    torch.testing.assert_close(grad, torch.tensor(SMALL_GRAD, dtype=dtype), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_torchaudio_small_blank_last(impl, dtype):
    logits = torch.tensor(SMALL_LOGITS, dtype=dtype)
    loss, grad = _run(logits, _ints([[1, 2]]), _ints([2]), _ints([2]), reduction="none",
                      implementation=impl)  # blank defaults to -1
    torch.testing.assert_close(loss, torch.tensor([SMALL_BLANK_LAST_COST], dtype=dtype),
                               atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(grad.flatten(), torch.tensor(SMALL_BLANK_LAST_GRAD, dtype=dtype),
                               atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_torchaudio_b2_t4_v3(impl, dtype):
    logits = torch.tensor(B2_LOGITS, dtype=dtype).reshape(2, 4, 3, 3)
    loss, grad = _run(logits, _ints([[1, 2], [1, 1]]), _ints([4, 4]), _ints([2, 2]), blank=0,
                      reduction="none", implementation=impl)
    # the published costs carry 16 digits but come from logits rounded to 6 decimals
    torch.testing.assert_close(loss, torch.tensor(B2_COSTS, dtype=dtype), atol=1e-5, rtol=1e-6)
    torch.testing.assert_close(grad.flatten(), torch.tensor(B2_GRAD, dtype=dtype),
                               atol=2e-6, rtol=1e-5)
    mean, _ = _run(logits, _ints([[1, 2], [1, 1]]), _ints([4, 4]), _ints([2, 2]), blank=0,
                   implementation=impl)
    assert abs(float(mean) - sum(B2_COSTS) / 2) < 1e-5


# --- the slow reference and brute force ----------------------------------------------------

@st.composite
def rnnt_cases(draw):
    B = draw(st.integers(1, 3))
    T = draw(st.integers(1, 5))
    U = draw(st.integers(0, 4))
    V = draw(st.integers(2, 6))
    blank = draw(st.sampled_from([-1, 0, V - 1, draw(st.integers(0, V - 1))]))
    blank_id = blank % V
    frames = [draw(st.integers(1, T)) for _ in range(B)]
    labels = [draw(st.integers(0, U)) for _ in range(B)]
    frames[draw(st.integers(0, B - 1))] = T  # torchaudio's usual layout; lengths may be short
    others = [v for v in range(V) if v != blank_id]
    targets = [[draw(st.sampled_from(others)) for _ in range(U)] for _ in range(B)]
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.sampled_from([1.0, 3.0]))
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(B, T, U + 1, V, generator=gen, dtype=torch.float64) * scale
    return {"logits": logits, "targets": torch.tensor(targets, dtype=torch.int64).view(B, U),
            "frames": _ints(frames), "labels": torch.tensor(labels, dtype=torch.int64),
            "blank": blank}


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=30, deadline=None)
@given(case=rnnt_cases(), dtype=st.sampled_from(DTYPES),
       reduction=st.sampled_from(["none", "mean", "sum"]), fused=st.booleans(),
       clamp=st.sampled_from([-1.0, 0.0, 0.05]))
def test_matches_reference(impl, case, dtype, reduction, fused, clamp):
    logits = case["logits"]
    if not fused:
        logits = torch.log_softmax(logits, dim=-1)
    args = (logits.to(dtype), case["targets"], case["frames"], case["labels"])
    loss, grad = _run(*args, blank=case["blank"], clamp=clamp, reduction=reduction,
                      fused_log_softmax=fused, implementation=impl)
    ref_loss, ref_grad = rnnt_loss_reference(*args, blank=case["blank"], clamp=clamp,
                                             reduction=reduction, fused_log_softmax=fused)
    tol = {"atol": 1e-5, "rtol": 1e-5} if dtype == torch.float32 else {"atol": 1e-10, "rtol": 1e-10}
    assert loss.dtype == dtype and loss.shape == ref_loss.shape
    torch.testing.assert_close(loss, ref_loss, **tol)
    torch.testing.assert_close(grad, ref_grad, **tol)


@pytest.mark.parametrize("seed", range(4))
def test_reference_and_kleene_equal_brute_force(seed):
    gen = torch.Generator().manual_seed(seed)
    B, T, U, V = 2, 4, 3, 4
    logits = torch.randn(B, T, U + 1, V, generator=gen, dtype=torch.float64)
    targets = torch.randint(1, V, (B, U), generator=gen)
    frames, labels = _ints([4, 3]), _ints([3, 2])
    brute = torch.stack([
        -brute_force_log_likelihood(torch.log_softmax(logits[b, :frames[b], :labels[b] + 1], -1),
                                    targets[b].tolist(), 0) for b in range(B)])
    ref, _ = rnnt_loss_reference(logits, targets, frames, labels, blank=0, reduction="none")
    torch.testing.assert_close(ref, brute, atol=1e-12, rtol=1e-12)
    for impl in IMPLS:
        loss = rnnt_loss(logits, targets, frames, labels, blank=0, reduction="none",
                         implementation=impl)
        torch.testing.assert_close(loss, brute, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_weighted_backward_and_implementations_agree(impl):
    """A non-uniform upstream gradient (reduction='none') scales each
    sequence's gradient; both implementations agree on a padded batch."""
    gen = torch.Generator().manual_seed(7)
    B, T, U, V = 3, 7, 5, 11
    logits = torch.randn(B, T, U + 1, V, generator=gen, dtype=torch.float64)
    targets = torch.randint(0, V - 1, (B, U), generator=gen)  # blank = -1 is V - 1
    frames, labels = _ints([7, 4, 6]), _ints([5, 0, 3])
    weights = torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64)
    x = logits.clone().requires_grad_(True)
    rnnt_loss(x, targets, frames, labels, reduction="none", implementation=impl).backward(weights)
    expected = torch.cat([
        w * rnnt_loss_reference(logits[b:b + 1], targets[b:b + 1], frames[b:b + 1],
                                labels[b:b + 1], reduction="sum")[1]
        for b, w in enumerate(weights)])
    torch.testing.assert_close(x.grad, expected, atol=1e-10, rtol=1e-10)
    other = "torch" if impl == "numba" else "numba"
    y = logits.clone().requires_grad_(True)
    rnnt_loss(y, targets, frames, labels, reduction="none", implementation=other).backward(weights)
    torch.testing.assert_close(x.grad, y.grad, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("fused", [True, False])
def test_gradcheck(impl, fused):
    gen = torch.Generator().manual_seed(3)
    logits = torch.randn(2, 3, 3, 4, generator=gen, dtype=torch.float64)
    if not fused:
        logits = torch.log_softmax(logits, -1)
    targets = torch.tensor([[1, 2], [3, 1]])
    frames, labels = _ints([3, 2]), _ints([2, 1])

    def f(x):
        return rnnt_loss(x, targets, frames, labels, blank=0, reduction="none",
                         fused_log_softmax=fused, implementation=impl)

    assert torch.autograd.gradcheck(f, (logits.requires_grad_(True),), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("impl", IMPLS)
def test_layouts_no_grad_and_module(impl):
    """Non-contiguous logits, a forward without autograd, int64 lengths and
    the module form all give the same numbers."""
    gen = torch.Generator().manual_seed(11)
    logits = torch.randn(2, 5, 4, 6, generator=gen)
    targets = torch.tensor([[1, 2, 3], [4, 4, 0]])
    frames, labels = torch.tensor([5, 3]), torch.tensor([3, 2])
    base, grad = _run(logits, targets, frames, labels, implementation=impl)
    strided = logits.permute(3, 0, 1, 2).contiguous().permute(1, 2, 3, 0)
    assert not strided.is_contiguous()
    loss2, grad2 = _run(strided, targets, frames, labels, implementation=impl)
    torch.testing.assert_close(loss2, base, atol=0, rtol=0)
    torch.testing.assert_close(grad2, grad, atol=0, rtol=0)
    with torch.no_grad():
        torch.testing.assert_close(rnnt_loss(logits, targets, frames, labels,
                                             implementation=impl), base, atol=0, rtol=0)
    module = RNNTLoss(blank=-1, reduction="mean", implementation=impl)
    torch.testing.assert_close(module(logits, targets, frames, labels), base, atol=0, rtol=0)
    assert "implementation" in repr(module)


@pytest.mark.parametrize("impl", IMPLS)
def test_forward_keeps_no_vocabulary_sized_tensor(impl):
    """Memory-lean: besides the logits themselves, nothing the forward saves
    for the backward has more than B*T*(U+1) elements."""
    B, T, U, V = 2, 6, 4, 50
    logits = torch.randn(B, T, U + 1, V, requires_grad=True)
    targets = torch.randint(0, V - 1, (B, U))
    saved = []

    def pack(t):
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = rnnt_loss(logits, targets, _ints([T, T]), _ints([U, U]), implementation=impl)
    others = [t for t in saved if t.data_ptr() != logits.data_ptr()]
    assert others and max(t.numel() for t in others) <= B * T * (U + 1)
    loss.backward()
    assert logits.grad.shape == logits.shape


def test_agrees_with_warprnnt_numba():
    warp = pytest.importorskip("warprnnt_numba.rnnt_loss.rnnt_pytorch")
    gen = torch.Generator().manual_seed(5)
    B, T, U, V = 3, 6, 4, 7
    logits = torch.randn(B, T, U + 1, V, generator=gen)
    targets = torch.randint(1, V, (B, U), generator=gen, dtype=torch.int32)
    frames, labels = _ints([6, 4, 5]), _ints([4, 2, 3])
    x = logits.clone().requires_grad_(True)
    theirs = warp.rnnt_loss(x, targets, frames, labels, blank=0, reduction="sum")
    theirs.sum().backward()
    ours, grad = _run(logits, targets, frames, labels, blank=0, reduction="sum")
    torch.testing.assert_close(ours, theirs.detach().view(()), atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(grad, x.grad, atol=1e-5, rtol=1e-4)


# --- bad input ------------------------------------------------------------------------------

def _good():
    return {"logits": torch.zeros(2, 3, 3, 4), "targets": torch.tensor([[1, 2], [2, 1]]),
                "logit_lengths": _ints([3, 2]), "target_lengths": _ints([2, 1])}


@pytest.mark.parametrize("change, kwargs, match", [
    ({"logits": torch.zeros(2, 3, 4)}, {}, "logits"),
    ({"logits": torch.zeros(2, 3, 3, 4, dtype=torch.int64)}, {}, "logits"),
    ({"logits": torch.zeros(2, 3, 3, 4, dtype=torch.float16)}, {}, "logits"),
    ({"logits": torch.zeros(2, 3, 0, 4)}, {}, "logits"),
    ({"targets": torch.tensor([[1], [2]])}, {}, "targets"),  # shorter than U
    ({"targets": torch.tensor([[1.0, 2.0], [2.0, 1.0]])}, {}, "targets"),
    ({"targets": torch.tensor([1, 2])}, {}, "targets"),
    ({"targets": torch.tensor([[1, 4], [2, 1]])}, {}, "targets"),  # id >= V
    ({"targets": torch.tensor([[1, -2], [2, 1]])}, {}, "targets"),
    ({"targets": torch.tensor([[1, 3], [2, 1]])}, {}, "targets"),  # blank (-1 -> 3)
    ({"logit_lengths": _ints([4, 2])}, {}, "logit_lengths"),
    ({"logit_lengths": _ints([0, 2])}, {}, "logit_lengths"),
    ({"logit_lengths": _ints([3])}, {}, "logit_lengths"),
    ({"logit_lengths": torch.tensor([3.0, 2.0])}, {}, "logit_lengths"),
    ({"target_lengths": _ints([3, 1])}, {}, "target_lengths"),
    ({"target_lengths": _ints([-1, 1])}, {}, "target_lengths"),
    ({}, {"blank": 4}, "blank"),
    ({}, {"blank": -5}, "blank"),
    ({}, {"blank": 1.0}, "blank"),
    ({}, {"reduction": "avg"}, "reduction"),
    ({}, {"clamp": "big"}, "clamp"),
    ({}, {"fused_log_softmax": None}, "fused_log_softmax"),
    ({}, {"implementation": "cuda"}, "implementation"),
])
def test_bad_input_names_the_argument(change, kwargs, match):
    args = {**_good(), **change}
    with pytest.raises(TorchInputError, match=match):
        rnnt_loss(args["logits"], args["targets"], args["logit_lengths"], args["target_lengths"],
                  **kwargs)
    assert issubclass(TorchInputError, ValueError)


def test_blank_in_targets_is_fine_past_target_length():
    args = _good()
    args["targets"] = torch.tensor([[1, 2], [2, 3]])  # 3 (the blank) sits in padding
    loss = rnnt_loss(args["logits"], args["targets"], args["logit_lengths"],
                     args["target_lengths"])
    assert torch.isfinite(loss)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_non_finite_logits(impl, dtype):
    """A -inf logit (an impossible class) leaves loss and gradient finite and
    its gradient 0; a NaN inside a sequence's lattice makes that loss NaN;
    NaN in the padding is never read."""
    gen = torch.Generator().manual_seed(2)
    logits = torch.randn(2, 4, 3, 5, generator=gen, dtype=dtype)
    targets, frames, labels = torch.tensor([[1, 2], [3, 3]]), _ints([4, 3]), _ints([2, 1])
    ref, ref_grad = rnnt_loss_reference(logits, targets, frames, labels, blank=0,
                                        reduction="none")
    masked = logits.clone()
    masked[..., 4] = -torch.inf  # class 4 is never a target
    loss, grad = _run(masked, targets, frames, labels, blank=0, reduction="none",
                      implementation=impl)
    assert torch.isfinite(loss).all() and torch.isfinite(grad).all()
    assert (grad[..., 4] == 0).all()
    expected, _ = rnnt_loss_reference(masked, targets, frames, labels, blank=0, reduction="none")
    torch.testing.assert_close(loss, expected, atol=1e-5, rtol=1e-5)
    padded = logits.clone()
    padded[1, 3] = torch.nan  # frame 3 of sequence 1 is padding
    padded[1, :, 2] = torch.nan  # so is u = 2
    loss, grad = _run(padded, targets, frames, labels, blank=0, reduction="none",
                      implementation=impl)
    torch.testing.assert_close(loss, ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(grad, ref_grad, atol=1e-5, rtol=1e-5)
    broken = logits.clone()
    broken[0, 1, 1, 3] = torch.nan
    loss = rnnt_loss(broken, targets, frames, labels, blank=0, reduction="none",
                     implementation=impl)
    assert torch.isnan(loss[0]) and torch.isfinite(loss[1])


@pytest.mark.parametrize("impl", IMPLS)
def test_impossible_sequence_gets_infinite_loss_and_zero_gradient(impl):
    log_probs = torch.log_softmax(torch.randn(2, 3, 2, 4, dtype=torch.float64), -1)
    log_probs[0, 2, 1, 0] = -torch.inf  # sequence 0 can never emit its final blank
    loss, grad = _run(log_probs, torch.tensor([[1], [2]]), _ints([3, 3]), _ints([1, 1]), blank=0,
                      reduction="none", fused_log_softmax=False, implementation=impl)
    assert loss[0] == torch.inf and torch.isfinite(loss[1])
    assert (grad[0] == 0).all() and (grad[1] != 0).any()


def test_float32_exp_is_within_a_few_ulp():
    """The kernels' vectorizable float32 exp against float64 exp."""
    import numpy as np
    from numba import njit

    from kleene.kernels.rnnt import _exp

    @njit
    def apply(x, out):
        for i in range(x.shape[0]):
            out[i] = _exp(x[i])

    x = np.concatenate([np.linspace(-86.9, 10.0, 200_001, dtype=np.float32),
                        np.array([0.0, -87.5, -1e30, -np.inf, np.nan], np.float32)])
    out = np.empty_like(x)
    apply(x, out)
    ref = np.exp(x[:-5].astype(np.float64))
    assert np.max(np.abs(out[:-5] - ref) / ref) < 2.5e-7  # ~2 float32 ulp
    assert out[-5] == 1.0 and (out[-4:-1] == 0.0).all() and np.isnan(out[-1])


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("frames", [0, 3])
def test_empty_batch(impl, frames):
    """B = 0 (T may then be 0): no losses, a zero-sized gradient, no error."""
    logits = torch.randn(0, frames, 3, 4, requires_grad=True)
    empty = torch.zeros(0, dtype=torch.int64)
    loss = rnnt_loss(logits, torch.zeros(0, 2, dtype=torch.int64), empty, empty,
                     reduction="none", implementation=impl)
    assert loss.shape == (0,)
    total = rnnt_loss(logits, torch.zeros(0, 2, dtype=torch.int64), empty, empty,
                      reduction="sum", implementation=impl)
    total.backward()
    assert total.item() == 0.0 and logits.grad.shape == logits.shape


@pytest.mark.parametrize("impl", IMPLS)
def test_double_backward_fails_loudly(impl):
    """The backward reads lattices saved in the forward; a second derivative
    through a joiner (create_graph=True) raises instead of treating them as
    constants."""
    gen = torch.Generator().manual_seed(4)
    hidden = torch.randn(1, 3, 3, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    loss = rnnt_loss(hidden @ weight, torch.tensor([[1, 2]]), _ints([3]), _ints([2]), blank=0,
                     implementation=impl)
    (g,) = torch.autograd.grad(loss, weight, create_graph=True)
    assert g.requires_grad  # through hidden: the joiner's own graph
    with pytest.raises(RuntimeError, match="first derivatives only"):
        g.sum().backward()


@pytest.mark.parametrize("fused", [True, False])
def test_torch_path_creates_every_tensor_on_the_input_device(fused):
    """GPU readiness without a GPU: the device-agnostic path runs on 'meta'
    tensors, where a tensor created on the CPU by mistake (a missing
    device=) makes the mixed-device operation raise."""
    from kleene.torch.transducer.rnnt import _torch_backward, _torch_forward

    logits = torch.empty(2, 4, 3, 5, device="meta")
    targets = torch.empty(2, 2, dtype=torch.int64, device="meta")
    lengths = torch.empty(2, dtype=torch.int64, device="meta")
    lattices = _torch_forward(logits, targets, lengths, lengths, 0, fused, True)
    assert all(t.device.type == "meta" for t in lattices)
    grad = _torch_backward(logits, targets, lengths, lengths, 0, fused, 0.5, lattices,
                           torch.empty(2, device="meta"))
    assert grad.device.type == "meta" and grad.shape == logits.shape


@pytest.mark.parametrize("impl", IMPLS)
def test_no_grad_skips_the_backward_lattice(impl, monkeypatch):
    """Under torch.no_grad() (a validation loop on a model whose parameters
    require grad) the beta pass is skipped; with grad enabled it runs."""
    from kleene.torch.transducer import rnnt

    name = "_numba_forward" if impl == "numba" else "_torch_forward"
    original, calls = getattr(rnnt, name), []

    def spy(*args):
        calls.append(args[-1])  # want_beta
        return original(*args)

    monkeypatch.setattr(rnnt, name, spy)
    logits = torch.randn(1, 3, 2, 4, requires_grad=True)
    args = (torch.tensor([[1]]), _ints([3]), _ints([1]))
    with torch.no_grad():
        rnnt_loss(logits, *args, implementation=impl)
    rnnt_loss(logits, *args, implementation=impl).backward()
    assert calls == [False, True]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("fused", [True, False])
def test_cuda_matches_cpu(fused):
    """Where a GPU exists: the torch path on CUDA equals the numba kernels on
    CPU (loss and gradient, float32, ragged lengths, NaN padding)."""
    gen = torch.Generator().manual_seed(12)
    logits = torch.randn(3, 9, 5, 7, generator=gen)
    if not fused:
        logits = torch.log_softmax(logits, -1)
    logits[2, 6:] = torch.nan  # padding past logit_lengths[2]
    targets = torch.randint(1, 7, (3, 4), generator=gen)
    frames, labels = _ints([9, 8, 6]), _ints([4, 0, 3])
    kw = {"blank": 0, "reduction": "sum", "fused_log_softmax": fused, "clamp": 0.3}
    want, want_grad = _run(logits, targets, frames, labels, implementation="numba", **kw)
    got, grad = _run(logits.cuda(), targets.cuda(), frames.cuda(), labels.cuda(), **kw)
    torch.testing.assert_close(got.cpu(), want, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(grad.cpu(), want_grad, atol=1e-5, rtol=1e-4)
