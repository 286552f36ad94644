"""Pruned RNN-T (k2's two-pass recipe) against k2's toy value, the slow
reference in tests/reference/pruned_rnnt.py (cell-by-cell DP and brute-force
alignment sums, with autograd for reference gradients), the full rnnt_loss,
gradcheck, and its input checks. Both implementations run on CPU: "numba"
(the kernel) and "torch" (the device-agnostic anti-diagonal/frame loops)."""

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.pruned import (
    PrunedRNNTLoss,
    do_rnnt_pruning,
    get_rnnt_prune_ranges,
    mutual_information_recursion,
    pruned_rnnt_loss,
    rnnt_loss_pruned,
    rnnt_loss_simple,
)
from kleene.torch.transducer.rnnt import rnnt_loss
from tests.reference.pruned_rnnt import (
    lattice_logprob_bruteforce,
    recursion_logprob,
    rnnt_logprob,
    rnnt_logprob_banded,
)

IMPLS = ["numba", "torch"]
TYPES = ["regular", "modified", "constrained"]

# k2's toy example: test_rnnt_loss_basic in k2/python/tests/rnnt_loss_test.py
# (github:k2-fsa/k2), B=1, S=3, T=4, C=3. That test compares every loss to the
# value it computes itself; 7.504014 is the one issue 8 quotes (float32), the
# float64 sum over alignments is 7.5040134.
K2_LM = [[[0, 0, 1], [0, 1, 1], [1, 0, 1], [2, 2, 0]]]
K2_AM = [[[0, 1, 2], [0, 0, 0], [0, 2, 4], [0, 3, 3]]]
K2_SYMBOLS = [[0, 1, 0]]
K2_TERMINATION = 2
K2_LOSS = 7.504014


def _k2_toy(dtype=torch.float32):
    return (torch.tensor(K2_LM, dtype=dtype), torch.tensor(K2_AM, dtype=dtype),
            torch.tensor(K2_SYMBOLS))


def _boxes(boundary, batch, nsym, nframe):
    if boundary is None:
        return [(0, 0, nsym, nframe)] * batch
    return [tuple(row) for row in boundary.tolist()]


def _random_case(seed, batch, nframe, nsym, ncls, *, begins=False, rnnt_type="regular",
                 dtype=torch.float64):
    """am, lm, symbols (ids avoid the last class, the termination symbol) and
    a boundary with random lengths (and begins)."""
    g = torch.Generator().manual_seed(seed)
    am = torch.randn(batch, nframe, ncls, generator=g, dtype=dtype)
    lm = torch.randn(batch, nsym + 1, ncls, generator=g, dtype=dtype)
    symbols = torch.randint(0, ncls - 1, (batch, nsym), generator=g)
    rows = []
    for _ in range(batch):
        s1 = int(torch.randint(0, nsym + 1, (1,), generator=g))
        t1 = int(torch.randint(1, nframe + 1, (1,), generator=g))
        if rnnt_type != "regular":
            t1 = max(t1, s1)
        s0 = int(torch.randint(0, s1 + 1, (1,), generator=g)) if begins else 0
        t0 = int(torch.randint(0, t1 - (s1 - s0 if rnnt_type != "regular" else 0) + 1, (1,),
                               generator=g)) if begins else 0
        rows.append([s0, t0, s1, t1])
    return am, lm, symbols, torch.tensor(rows)


def _grads(loss, *tensors):
    return torch.autograd.grad(loss.sum(), tensors)


# --- k2's toy value ----------------------------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
def test_k2_toy_value_simple(impl):
    lm, am, symbols = _k2_toy()
    loss = rnnt_loss_simple(lm, am, symbols, K2_TERMINATION, reduction="none",
                            implementation=impl)
    assert loss.shape == (1,)
    assert loss.item() == pytest.approx(K2_LOSS, abs=2e-5)
    # k2's invariance check: adding a constant to a frame or a context changes nothing
    shifted = rnnt_loss_simple(lm + torch.tensor([[[3.0], [-1.0], [0.5], [2.0]]]),
                               am + torch.tensor([[[-2.0], [4.0], [1.0], [0.25]]]),
                               symbols, K2_TERMINATION, reduction="none", implementation=impl)
    assert shifted.item() == pytest.approx(K2_LOSS, abs=2e-5)


@pytest.mark.parametrize("impl", IMPLS)
def test_k2_toy_value_pruned_and_full(impl):
    lm, am, symbols = _k2_toy()
    _, (px_grad, py_grad) = rnnt_loss_simple(lm, am, symbols, K2_TERMINATION, return_grad=True,
                                             implementation=impl)
    ranges = get_rnnt_prune_ranges(px_grad, py_grad, None, 4)   # s_range = U + 1
    assert ranges.tolist() == [[[0, 1, 2, 3]] * 4]
    am_p, lm_p = do_rnnt_pruning(am, lm, ranges)
    pruned = rnnt_loss_pruned(am_p + lm_p, symbols, ranges, K2_TERMINATION, implementation=impl)
    assert pruned.item() == pytest.approx(K2_LOSS, abs=2e-5)
    full = rnnt_loss(am.unsqueeze(2) + lm.unsqueeze(1), symbols.int(), torch.tensor([4]),
                     torch.tensor([3]), blank=K2_TERMINATION, reduction="none",
                     implementation=impl)
    assert full.item() == pytest.approx(K2_LOSS, abs=2e-5)
    ref = rnnt_logprob((am.unsqueeze(2) + lm.unsqueeze(1))[0], [0, 1, 0], 2, (0, 0, 3, 4))
    assert -ref.item() == pytest.approx(K2_LOSS, abs=2e-6)


# --- the reference checks itself ---------------------------------------------------------

@pytest.mark.parametrize("rnnt_type", TYPES)
def test_reference_dp_equals_bruteforce(rnnt_type):
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(5, 4, 4, generator=g, dtype=torch.float64)
    for box in [(0, 0, 3, 5), (1, 1, 3, 4), (0, 2, 2, 5), (0, 0, 0, 3)]:
        dp = rnnt_logprob(logits, [1, 0, 2], 3, box, rnnt_type)
        brute = rnnt_logprob(logits, [1, 0, 2], 3, box, rnnt_type, method="brute")
        assert dp.item() == pytest.approx(brute.item(), rel=1e-12)


# --- the simple loss ---------------------------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rnnt_type", TYPES)
def test_simple_loss_equals_reference(impl, rnnt_type):
    """Values and gradients against the reference on logits am[:, :, None] + lm[:, None],
    with ragged boundaries and begins."""
    for seed in range(3):
        am, lm, symbols, boundary = _random_case(seed, 3, 5, 3, 4, begins=seed > 0,
                                                 rnnt_type=rnnt_type)
        am.requires_grad_(True)
        lm.requires_grad_(True)
        loss = rnnt_loss_simple(lm, am, symbols, 3, boundary, reduction="none",
                                rnnt_type=rnnt_type, implementation=impl)
        logits = am.unsqueeze(2) + lm.unsqueeze(1)
        ref = torch.stack([-rnnt_logprob(logits[b], symbols[b].tolist(), 3, box, rnnt_type)
                           for b, box in enumerate(_boxes(boundary, 3, 3, 5))])
        torch.testing.assert_close(loss, ref, rtol=1e-9, atol=1e-9)
        for got, want in zip(_grads(loss, am, lm), _grads(ref, am, lm)):
            torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("rnnt_type", ["modified", "constrained"])
def test_one_symbol_per_frame_against_bruteforce(rnnt_type):
    """Modified/constrained: every alignment spends one frame per symbol."""
    am, lm, symbols, _ = _random_case(7, 1, 4, 3, 5)
    loss = rnnt_loss_simple(lm, am, symbols, 4, reduction="none", rnnt_type=rnnt_type)
    logp = torch.log_softmax(am[0].unsqueeze(1) + lm[0].unsqueeze(0), dim=-1)
    sym = symbols[0].tolist()

    def blank(s, t):
        return logp[t, s, 4]

    def emit(s, t):
        lp = logp[t, s, sym[s]]
        return lp + blank(s + 1, t) if rnnt_type == "constrained" else lp
    brute = lattice_logprob_bruteforce(emit, blank, (0, 0, 3, 4), True)
    assert loss.item() == pytest.approx(-brute.item(), rel=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rnnt_type", ["regular", "modified"])
def test_delay_penalty(impl, rnnt_type):
    """k2's delay penalty: a symbol emitted on frame t scores
    delay_penalty * ((T - 1) / 2 - t) more; checked by brute force."""
    am, lm, symbols, _ = _random_case(8, 1, 5, 2, 4)
    penalty = 0.3
    loss = rnnt_loss_simple(lm, am, symbols, 3, reduction="none", rnnt_type=rnnt_type,
                            delay_penalty=penalty, implementation=impl)
    logp = torch.log_softmax(am[0].unsqueeze(1) + lm[0].unsqueeze(0), dim=-1)
    sym = symbols[0].tolist()
    brute = lattice_logprob_bruteforce(
        lambda s, t: logp[t, s, sym[s]] + penalty * (2.0 - t), lambda s, t: logp[t, s, 3],
        (0, 0, 2, 5), rnnt_type == "modified")
    assert loss.item() == pytest.approx(-brute.item(), rel=1e-12)


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 10_000), nframe=st.integers(1, 6), nsym=st.integers(0, 4),
       rnnt_type=st.sampled_from(TYPES))
def test_implementations_agree(seed, nframe, nsym, rnnt_type):
    if rnnt_type != "regular":
        nframe = max(nframe, nsym)
    am, lm, symbols, boundary = _random_case(seed, 3, nframe, nsym, 5, begins=True,
                                             rnnt_type=rnnt_type)
    out = {}
    for impl in IMPLS:
        a, m = am.clone().requires_grad_(True), lm.clone().requires_grad_(True)
        loss, occ = rnnt_loss_simple(m, a, symbols, 4, boundary, reduction="sum",
                                     rnnt_type=rnnt_type, return_grad=True,
                                     implementation=impl)
        out[impl] = (loss.detach(), *occ, *_grads(loss, a, m))
    for x, y in zip(out["numba"], out["torch"]):
        torch.testing.assert_close(x, y, rtol=1e-9, atol=1e-10)


def test_float32_and_reductions():
    am, lm, symbols, boundary = _random_case(5, 3, 6, 3, 6, dtype=torch.float32)
    per_seq = rnnt_loss_simple(lm, am, symbols, 5, boundary, reduction="none")
    assert per_seq.dtype == torch.float32 and per_seq.shape == (3,)
    ref = rnnt_loss_simple(lm.double(), am.double(), symbols, 5, boundary, reduction="none")
    torch.testing.assert_close(per_seq.double(), ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(rnnt_loss_simple(lm, am, symbols, 5, boundary), per_seq.mean())
    torch.testing.assert_close(rnnt_loss_simple(lm, am, symbols, 5, boundary, reduction="sum"),
                               per_seq.sum())
    torch_path = rnnt_loss_simple(lm, am, symbols, 5, boundary, reduction="none",
                                  implementation="torch")
    torch.testing.assert_close(torch_path, per_seq, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("impl", IMPLS)
def test_float32_normalizer_does_not_underflow(impl):
    """am and lm peak on classes 100 nats apart: every term of the shifted
    normalizer product is ~e^-100, below float32's range. The float32 loss
    still equals the float64 one (it saturated at log(tiny): 25.3 vs 1.91)."""
    am = torch.tensor([[[0.0, -50, -100], [0, -50, -100], [-100, -50, 0]]])
    lm = torch.tensor([[[-100.0, -50, 0], [0, -50, -100]]])
    symbols = torch.tensor([[1]])
    want = rnnt_loss_simple(lm.double(), am.double(), symbols, 0, reduction="none",
                            implementation=impl)
    got = rnnt_loss_simple(lm, am, symbols, 0, reduction="none", implementation=impl)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), want, rtol=1e-6, atol=1e-5)


def test_float32_occupations_match_across_implementations():
    """Both paths run the lattice in float64, so float32 inputs give the same
    occupations (and bands) on CPU and on the torch path other devices take."""
    am, lm, symbols, boundary = _random_case(6, 2, 80, 20, 8, dtype=torch.float32)
    out = [rnnt_loss_simple(lm, am, symbols, 7, boundary, return_grad=True, rnnt_type="regular",
                            implementation=impl)[1] for impl in IMPLS]
    torch.testing.assert_close(out[0], out[1], rtol=0, atol=1e-6)
    assert torch.equal(get_rnnt_prune_ranges(*out[0], boundary, 4),
                       get_rnnt_prune_ranges(*out[1], boundary, 4))


# --- the recursion and its occupations ---------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("modified", [False, True])
def test_recursion_occupations_are_gradients(impl, modified):
    """return_grad's occupations equal autograd through the reference recursion."""
    g = torch.Generator().manual_seed(11)
    batch, nsym, nframe = 3, 3, 5
    px = torch.randn(batch, nsym, nframe + (0 if modified else 1), generator=g,
                     dtype=torch.float64, requires_grad=True)
    py = torch.randn(batch, nsym + 1, nframe, generator=g, dtype=torch.float64,
                     requires_grad=True)
    boundary = torch.tensor([[0, 0, 3, 5], [1, 0, 2, 4], [0, 1, 3, 4]])
    scores, (gx, gy) = mutual_information_recursion(px, py, boundary, return_grad=True,
                                                    implementation=impl)
    ref = torch.stack([recursion_logprob(px[b], py[b], box)
                       for b, box in enumerate(_boxes(boundary, batch, nsym, nframe))])
    torch.testing.assert_close(scores, ref, rtol=1e-10, atol=1e-10)
    want_x, want_y = torch.autograd.grad(ref.sum(), (px, py))
    torch.testing.assert_close(gx, want_x, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(gy, want_y, rtol=1e-8, atol=1e-10)
    got_x, got_y = torch.autograd.grad((2.0 * scores).sum(), (px, py))
    torch.testing.assert_close(got_x, 2.0 * want_x, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(got_y, 2.0 * want_y, rtol=1e-8, atol=1e-10)
    if not modified:
        # every path leaves each frame of its box by exactly one blank arc
        torch.testing.assert_close(gy[0].sum(0), torch.ones(5, dtype=torch.float64))


# --- the pruned loss ---------------------------------------------------------------------

def _joiner(weight):
    return lambda a, m: torch.tanh(a + m) @ weight


@settings(deadline=None, max_examples=12)
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 3), nframe=st.integers(1, 7),
       nsym=st.integers(0, 5), extra=st.integers(0, 2), impl=st.sampled_from(IMPLS))
def test_full_band_equals_full_loss(seed, batch, nframe, nsym, extra, impl):
    """s_range >= U + 1 covers the lattice: rnnt_loss_pruned on the pruned joiner
    output equals rnnt_loss on the full joiner output (values and gradients)."""
    am, lm, symbols, boundary = _random_case(seed, batch, nframe, nsym, 6)
    weight = torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    am.requires_grad_(True)
    lm.requires_grad_(True)
    _, (gx, gy) = rnnt_loss_simple(lm, am, symbols, 5, boundary, return_grad=True,
                                   implementation=impl)
    ranges = get_rnnt_prune_ranges(gx, gy, boundary, nsym + 1 + extra)
    assert ranges.shape == (batch, nframe, nsym + 1)
    pruned = rnnt_loss_pruned(_joiner(weight)(*do_rnnt_pruning(am, lm, ranges)), symbols,
                              ranges, 5, boundary, reduction="none", implementation=impl)
    full_logits = _joiner(weight)(am.unsqueeze(2), lm.unsqueeze(1))
    full = rnnt_loss(full_logits, symbols, boundary[:, 3], boundary[:, 2], blank=5,
                     reduction="none", implementation=impl)
    torch.testing.assert_close(pruned, full, rtol=1e-9, atol=1e-9)
    for got, want in zip(_grads(pruned, am, lm), _grads(full, am, lm)):
        torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rnnt_type", TYPES)
def test_pruned_loss_equals_banded_reference(impl, rnnt_type):
    """Narrow bands: values and logits gradients against the reference restricted
    to the band; the band never gains probability over the full lattice, and
    s_range = U + 1 gives the full loss (every topology)."""
    for seed, s_range in [(0, 2), (1, 3), (2, 2), (3, 5)]:
        # at least as many frames as symbols, so that s_range 2 is never raised
        am, lm, symbols, boundary = _random_case(seed, 3, 6, 4, 6, rnnt_type="modified")
        _, (gx, gy) = rnnt_loss_simple(lm, am, symbols, 5, boundary, return_grad=True,
                                       rnnt_type=rnnt_type)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ranges = get_rnnt_prune_ranges(gx, gy, boundary, s_range)
        assert ranges.shape[2] == s_range
        am_p, lm_p = do_rnnt_pruning(am, lm, ranges)
        logits = torch.sin(3 * (am_p + lm_p)).requires_grad_(True)
        loss = rnnt_loss_pruned(logits, symbols, ranges, 5, boundary, reduction="none",
                                rnnt_type=rnnt_type, implementation=impl)
        ref = torch.stack([
            -rnnt_logprob_banded(logits[b], ranges[b], symbols[b].tolist(), 5, box, rnnt_type)
            for b, box in enumerate(_boxes(boundary, 3, 4, 6))])
        assert torch.isfinite(ref).all()
        torch.testing.assert_close(loss, ref, rtol=1e-9, atol=1e-9)
        torch.testing.assert_close(_grads(loss, logits)[0], _grads(ref, logits)[0],
                                   rtol=1e-7, atol=1e-9)
        full_logits = torch.sin(3 * (am.unsqueeze(2) + lm.unsqueeze(1)))
        full = torch.stack([-rnnt_logprob(full_logits[b], symbols[b].tolist(), 5, box,
                                          rnnt_type)
                            for b, box in enumerate(_boxes(boundary, 3, 4, 6))])
        assert bool((loss >= full - 1e-9).all())
        if s_range == 5:     # U + 1: the band is the whole lattice
            torch.testing.assert_close(loss, full, rtol=1e-9, atol=1e-9)


def test_band_without_paths_gives_inf_and_zero_grad():
    am, lm, symbols, _ = _random_case(1, 1, 3, 3, 5)
    ranges = torch.tensor([[[0, 1], [0, 1], [0, 1]]])    # never reaches symbol 3
    logits = (am.unsqueeze(2) + lm[:, :2].unsqueeze(1)).requires_grad_(True)
    for impl in IMPLS:
        loss = rnnt_loss_pruned(logits, symbols, ranges, 4, implementation=impl)
        assert loss.item() == float("inf")
        (grad,) = torch.autograd.grad(loss, logits)
        assert bool((grad == 0).all())


# --- ranges -------------------------------------------------------------------------------

@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 10_000), nframe=st.integers(1, 12), nsym=st.integers(0, 8),
       s_range=st.integers(1, 6), rnnt_type=st.sampled_from(TYPES))
def test_ranges_are_valid_bands(seed, nframe, nsym, s_range, rnnt_type):
    regular = rnnt_type == "regular"
    if not regular:
        nframe = max(nframe, nsym)
    # a constrained symbol also reads the next position's blank: windows need 2 positions
    s_range = max(s_range, 1 if rnnt_type == "modified" else 2)
    am, lm, symbols, boundary = _random_case(seed, 3, nframe, nsym, 5, rnnt_type=rnnt_type)
    _, (gx, gy) = rnnt_loss_simple(lm, am, symbols, 4, boundary, return_grad=True,
                                   rnnt_type=rnnt_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # some cases raise s_range (tested below)
        ranges = get_rnnt_prune_ranges(gx, gy, boundary, s_range)
    width = ranges.shape[2]
    assert width <= nsym + 1 and (width >= min(s_range, nsym + 1))
    assert bool((ranges[..., 1:] - ranges[..., :-1] == 1).all())     # consecutive
    begin = ranges[..., 0]
    assert bool((begin >= 0).all()) and bool((ranges[..., -1] <= nsym).all())
    assert bool((begin[:, 0] == 0).all())
    step = begin[:, 1:] - begin[:, :-1]
    assert bool((step >= 0).all()) and bool((step <= (width - 1 if regular else 1)).all())
    for b, (_, _, s1, t1) in enumerate(boundary.tolist()):
        # the last frame leaves from the final node (regular) or the one before (modified)
        last = ranges[b, t1 - 1].tolist()
        assert s1 in last or (not regular and s1 - 1 in last)
    # a valid band always keeps a path
    logits = torch.randn(*ranges.shape, 5, dtype=torch.float64)
    loss = rnnt_loss_pruned(logits, symbols, ranges, 4, boundary, reduction="none",
                            rnnt_type=rnnt_type)
    assert torch.isfinite(loss).all()


def test_ranges_follow_the_occupation():
    """A lattice whose mass sits on one alignment: the band must contain it."""
    nframe, nsym = 8, 4
    px = torch.full((1, nsym, nframe + 1), -30.0, dtype=torch.float64)
    py = torch.full((1, nsym + 1, nframe), -30.0, dtype=torch.float64)
    path = [0, 0, 1, 1, 3, 3, 4, 4]        # symbol position while leaving each frame
    s = 0
    for t, target in enumerate(path):
        while s < target:
            px[0, s, t] = 0.0
            s += 1
        py[0, s, t] = 0.0
    _, (gx, gy) = mutual_information_recursion(px, py, return_grad=True)
    ranges = get_rnnt_prune_ranges(gx, gy, None, 3)
    entered = 0
    for t, target in enumerate(path):
        window = ranges[0, t].tolist()
        assert entered in window and target in window, (t, window)
        entered = target


def test_ranges_follow_the_occupation_modified():
    """Modified topology: the node each frame leaves from is inside the band."""
    nframe, nsym = 9, 4
    px = torch.full((1, nsym, nframe), -30.0, dtype=torch.float64)
    py = torch.full((1, nsym + 1, nframe), -30.0, dtype=torch.float64)
    emits = [0, 1, 1, 0, 0, 1, 0, 1, 0]       # one symbol or one blank per frame
    nodes, s = [], 0
    for t, e in enumerate(emits):
        nodes.append(s)
        (px if e else py)[0, s, t] = 0.0
        s += e
    _, (gx, gy) = mutual_information_recursion(px, py, return_grad=True)
    for s_range in (1, 2):
        ranges = get_rnnt_prune_ranges(gx, gy, None, s_range)
        assert all(node in ranges[0, t].tolist() for t, node in enumerate(nodes))
    assert torch.isfinite(rnnt_loss_pruned(torch.zeros(1, nframe, 1, 5), torch.tensor([[0] * 4]),
                                           get_rnnt_prune_ranges(gx, gy, None, 1), 4,
                                           rnnt_type="modified"))


def test_ranges_raise_s_range_when_symbols_cannot_fit():
    am, lm, symbols, _ = _random_case(0, 1, 2, 6, 5)
    _, (gx, gy) = rnnt_loss_simple(lm, am, symbols, 4, return_grad=True)
    with pytest.warns(UserWarning, match="s_range"):
        ranges = get_rnnt_prune_ranges(gx, gy, None, 2)
    assert ranges.shape[2] == 4                      # ceil(6 / 2) + 1
    logits = torch.randn(1, 2, 4, 5, dtype=torch.float64)
    assert torch.isfinite(rnnt_loss_pruned(logits, symbols, ranges, 4))


# --- gradcheck ----------------------------------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rnnt_type", ["regular", "modified"])
def test_gradcheck(impl, rnnt_type):
    am, lm, symbols, boundary = _random_case(4, 2, 3, 2, 4, rnnt_type=rnnt_type)
    am.requires_grad_(True)
    lm.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, m: rnnt_loss_simple(m, a, symbols, 3, boundary, reduction="none",
                                      rnnt_type=rnnt_type, implementation=impl), (am, lm))
    ranges = torch.tensor([[[0, 1], [0, 1], [1, 2]], [[0, 1], [1, 2], [1, 2]]])
    logits = torch.randn(2, 3, 2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda x: rnnt_loss_pruned(x, symbols, ranges, 3, boundary, reduction="none",
                                   rnnt_type=rnnt_type, implementation=impl), (logits,))


# --- boundary handling --------------------------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
def test_padding_is_never_read(impl):
    """Per-sequence losses (and gradients) equal those of each sequence alone, and
    garbage padding outside the boundary changes nothing."""
    am, lm, symbols, boundary = _random_case(9, 3, 6, 4, 5, begins=True)
    pad_t = torch.arange(6).view(1, -1, 1) >= boundary[:, 3].view(-1, 1, 1)
    pad_s = torch.arange(5).view(1, -1, 1) > boundary[:, 2].view(-1, 1, 1)
    am_bad = am.masked_fill(pad_t, -1e4).requires_grad_(True)
    lm_bad = lm.masked_fill(pad_s, 1e4).requires_grad_(True)
    sym_pad = symbols.masked_fill(torch.arange(4) >= boundary[:, 2:3], -1)
    alone, grads = [], []
    for b, (s0, t0, s1, t1) in enumerate(boundary.tolist()):
        a = am[b:b + 1, :t1].clone().requires_grad_(True)
        m = lm[b:b + 1, :s1 + 1].clone().requires_grad_(True)
        one = rnnt_loss_simple(m, a, symbols[b:b + 1, :s1], 4, torch.tensor([[s0, t0, s1, t1]]),
                               reduction="none", implementation=impl)
        alone.append(one[0])
        grads.append(_grads(one, a, m))
    alone = torch.stack(alone).detach()
    simple = rnnt_loss_simple(lm_bad, am_bad, sym_pad, 4, boundary, reduction="none",
                              implementation=impl)
    torch.testing.assert_close(simple, alone, rtol=1e-9, atol=1e-9)
    g_am, g_lm = _grads(simple, am_bad, lm_bad)
    for b, (_, _, s1, t1) in enumerate(boundary.tolist()):
        torch.testing.assert_close(g_am[b, :t1], grads[b][0][0], rtol=1e-7, atol=1e-9)
        torch.testing.assert_close(g_lm[b, :s1 + 1], grads[b][1][0], rtol=1e-7, atol=1e-9)
        assert bool((g_am[b, t1:] == 0).all()) and bool((g_lm[b, s1 + 1:] == 0).all())
    logits = (am_bad.unsqueeze(2) + lm_bad.unsqueeze(1)).detach()
    pruned = rnnt_loss_pruned(logits, sym_pad, torch.arange(5).expand(3, 6, 5), 4, boundary,
                              reduction="none", implementation=impl)
    torch.testing.assert_close(pruned, alone, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("fill", [float("nan"), float("-inf"), float("inf")])
def test_non_finite_padding_is_never_read(impl, fill):
    """NaN or +-inf outside the boundary (e.g. masked encoder frames) changes
    neither the losses nor the gradients, which stay finite (0 on padding)."""
    am, lm, symbols, _ = _random_case(4, 3, 6, 4, 5)
    boundary = torch.tensor([[0, 0, 4, 6], [1, 1, 3, 5], [0, 2, 2, 4]])
    pad_t = (torch.arange(6).view(1, -1) >= boundary[:, 3:4]) | \
        (torch.arange(6).view(1, -1) < boundary[:, 1:2])
    pad_s = (torch.arange(5).view(1, -1) > boundary[:, 2:3]) | \
        (torch.arange(5).view(1, -1) < boundary[:, 0:1])
    assert pad_t.any() and pad_s.any()
    ranges = torch.arange(3).expand(3, 6, 3) + torch.tensor([0, 0, 0, 1, 1, 2]).view(1, 6, 1)
    results = []
    for value in (0.0, fill):
        a = am.masked_fill(pad_t.unsqueeze(2), value).requires_grad_(True)
        m = lm.masked_fill(pad_s.unsqueeze(2), value).requires_grad_(True)
        simple = rnnt_loss_simple(m, a, symbols, 4, boundary, reduction="none",
                                  implementation=impl)
        logits = (a.unsqueeze(2) + torch.gather(m, 1, ranges.reshape(3, -1, 1).expand(-1, -1, 5))
                  .view(3, 6, 3, 5)).detach().requires_grad_(True)
        pruned = rnnt_loss_pruned(logits, symbols, ranges, 4, boundary, reduction="none",
                                  implementation=impl)
        results.append((simple, pruned, *_grads(simple, a, m), *_grads(pruned, logits)))
    for clean, dirty in zip(*results):
        assert torch.isfinite(dirty).all()
        torch.testing.assert_close(dirty, clean, rtol=1e-12, atol=1e-12)


def test_double_backward_fails_loudly():
    """Both custom backward passes are first-order only: a second derivative
    raises instead of silently treating the saved softmax/occupations as
    constants."""
    lm, am, symbols = _k2_toy(torch.float64)
    am.requires_grad_(True)
    (g,) = torch.autograd.grad(rnnt_loss_simple(lm, am, symbols, 2), am, create_graph=True)
    with pytest.raises(RuntimeError, match="first derivatives only"):
        g.sum().backward()
    logits = torch.randn(1, 4, 2, 3, dtype=torch.float64, requires_grad=True)
    ranges = torch.tensor([[[0, 1], [0, 1], [1, 2], [2, 3]]])
    (g,) = torch.autograd.grad(rnnt_loss_pruned(logits, symbols, ranges, 2), logits,
                               create_graph=True)
    with pytest.raises(RuntimeError, match="first derivatives only"):
        g.sum().backward()


# --- the recipe ---------------------------------------------------------------------------

def test_pruned_rnnt_loss_recipe():
    g = torch.Generator().manual_seed(2)
    am, lm, symbols, boundary = _random_case(2, 2, 8, 3, 6)
    enc = torch.randn(2, 8, 4, dtype=torch.float64, generator=g, requires_grad=True)
    dec = torch.randn(2, 4, 4, dtype=torch.float64, generator=g, requires_grad=True)
    weight = torch.randn(4, 6, dtype=torch.float64, generator=g, requires_grad=True)
    out = pruned_rnnt_loss(am, lm, enc, dec, _joiner(weight), symbols, 5, boundary, s_range=4,
                           simple_loss_scale=0.25)
    simple = rnnt_loss_simple(lm, am, symbols, 5, boundary)
    torch.testing.assert_close(out.simple_loss, simple)
    torch.testing.assert_close(out.loss, 0.25 * out.simple_loss + out.pruned_loss)
    # s_range 4 = U + 1 covers the lattice: the pruned part is the full loss
    full = rnnt_loss(_joiner(weight)(enc.unsqueeze(2), dec.unsqueeze(1)), symbols,
                     boundary[:, 3], boundary[:, 2], blank=5)
    torch.testing.assert_close(out.pruned_loss, full)
    out.loss.backward()
    assert enc.grad is not None and weight.grad is not None and torch.isfinite(weight.grad).all()
    module = PrunedRNNTLoss(5, s_range=4, simple_loss_scale=0.25)
    again = module(am, lm, enc, dec, _joiner(weight), symbols, boundary)
    torch.testing.assert_close(again.loss, out.loss)
    assert "s_range=4" in repr(module)


# --- bad input ----------------------------------------------------------------------------

def _bad_calls():
    lm, am, symbols = _k2_toy()
    ranges = torch.arange(2).expand(1, 4, 2)
    logits = torch.randn(1, 4, 2, 3)
    px, py = torch.randn(1, 3, 5), torch.randn(1, 4, 4)
    return [
        ("am", lambda: rnnt_loss_simple(lm, am[0], symbols, 2)),
        ("am", lambda: rnnt_loss_simple(lm, am.double(), symbols, 2)),
        ("lm", lambda: rnnt_loss_simple(lm.half(), am.half(), symbols, 2)),
        ("symbols", lambda: rnnt_loss_simple(lm, am, symbols.float(), 2)),
        ("symbols", lambda: rnnt_loss_simple(lm, am, symbols[:, :2], 2)),
        ("symbols", lambda: rnnt_loss_simple(lm, am, symbols + 5, 2)),
        ("termination_symbol", lambda: rnnt_loss_simple(lm, am, symbols, 3)),
        ("termination_symbol", lambda: rnnt_loss_simple(lm, am, symbols, 2.0)),
        ("boundary", lambda: rnnt_loss_simple(lm, am, symbols, 2, torch.tensor([[0, 0, 4, 4]]))),
        ("boundary", lambda: rnnt_loss_simple(lm, am, symbols, 2, torch.tensor([[0, 0, 3, 5]]))),
        ("boundary", lambda: rnnt_loss_simple(lm, am, symbols, 2, torch.tensor([0, 0, 3, 4]))),
        ("boundary", lambda: rnnt_loss_simple(lm, am, symbols, 2, torch.tensor([[0, 0, 3, 2]]),
                                              rnnt_type="modified")),
        ("reduction", lambda: rnnt_loss_simple(lm, am, symbols, 2, reduction="avg")),
        ("rnnt_type", lambda: rnnt_loss_simple(lm, am, symbols, 2, rnnt_type="hat")),
        ("implementation", lambda: rnnt_loss_simple(lm, am, symbols, 2, implementation="cuda")),
        ("logits", lambda: rnnt_loss_pruned(logits[0], symbols, ranges, 2)),
        ("ranges", lambda: rnnt_loss_pruned(logits, symbols, ranges.float(), 2)),
        ("ranges", lambda: rnnt_loss_pruned(logits, symbols, ranges + 3, 2)),
        ("ranges", lambda: rnnt_loss_pruned(logits, symbols, ranges.flip(-1), 2)),
        ("ranges", lambda: rnnt_loss_pruned(logits, symbols, ranges[:, :3], 2)),
        ("s_range", lambda: get_rnnt_prune_ranges(px, py, None, 1)),
        ("boundary", lambda: get_rnnt_prune_ranges(px, py, torch.tensor([[1, 0, 3, 4]]), 2)),
        ("py_grad", lambda: get_rnnt_prune_ranges(px, py[:, :3], None, 2)),
        ("px", lambda: mutual_information_recursion(px.int(), py)),
        ("py", lambda: mutual_information_recursion(px, py.double())),
        ("ranges", lambda: do_rnnt_pruning(am, lm, ranges[:, :, :, None])),
        ("lm", lambda: do_rnnt_pruning(am, lm.to("meta"), ranges)),
        ("termination_symbol", lambda: rnnt_loss_simple(lm, am, symbols, -1)),
        ("delay_penalty", lambda: rnnt_loss_simple(lm, am, symbols, 2, delay_penalty="0.1")),
        ("delay_penalty", lambda: rnnt_loss_pruned(logits, symbols, ranges, 2,
                                                   delay_penalty=float("nan"))),
        ("termination_symbol", lambda: rnnt_loss_pruned(logits, symbols, ranges, 3)),
        ("logits", lambda: rnnt_loss_pruned(logits.half(), symbols, ranges, 2)),
    ]


@pytest.mark.parametrize("index", range(len(_bad_calls())))
def test_bad_input_names_the_argument(index):
    name, call = _bad_calls()[index]
    with pytest.raises(TorchInputError, match=name):
        call()
    assert issubclass(TorchInputError, ValueError)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rnnt_type", TYPES)
def test_empty_batch(impl, rnnt_type):
    """B = 0 runs every step of the recipe: empty losses, zero-sized gradients."""
    am = torch.randn(0, 4, 5, requires_grad=True)
    lm = torch.randn(0, 3, 5, requires_grad=True)
    symbols = torch.zeros(0, 2, dtype=torch.int64)
    loss, (px_grad, py_grad) = rnnt_loss_simple(lm, am, symbols, 0, reduction="none",
                                                return_grad=True, rnnt_type=rnnt_type,
                                                implementation=impl)
    assert loss.shape == (0,)
    ranges = get_rnnt_prune_ranges(px_grad, py_grad, None, 2)
    assert ranges.shape == (0, 4, 2)
    am_pruned, lm_pruned = do_rnnt_pruning(am, lm, ranges)
    pruned = rnnt_loss_pruned(am_pruned + lm_pruned, symbols, ranges, 0, reduction="sum",
                              rnnt_type=rnnt_type, implementation=impl)
    (pruned + loss.sum()).backward()
    assert pruned.item() == 0.0 and am.grad.shape == am.shape and lm.grad.shape == lm.shape


@pytest.mark.parametrize("rnnt_type", TYPES)
def test_torch_path_creates_every_tensor_on_the_input_device(rnnt_type):
    """GPU readiness without a GPU: the torch path (log-probs, recursion,
    occupations, band log-probs and their backward, band adjustment) runs on
    'meta' tensors, where a tensor created on the CPU by mistake raises."""
    from kleene.torch.transducer import pruned

    meta = {"device": "meta"}
    am = torch.empty(2, 5, 6, requires_grad=True, **meta)
    lm = torch.empty(2, 4, 6, requires_grad=True, **meta)
    symbols = torch.empty(2, 3, dtype=torch.int64, **meta)
    boundary = torch.empty(2, 4, dtype=torch.int64, **meta)
    px, py = pruned._simple_logprobs(lm, am, symbols, 0, rnnt_type, boundary)
    px = pruned._delay("test", px, boundary, 0.1)
    total, (gx, gy) = pruned._run_recursion(px, py, boundary, rnnt_type != "regular", False,
                                            True)
    total.sum().backward()
    assert am.grad.device.type == "meta" and gx.shape == px.shape and gy.shape == py.shape
    pruned._adjust_begins(torch.empty(2, 5, dtype=torch.int64, **meta), 1)
    logits = torch.empty(2, 5, 2, 6, requires_grad=True, **meta)
    ranges = torch.empty(2, 5, 2, dtype=torch.int64, **meta)
    qx, qy = pruned._pruned_logprobs(logits, symbols, ranges, 0, boundary, rnnt_type)
    (qx.sum() + qy.sum()).backward()
    assert logits.grad.device.type == "meta"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("rnnt_type", TYPES)
def test_cuda_matches_cpu(rnnt_type):
    """Where a GPU exists: the whole recipe on CUDA (torch recursion) equals
    the numba path on CPU: losses, bands and gradients."""
    am, lm, symbols, boundary = _random_case(13, 3, 9, 4, 6, rnnt_type=rnnt_type,
                                             dtype=torch.float32)
    weight = torch.randn(6, 6, generator=torch.Generator().manual_seed(13))
    outs = []
    for device in ("cpu", "cuda"):
        a, m, w = (x.to(device).requires_grad_(True) for x in (am, lm, weight))
        out = pruned_rnnt_loss(a, m, a, m, _joiner(w), symbols.to(device), 5,
                               boundary.to(device), s_range=3, rnnt_type=rnnt_type)
        out.loss.backward()
        outs.append([x.detach().cpu() for x in (out.simple_loss, out.pruned_loss, out.ranges,
                                                a.grad, m.grad, w.grad)])
    for cpu, cuda in zip(*outs):
        torch.testing.assert_close(cuda, cpu, atol=1e-4, rtol=1e-4)
