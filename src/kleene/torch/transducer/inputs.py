"""Validation shared by the transducer losses: every check names the
argument it rejects and raises :class:`~kleene.torch.errors.TorchInputError`;
and :func:`first_order_only`, which refuses second derivatives through a
custom backward."""

from __future__ import annotations

import functools

import torch

from ..errors import TorchInputError

_REDUCTIONS = ("none", "mean", "sum")


def check_logits(fn: str, name: str, logits: torch.Tensor, dims: int, *,
                 dtypes: tuple[torch.dtype, ...] | None = None) -> None:
    """``logits`` is a floating tensor with ``dims`` dimensions, of one of
    ``dtypes`` when given (else any floating dtype)."""
    if not isinstance(logits, torch.Tensor):
        raise TorchInputError(f"{fn}: {name} must be a torch.Tensor, got {type(logits).__name__}")
    if logits.dim() != dims:
        raise TorchInputError(
            f"{fn}: {name} must have {dims} dimensions, got shape {tuple(logits.shape)}")
    if not torch.is_floating_point(logits) or (dtypes is not None and logits.dtype not in dtypes):
        allowed = ("a floating dtype" if dtypes is None
                   else " or ".join(str(d).removeprefix("torch.") for d in dtypes))
        raise TorchInputError(f"{fn}: {name} must be {allowed}, got {logits.dtype}")


def check_reduction(fn: str, reduction: str) -> None:
    """``reduction`` is one of ``"none"``, ``"mean"``, ``"sum"``."""
    if reduction not in _REDUCTIONS:
        raise TorchInputError(
            f"{fn}: reduction must be one of {', '.join(_REDUCTIONS)}, got {reduction!r}")


def check_blank(fn: str, blank: int, num_classes: int, *, name: str = "blank",
                allow_negative: bool = True) -> int:
    """A blank id in ``[-num_classes, num_classes)``; negative ids count from
    the end (torchaudio's ``blank=-1``) unless ``allow_negative`` is False
    (then ``[0, num_classes)``). ``name`` is the argument's name in the
    message (e.g. ``"termination_symbol"``). Returns the non-negative id."""
    if isinstance(blank, bool) or not isinstance(blank, int):
        raise TorchInputError(f"{fn}: {name} must be an int, got {type(blank).__name__}")
    lowest = -num_classes if allow_negative else 0
    if not lowest <= blank < num_classes:
        raise TorchInputError(f"{fn}: {name}={blank} is outside [{lowest}, {num_classes}) "
                              f"(the vocabulary has {num_classes} classes)")
    return blank % num_classes


def check_targets_and_lengths(fn: str, targets: torch.Tensor, logit_lengths: torch.Tensor,
                              target_lengths: torch.Tensor, *, batch: int, max_frames: int,
                              max_target: int, num_classes: int, blank: int | None,
                              device: torch.device,
                              frames_per_label: int = 0) -> None:
    """Checks the (B, U) integer targets and the (B,) lengths of a transducer
    loss.

    ``max_frames``/``max_target`` are the logits' T and U (the loss reads
    ``U + 1`` prediction steps). Every target id must lie in
    ``[0, num_classes)`` and differ from ``blank`` (``None`` skips that test).
    With ``frames_per_label=1`` a target must also fit in its frames (at most
    one label per frame, as modified/TDT-free topologies require).
    """
    for name, tensor, dims in (("targets", targets, 2), ("logit_lengths", logit_lengths, 1),
                               ("target_lengths", target_lengths, 1)):
        if not isinstance(tensor, torch.Tensor):
            raise TorchInputError(f"{fn}: {name} must be a torch.Tensor, got "
                                  f"{type(tensor).__name__}")
        if tensor.dtype not in (torch.int32, torch.int64):
            raise TorchInputError(f"{fn}: {name} must be int32 or int64, got {tensor.dtype}")
        if tensor.dim() != dims:
            raise TorchInputError(f"{fn}: {name} must have {dims} dimension(s), got shape "
                                  f"{tuple(tensor.shape)}")
        if tensor.shape[0] != batch:
            raise TorchInputError(
                f"{fn}: {name} has batch size {tensor.shape[0]}, the logits have {batch}")
        if tensor.device != device:
            raise TorchInputError(f"{fn}: {name} is on {tensor.device}, the logits on {device}")
    if targets.shape[1] < max_target:
        raise TorchInputError(
            f"{fn}: targets has {targets.shape[1]} columns, the logits need U={max_target}")
    frames = logit_lengths.cpu()
    labels = target_lengths.cpu()
    if batch and (int(frames.min()) < 1 or int(frames.max()) > max_frames):
        raise TorchInputError(
            f"{fn}: logit_lengths must lie in [1, {max_frames}] (the logits' T), got "
            f"{frames.tolist()}")
    if batch and (int(labels.min()) < 0 or int(labels.max()) > max_target):
        raise TorchInputError(
            f"{fn}: target_lengths must lie in [0, {max_target}] (the logits' U), got "
            f"{labels.tolist()}")
    if frames_per_label and bool(torch.any(labels * frames_per_label > frames)):
        bad = int(torch.nonzero(labels * frames_per_label > frames)[0, 0])
        raise TorchInputError(
            f"{fn}: targets of sequence {bad} has {int(labels[bad])} labels but only "
            f"{int(frames[bad])} frames; this topology emits at most one label per frame")
    if max_target and batch:
        cols = torch.arange(max_target, device=targets.device)
        valid = cols[None, :] < target_lengths[:, None]
        used = targets[:, :max_target][valid]
        if used.numel():
            if int(used.min()) < 0 or int(used.max()) >= num_classes:
                raise TorchInputError(
                    f"{fn}: targets hold ids outside [0, {num_classes}) within target_lengths")
            if blank is not None and bool(torch.any(used == blank)):
                raise TorchInputError(f"{fn}: targets contain the blank id {blank}")


class _NoSecondDerivative(torch.autograd.Function):
    """Identity whose backward raises: marks a first-order-only gradient."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "this transducer loss has first derivatives only: its backward reads tensors saved "
            "in the forward (softmax normalizers, occupations) that a second derivative would "
            "silently treat as constants (the gradient was taken with create_graph=True)")


def first_order_only(backward):
    """Decorates an ``autograd.Function.backward`` like torch's
    ``once_differentiable`` (the body runs without autograd), but the
    returned gradients refuse a second derivative whenever the backward runs
    with ``create_graph=True``. ``once_differentiable`` refuses only when
    the incoming gradients require grad, which they usually do not (e.g.
    ``loss.mean()``): the second derivative through the joiner then
    silently ignored how the saved lattices depend on the logits. Costs one
    copy of each gradient, and only under ``create_graph=True``."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with torch.no_grad():
            outputs = backward(ctx, *grads)
        if not torch.is_grad_enabled():
            return outputs
        marked = tuple(None if g is None else _NoSecondDerivative.apply(g.requires_grad_(True))
                       for g in (outputs if isinstance(outputs, tuple) else (outputs,)))
        return marked if isinstance(outputs, tuple) else marked[0]
    return wrapper
