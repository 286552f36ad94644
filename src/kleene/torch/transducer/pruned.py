"""Pruned RNN-T: k2/icefall's two-pass recipe (Kuang et al., "Pruned RNN-T
for fast, memory-efficient ASR training", Interspeech 2022,
https://arxiv.org/abs/2206.13236), with k2's names and conventions.

1. :func:`rnnt_loss_simple` scores the whole lattice with a "simple" joiner,
   ``logits[t, s] = am[t] + lm[s]``, whose log-normalizer over the vocabulary
   is one batched exp-matmul (the (B, T, S+1, V) logits are never built). With
   ``return_grad=True`` it also gives the occupation probability of every
   lattice arc.
2. :func:`get_rnnt_prune_ranges` turns the occupations into ``s_range``
   consecutive symbol positions per frame; :func:`do_rnnt_pruning` gathers the
   encoder/prediction outputs inside that band, the real joiner runs on
   (B, T, s_range, C) only, and :func:`rnnt_loss_pruned` is the RNN-T loss
   restricted to the band. :func:`pruned_rnnt_loss` (module form
   :class:`PrunedRNNTLoss`) runs both passes.

Every loss returns ``-log P`` (a positive number), reduced like k2
(``"mean"`` over the batch by default, ``"sum"``, ``"none"`` gives (B,)).
Lattice conventions are k2's: ``px`` (B, S, T+1) holds symbol-arc and ``py``
(B, S+1, T) termination(blank)-arc log-probabilities, and ``boundary`` rows
are ``[begin_symbol, begin_frame, end_symbol, end_frame]`` (default
``[0, 0, S, T]``). A sequence with no path inside its band has loss ``inf``
and zero gradient. Values outside a sequence's boundary (frames of ``am``
and of the pruned ``logits``, rows of ``lm``) are never read and may hold
anything, even NaN or inf; they get a zero gradient. The custom backward
passes are first-order only: a second derivative raises.

The recursion runs in a numba kernel on CPU tensors (parallel over the batch)
and in a vectorized torch loop over anti-diagonals (regular) or frames
(modified, constrained) elsewhere; ``implementation="torch"`` selects the
latter on CPU too. Both compute the (B, S+1, T+1) lattice in float64 (float32
on MPS, which has no float64) whatever the input dtype. On a GPU the host
synchronizes only in the input checks (boundary, symbol ids, ranges) and
in :func:`get_rnnt_prune_ranges` (the s_range check); the recursions loop
over S + T diagonals (regular) or T frames (modified) in Python.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np
import torch

from ...kernels.pruned_rnnt import alignment_recursion
from ..errors import TorchInputError
from .inputs import check_blank, check_logits, check_reduction, first_order_only

RnntType = Literal["regular", "modified", "constrained"]
Implementation = Literal["auto", "numba", "torch"]
_RNNT_TYPES = ("regular", "modified", "constrained")
_IMPLEMENTATIONS = ("auto", "numba", "torch")
_NEG_INF = float("-inf")


# ---------------------------------------------------------------- validation

def _check_choice(fn: str, name: str, value, choices) -> None:
    if value not in choices:
        raise TorchInputError(f"{fn}: {name} must be one of {', '.join(choices)}, got {value!r}")


def _check_float(fn: str, name: str, x, dims: int, like: torch.Tensor | None = None) -> None:
    check_logits(fn, name, x, dims, dtypes=(torch.float32, torch.float64))
    if like is not None and (x.dtype != like.dtype or x.device != like.device):
        raise TorchInputError(f"{fn}: {name} is {x.dtype} on {x.device}, expected "
                              f"{like.dtype} on {like.device}")


def _check_lattice(fn: str, x_name: str, px, y_name: str, py) -> tuple[int, int, int, bool]:
    """``px`` (B, S, T+1) (regular) or (B, S, T) (modified) and ``py``
    (B, S+1, T), float tensors alike; returns (B, S, T, modified)."""
    _check_float(fn, x_name, px, 3)
    _check_float(fn, y_name, py, 3, like=px)
    batch, nsym, width = px.shape
    nframe = py.shape[2]
    if tuple(py.shape) != (batch, nsym + 1, nframe) or width not in (nframe, nframe + 1):
        raise TorchInputError(f"{fn}: {y_name} must have shape (B, S+1, T) and {x_name} "
                              f"(B, S, T+1) or (B, S, T), got {x_name} {tuple(px.shape)} and "
                              f"{y_name} {tuple(py.shape)}")
    return batch, nsym, nframe, width == nframe


def _check_index(fn: str, name: str, x, shape: tuple, device: torch.device) -> None:
    if not isinstance(x, torch.Tensor):
        raise TorchInputError(f"{fn}: {name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype not in (torch.int32, torch.int64):
        raise TorchInputError(f"{fn}: {name} must be int32 or int64, got {x.dtype}")
    if tuple(x.shape) != shape:
        raise TorchInputError(f"{fn}: {name} must have shape {shape}, got {tuple(x.shape)}")
    if x.device != device:
        raise TorchInputError(f"{fn}: {name} is on {x.device}, the scores on {device}")


def _check_boundary(fn: str, boundary, batch: int, nsym: int, nframe: int, rnnt_type: str,
                    device: torch.device) -> torch.Tensor:
    """The (B, 4) int64 boundary, ``[0, 0, S, T]`` rows when None."""
    if boundary is None:
        out = torch.tensor([0, 0, nsym, nframe], dtype=torch.int64, device=device)
        out = out.expand(batch, 4).contiguous()
    else:
        _check_index(fn, "boundary", boundary, (batch, 4), device)
        out = boundary.long()
    rows = out.cpu()
    s0, t0, s1, t1 = rows.unbind(1)
    if batch and (bool((s0 < 0).any()) or bool((s0 > s1).any()) or bool((s1 > nsym).any())):
        raise TorchInputError(f"{fn}: boundary rows need 0 <= begin_symbol <= end_symbol <= "
                              f"S={nsym}, got {rows.tolist()}")
    if batch and (bool((t0 < 0).any()) or bool((t0 > t1).any()) or bool((t1 > nframe).any())):
        raise TorchInputError(f"{fn}: boundary rows need 0 <= begin_frame <= end_frame <= "
                              f"T={nframe}, got {rows.tolist()}")
    if rnnt_type != "regular" and bool((s1 - s0 > t1 - t0).any()):
        bad = int(torch.nonzero(s1 - s0 > t1 - t0)[0, 0])
        raise TorchInputError(
            f"{fn}: sequence {bad} has {int(s1[bad] - s0[bad])} symbols but only "
            f"{int(t1[bad] - t0[bad])} frames (boundary); rnnt_type={rnnt_type!r} emits at most "
            f"one symbol per frame")
    return out


def _check_symbols(fn: str, symbols, boundary: torch.Tensor, batch: int, nsym: int,
                   num_classes: int, device: torch.device) -> torch.Tensor:
    """int64 symbols, ids checked inside ``[begin_symbol, end_symbol)``;
    padding outside may hold anything (it is clamped, then masked)."""
    _check_index(fn, "symbols", symbols, (batch, nsym), device)
    cols = torch.arange(nsym, device=device)
    used = (cols >= boundary[:, :1]) & (cols < boundary[:, 2:3])
    ids = symbols[used]
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= num_classes):
        raise TorchInputError(f"{fn}: symbols hold ids outside [0, {num_classes}) within "
                              f"the boundary")
    return symbols.long().clamp(0, max(num_classes - 1, 0))


def _use_numba(fn: str, implementation: str, device: torch.device) -> bool:
    _check_choice(fn, "implementation", implementation, _IMPLEMENTATIONS)
    if implementation == "numba" and device.type != "cpu":
        raise TorchInputError(f"{fn}: implementation='numba' needs CPU tensors, got {device}")
    return implementation == "numba" or (implementation == "auto" and device.type == "cpu")


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# ----------------------------------------------------------------- recursion

def _box_masks(boundary: torch.Tensor, nsym: int, nframe: int, px_width: int, modified: bool):
    """Masks of the px (B, S, px_width) and py (B, S+1, T) arcs whose both ends
    lie inside each sequence's boundary box."""
    s0, t0, s1, t1 = (c.view(-1, 1, 1) for c in boundary.unbind(1))
    s = torch.arange(nsym + 1, device=boundary.device).view(1, -1, 1)
    tx = torch.arange(px_width, device=boundary.device).view(1, 1, -1)
    ty = torch.arange(nframe, device=boundary.device).view(1, 1, -1)
    sx = s[:, :nsym]
    x_ok = (sx >= s0) & (sx < s1) & (tx >= t0) & ((tx < t1) if modified else (tx <= t1))
    y_ok = (s >= s0) & (s <= s1) & (ty >= t0) & (ty < t1)
    return x_ok, y_ok


def _recursion_regular_torch(px, py, boundary, want_grad):
    """Anti-diagonal d = s + t at a time: every cell of a diagonal depends only
    on the previous one. Lattice values are stored skewed, ``Q[b, d, s]``."""
    batch, nsym1, nframe = py.shape
    ndiag = nsym1 + nframe
    dev, dt = py.device, py.dtype
    s = torch.arange(nsym1, device=dev)
    d = torch.arange(ndiag, device=dev)
    t = d.view(-1, 1) - s.view(1, -1)                          # (D, S+1)
    width = nframe + 1
    on_grid = (t >= 0) & (t < width)
    flat = (s.view(1, -1) * width + t.clamp(0, width - 1)).reshape(-1)
    neg_row = torch.full((batch, nsym1, 1), _NEG_INF, device=dev, dtype=dt)
    neg_col = torch.full((batch, 1, width), _NEG_INF, device=dev, dtype=dt)
    x_full = torch.cat((px, neg_col), dim=1)                   # (B, S+1, T+1)
    y_full = torch.cat((py, neg_row), dim=2)                   # (B, S+1, T+1)
    xs = x_full.flatten(1)[:, flat].view(batch, ndiag, nsym1)
    ys = y_full.flatten(1)[:, flat].view(batch, ndiag, nsym1)
    xs = xs.masked_fill(~on_grid, _NEG_INF)
    ys = ys.masked_fill(~on_grid, _NEG_INF)
    start = (d.view(1, -1, 1) == (boundary[:, 0] + boundary[:, 1]).view(-1, 1, 1)) & \
        (s.view(1, 1, -1) == boundary[:, 0].view(-1, 1, 1))
    end = (d.view(1, -1, 1) == (boundary[:, 2] + boundary[:, 3]).view(-1, 1, 1)) & \
        (s.view(1, 1, -1) == boundary[:, 2].view(-1, 1, 1))
    zero = torch.zeros((), device=dev, dtype=dt)
    neg1 = torch.full((batch, 1), _NEG_INF, device=dev, dtype=dt)
    alpha = torch.full((batch, ndiag, nsym1), _NEG_INF, device=dev, dtype=dt)
    alpha[:, 0] = torch.where(start[:, 0], zero, alpha[:, 0])
    for k in range(1, ndiag):
        prev = alpha[:, k - 1]
        via_x = torch.cat((neg1, prev[:, :-1] + xs[:, k - 1, :-1]), dim=1)
        alpha[:, k] = torch.where(start[:, k], zero,
                                  torch.logaddexp(via_x, prev + ys[:, k - 1]))
    total = alpha[torch.arange(batch, device=dev), boundary[:, 2] + boundary[:, 3],
                  boundary[:, 2]]
    if not want_grad:
        return total, None, None
    beta = torch.full((batch, ndiag, nsym1), _NEG_INF, device=dev, dtype=dt)
    beta[:, -1] = torch.where(end[:, -1], zero, beta[:, -1])
    for k in range(ndiag - 2, -1, -1):
        nxt = beta[:, k + 1]
        via_x = torch.cat((xs[:, k, :-1] + nxt[:, 1:], neg1), dim=1)
        beta[:, k] = torch.where(end[:, k], zero, torch.logaddexp(via_x, ys[:, k] + nxt))
    ok = total > _NEG_INF
    tot = torch.where(ok, total, zero).view(-1, 1, 1)
    after = torch.cat((beta[:, 1:], torch.full_like(beta[:, :1], _NEG_INF)), dim=1)
    occ_x = torch.exp(alpha[:, :, :-1] + xs[:, :, :-1] + after[:, :, 1:] - tot)
    occ_y = torch.exp(alpha + ys + after - tot)
    occ_x = torch.where(ok.view(-1, 1, 1), occ_x, zero)
    occ_y = torch.where(ok.view(-1, 1, 1), occ_y, zero)
    # unskew: grad[b, s, t] = occ[b, s + t, s]
    sx = torch.arange(nsym1 - 1, device=dev).view(-1, 1)
    tx = torch.arange(width, device=dev).view(1, -1)
    px_grad = occ_x.flatten(1)[:, ((sx + tx) * (nsym1 - 1) + sx).reshape(-1)]
    sy = s.view(-1, 1)
    ty = torch.arange(nframe, device=dev).view(1, -1)
    py_grad = occ_y.flatten(1)[:, ((sy + ty) * nsym1 + sy).reshape(-1)]
    return total, px_grad.view(px.shape), py_grad.view(py.shape)


def _recursion_modified_torch(px, py, boundary, want_grad):
    """One frame at a time: a frame's column depends only on the previous one
    (every arc consumes a frame)."""
    batch, nsym1, nframe = py.shape
    dev, dt = py.device, py.dtype
    s = torch.arange(nsym1, device=dev).view(1, -1, 1)
    t = torch.arange(nframe + 1, device=dev).view(1, 1, -1)
    start = (s == boundary[:, 0].view(-1, 1, 1)) & (t == boundary[:, 1].view(-1, 1, 1))
    end = (s == boundary[:, 2].view(-1, 1, 1)) & (t == boundary[:, 3].view(-1, 1, 1))
    zero = torch.zeros((), device=dev, dtype=dt)
    neg1 = torch.full((batch, 1), _NEG_INF, device=dev, dtype=dt)
    alpha = torch.full((batch, nsym1, nframe + 1), _NEG_INF, device=dev, dtype=dt)
    alpha[:, :, 0] = torch.where(start[:, :, 0], zero, alpha[:, :, 0])
    for k in range(1, nframe + 1):
        prev = alpha[:, :, k - 1]
        via_x = torch.cat((neg1, prev[:, :-1] + px[:, :, k - 1]), dim=1)
        alpha[:, :, k] = torch.where(start[:, :, k], zero,
                                     torch.logaddexp(via_x, prev + py[:, :, k - 1]))
    rows = torch.arange(batch, device=dev)
    total = alpha[rows, boundary[:, 2], boundary[:, 3]]
    if not want_grad:
        return total, None, None
    beta = torch.full_like(alpha, _NEG_INF)
    beta[:, :, -1] = torch.where(end[:, :, -1], zero, beta[:, :, -1])
    for k in range(nframe - 1, -1, -1):
        nxt = beta[:, :, k + 1]
        via_x = torch.cat((px[:, :, k] + nxt[:, 1:], neg1), dim=1)
        beta[:, :, k] = torch.where(end[:, :, k], zero,
                                    torch.logaddexp(via_x, py[:, :, k] + nxt))
    ok = total > _NEG_INF
    tot = torch.where(ok, total, zero).view(-1, 1, 1)
    px_grad = torch.exp(alpha[:, :-1, :-1] + px + beta[:, 1:, 1:] - tot)
    py_grad = torch.exp(alpha[:, :, :-1] + py + beta[:, :, 1:] - tot)
    okb = ok.view(-1, 1, 1)
    return total, torch.where(okb, px_grad, zero), torch.where(okb, py_grad, zero)


def _recursion(px, py, boundary, modified: bool, use_numba: bool, want_grad: bool):
    """(total, px_occupation, py_occupation), the last two None unless
    ``want_grad``; inputs are detached, arcs outside the box already -inf."""
    if use_numba:
        pxn = px.detach().to(torch.float64).contiguous().numpy()
        pyn = py.detach().to(torch.float64).contiguous().numpy()
        total = np.empty(px.shape[0])
        gx = np.zeros(pxn.shape if want_grad else (0, 0, 0))
        gy = np.zeros(pyn.shape if want_grad else (0, 0, 0))
        bound = np.ascontiguousarray(boundary.cpu().numpy())
        alignment_recursion(pxn, pyn, bound, modified, want_grad, total, gx, gy)
        total_t = torch.from_numpy(total).to(px.dtype)
        if not want_grad:
            return total_t, None, None
        return total_t, torch.from_numpy(gx).to(px.dtype), torch.from_numpy(gy).to(px.dtype)
    # float64 as the kernel does (the lattice is small next to the logits): in
    # float32, log-scores of thousands leave ~1e-3 errors in the occupations
    wide = torch.float32 if px.device.type == "mps" else torch.float64
    with torch.no_grad():
        run = _recursion_modified_torch if modified else _recursion_regular_torch
        out = run(px.detach().to(wide), py.detach().to(wide), boundary, want_grad)
    return tuple(None if x is None else x.to(px.dtype) for x in out)


class _AlignmentRecursion(torch.autograd.Function):
    @staticmethod
    def forward(ctx, px, py, boundary, modified, use_numba, want_grad):
        total, gx, gy = _recursion(px, py, boundary, modified, use_numba, want_grad)
        if gx is None:
            gx = px.new_zeros((0,))
            gy = py.new_zeros((0,))
        ctx.save_for_backward(gx, gy)
        ctx.mark_non_differentiable(gx, gy)
        return total, gx, gy

    @staticmethod
    @first_order_only
    def backward(ctx, grad_total, _gx, _gy):
        gx, gy = ctx.saved_tensors
        scale = grad_total.view(-1, 1, 1)
        return gx * scale, gy * scale, None, None, None, None


def mutual_information_recursion(px: torch.Tensor, py: torch.Tensor,
                                 boundary: torch.Tensor | None = None, *,
                                 return_grad: bool = False,
                                 implementation: Implementation = "auto"):
    """k2's ``mutual_information_recursion``: the total log-score of all
    monotone paths through the (S+1) x (T+1) lattice (see
    :mod:`kleene.kernels.pruned_rnnt` for the recursion).

    ``px`` is (B, S, T+1) (regular: a symbol arc stays on its frame) or
    (B, S, T) (modified: it also moves to the next frame), ``py`` is
    (B, S+1, T), ``boundary`` (B, 4) ``[s_begin, t_begin, s_end, t_end]``.
    Returns the (B,) log-scores (``-loss``), plus ``(px_grad, py_grad)`` with
    ``return_grad``: the occupation probability of every arc, equal to
    ``torch.autograd.grad(scores.sum(), [px, py])``. Differentiable in ``px``
    and ``py``. Time O(B S T); memory O(B S T).
    """
    fn = "mutual_information_recursion"
    batch, nsym, nframe, modified = _check_lattice(fn, "px", px, "py", py)
    bound = _check_boundary(fn, boundary, batch, nsym, nframe,
                            "modified" if modified else "regular", px.device)
    use_numba = _use_numba(fn, implementation, px.device)
    return _run_recursion(px, py, bound, modified, use_numba, return_grad)


def _run_recursion(px, py, bound, modified, use_numba, return_grad):
    x_ok, y_ok = _box_masks(bound, px.shape[1], py.shape[2], px.shape[2], modified)
    px = px.masked_fill(~x_ok, _NEG_INF)
    py = py.masked_fill(~y_ok, _NEG_INF)
    want_grad = return_grad or (torch.is_grad_enabled() and (px.requires_grad or
                                                            py.requires_grad))
    total, gx, gy = _AlignmentRecursion.apply(px, py, bound, modified, use_numba, want_grad)
    return (total, (gx, gy)) if return_grad else total


# --------------------------------------------------------- lattice log-probs

def _fix_for_boundary(px: torch.Tensor, boundary: torch.Tensor) -> torch.Tensor:
    """Regular topology: no symbol arc on the one-past-the-last frame."""
    cols = torch.arange(px.shape[2], device=px.device).view(1, 1, -1)
    return px.masked_fill(cols == boundary[:, 3].view(-1, 1, 1), _NEG_INF)


def _finish_logprobs(px, py, boundary, rnnt_type):
    if rnnt_type == "regular":
        neg = torch.full_like(px[:, :, :1], _NEG_INF)
        return _fix_for_boundary(torch.cat((px, neg), dim=2), boundary), py
    if rnnt_type == "constrained":
        # a symbol forces the blank of the next context on the same frame
        px = px + py[:, 1:, :]
    return px, py


def _delay(fn, px, boundary, delay_penalty):
    """k2's delay penalty: favour early symbols by ``delay_penalty`` per frame
    of distance from the middle of the utterance (0 or less: none)."""
    if isinstance(delay_penalty, bool) or not isinstance(delay_penalty, (int, float)) or \
            not math.isfinite(delay_penalty):
        raise TorchInputError(f"{fn}: delay_penalty must be a finite number, got "
                              f"{delay_penalty!r}")
    if delay_penalty <= 0.0:
        return px
    frames = boundary[:, 3].to(px.dtype).view(-1, 1, 1)
    cols = torch.arange(px.shape[2], device=px.device, dtype=px.dtype).view(1, 1, -1)
    return px + delay_penalty * ((frames - 1) / 2 - cols)


def _rows_in_box(boundary: torch.Tensor, nframe: int, nsym: int):
    """(B, T) frames ``t0 <= t < t1`` and (B, S+1) contexts ``s0 <= s <= s1``
    that some arc inside each sequence's boundary reads."""
    t = torch.arange(nframe, device=boundary.device).view(1, -1)
    s = torch.arange(nsym + 1, device=boundary.device).view(1, -1)
    return ((t >= boundary[:, 1:2]) & (t < boundary[:, 3:4]),
            (s >= boundary[:, 0:1]) & (s <= boundary[:, 2:3]))


def _simple_logprobs(lm: torch.Tensor, am: torch.Tensor, symbols: torch.Tensor,
                     termination_symbol: int, rnnt_type: RnntType = "regular",
                     boundary: torch.Tensor | None = None):
    """``(px, py)`` of the simple joiner ``log_softmax(am[t] + lm[s])``
    without building it: the log-normalizer of every (s, t) is
    ``log(exp(lm - lm_max) @ exp(am - am_max).T) + lm_max + am_max``, one
    (B, S+1, C) x (B, C, T) matmul (in float64, so it does not underflow
    when am and lm favour very different classes). Shapes as in :func:`rnnt_loss_simple`;
    inputs are not validated here. Time O(B S T C) in one matmul, memory
    O(B (S T + (S + T) C)).
    """
    batch, nframe, _ = am.shape
    nsym = lm.shape[1] - 1
    bound = boundary if boundary is not None else torch.tensor(
        [0, 0, nsym, nframe], device=am.device).expand(batch, 4)
    # frames and contexts outside the boundary may hold anything (even NaN or inf): zero them
    # so that they reach neither the shared normalizer matmul nor the gradient
    frame_used, context_used = _rows_in_box(bound, nframe, nsym)
    am = torch.where(frame_used.unsqueeze(2), am, 0.0)
    lm = torch.where(context_used.unsqueeze(2), lm, 0.0)
    am_max = am.detach().amax(dim=2, keepdim=True)   # shifts only; the result does
    lm_max = lm.detach().amax(dim=2, keepdim=True)   # not depend on them
    # the matmul in float64 (float32 on MPS): a float32 product of two shifted exps
    # underflows once am and lm peak on classes ~87 nats apart, and the normalizer then
    # saturated at log(tiny) (k2's float32 behaviour); the operands are only O((S + T) C)
    wide = torch.float32 if am.device.type == "mps" else torch.float64
    products = torch.matmul(torch.exp((lm - lm_max).to(wide)),
                            torch.exp((am - am_max).to(wide)).transpose(1, 2))
    norm = (torch.log(products + torch.finfo(wide).tiny).to(am.dtype)
            + lm_max + am_max.transpose(1, 2))
    sym = symbols.long()
    px_am = torch.gather(am, 2, sym.unsqueeze(1).expand(batch, nframe, nsym)).transpose(1, 2)
    px_lm = torch.gather(lm[:, :nsym], 2, sym.unsqueeze(2))
    px = px_am + px_lm - norm[:, :nsym]
    py = (am[:, :, termination_symbol].unsqueeze(1) + lm[:, :, termination_symbol].unsqueeze(2)
          - norm)
    return _finish_logprobs(px, py, bound, rnnt_type)


def rnnt_loss_simple(lm: torch.Tensor, am: torch.Tensor, symbols: torch.Tensor,
                     termination_symbol: int, boundary: torch.Tensor | None = None, *,
                     reduction: Literal["mean", "sum", "none"] = "mean",
                     return_grad: bool = False, rnnt_type: RnntType = "regular",
                     delay_penalty: float = 0.0, implementation: Implementation = "auto"):
    """RNN-T loss of the "simple" (additive) joiner ``logits[b, t, s] =
    am[b, t] + lm[b, s]``, k2's ``rnnt_loss_simple``.

    Args:
        lm: (B, S+1, C) prediction-network scores; row ``s`` has seen
            ``symbols[:, :s]``.
        am: (B, T, C) encoder scores, same dtype (float32/float64) and device.
        symbols: (B, S) int target ids in ``[0, C)`` within the boundary
            (padding past ``end_symbol`` may hold anything, e.g. -1; as in
            k2 an id equal to ``termination_symbol`` is not rejected).
        termination_symbol: the blank id (k2's name), in ``[0, C)``.
        boundary: optional (B, 4) int ``[begin_symbol, begin_frame,
            end_symbol, end_frame]``; default ``[0, 0, S, T]``.
        reduction: ``"mean"`` (k2's default) / ``"sum"`` over the batch, or
            ``"none"`` for (B,).
        return_grad: also return ``(px_grad, py_grad)``, the occupation
            probabilities that :func:`get_rnnt_prune_ranges` needs
            (detached, shapes of ``px``/``py``).
        rnnt_type: ``"regular"``; ``"modified"`` (every arc consumes a frame,
            so at most one symbol per frame; needs T >= S per sequence);
            ``"constrained"`` (modified, but a symbol also pays the blank of
            its new context on the same frame).
        delay_penalty: k2's penalty favouring early symbols (0 disables).
        implementation: ``"numba"`` (CPU), ``"torch"`` (any device) or
            ``"auto"`` (numba on CPU).

    Returns ``-log P(symbols | am, lm)`` reduced, or ``(loss, (px_grad,
    py_grad))``. Time O(B S T C) (one matmul) + O(B S T); memory
    O(B (S T + (S + T) C)): the (B, T, S+1, C) logits are never built.
    """
    fn = "rnnt_loss_simple"
    _check_float(fn, "lm", lm, 3)
    _check_float(fn, "am", am, 3, like=lm)
    if am.shape[0] != lm.shape[0] or am.shape[2] != lm.shape[2]:
        raise TorchInputError(f"{fn}: am {tuple(am.shape)} and lm {tuple(lm.shape)} need the "
                              f"same batch size and vocabulary size")
    _check_choice(fn, "rnnt_type", rnnt_type, _RNNT_TYPES)
    check_reduction(fn, reduction)
    batch, nframe, ncls = am.shape
    nsym = lm.shape[1] - 1
    termination_symbol = check_blank(fn, termination_symbol, ncls, name="termination_symbol",
                                     allow_negative=False)
    bound = _check_boundary(fn, boundary, batch, nsym, nframe, rnnt_type, am.device)
    sym = _check_symbols(fn, symbols, bound, batch, nsym, ncls, am.device)
    use_numba = _use_numba(fn, implementation, am.device)
    px, py = _simple_logprobs(lm, am, sym, termination_symbol, rnnt_type, bound)
    px = _delay(fn, px, bound, delay_penalty)
    out = _run_recursion(px, py, bound, rnnt_type != "regular", use_numba, return_grad)
    if return_grad:
        return _reduce(-out[0], reduction), out[1]
    return _reduce(-out, reduction)


# ------------------------------------------------------------------- pruning

def _monotone_lower_bound(x: torch.Tensor) -> torch.Tensor:
    """The largest non-decreasing sequence below ``x`` (a reverse cummin)."""
    return torch.cummin(x.flip(-1), dim=-1).values.flip(-1)


def _adjust_begins(begin: torch.Tensor, max_step: int) -> torch.Tensor:
    """Raises window starts as little as possible so they start at 0, never
    decrease and rise by at most ``max_step`` per frame: the last condition
    is "``max_step * t - begin[t]`` non-decreasing", a second lower bound."""
    begin = _monotone_lower_bound(begin)
    ramp = max_step * torch.arange(begin.shape[1], device=begin.device)
    slack = _monotone_lower_bound(ramp - begin).clamp(min=0)
    return ramp - slack


def get_rnnt_prune_ranges(px_grad: torch.Tensor, py_grad: torch.Tensor,
                          boundary: torch.Tensor | None, s_range: int) -> torch.Tensor:
    """The (B, T, s_range) symbol positions kept per frame, ``ranges[b, t] =
    begin[b, t] + arange(s_range)``, from the occupations that
    ``rnnt_loss_simple(..., return_grad=True)`` returns.

    A frame's window start maximizes the occupation it covers. Regular
    topology: the mass of blank arcs leaving the window at frame t minus the
    symbol arc entering it from below on that frame (k2's paper, sec. 3.2);
    that is the mass of paths that stay inside the window on frame t, minus
    the (rare) ones that cross all of it. Modified/constrained: the mass of
    the window's nodes on frame t. Starts are then made valid: 0 on frame 0,
    non-decreasing, rising by at most ``s_range - 1`` (regular) or 1
    (modified) per frame, and from the last frame on, top-aligned on
    ``end_symbol`` so the final node is covered. ``begin`` stays in
    ``[0, S + 1 - s_range]``.

    Requires ``begin_symbol == begin_frame == 0``. ``s_range`` must be >= 2
    (regular, unless S = 0) or >= 1 (modified; use >= 2 for constrained, whose symbol arcs
    also read the next position's blank on the same frame, or no path may
    survive); it is clamped to S + 1, and raised (with a warning,
    as k2 does) to ``ceil(S_b / T_b) + 1`` for regular sequences whose
    symbols cannot otherwise fit. Time and memory O(B S T).
    """
    fn = "get_rnnt_prune_ranges"
    batch, nsym, nframe, modified = _check_lattice(fn, "px_grad", px_grad, "py_grad", py_grad)
    regular = not modified
    bound = _check_boundary(fn, boundary, batch, nsym, nframe,
                            "regular" if regular else "modified", px_grad.device)
    if bool((bound[:, :2] != 0).any()):
        raise TorchInputError(f"{fn}: boundary must have begin_symbol = begin_frame = 0 for "
                              f"pruning, got {bound.tolist()}")
    least = min(2 if regular else 1, nsym + 1)   # S = 0: one position is the whole lattice
    if isinstance(s_range, bool) or not isinstance(s_range, int) or s_range < least:
        raise TorchInputError(f"{fn}: s_range must be an int >= {least} for rnnt_type "
                              f"{'regular' if regular else 'modified'}, got {s_range!r}")
    if regular and batch:
        need = int((-(-bound[:, 2] // bound[:, 3].clamp(min=1)) + 1).max())
        if s_range < need:
            warnings.warn(f"{fn}: s_range={s_range} cannot cover {bound[:, 2].tolist()} symbols "
                          f"in {bound[:, 3].tolist()} frames; using s_range={need}",
                          stacklevel=2)
            s_range = need
    s_range = min(s_range, nsym + 1)
    nwin = nsym + 2 - s_range
    zeros = torch.zeros_like(py_grad[:, :1])
    if regular:
        mass = py_grad
    else:
        mass = py_grad + torch.cat((px_grad, zeros), dim=1)
    cum = torch.cat((zeros, torch.cumsum(mass, dim=1)), dim=1)
    score = cum[:, s_range:] - cum[:, :nwin]                   # (B, nwin, T)
    if regular:
        score = score - torch.cat((zeros, px_grad[:, :nwin - 1, :nframe]), dim=1)
    begin = torch.argmax(score, dim=1)                          # (B, T), first max on ties
    frames = torch.arange(nframe, device=begin.device).view(1, -1)
    last = (bound[:, 2:3] - s_range + 1).clamp(min=0)
    begin = torch.where(frames < bound[:, 3:4] - 1, begin, last)
    begin = _adjust_begins(begin, s_range - 1 if regular else 1)
    return begin.unsqueeze(2) + torch.arange(s_range, device=begin.device)


def do_rnnt_pruning(am: torch.Tensor, lm: torch.Tensor, ranges: torch.Tensor):
    """``(am_pruned, lm_pruned)``, both (B, T, s_range, ·): the encoder output
    (B, T, C_am) repeated over the band (a broadcast view, no copy) and the
    prediction output (B, S+1, C_lm) gathered at ``ranges`` (B, T, s_range),
    ready for a joiner ``f(am_pruned, lm_pruned)``. Memory O(B T s_range C_lm).
    """
    fn = "do_rnnt_pruning"
    check_logits(fn, "am", am, 3)
    check_logits(fn, "lm", lm, 3)
    batch, nframe, dim_am = am.shape
    if lm.shape[0] != batch:
        raise TorchInputError(f"{fn}: lm has batch size {lm.shape[0]}, am has {batch}")
    if lm.device != am.device:
        raise TorchInputError(f"{fn}: lm is on {lm.device}, am on {am.device}")
    if not isinstance(ranges, torch.Tensor) or ranges.dim() != 3 or \
            tuple(ranges.shape[:2]) != (batch, nframe):
        raise TorchInputError(f"{fn}: ranges must be a (B, T, s_range) = ({batch}, {nframe}, ·) "
                              f"tensor, got {getattr(ranges, 'shape', type(ranges).__name__)}")
    _check_ranges(fn, ranges, lm.shape[1] - 1, am.device)
    s_range = ranges.shape[2]
    dim_lm = lm.shape[2]
    am_pruned = am.unsqueeze(2).expand(batch, nframe, s_range, dim_am)
    index = ranges.long().reshape(batch, nframe * s_range, 1).expand(-1, -1, dim_lm)
    lm_pruned = torch.gather(lm, 1, index).view(batch, nframe, s_range, dim_lm)
    return am_pruned, lm_pruned


def _check_ranges(fn: str, ranges: torch.Tensor, nsym: int, device: torch.device) -> None:
    if ranges.dtype not in (torch.int32, torch.int64):
        raise TorchInputError(f"{fn}: ranges must be int32 or int64, got {ranges.dtype}")
    if ranges.device != device:
        raise TorchInputError(f"{fn}: ranges is on {ranges.device}, the scores on {device}")
    if ranges.shape[2] < 1 or ranges.shape[2] > nsym + 1:
        raise TorchInputError(f"{fn}: ranges has s_range={ranges.shape[2]}, need 1..S+1="
                              f"{nsym + 1}")
    if ranges.numel() and (int(ranges.min()) < 0 or int(ranges.max()) > nsym):
        raise TorchInputError(f"{fn}: ranges must lie in [0, S={nsym}]")
    if bool((ranges[..., 1:] <= ranges[..., :-1]).any()):
        raise TorchInputError(f"{fn}: ranges must increase along each frame's window")


class _BandLogProbs(torch.autograd.Function):
    """``log_softmax(logits)`` at the band's symbols and at the termination
    symbol, (B, T, R) each, without keeping a (B, T, R, V) log-softmax: the
    forward holds one exp buffer at a time, the backward writes the softmax
    straight into the gradient it returns (one buffer of the logits' size).
    Cells where ``used`` (B, T, R) is False (outside the boundary) may hold
    anything, even NaN: they give ``-inf`` and a zero gradient."""

    @staticmethod
    def forward(ctx, logits, band_sym, termination_symbol, used):
        norm = _log_normalizer(logits)
        x = torch.gather(logits, 3, band_sym.unsqueeze(3)).squeeze(3) - norm
        y = logits[..., termination_symbol] - norm
        ctx.save_for_backward(logits, norm, band_sym, used)
        ctx.termination_symbol = termination_symbol
        return torch.where(used, x, _NEG_INF), torch.where(used, y, _NEG_INF)

    @staticmethod
    @first_order_only
    def backward(ctx, grad_x, grad_y):
        logits, norm, band_sym, used = ctx.saved_tensors
        grad_x = torch.where(used, grad_x, 0.0)
        grad_y = torch.where(used, grad_y, 0.0)
        grad = torch.sub(logits, norm.unsqueeze(3)).exp_()          # softmax
        grad.mul_(-(grad_x + grad_y).unsqueeze(3))
        grad.masked_fill_(~used.unsqueeze(3), 0.0)  # 0 * softmax(NaN padding) would be NaN
        grad.scatter_add_(3, band_sym.unsqueeze(3), grad_x.unsqueeze(3))
        grad[..., ctx.termination_symbol] += grad_y
        return grad, None, None, None


def _log_normalizer(logits: torch.Tensor) -> torch.Tensor:
    """``logsumexp`` over the last axis with a single temporary buffer."""
    top = logits.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    buf = torch.sub(logits, top).exp_()
    return buf.sum(dim=-1).log_() + top.squeeze(-1)


def _pruned_logprobs(logits: torch.Tensor, symbols: torch.Tensor,
                     ranges: torch.Tensor, termination_symbol: int,
                     boundary: torch.Tensor, rnnt_type: RnntType = "regular"):
    """``(px, py)`` of the full joiner restricted to the band: arcs from
    (s, t) exist only for ``s`` in ``ranges[b, t]``; their log-probabilities
    are ``log_softmax(logits[b, t, r])`` at the symbol ``symbols[b, s]`` (px)
    or the termination symbol (py), with ``s = ranges[b, t, r]``. Inputs are
    not validated here. Beyond the logits, memory O(B T s_range) in the
    forward and one logits-sized gradient in the backward.
    """
    batch, nframe, s_range, _ = logits.shape
    nsym = symbols.shape[1]
    term = torch.full((batch, 1), termination_symbol, dtype=torch.int64, device=logits.device)
    with_term = torch.cat((symbols.long(), term), dim=1)                  # (B, S+1)
    idx = ranges.long()
    band_sym = torch.gather(with_term, 1, idx.flatten(1)).view(batch, nframe, s_range)
    frame_used, _ = _rows_in_box(boundary, nframe, nsym)
    used = frame_used.unsqueeze(2) & (idx >= boundary[:, 0].view(-1, 1, 1)) & \
        (idx <= boundary[:, 2].view(-1, 1, 1))
    x_band, y_band = _BandLogProbs.apply(logits, band_sym, termination_symbol, used)
    empty = logits.new_full((batch, nframe, nsym + 1), _NEG_INF)
    px = empty.scatter(2, idx, x_band)[:, :, :nsym].transpose(1, 2)      # (B, S, T)
    py = empty.scatter(2, idx, y_band).transpose(1, 2)                    # (B, S+1, T)
    return _finish_logprobs(px, py, boundary, rnnt_type)


def rnnt_loss_pruned(logits: torch.Tensor, symbols: torch.Tensor, ranges: torch.Tensor,
                     termination_symbol: int, boundary: torch.Tensor | None = None, *,
                     reduction: Literal["mean", "sum", "none"] = "mean",
                     rnnt_type: RnntType = "regular", delay_penalty: float = 0.0,
                     implementation: Implementation = "auto") -> torch.Tensor:
    """RNN-T loss restricted to a band, k2's ``rnnt_loss_pruned``.

    ``logits`` (B, T, s_range, V) are the joiner's outputs at the symbol
    positions ``ranges`` (B, T, s_range) (from :func:`get_rnnt_prune_ranges`;
    any strictly increasing positions in ``[0, S]`` are accepted); the
    lattice keeps only arcs leaving those positions, so the result is
    ``-log`` of the probability of the paths inside the band (>= the full
    loss; equal when the band covers every position). Other arguments as in
    :func:`rnnt_loss_simple`. Time O(B T s_range V + B S T); memory beyond
    the logits O(B S T) (the lattice) plus one logits-sized gradient in the
    backward (first derivatives only: no double backward).
    """
    fn = "rnnt_loss_pruned"
    _check_float(fn, "logits", logits, 4)
    _check_choice(fn, "rnnt_type", rnnt_type, _RNNT_TYPES)
    check_reduction(fn, reduction)
    batch, nframe, s_range, ncls = logits.shape
    termination_symbol = check_blank(fn, termination_symbol, ncls, name="termination_symbol",
                                     allow_negative=False)
    if not isinstance(symbols, torch.Tensor) or symbols.dim() != 2:
        raise TorchInputError(f"{fn}: symbols must be a (B, S) tensor, got "
                              f"{getattr(symbols, 'shape', type(symbols).__name__)}")
    nsym = symbols.shape[1]
    bound = _check_boundary(fn, boundary, batch, nsym, nframe, rnnt_type, logits.device)
    sym = _check_symbols(fn, symbols, bound, batch, nsym, ncls, logits.device)
    _check_index(fn, "ranges", ranges, (batch, nframe, s_range), logits.device)
    _check_ranges(fn, ranges, nsym, logits.device)
    use_numba = _use_numba(fn, implementation, logits.device)
    px, py = _pruned_logprobs(logits, sym, ranges, termination_symbol, bound, rnnt_type)
    px = _delay(fn, px, bound, delay_penalty)
    scores = _run_recursion(px, py, bound, rnnt_type != "regular", use_numba, False)
    return _reduce(-scores, reduction)


# -------------------------------------------------------------------- recipe

class PrunedRnntLossOutput(NamedTuple):
    """What :func:`pruned_rnnt_loss` returns: the weighted ``loss`` to
    minimize, its two parts (already reduced) and the band used."""
    loss: torch.Tensor
    simple_loss: torch.Tensor
    pruned_loss: torch.Tensor
    ranges: torch.Tensor


def pruned_rnnt_loss(simple_am: torch.Tensor, simple_lm: torch.Tensor, am: torch.Tensor,
                     lm: torch.Tensor, joiner: Callable[[torch.Tensor, torch.Tensor],
                                                        torch.Tensor],
                     symbols: torch.Tensor, termination_symbol: int,
                     boundary: torch.Tensor | None = None, *, s_range: int = 5,
                     simple_loss_scale: float = 0.5, pruned_loss_scale: float = 1.0,
                     reduction: Literal["mean", "sum", "none"] = "mean",
                     rnnt_type: RnntType = "regular",
                     implementation: Implementation = "auto") -> PrunedRnntLossOutput:
    """The two-pass pruned RNN-T recipe (icefall's ``Transducer.forward``).

    1. ``simple_loss, occupations = rnnt_loss_simple(simple_lm, simple_am,
       ..., return_grad=True)`` with vocabulary-sized projections
       ``simple_am`` (B, T, V) and ``simple_lm`` (B, S+1, V) of the encoder
       and prediction outputs;
    2. ``ranges = get_rnnt_prune_ranges(occupations, boundary, s_range)``
       (no gradient flows through the choice of band);
    3. ``logits = joiner(*do_rnnt_pruning(am, lm, ranges))`` with ``am``
       (B, T, C) and ``lm`` (B, S+1, C) the joiner-space projections, and
       ``joiner`` mapping two (B, T, s_range, C) tensors to
       (B, T, s_range, V), e.g. ``lambda a, l: (a + l).tanh() @ W``;
    4. ``pruned_loss = rnnt_loss_pruned(logits, ..., ranges)``.

    Returns :class:`PrunedRnntLossOutput` with ``loss = simple_loss_scale *
    simple_loss + pruned_loss_scale * pruned_loss``. icefall trains with
    ``simple_loss_scale=0.5`` (and warms up from 1.0 with the pruned part
    scaled down to 0.1 early on, so that the bands are learned before the
    joiner relies on them). The joiner runs on T * s_range instead of
    T * (S+1) positions: memory O(B T s_range V) instead of O(B T S V).
    """
    if rnnt_type == "constrained" and isinstance(s_range, int) and s_range < 2:
        raise TorchInputError(f"pruned_rnnt_loss: s_range must be >= 2 for rnnt_type "
                              f"'constrained', got {s_range}")
    simple_loss, (px_grad, py_grad) = rnnt_loss_simple(
        simple_lm, simple_am, symbols, termination_symbol, boundary, reduction=reduction,
        return_grad=True, rnnt_type=rnnt_type, implementation=implementation)
    ranges = get_rnnt_prune_ranges(px_grad, py_grad, boundary, s_range)
    am_pruned, lm_pruned = do_rnnt_pruning(am, lm, ranges)
    logits = joiner(am_pruned, lm_pruned)
    pruned_loss = rnnt_loss_pruned(logits, symbols, ranges, termination_symbol, boundary,
                                   reduction=reduction, rnnt_type=rnnt_type,
                                   implementation=implementation)
    loss = simple_loss_scale * simple_loss + pruned_loss_scale * pruned_loss
    return PrunedRnntLossOutput(loss, simple_loss, pruned_loss, ranges)


class PrunedRNNTLoss(torch.nn.Module):
    """Module form of :func:`pruned_rnnt_loss`: stores ``termination_symbol``,
    ``s_range``, the two scales, ``reduction``, ``rnnt_type`` and
    ``implementation``; ``forward(simple_am, simple_lm, am, lm, joiner,
    symbols, boundary=None)`` returns a :class:`PrunedRnntLossOutput`."""

    def __init__(self, termination_symbol: int, *, s_range: int = 5,
                 simple_loss_scale: float = 0.5, pruned_loss_scale: float = 1.0,
                 reduction: Literal["mean", "sum", "none"] = "mean",
                 rnnt_type: RnntType = "regular",
                 implementation: Implementation = "auto") -> None:
        super().__init__()
        self.termination_symbol = termination_symbol
        self.s_range = s_range
        self.simple_loss_scale = simple_loss_scale
        self.pruned_loss_scale = pruned_loss_scale
        self.reduction = reduction
        self.rnnt_type = rnnt_type
        self.implementation = implementation

    def forward(self, simple_am, simple_lm, am, lm, joiner, symbols,
                boundary=None) -> PrunedRnntLossOutput:
        return pruned_rnnt_loss(simple_am, simple_lm, am, lm, joiner, symbols,
                                self.termination_symbol, boundary, s_range=self.s_range,
                                simple_loss_scale=self.simple_loss_scale,
                                pruned_loss_scale=self.pruned_loss_scale,
                                reduction=self.reduction, rnnt_type=self.rnnt_type,
                                implementation=self.implementation)

    def extra_repr(self) -> str:
        return (f"termination_symbol={self.termination_symbol}, s_range={self.s_range}, "
                f"simple_loss_scale={self.simple_loss_scale}, "
                f"pruned_loss_scale={self.pruned_loss_scale}, reduction={self.reduction!r}, "
                f"rnnt_type={self.rnnt_type!r}, implementation={self.implementation!r}")
