"""Token-and-duration transducer (TDT) loss, Xu et al. 2023, "Efficient
Sequence Transduction by Jointly Predicting Tokens and Durations"
(arXiv:2304.06795), with NeMo's conventions (``TDTLossNumba``), on CPU and
on any torch device.

The joiner predicts, at every (frame ``t``, labels-emitted ``u``) state, a
token distribution over ``V`` classes and a duration distribution over
``durations``. An alignment is a sequence of (token, duration) steps from
``(0, 0)``: a label ``y[u]`` with duration ``d`` moves to ``(t + d, u + 1)``,
a blank with duration ``d >= 1`` to ``(t + d, u)`` (a blank never has
duration 0; that probability mass is dropped, not renormalized, as in NeMo).
Every step stays inside the frames (``t + d < T``) except the last, a blank
from ``(t, U)`` with ``t + d == T`` exactly. A step's log-weight is
``log p_token - sigma + log p_duration``; the loss is ``-log`` of the sum over
all alignments.

The same lattice with other arc lists gives the multi-blank transducer
(:mod:`.multiblank`) and the standard RNN-T (the ``omega`` branch), so the
forward-backward machinery here is shared: :func:`lattice_scores` runs the
numba kernel (:mod:`kleene.kernels.tdt`, CPU) or a vectorized torch
recursion over anti-diagonals (any device), and :class:`_DurationLattice`
turns arc occupancies into gradients without keeping a softmax or gradient
copy of the logits between forward and backward.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import TorchInputError
from .inputs import (
    check_blank,
    check_logits,
    check_reduction,
    check_targets_and_lengths,
    first_order_only,
)

__all__ = ["TDTLoss", "tdt_loss"]

_IMPLEMENTATIONS = ("auto", "torch", "numba")
FLOAT_DTYPES = (torch.float32, torch.float64)


# ---------------------------------------------------------------------------
# the lattice: forward score and arc occupancies


def _lattice_numba(wl, wb, ldur, bdur, frames, labels, want_grad):
    from ...kernels.tdt import duration_lattice

    wl_np = wl.detach().contiguous().numpy()
    wb_np = wb.detach().contiguous().numpy()
    total = np.empty(wl_np.shape[0])
    occ_l = np.zeros(wl_np.shape if want_grad else (0, 0, 0, 0))
    occ_b = np.zeros(wb_np.shape if want_grad else (0, 0, 0, 0))
    duration_lattice(wl_np, wb_np, np.asarray(ldur, np.int64), np.asarray(bdur, np.int64),
                     frames.cpu().numpy().astype(np.int64), labels.cpu().numpy().astype(np.int64),
                     want_grad, total, occ_l, occ_b)
    if not want_grad:
        return torch.from_numpy(total), None, None
    return torch.from_numpy(total), torch.from_numpy(occ_l), torch.from_numpy(occ_b)


def _lattice_torch(wl, wb, ldur, bdur, frames, labels, want_grad):
    """The recursion of :func:`kleene.kernels.tdt.duration_lattice` with torch
    ops, one anti-diagonal ``t + u = n`` at a time (every arc leaves its
    diagonal forward, duration-0 labels included), vectorized over the batch
    and the diagonal's states: ``T + U`` steps of O(B U (DL + DB)) work."""
    nbatch, nframe, nu = wl.shape[:3]
    dev = wl.device
    dmax = max(list(ldur) + list(bdur))
    neg = float("-inf")
    frames = frames.to(dev, torch.int64)
    labels = labels.to(dev, torch.int64)
    # alpha(t, u) lives at A[:, t + dmax, u + 1]; the padding is -inf so arcs
    # from before frame 0 or from u = -1 contribute nothing.
    A = torch.full((nbatch, nframe + dmax, nu + 1), neg, dtype=wl.dtype, device=dev)
    A[:, dmax, 1] = 0.0
    diagonals = []
    for n in range(nframe + nu - 1):
        us = torch.arange(max(0, n - nframe + 1), min(n, nu - 1) + 1, device=dev)
        ts = n - us
        diagonals.append((ts, us))
        if n == 0:
            continue
        cands = []
        for k, d in enumerate(bdur):
            src = ts - d
            cands.append(A[:, src + dmax, us + 1] + wb[:, src.clamp(min=0), us, k])
        for k, d in enumerate(ldur):
            src = ts - d
            cands.append(A[:, src + dmax, us] + wl[:, src.clamp(min=0), (us - 1).clamp(min=0), k])
        A[:, ts + dmax, us + 1] = torch.logsumexp(torch.stack(cands), 0)
    alpha = A[:, dmax:, 1:]
    bidx = torch.arange(nbatch, device=dev)
    ends = []
    for k, d in enumerate(bdur):
        src = frames - d
        ends.append(torch.where(src >= 0,
                                A[bidx, src + dmax, labels + 1]
                                + wb[bidx, src.clamp(min=0), labels, k],
                                neg))
    total = torch.logsumexp(torch.stack(ends), 0)
    if not want_grad:
        return total, None, None
    # beta(t, u) lives at Bt[:, t, u]; Bt[b, T_b, U_b] = 0 is the final state
    # and every other entry past a sequence's lengths stays -inf.
    Bt = torch.full((nbatch, nframe + dmax + 1, nu + 1), neg, dtype=wl.dtype, device=dev)
    Bt[bidx, frames, labels] = 0.0
    for ts, us in reversed(diagonals):
        cands = []
        for k, d in enumerate(bdur):
            cands.append(Bt[:, ts + d, us] + wb[:, ts, us, k])
        for k, d in enumerate(ldur):
            # a label must land inside the frames: it never ends a path
            inside = (ts + d)[None, :] < frames[:, None]
            cands.append(torch.where(inside, Bt[:, ts + d, us + 1] + wl[:, ts, us, k], neg))
        new = torch.logsumexp(torch.stack(cands), 0)
        valid = (ts[None, :] < frames[:, None]) & (us[None, :] <= labels[:, None])
        Bt[:, ts, us] = torch.where(valid, new, Bt[:, ts, us])
    ok = torch.isfinite(total)
    base = torch.where(ok, total, 0.0)[:, None, None]
    # only the cells inside a sequence's lengths: alpha is also computed on the
    # padding, from whatever it holds (NaN included), and must not leak out
    keep = valid_cells(frames, labels, nframe, nu) & ok[:, None, None]
    tgrid = torch.arange(nframe, device=dev)
    occ_b = torch.stack([
        torch.where(keep, torch.exp(alpha + wb[..., k] + Bt[:, d:d + nframe, :nu] - base), 0.0)
        for k, d in enumerate(bdur)], -1)
    occ_l = torch.stack([
        torch.where(keep & ((tgrid + d)[None, :, None] < frames[:, None, None]),
                    torch.exp(alpha + wl[..., k] + Bt[:, d:d + nframe, 1:nu + 1] - base), 0.0)
        for k, d in enumerate(ldur)], -1)
    return total, occ_l, occ_b


def valid_cells(frames: torch.Tensor, labels: torch.Tensor, nframe: int, nu: int) -> torch.Tensor:
    """(B, T, U+1) bool, on the lengths' device: ``t < frames[b]`` and
    ``u <= labels[b]``, the cells a sequence's lattice uses."""
    dev = frames.device
    in_t = torch.arange(nframe, device=dev)[None, :] < frames[:, None]
    in_u = torch.arange(nu, device=dev)[None, :] <= labels[:, None]
    return in_t[:, :, None] & in_u[:, None, :]


def lattice_scores(wl, wb, ldur, bdur, frames, labels, *, want_grad, implementation):
    """Log total weight (B,) of the duration lattice and, with ``want_grad``,
    the occupation probabilities of its label and blank arcs (shaped like
    ``wl`` (B, T, U+1, DL) and ``wb`` (B, T, U+1, DB), in their dtype:
    float64, or float32 on MPS, which has no float64). See
    :mod:`kleene.kernels.tdt` for the arcs. ``implementation`` is "numba"
    (CPU tensors) or "torch" (any device)."""
    if implementation == "numba":
        total, occ_l, occ_b = _lattice_numba(wl, wb, ldur, bdur, frames, labels, want_grad)
        dev = wl.device
        return (total.to(dev), None if occ_l is None else occ_l.to(dev),
                None if occ_b is None else occ_b.to(dev))
    return _lattice_torch(wl, wb, ldur, bdur, frames, labels, want_grad)


# ---------------------------------------------------------------------------
# the autograd function shared by the TDT, multi-blank and RNN-T lattices


@dataclass(frozen=True)
class LatticeSpec:
    """Which token and duration log-probabilities make each arc.

    ``num_tokens``: V, the token logits are ``logits[..., :V]``; label arc
    ``k`` has duration ``ldur[k]`` and adds duration log-prob
    ``label_dur[k]`` (``None``: no duration term); blank arc ``k`` emits
    token ``blank_tokens[k]`` with duration ``bdur[k]`` and duration log-prob
    ``blank_dur[k]``. ``sigma`` is subtracted from every arc."""

    num_tokens: int
    ldur: tuple
    bdur: tuple
    blank_tokens: tuple
    label_dur: tuple | None
    blank_dur: tuple | None
    sigma: float
    fused: bool
    implementation: str


_CHUNK_ELEMENTS = 1 << 22


def _log_normalizer(tok: torch.Tensor) -> torch.Tensor:
    """``logsumexp`` over the last axis a block of frames at a time, so the
    temporaries stay at a few MiB instead of a copy of the logits."""
    B, T, U1, V = tok.shape
    out = torch.empty((B, T, U1), dtype=tok.dtype, device=tok.device)
    step = max(1, _CHUNK_ELEMENTS // max(1, B * U1 * V))
    for i in range(0, T, step):
        out[:, i:i + step] = torch.logsumexp(tok[:, i:i + step], -1)
    return out


class _DurationLattice(torch.autograd.Function):
    """Per-sequence ``-log`` total weight of the lattice. Inputs: ``logits``
    (B, T, U+1, C) whose first ``num_tokens`` entries are token logits (the
    rest, if any, duration logits when ``duration_logits`` is None),
    ``duration_logits`` (B, T, U+1, D) or None, ``targets`` (B, U+1) int64
    with the label at ``u`` (any valid id past the target length).

    Saved for backward: the inputs themselves, the (B, T, U+1) token
    log-normalizer, the small duration log-probs and the arc occupancies;
    the (B, T, U+1, V) gradient is written once, in backward. First
    derivatives only: a second derivative (``create_graph=True``) raises."""

    @staticmethod
    def forward(ctx, logits, duration_logits, targets, frames, labels, spec):
        V = spec.num_tokens
        has_dur = spec.blank_dur is not None
        dur_in = None
        if has_dur:
            dur_in = duration_logits if duration_logits is not None else logits[..., V:]
        tok = logits[..., :V]
        lognorm = _log_normalizer(tok) if spec.fused else None
        # the lattice runs in float64 (float32 on MPS, which has no float64)
        f64 = torch.float32 if logits.device.type == "mps" else torch.float64

        def token_lp(x):
            x = x.to(f64)
            return x - lognorm.to(f64)[..., None] if spec.fused else x

        lp_label = token_lp(tok.gather(-1, targets[:, None, :, None].expand(-1, tok.shape[1], -1, 1)))
        u_grid = torch.arange(tok.shape[2], device=tok.device)
        no_label = u_grid[None, :] >= labels.to(tok.device)[:, None]
        lp_label = lp_label.masked_fill(no_label[:, None, :, None], float("-inf"))
        lp_blank = token_lp(tok[..., list(spec.blank_tokens)])
        wl = lp_label - spec.sigma
        wb = lp_blank - spec.sigma
        ld = None
        if has_dur:
            ld = torch.log_softmax(dur_in, -1) if spec.fused else dur_in
            ld64 = ld.to(f64)
            wl = wl + ld64[..., list(spec.label_dur)]
            wb = wb + ld64[..., list(spec.blank_dur)]
        else:
            wl = wl.expand(-1, -1, -1, len(spec.ldur))
        want_grad = logits.requires_grad or (duration_logits is not None
                                             and duration_logits.requires_grad)
        total, occ_l, occ_b = lattice_scores(
            wl, wb, spec.ldur, spec.bdur, frames, labels, want_grad=want_grad,
            implementation=spec.implementation)
        if want_grad:
            ctx.spec = spec
            ctx.separate_dur = duration_logits is not None
            ctx.save_for_backward(logits, duration_logits, targets, frames, labels, lognorm, ld,
                                  occ_l, occ_b)
        return (-total).to(logits.dtype)

    @staticmethod
    @first_order_only
    def backward(ctx, grad_out):
        (logits, duration_logits, targets, frames, labels, lognorm, ld, occ_l,
         occ_b) = ctx.saved_tensors
        spec = ctx.spec
        V = spec.num_tokens
        dtype = logits.dtype
        # padded cells may hold anything (NaN, or -inf whose softmax is NaN):
        # the softmax terms there are masked to zero
        pad = ~valid_cells(frames.to(logits.device, torch.int64),
                           labels.to(logits.device, torch.int64), logits.shape[1],
                           logits.shape[2])[..., None]
        g = grad_out.to(occ_l.dtype)[:, None, None, None]
        occ_l = (occ_l * g).to(dtype)
        occ_b = (occ_b * g).to(dtype)
        label_occ = occ_l.sum(-1)
        state_occ = label_occ + occ_b.sum(-1)
        # d(-log P)/d logit_v = p_v * occupancy(state) - occupancy(arcs emitting v)
        grad = None
        if ctx.needs_input_grad[0]:
            grad = torch.empty_like(logits)
            gtok = grad[..., :V]
            if spec.fused:
                torch.sub(logits[..., :V], lognorm[..., None], out=gtok)
                gtok.exp_().mul_(state_occ[..., None]).masked_fill_(pad, 0.0)
            else:
                gtok.zero_()
            nframe = logits.shape[1]
            gtok.scatter_add_(-1, targets[:, None, :, None].expand(-1, nframe, -1, 1),
                              -label_occ[..., None])
            for k, v in enumerate(spec.blank_tokens):
                gtok[..., v] -= occ_b[..., k]
        gdur = None
        if spec.blank_dur is not None:
            arc_dur = torch.zeros(ld.shape, dtype=dtype, device=ld.device)
            idx = torch.tensor(spec.label_dur, device=ld.device)
            arc_dur.index_add_(-1, idx, occ_l)
            arc_dur.index_add_(-1, torch.tensor(spec.blank_dur, device=ld.device), occ_b)
            if spec.fused:
                gdur = (ld.exp() * state_occ[..., None]).masked_fill_(pad, 0.0) - arc_dur
            else:
                gdur = -arc_dur
        if ctx.separate_dur:
            if not ctx.needs_input_grad[1]:
                gdur = None
            elif gdur is None:  # the omega branch: durations take no part
                gdur = torch.zeros_like(duration_logits)
            return grad, gdur, None, None, None, None
        if grad is not None and grad.shape[-1] > V:
            if gdur is None:
                grad[..., V:].zero_()
            else:
                grad[..., V:] = gdur
        return grad, None, None, None, None, None


def reduce_losses(costs: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "sum":
        return costs.sum()
    if reduction == "mean":
        return costs.mean()
    return costs


def targets_by_state(targets: torch.Tensor, num_u: int, num_tokens: int) -> torch.Tensor:
    """(B, U+1) int64 labels per lattice column: ``targets[:, u]`` for
    ``u < U``, clamped into the vocabulary (entries past a target length are
    never read as labels), and a dummy 0 for the last column."""
    cols = targets[:, :num_u - 1].to(torch.int64).clamp(0, num_tokens - 1)
    pad = torch.zeros((targets.shape[0], 1), dtype=torch.int64, device=targets.device)
    return torch.cat([cols, pad], 1)


def resolve_implementation(fn: str, implementation: str, device: torch.device) -> str:
    if implementation not in _IMPLEMENTATIONS:
        raise TorchInputError(f"{fn}: implementation must be one of "
                              f"{', '.join(_IMPLEMENTATIONS)}, got {implementation!r}")
    if implementation == "auto":
        return "numba" if device.type == "cpu" else "torch"
    if implementation == "numba" and device.type != "cpu":
        raise TorchInputError(f"{fn}: implementation='numba' needs CPU tensors, the logits are "
                              f"on {device}; use 'torch' or 'auto'")
    return implementation


def check_float(fn: str, name: str, value, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TorchInputError(f"{fn}: {name} must be a float, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise TorchInputError(f"{fn}: {name} must be finite and lie in [{low}, {high}], "
                              f"got {value}")
    return value


def int_list(fn: str, name: str, values, low: int) -> list[int]:
    """``values`` (a sequence or 1-d tensor) as a list of Python ints, each
    ``>= low``; anything else (floats, bools, strings) raises naming ``name``."""
    if isinstance(values, torch.Tensor):
        values = values.tolist()
    try:
        out = list(values)
    except TypeError:
        raise TorchInputError(f"{fn}: {name} must be a list of ints, got "
                              f"{type(values).__name__}") from None
    if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < low for d in out):
        raise TorchInputError(f"{fn}: {name} must be ints >= {low}, got {out!r}")
    return [int(d) for d in out]


def _check_durations(fn: str, durations) -> tuple:
    durs = int_list(fn, "durations", durations, 0)
    if not durs:
        raise TorchInputError(f"{fn}: durations must be a non-empty list of ints, got {durs!r}")
    if any(a >= b for a, b in itertools.pairwise(durs)):
        raise TorchInputError(f"{fn}: durations must be strictly increasing, got {durs}")
    if durs[0] not in (0, 1) or 1 not in durs:
        raise TorchInputError(
            f"{fn}: durations must start with 0 or 1 and contain 1 (e.g. [0, 1, 2, 3, 4]), "
            f"got {durs}")
    return tuple(durs)


def tdt_loss(logits: torch.Tensor, targets: torch.Tensor, logit_lengths: torch.Tensor,
             target_lengths: torch.Tensor, *, blank: int, durations, duration_logits=None,
             sigma: float = 0.0, omega: float = 0.0, reduction: str = "mean",
             fused_log_softmax: bool = True, implementation: str = "auto",
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Token-and-duration transducer loss (NeMo's ``TDTLossNumba``
    semantics), differentiable in the token and duration logits.

    ``logits``: (B, T, U+1, V + D) joiner output, token logits first and the
    ``D = len(durations)`` duration logits last; or, with ``duration_logits``
    (B, T, U+1, D) given, the (B, T, U+1, V) token logits alone. ``targets``
    (B, >= U) int, ``logit_lengths``/``target_lengths`` (B,) int.
    ``blank``: token id of blank in ``[0, V)`` (NeMo puts it last, V - 1).
    ``durations``: strictly increasing ints starting with 0 or 1 and
    containing 1, e.g. ``[0, 1, 2, 3, 4]``; without 0 every label consumes
    frames, so ``target_lengths < logit_lengths`` is required.
    ``sigma``: logit under-normalization, subtracted from every token
    log-probability (NeMo recommends 0.05). ``omega``: with this probability
    (one draw per call, from ``generator``) the loss is the standard RNN-T
    loss of the token logits instead (no sigma, zero duration gradient);
    ``omega = 0`` never draws. ``fused_log_softmax``: the token and duration
    log-softmax is part of the loss; with False the inputs are already
    log-probabilities. ``reduction``: "none" (B,), "sum" or "mean" over the
    batch. ``implementation``: "numba" (CPU kernel, prange over the batch),
    "torch" (vectorized recursion, any device) or "auto".

    Padded cells (``t >= logit_lengths[b]`` or ``u > target_lengths[b]``)
    may hold anything, even NaN or ``-inf``: they are never read into the
    loss and get a zero gradient. A sequence with no complete path of
    non-zero probability gets an infinite loss and a zero gradient.
    Time O(B T U (V + D)) for the softmax terms plus O(B T U D) for the
    lattice; memory beyond the inputs: O(B T U D) in the forward, one
    gradient-sized tensor in the backward. On a GPU the argument checks copy
    the (B,) lengths to the host once (and ``omega > 0`` draws one number on
    the generator's device); the torch recursion itself never syncs.
    """
    fn = "tdt_loss"
    check_logits(fn, "logits", logits, 4, dtypes=FLOAT_DTYPES)
    check_reduction(fn, reduction)
    durs = _check_durations(fn, durations)
    D = len(durs)
    B, T, U1, C = logits.shape
    if duration_logits is not None:
        check_logits(fn, "duration_logits", duration_logits, 4, dtypes=FLOAT_DTYPES)
        if tuple(duration_logits.shape[:3]) != (B, T, U1):
            raise TorchInputError(
                f"{fn}: duration_logits has shape {tuple(duration_logits.shape)}, the logits "
                f"{tuple(logits.shape)}; the first three dimensions must agree")
        if duration_logits.shape[3] != D:
            raise TorchInputError(
                f"{fn}: duration_logits has {duration_logits.shape[3]} entries in its last "
                f"dimension, durations has {D}")
        if duration_logits.device != logits.device or duration_logits.dtype != logits.dtype:
            raise TorchInputError(
                f"{fn}: duration_logits is {duration_logits.dtype} on {duration_logits.device}, "
                f"the logits {logits.dtype} on {logits.device}")
        V = C
    else:
        V = C - D
        if V < 1:
            raise TorchInputError(
                f"{fn}: logits' last dimension {C} must hold the V token logits and the "
                f"{D} duration logits (durations={list(durs)})")
    blank = check_blank(fn, blank, V)
    sigma = check_float(fn, "sigma", sigma, 0.0)
    omega = check_float(fn, "omega", omega, 0.0, 1.0)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TorchInputError(f"{fn}: generator must be a torch.Generator, got "
                              f"{type(generator).__name__}")
    impl = resolve_implementation(fn, implementation, logits.device)
    check_targets_and_lengths(fn, targets, logit_lengths, target_lengths, batch=B,
                              max_frames=T, max_target=U1 - 1, num_classes=V, blank=blank,
                              device=logits.device)
    if durs[0] != 0 and B and bool(torch.any(target_lengths.cpu() >= logit_lengths.cpu())):
        raise TorchInputError(
            f"{fn}: with durations {list(durs)} (no 0) every label and the final blank use a "
            f"frame each, so target_lengths must be below logit_lengths; got "
            f"{target_lengths.tolist()} and {logit_lengths.tolist()}")
    # one host-side draw (on the generator's device: a CUDA generator works too)
    use_rnnt = omega > 0.0 and float(torch.rand(
        (), generator=generator, device=None if generator is None else generator.device)) < omega
    if use_rnnt:
        spec = LatticeSpec(V, (0,), (1,), (blank,), None, None, 0.0, bool(fused_log_softmax),
                           impl)
    else:
        bidx = tuple(i for i, d in enumerate(durs) if d >= 1)
        spec = LatticeSpec(V, durs, tuple(durs[i] for i in bidx), (blank,) * len(bidx),
                           tuple(range(D)), bidx, sigma, bool(fused_log_softmax), impl)
    tgt = targets_by_state(targets, U1, V)
    costs = _DurationLattice.apply(logits, duration_logits, tgt, logit_lengths,
                                   target_lengths, spec)
    return reduce_losses(costs, reduction)


class TDTLoss(torch.nn.Module):
    """Module form of :func:`tdt_loss`: stores the configuration and calls
    it; ``forward(logits, targets, logit_lengths, target_lengths,
    duration_logits=None)``. With ``omega > 0`` pass a ``generator`` for
    reproducible sampling."""

    def __init__(self, *, blank: int, durations, sigma: float = 0.0, omega: float = 0.0,
                 reduction: str = "mean", fused_log_softmax: bool = True,
                 implementation: str = "auto", generator: torch.Generator | None = None):
        super().__init__()
        self.blank = blank
        self.durations = list(_check_durations("TDTLoss", durations))
        self.sigma = sigma
        self.omega = omega
        self.reduction = reduction
        self.fused_log_softmax = fused_log_softmax
        self.implementation = implementation
        self.generator = generator

    def forward(self, logits, targets, logit_lengths, target_lengths, duration_logits=None):
        return tdt_loss(logits, targets, logit_lengths, target_lengths, blank=self.blank,
                        durations=self.durations, duration_logits=duration_logits,
                        sigma=self.sigma, omega=self.omega, reduction=self.reduction,
                        fused_log_softmax=self.fused_log_softmax,
                        implementation=self.implementation, generator=self.generator)
