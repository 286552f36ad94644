"""The RNN-T loss (Graves 2012, "Sequence transduction with recurrent neural
networks"), with torchaudio's ``rnnt_loss`` signature and semantics.

Two implementations of the same forward-backward computation:

* ``"numba"`` (CPU tensors): the kernels in :mod:`kleene.kernels.rnnt`,
  parallel over the batch and frames (``numba.set_num_threads``).
* ``"torch"`` (any device): vectorized torch, the recursions as an
  anti-diagonal wavefront (a Python loop over the T+U diagonals, each step
  vectorized over the batch and the diagonal's cells).

``"auto"`` picks numba for CPU tensors and torch otherwise.

Memory: the forward keeps only (B, T, U+1) lattices in float64 (float32 on
MPS, which has no float64): log-normalizers, blank and label
log-probabilities, alpha, beta; never a (B, T, U+1, V) softmax or gradient. The backward recomputes the softmax from the logits
directly into the gradient, its one (B, T, U+1, V) allocation.
"""

from __future__ import annotations

import math
from typing import Literal

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

__all__ = ["RNNTLoss", "rnnt_loss"]

_FN = "rnnt_loss"
_IMPLEMENTATIONS = ("auto", "numba", "torch")
# rows of the (rows, V) logits per chunk of the torch log-sum-exp (bounds its temporaries)
_CHUNK_ELEMENTS = 1 << 22


def rnnt_loss(logits: torch.Tensor, targets: torch.Tensor, logit_lengths: torch.Tensor,
              target_lengths: torch.Tensor, blank: int = -1, clamp: float = -1.0,
              reduction: Literal["none", "mean", "sum"] = "mean",
              fused_log_softmax: bool = True, *,
              implementation: Literal["auto", "numba", "torch"] = "auto") -> torch.Tensor:
    """RNN-T loss: ``-log P(targets | logits)`` summed over all alignments of
    the (T, U+1) lattice, per sequence, then reduced.

    Arguments follow ``torchaudio.functional.rnnt_loss``:

    * ``logits``: (B, T, U+1, V) float32/float64 joiner output, on any device.
    * ``targets``: (B, >=U) int32/int64 label ids; positions at or past
      ``target_lengths[b]`` are ignored. Ids must be in ``[0, V)`` and differ
      from ``blank``.
    * ``logit_lengths``: (B,) frames per sequence, in ``[1, T]``;
      ``target_lengths``: (B,) labels per sequence, in ``[0, U]``.
    * ``blank``: the blank id; negative values count from the end
      (default ``-1``: the last class).
    * ``clamp``: when > 0, each entry of a sequence's gradient with respect to
      the logits is clipped to ``[-clamp, clamp]`` (before the reduction's
      scaling, as torchaudio does).
    * ``reduction``: ``"none"`` (the (B,) losses), ``"sum"``, or ``"mean"``
      (mean over the batch; not divided by target lengths).
    * ``fused_log_softmax``: True normalizes the logits inside the loss
      (log-softmax over V); False takes ``logits`` as log-probabilities
      (call ``log_softmax`` yourself; the gradient then flows to the blank and
      label entries only).
    * ``implementation``: ``"numba"`` (CPU only), ``"torch"`` (any device) or
      ``"auto"`` (numba on CPU, torch elsewhere).

    Padded cells (``t >= logit_lengths[b]`` or ``u > target_lengths[b]``)
    may hold anything (even NaN): they do not affect the loss and get a zero
    gradient. A sequence whose likelihood is zero (e.g. ``-inf`` log-probs
    with ``fused_log_softmax=False``) gets an infinite loss and a zero
    gradient; NaN inside a sequence's cells gives a NaN loss (and a zero
    gradient for that sequence). Gradients are first-order only: a second
    derivative (``create_graph=True``) raises.

    Returns a scalar (``"mean"``, ``"sum"``) or (B,) tensor in the logits'
    dtype. Raises :class:`~kleene.torch.errors.TorchInputError` for bad
    arguments.

    Complexity: O(B T U V) time; memory beyond the logits O(B T U) in the
    forward and one (B, T, U+1, V) gradient in the backward (plus a
    contiguous copy of the logits in each pass when they are not
    contiguous). The numba kernels use ``numba.set_num_threads`` threads.
    On a GPU the only host synchronizations are the input checks (the
    lengths and the used target ids are read once per call); the recursion
    is T + U launches of small kernels each way.
    """
    check_logits(_FN, "logits", logits, 4, dtypes=(torch.float32, torch.float64))
    check_reduction(_FN, reduction)
    batch, frames, rows, classes = logits.shape
    if rows < 1:
        raise TorchInputError(f"{_FN}: logits must have U+1 >= 1 rows in dimension 2, got shape "
                              f"{tuple(logits.shape)}")
    blank = check_blank(_FN, blank, classes)
    check_targets_and_lengths(_FN, targets, logit_lengths, target_lengths, batch=batch,
                              max_frames=frames, max_target=rows - 1, num_classes=classes,
                              blank=blank, device=logits.device)
    if isinstance(clamp, bool) or not isinstance(clamp, (int, float)) or math.isnan(clamp):
        raise TorchInputError(f"{_FN}: clamp must be a number, got {clamp!r}")
    if not isinstance(fused_log_softmax, bool):
        raise TorchInputError(f"{_FN}: fused_log_softmax must be a bool, got "
                              f"{type(fused_log_softmax).__name__}")
    if implementation not in _IMPLEMENTATIONS:
        raise TorchInputError(f"{_FN}: implementation must be one of "
                              f"{', '.join(_IMPLEMENTATIONS)}, got {implementation!r}")
    on_cpu = logits.device.type == "cpu"
    if implementation == "numba" and not on_cpu:
        raise TorchInputError(f"{_FN}: implementation='numba' needs CPU tensors, logits are on "
                              f"{logits.device}; use 'torch' or 'auto'")
    use_numba = implementation == "numba" or (implementation == "auto" and on_cpu)
    # ctx.needs_input_grad is True under torch.no_grad() too: decide here whether a backward
    # can follow (no beta pass and nothing saved in a no_grad validation loop)
    want_grad = torch.is_grad_enabled() and logits.requires_grad
    costs = _RNNT.apply(logits, targets[:, :rows - 1], logit_lengths, target_lengths, blank,
                        float(clamp), fused_log_softmax, use_numba, want_grad)
    if reduction == "mean":
        return costs.mean()
    if reduction == "sum":
        return costs.sum()
    return costs


class RNNTLoss(torch.nn.Module):
    """Module form of :func:`rnnt_loss`: stores ``blank``, ``clamp``,
    ``reduction``, ``fused_log_softmax`` and ``implementation``; ``forward``
    takes ``(logits, targets, logit_lengths, target_lengths)``."""

    def __init__(self, blank: int = -1, clamp: float = -1.0,
                 reduction: Literal["none", "mean", "sum"] = "mean",
                 fused_log_softmax: bool = True, *,
                 implementation: Literal["auto", "numba", "torch"] = "auto") -> None:
        super().__init__()
        self.blank = blank
        self.clamp = clamp
        self.reduction = reduction
        self.fused_log_softmax = fused_log_softmax
        self.implementation = implementation

    def forward(self, logits: torch.Tensor, targets: torch.Tensor, logit_lengths: torch.Tensor,
                target_lengths: torch.Tensor) -> torch.Tensor:
        return rnnt_loss(logits, targets, logit_lengths, target_lengths, self.blank, self.clamp,
                         self.reduction, self.fused_log_softmax,
                         implementation=self.implementation)

    def extra_repr(self) -> str:
        return (f"blank={self.blank}, clamp={self.clamp}, reduction={self.reduction!r}, "
                f"fused_log_softmax={self.fused_log_softmax}, "
                f"implementation={self.implementation!r}")


class _RNNT(torch.autograd.Function):
    """Costs (B,) from logits; the backward recomputes the softmax into the
    gradient from the saved (B, T, U+1) lattices."""

    @staticmethod
    def forward(ctx, logits, targets, frames, labels, blank, clamp, fused, use_numba, want_beta):
        run = _numba_forward if use_numba else _torch_forward
        lattices = run(logits.detach(), targets, frames, labels, blank, fused, want_beta)
        loglik = lattices[-1]
        ctx.blank, ctx.clamp, ctx.fused, ctx.use_numba = blank, clamp, fused, use_numba
        if want_beta:
            ctx.save_for_backward(logits, targets, frames, labels, *lattices)
        return (-loglik).to(logits.dtype)

    @staticmethod
    @first_order_only
    def backward(ctx, grad_costs):
        logits, targets, frames, labels, *lattices = ctx.saved_tensors
        run = _numba_backward if ctx.use_numba else _torch_backward
        grad = run(logits.detach(), targets, frames, labels, ctx.blank, ctx.fused, ctx.clamp,
                   lattices, grad_costs)
        return grad, None, None, None, None, None, None, None, None


# --------------------------------------------------------------------------- numba (CPU)

def _int64_numpy(tensor: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(tensor.detach().to(torch.int64).numpy())


def _numba_forward(logits, targets, frames, labels, blank, fused, want_beta):
    from ...kernels.rnnt import rnnt_alpha_beta, rnnt_log_probs

    x = logits.contiguous().numpy()
    tg, nt, nu = _int64_numpy(targets), _int64_numpy(frames), _int64_numpy(labels)
    shape = x.shape[:3]
    denom, lp_blank, lp_emit, alpha = (np.empty(shape) for _ in range(4))
    beta = np.empty(shape if want_beta else (0, 0, 0))
    loglik = np.empty(shape[0])
    if tg.shape[1] == 0:  # numba wants a non-empty second axis to index
        tg = np.zeros((tg.shape[0], 1), np.int64)
    rnnt_log_probs(x, tg, nt, nu, blank, fused, denom, lp_blank, lp_emit)
    rnnt_alpha_beta(lp_blank, lp_emit, nt, nu, want_beta, alpha, beta, loglik)
    return tuple(torch.from_numpy(a) for a in (denom, lp_blank, lp_emit, alpha, beta, loglik))


def _numba_backward(logits, targets, frames, labels, blank, fused, clamp, lattices, grad_costs):
    from ...kernels.rnnt import rnnt_grad

    denom, lp_blank, lp_emit, alpha, beta, loglik = (t.numpy() for t in lattices)
    x = logits.contiguous()
    # A plain torch allocation, not numpy's: numpy asks Linux for transparent huge pages on
    # large arrays, which halves the first-touch cost in a fresh process (65 vs 110 ms here at
    # B=4 T=200 U=50 V=500), but where the kernel's THP defrag policy is "madvise" a
    # fragmented heap (any long training process) makes each fault stall for compaction
    # (260-390 ms per call measured in the benchmark process); torch's pages cost the same
    # every time
    grad = torch.empty(x.shape, dtype=x.dtype)
    tg = _int64_numpy(targets)
    if tg.shape[1] == 0:
        tg = np.zeros((tg.shape[0], 1), np.int64)
    scale = np.ascontiguousarray(grad_costs.detach().to(torch.float64).numpy())
    rnnt_grad(x.numpy(), tg, _int64_numpy(frames), _int64_numpy(labels), blank, fused, clamp,
              denom, lp_blank, lp_emit, alpha, beta, loglik, scale, grad.numpy())
    return grad


# --------------------------------------------------------------------------- torch (any device)

def _wide(device: torch.device) -> torch.dtype:
    """The lattices' dtype: float64, or float32 on MPS (which has no float64)."""
    return torch.float32 if device.type == "mps" else torch.float64


def _log_normalizers(x: torch.Tensor) -> torch.Tensor:
    """log-sum-exp over the last axis (computed in the logits' dtype, kept
    in the lattice dtype), in row chunks so the temporaries stay bounded."""
    flat = x.reshape(-1, x.shape[-1])
    out = torch.empty(flat.shape[0], dtype=_wide(x.device), device=x.device)
    step = max(1, _CHUNK_ELEMENTS // max(1, flat.shape[1]))
    for i in range(0, flat.shape[0], step):
        out[i:i + step] = torch.logsumexp(flat[i:i + step], dim=-1)
    return out.view(x.shape[:-1])


def _masks(frames, labels, T, U1, device):
    """(B, T, U+1) booleans: the sequence's cells, the cells with a label
    move, the cells with a blank move to a next frame, the final cell."""
    t = torch.arange(T, device=device).view(1, T, 1)
    u = torch.arange(U1, device=device).view(1, 1, U1)
    nt = frames.to(torch.int64).view(-1, 1, 1)
    nu = labels.to(torch.int64).view(-1, 1, 1)
    valid = (t < nt) & (u <= nu)
    emit = valid & (u < nu)
    step = valid & (t < nt - 1)
    final = (t == nt - 1) & (u == nu)
    return valid, emit, step, final


def _diagonal(n: int, T: int, U1: int, device) -> torch.Tensor:
    """Frames t of the cells (t, n - t) on anti-diagonal n of a T x U1 grid."""
    return torch.arange(max(0, n - U1 + 1), min(n, T - 1) + 1, device=device)


def _at_end(lattice: torch.Tensor, frames, labels) -> torch.Tensor:
    """(B,) values of a (B, T, U+1) lattice at each sequence's last cell."""
    B, _, U1 = lattice.shape
    last_t = (frames.to(torch.int64) - 1).view(B, 1, 1).expand(B, 1, U1)
    last_u = labels.to(torch.int64).view(B, 1, 1)
    return lattice.gather(1, last_t).gather(2, last_u).view(B)


def _torch_forward(logits, targets, frames, labels, blank, fused, want_beta):
    B, T, U1, V = logits.shape
    dev = logits.device
    wide = _wide(dev)
    if B == 0:  # nothing to run (T may be 0, and the wavefront starts at frame 0)
        empty = torch.empty(0, T, U1, dtype=wide, device=dev)
        return empty, empty, empty, empty, empty, torch.empty(0, dtype=wide, device=dev)
    x = logits.contiguous()
    if fused:
        denom = _log_normalizers(x)
    else:
        denom = torch.zeros(B, T, U1, dtype=wide, device=dev)
    valid, emit, step, final = _masks(frames, labels, T, U1, dev)
    neg = torch.tensor(-torch.inf, dtype=wide, device=dev)
    lp_blank = torch.where(valid, x[..., blank].to(wide) - denom, neg)
    lp_emit = torch.full((B, T, U1), -torch.inf, dtype=wide, device=dev)
    if U1 > 1:
        ids = targets.to(torch.int64).clamp(0, V - 1)  # padding past a length may hold anything
        picked = x[:, :, :U1 - 1].gather(-1, ids.view(B, 1, U1 - 1, 1).expand(B, T, U1 - 1, 1))
        lp_emit[:, :, :U1 - 1] = picked.squeeze(-1).to(wide) - denom[:, :, :U1 - 1]
        lp_emit = torch.where(emit, lp_emit, neg)
    lp_step = torch.where(step, lp_blank, neg)  # blank moves that stay inside the lattice

    # alpha on a grid with a -inf border in front: alpha[t, u] lives at [t+1, u+1]
    W = U1 + 1
    alpha = torch.full((B, T + 1, W), -torch.inf, dtype=wide, device=dev)
    alpha[:, 1, 1] = 0.0
    a_flat = alpha.view(B, -1)
    step_p = torch.nn.functional.pad(lp_step, (1, 0, 1, 0), value=-torch.inf).view(B, -1)
    emit_p = torch.nn.functional.pad(lp_emit, (1, 0, 1, 0), value=-torch.inf).view(B, -1)
    for n in range(1, T + U1 - 1):
        t = _diagonal(n, T, U1, dev)
        here = (t + 1) * W + (n - t + 1)
        from_t = here - W  # (t-1, u) by a blank
        from_u = here - 1  # (t, u-1) by a label
        a_flat[:, here] = torch.logaddexp(a_flat[:, from_t] + step_p[:, from_t],
                                          a_flat[:, from_u] + emit_p[:, from_u])
    alpha = alpha[:, 1:, 1:]
    loglik = _at_end(alpha, frames, labels) + _at_end(lp_blank, frames, labels)

    if want_beta:
        # beta on a grid with a -inf border behind: beta[t, u] lives at [t, u]
        beta = torch.full((B, T + 1, W), -torch.inf, dtype=wide, device=dev)
        b_flat = beta.view(B, -1)
        step_q = torch.nn.functional.pad(lp_step, (0, 1, 0, 1), value=-torch.inf).view(B, -1)
        emit_q = torch.nn.functional.pad(lp_emit, (0, 1, 0, 1), value=-torch.inf).view(B, -1)
        final_q = torch.nn.functional.pad(torch.where(final, lp_blank, neg), (0, 1, 0, 1),
                                          value=-torch.inf).view(B, -1)
        for n in range(T + U1 - 2, -1, -1):
            t = _diagonal(n, T, U1, dev)
            here = t * W + (n - t)
            b_flat[:, here] = torch.logaddexp(
                torch.logaddexp(b_flat[:, here + W] + step_q[:, here],
                                b_flat[:, here + 1] + emit_q[:, here]),
                final_q[:, here])
        beta = beta[:, :T, :U1].contiguous()
    else:
        beta = torch.empty(0, 0, 0, dtype=wide, device=dev)
    return denom, lp_blank, lp_emit, alpha.contiguous(), beta, loglik


def _torch_backward(logits, targets, frames, labels, blank, fused, clamp, lattices, grad_costs):
    denom, lp_blank, lp_emit, alpha, beta, loglik = lattices
    B, T, U1, V = logits.shape
    dev, dtype = logits.device, logits.dtype
    wide = _wide(dev)
    x = logits.contiguous()
    valid, emit, _, final = _masks(frames, labels, T, U1, dev)
    finite = torch.isfinite(loglik)
    ll = torch.where(finite, loglik, torch.zeros_like(loglik)).view(B, 1, 1)
    keep = valid & finite.view(B, 1, 1)
    # occupancies of the blank and label moves out of each cell
    beta_t = torch.nn.functional.pad(beta, (0, 0, 0, 1), value=-torch.inf)[:, 1:]  # beta[t+1, u]
    beta_u = torch.nn.functional.pad(beta, (0, 1), value=-torch.inf)[:, :, 1:]  # beta[t, u+1]
    next_blank = torch.where(final, torch.zeros_like(beta), beta_t)
    occ_blank = torch.where(keep, torch.exp(alpha + lp_blank + next_blank - ll), 0.0)
    occ_emit = torch.where(keep & emit, torch.exp(alpha + lp_emit + beta_u - ll), 0.0)
    ids = None
    if U1 > 1:
        ids = targets.to(torch.int64).clamp(0, V - 1).view(B, 1, U1 - 1, 1).expand(B, T, U1 - 1, 1)
    grad = torch.empty_like(x, memory_format=torch.contiguous_format)
    if fused:
        occ = alpha + beta - ll  # log occupancy of each cell
        shift = torch.where(keep, occ - denom, -torch.inf).to(dtype)
        torch.add(x, shift.unsqueeze(-1), out=grad)
        grad.exp_()  # softmax * occupancy, in place
        grad.masked_fill_(~keep.unsqueeze(-1), 0.0)  # padding may hold anything, even NaN
        # the blank and label entries in float64: two nearly equal terms cancel there
        grad[..., blank] = torch.where(keep, torch.exp(lp_blank + occ) - occ_blank, 0.0).to(dtype)
        if ids is not None:
            head = grad[:, :, :U1 - 1]
            label = torch.exp(lp_emit[:, :, :U1 - 1] + occ[:, :, :U1 - 1]) - occ_emit[:, :, :U1 - 1]
            current = head.gather(-1, ids).squeeze(-1)
            label = torch.where(emit[:, :, :U1 - 1] & keep[:, :, :U1 - 1], label.to(dtype), current)
            head.scatter_(-1, ids, label.unsqueeze(-1))
    else:
        grad.zero_()
        grad[..., blank] = (-occ_blank).to(dtype)
        if ids is not None:
            grad[:, :, :U1 - 1].scatter_add_(-1, ids, (-occ_emit[:, :, :U1 - 1]).to(dtype)
                                             .unsqueeze(-1))
    if clamp > 0:
        grad.clamp_(-clamp, clamp)
    scale = torch.where(finite, grad_costs.to(wide), 0.0).to(dtype)
    grad.mul_(scale.view(B, 1, 1, 1))
    return grad
