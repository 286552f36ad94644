"""tdt_loss against brute-force enumeration of all alignments, a push-style
DP, the standard RNN-T (omega branch), gradcheck, and input checks."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.rnnt import rnnt_loss
from kleene.torch.transducer.tdt import TDTLoss, tdt_loss
from tests.reference.tdt import log_softmax, rnnt_loop, tdt_brute_force, tdt_push

IMPLS = ("numba", "torch")


def _case(seed, B, T, U, V, D, dtype=torch.float64, blank=0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(B, T, U + 1, V + D, generator=g, dtype=dtype)
    targets = torch.randint(0, V - 1, (B, U), generator=g)
    targets = targets + (targets >= blank).long()  # never the blank
    frames = torch.randint(1, T + 1, (B,), generator=g)
    frames[0] = T
    labels = torch.randint(0, U + 1, (B,), generator=g)
    labels[0] = U
    return logits, targets, frames, labels


def _reference(fn, logits, targets, frames, labels, V, blank, durations, sigma):
    out = []
    for b in range(logits.shape[0]):
        t, u = int(frames[b]), int(labels[b])
        x = logits[b, :t, :u + 1].double().numpy()
        tok, dur = log_softmax(x[..., :V]), log_softmax(x[..., V:])
        out.append(fn(tok, dur, targets[b, :u].tolist(), blank, durations, sigma))
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("sigma", [0.0, 0.05])
@pytest.mark.parametrize("durations", [[0, 1, 2], [1, 2], [0, 1], [1]])
def test_equals_brute_force(impl, sigma, durations):
    V, blank = 3, 2
    logits, targets, frames, labels = _case(len(durations) + int(sigma * 100), 4, 4, 2, V,
                                            len(durations), blank=blank)
    if 0 not in durations:  # every label needs a frame of its own
        labels = torch.minimum(labels, frames - 1)
    got = tdt_loss(logits, targets, frames, labels, blank=blank, durations=durations,
                   sigma=sigma, reduction="none", implementation=impl)
    want = _reference(tdt_brute_force, logits, targets, frames, labels, V, blank, durations,
                      sigma)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("impl", IMPLS)
def test_equals_push_dp_on_larger_case(impl):
    # T=9, U=4 has far too many alignments to list; the push DP is exact
    V, durations = 5, [0, 1, 2, 4]
    logits, targets, frames, labels = _case(7, 3, 9, 4, V, 4)
    got = tdt_loss(logits, targets, frames, labels, blank=0, durations=durations, sigma=0.05,
                   reduction="none", implementation=impl)
    want = _reference(tdt_push, logits, targets, frames, labels, V, 0, durations, 0.05)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def test_durations_one_is_the_one_label_per_frame_transducer():
    # with durations [1] a label also advances a frame, so this is NOT Graves'
    # RNN-T (labels stay on their frame): the brute force above covers it and
    # here it differs from the RNN-T loop on the same token log-probs
    V = 3
    logits, targets, _, _ = _case(3, 1, 4, 2, V, 1)
    frames, labels = torch.tensor([4]), torch.tensor([2])
    got = tdt_loss(logits, targets, frames, labels, blank=0, durations=[1], reduction="none")
    tok = log_softmax(logits[0, ..., :V].numpy())
    assert abs(float(got) - rnnt_loop(tok, targets[0].tolist(), 0)) > 1e-3


@pytest.mark.parametrize(("impl", "fused", "separate"), [
    ("numba", True, False), ("numba", True, True), ("numba", False, False),
    ("numba", False, True), ("torch", True, False), ("torch", False, True)])
def test_gradcheck(impl, fused, separate):
    V, durations = 3, [0, 1, 2]
    logits, targets, frames, labels = _case(11, 2, 4, 2, V, 3)
    frames[1], labels[1] = 3, 1
    kw = {"blank": 0, "durations": durations, "sigma": 0.05, "implementation": impl,
              "fused_log_softmax": fused}
    if separate:
        def f(x, y):
            return tdt_loss(x, targets, frames, labels, duration_logits=y, reduction="none",
                            **kw)

        inputs = (logits[..., :V].clone().requires_grad_(),
                  logits[..., V:].clone().requires_grad_())
    else:
        def f(x):
            return tdt_loss(x, targets, frames, labels, reduction="sum", **kw)

        inputs = (logits.clone().requires_grad_(),)
    # the torch path costs ~10 ms a call: check it along random directions
    assert torch.autograd.gradcheck(f, inputs, fast_mode=impl == "torch")


def test_separate_duration_logits_match_combined():
    V = 4
    logits, targets, frames, labels = _case(5, 3, 6, 3, V, 3, blank=1)
    a = logits.clone().requires_grad_()
    la = tdt_loss(a, targets, frames, labels, blank=1, durations=[0, 1, 3], reduction="sum")
    la.backward()
    tok = logits[..., :V].clone().requires_grad_()
    dur = logits[..., V:].clone().requires_grad_()
    lb = tdt_loss(tok, targets, frames, labels, blank=1, durations=[0, 1, 3],
                  duration_logits=dur, reduction="sum")
    lb.backward()
    torch.testing.assert_close(la, lb)
    torch.testing.assert_close(a.grad, torch.cat([tok.grad, dur.grad], -1))


def test_implementations_agree_and_padding_gets_no_gradient():
    V, durations = 7, [0, 1, 2, 3]
    logits, targets, frames, labels = _case(2, 4, 15, 6, V, 4)
    frames[1], labels[1] = 6, 6
    grads, losses = [], []
    for impl in IMPLS:
        x = logits.clone().requires_grad_()
        loss = tdt_loss(x, targets, frames, labels, blank=0, durations=durations, sigma=0.05,
                        reduction="none", implementation=impl)
        loss.sum().backward()
        grads.append(x.grad)
        losses.append(loss)
    torch.testing.assert_close(losses[0], losses[1], rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-9, atol=1e-10)
    for b in range(4):
        assert torch.all(grads[0][b, frames[b]:] == 0)
        assert torch.all(grads[0][b, :, labels[b] + 1:] == 0)
    # token and duration softmax gradients each sum to zero at every state
    torch.testing.assert_close(grads[0][..., :V].sum(-1), torch.zeros(4, 15, 7, dtype=torch.float64))
    torch.testing.assert_close(grads[0][..., V:].sum(-1), torch.zeros(4, 15, 7, dtype=torch.float64))


@pytest.mark.parametrize("impl", IMPLS)
def test_float32_matches_float64(impl):
    logits, targets, frames, labels = _case(9, 3, 12, 5, 6, 3)
    out = {}
    for dtype in (torch.float32, torch.float64):
        x = logits.to(dtype).clone().requires_grad_()
        loss = tdt_loss(x, targets, frames, labels, blank=0, durations=[0, 1, 2], sigma=0.05,
                        reduction="mean", implementation=impl)
        loss.backward()
        assert loss.dtype == dtype and x.grad.dtype == dtype
        out[dtype] = (loss.double(), x.grad.double())
    torch.testing.assert_close(out[torch.float32][0], out[torch.float64][0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(out[torch.float32][1], out[torch.float64][1], rtol=1e-4, atol=1e-5)


def test_reductions_and_module():
    logits, targets, frames, labels = _case(4, 3, 5, 2, 4, 3)
    kw = {"blank": 0, "durations": [0, 1, 2]}
    per = tdt_loss(logits, targets, frames, labels, reduction="none", **kw)
    assert per.shape == (3,)
    torch.testing.assert_close(tdt_loss(logits, targets, frames, labels, reduction="sum", **kw),
                               per.sum())
    torch.testing.assert_close(tdt_loss(logits, targets, frames, labels, **kw), per.mean())
    module = TDTLoss(reduction="none", **kw)
    torch.testing.assert_close(module(logits, targets, frames, labels), per)


def test_unfused_takes_log_probabilities():
    V = 4
    logits, targets, frames, labels = _case(6, 2, 5, 2, V, 3)
    logp = torch.cat([logits[..., :V].log_softmax(-1), logits[..., V:].log_softmax(-1)], -1)
    kw = {"blank": 0, "durations": [0, 1, 2], "sigma": 0.05, "reduction": "none"}
    torch.testing.assert_close(tdt_loss(logp, targets, frames, labels, fused_log_softmax=False,
                                        **kw),
                               tdt_loss(logits, targets, frames, labels, **kw))


@pytest.mark.parametrize("impl", IMPLS)
def test_omega_one_is_the_rnnt_loss_of_the_token_logits(impl):
    V = 4
    logits, targets, frames, labels = _case(8, 3, 5, 3, V, 3)
    x = logits.clone().requires_grad_()
    got = tdt_loss(x, targets, frames, labels, blank=0, durations=[0, 1, 2], sigma=0.05,
                   omega=1.0, reduction="none", implementation=impl)
    want = [rnnt_loop(log_softmax(logits[b, :frames[b], :labels[b] + 1, :V].numpy()),
                      targets[b, :labels[b]].tolist(), 0) for b in range(3)]
    torch.testing.assert_close(got, torch.tensor(want, dtype=torch.float64))
    got.sum().backward()
    assert torch.all(x.grad[..., V:] == 0)
    torch.testing.assert_close(
        got, rnnt_loss(logits[..., :V], targets, frames, labels, blank=0, reduction="none"))


def test_omega_sampling_is_reproducible():
    logits, targets, frames, labels = _case(1, 2, 5, 2, 4, 3)
    kw = {"blank": 0, "durations": [0, 1, 2], "reduction": "sum"}
    tdt = float(tdt_loss(logits, targets, frames, labels, **kw))
    rnnt = float(tdt_loss(logits, targets, frames, labels, omega=1.0, **kw))

    def draws(seed):
        g = torch.Generator().manual_seed(seed)
        return [float(tdt_loss(logits, targets, frames, labels, omega=0.5, generator=g, **kw))
                for _ in range(20)]

    first = draws(123)
    assert first == draws(123)
    assert set(first) == {tdt, rnnt}
    # omega = 0 never draws: the generator state is untouched
    g = torch.Generator().manual_seed(5)
    state = g.get_state()
    tdt_loss(logits, targets, frames, labels, omega=0.0, generator=g, **kw)
    assert torch.equal(g.get_state(), state)


def _bad(match, **over):
    logits, targets, frames, labels = _case(0, 2, 4, 2, 3, 3)
    args = {"logits": logits, "targets": targets, "logit_lengths": frames, "target_lengths": labels}
    kw = {"blank": 0, "durations": [0, 1, 2]}
    for key in list(over):
        if key in args:
            args[key] = over.pop(key)
    kw.update(over)
    with pytest.raises(TorchInputError, match=match):
        tdt_loss(args["logits"], args["targets"], args["logit_lengths"],
                 args["target_lengths"], **kw)


def test_bad_inputs_name_the_argument():
    _bad("durations", durations=[2, 3, 4])
    _bad("durations", durations=[0, 2, 3])
    _bad("durations", durations=[0, 1, 1])
    _bad("durations", durations=[])
    _bad("durations", durations="01")
    _bad("durations", durations=[0, 1.0, 2])
    _bad("duration_logits", duration_logits=torch.zeros(2, 4, 3, 2, dtype=torch.float64))
    _bad("duration_logits", duration_logits=torch.zeros(2, 4, 2, 3, dtype=torch.float64))
    _bad("logits", logits=torch.zeros(2, 4, 3, 3, dtype=torch.float64))
    _bad("logits", logits=torch.zeros(2, 4, 3, 6, dtype=torch.int64))
    _bad("logits", logits=torch.zeros(2, 4, 3, 6, dtype=torch.bfloat16))
    _bad("blank", blank=3)
    _bad("sigma", sigma=-0.1)
    _bad("sigma", sigma=float("inf"))
    _bad("omega", omega=1.5)
    _bad("generator", omega=0.5, generator=3)
    _bad("implementation", implementation="cuda")
    _bad("reduction", reduction="avg")
    _bad("targets", targets=torch.tensor([[1, 0], [1, 2]]))
    _bad("target_lengths", target_lengths=torch.tensor([3, 1]))
    _bad("logit_lengths", logit_lengths=torch.tensor([5, 1]))
    # without duration 0 two labels and the final blank need three frames
    _bad("target_lengths", durations=[1, 2], logit_lengths=torch.tensor([4, 2]),
         target_lengths=torch.tensor([2, 2]))


@st.composite
def _drawn(draw):
    B, T, U = draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(0, 3))
    V = draw(st.integers(2, 4))
    durations = draw(st.sampled_from([[0, 1], [1], [0, 1, 2], [1, 3], [0, 1, 2, 5]]))
    sigma = draw(st.sampled_from([0.0, 0.05, 0.5]))
    blank = draw(st.integers(0, V - 1))
    frames = [draw(st.integers(1, T)) for _ in range(B)]
    cap = (lambda f: min(U, f - 1)) if 0 not in durations else (lambda f: U)
    labels = [draw(st.integers(0, cap(f))) for f in frames]
    return B, T, U, V, durations, sigma, blank, frames, labels, draw(st.integers(0, 2**31 - 1))


@settings(deadline=None, max_examples=20)
@given(_drawn())
def test_drawn_cases_agree_with_the_push_dp(case):
    B, T, U, V, durations, sigma, blank, frames, labels, seed = case
    g = torch.Generator().manual_seed(seed)
    logits = 2 * torch.randn(B, T, U + 1, V + len(durations), generator=g, dtype=torch.float64)
    targets = torch.randint(0, V - 1, (B, max(U, 1)), generator=g)
    targets = targets + (targets >= blank).long()
    frames, labels = torch.tensor(frames), torch.tensor(labels)
    want = _reference(tdt_push, logits, targets, frames, labels, V, blank, durations, sigma)
    grads = []
    for impl in IMPLS:
        x = logits.clone().requires_grad_()
        got = tdt_loss(x, targets, frames, labels, blank=blank, durations=durations, sigma=sigma,
                       reduction="none", implementation=impl)
        torch.testing.assert_close(got, want, rtol=1e-9, atol=1e-9)
        got.sum().backward()
        grads.append(x.grad)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-9, atol=1e-12)


def test_gradient_reaches_only_the_inputs_that_ask():
    V = 3
    logits, targets, frames, labels = _case(12, 2, 4, 2, V, 3)
    tok = logits[..., :V].clone()
    dur = logits[..., V:].clone().requires_grad_()
    tdt_loss(tok, targets, frames, labels, blank=0, durations=[0, 1, 2], duration_logits=dur,
             reduction="sum").backward()
    assert tok.grad is None and dur.grad is not None
    # the duration softmax gradient sums to zero at every state
    torch.testing.assert_close(dur.grad.sum(-1), torch.zeros(2, 4, 3, dtype=torch.float64))
    assert dur.grad.abs().sum() > 0


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("pad", [float("nan"), float("-inf")])
def test_padding_may_hold_nan_or_minus_inf(impl, fused, pad):
    # padded cells (t >= T_b or u > U_b) are never read into the loss, so
    # garbage there (NaN, or -inf from masking) must give the same loss and a
    # zero, finite gradient there
    V, durations = 4, [0, 1, 2]
    logits, targets, frames, labels = _case(13, 3, 5, 3, V, 3)
    frames[1:], labels[1:] = torch.tensor([3, 2]), torch.tensor([1, 0])
    if not fused:
        logits = torch.cat([logits[..., :V].log_softmax(-1), logits[..., V:].log_softmax(-1)], -1)
    kw = {"blank": 0, "durations": durations, "sigma": 0.05, "reduction": "none",
          "implementation": impl, "fused_log_softmax": fused}
    clean = logits.clone().requires_grad_()
    want = tdt_loss(clean, targets, frames, labels, **kw)
    want.sum().backward()
    dirty = logits.clone()
    for b in range(3):
        dirty[b, frames[b]:] = pad
        dirty[b, :, labels[b] + 1:] = pad
    dirty.requires_grad_()
    got = tdt_loss(dirty, targets, frames, labels, **kw)
    got.sum().backward()
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(dirty.grad, clean.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_impossible_sequence_gets_infinite_loss_and_zero_gradient(impl):
    V = 3
    logits, targets, frames, labels = _case(14, 2, 4, 2, V, 3)
    logits[0, ..., 0] = float("-inf")  # sequence 0 can never emit its final blank
    x = logits.clone().requires_grad_()
    loss = tdt_loss(x, targets, frames, labels, blank=0, durations=[0, 1, 2],
                    reduction="none", implementation=impl)
    loss.sum().backward()
    assert loss[0] == float("inf") and torch.isfinite(loss[1])
    assert torch.all(x.grad[0] == 0) and torch.isfinite(x.grad).all()
    assert x.grad[1].abs().sum() > 0


@pytest.mark.parametrize("separate", [False, True])
def test_torch_path_creates_every_tensor_on_the_input_device(separate):
    # no GPU here: the meta device holds no data, so any tensor made on the
    # CPU by mistake (a missing device=) or read back to the host fails; the
    # public function checks lengths on the host, so call the autograd
    # function directly, with the TDT and the multi-blank arc lists
    from kleene.torch.transducer.tdt import (
        LatticeSpec,
        _DurationLattice,
        targets_by_state,
    )

    B, T, U, V = 2, 3, 2, 4
    specs = [LatticeSpec(V, (0, 1, 2), (1, 2), (0, 0), (0, 1, 2), (1, 2), 0.05, True, "torch"),
             LatticeSpec(V, (0,), (1, 3), (3, 2), None, None, 0.0, False, "torch")]
    for spec in specs:
        extra = 3 if spec.blank_dur is not None and not separate else 0
        x = torch.randn(B, T, U + 1, V + extra, device="meta", requires_grad=True)
        d = None
        if separate and spec.blank_dur is not None:
            d = torch.randn(B, T, U + 1, 3, device="meta", requires_grad=True)
        tgt = targets_by_state(torch.ones(B, U, dtype=torch.long, device="meta"), U + 1, V)
        frames = torch.tensor([3, 2], device="meta")
        labels = torch.tensor([2, 1], device="meta")
        out = _DurationLattice.apply(x, d, tgt, frames, labels, spec)
        out.sum().backward()
        assert out.shape == (B,) and x.grad.shape == x.shape and x.grad.device.type == "meta"
        if d is not None:
            assert d.grad.shape == d.shape


@pytest.mark.parametrize("impl", IMPLS)
def test_double_backward_fails_loudly(impl):
    # the backward reads occupancies saved in the forward; a second
    # derivative through a joiner (create_graph=True) must raise instead of
    # treating them as constants (once_differentiable alone lets it through
    # when the incoming gradient does not require grad, as after .mean())
    g = torch.Generator().manual_seed(4)
    hidden = torch.randn(1, 3, 3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 6, generator=g, dtype=torch.float64, requires_grad=True)
    loss = tdt_loss(hidden @ weight, torch.tensor([[1, 2]]), torch.tensor([3]),
                    torch.tensor([2]), blank=0, durations=[0, 1, 2], implementation=impl)
    (grad,) = torch.autograd.grad(loss, weight, create_graph=True)
    assert grad.requires_grad
    with pytest.raises(RuntimeError, match="first derivatives only"):
        grad.sum().backward()


def test_module_takes_durations_as_a_tensor_and_checks_them():
    logits, targets, frames, labels = _case(15, 2, 4, 2, 3, 3)
    want = tdt_loss(logits, targets, frames, labels, blank=0, durations=[0, 1, 2])
    module = TDTLoss(blank=0, durations=torch.tensor([0, 1, 2]))
    assert module.durations == [0, 1, 2]
    torch.testing.assert_close(module(logits, targets, frames, labels), want)
    with pytest.raises(TorchInputError, match="durations"):
        TDTLoss(blank=0, durations=None)
