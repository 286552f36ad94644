"""Multi-blank transducer loss, Xu et al. 2022, "Multi-blank Transducers for
Speech Recognition" (arXiv:2211.03541), with NeMo's conventions
(``MultiblankRNNTLossNumba``), on CPU and on any torch device.

Besides the standard blank (one frame) the joiner has big blanks that skip
several frames at once. Following NeMo the vocabulary is laid out as
``[..., big blank n-1, ..., big blank 0, blank]``: big blank ``i`` (duration
``big_blank_durations[i]``) is token ``blank - 1 - i``, just below the
standard blank, which NeMo puts last. Labels keep the frame as in the
standard RNN-T; every blank of duration ``d`` moves from frame ``t`` to
``t + d``, inside the frames or, for the last step from ``(t, U)``, exactly
onto ``T``. One log-softmax covers all ``V + n_big`` classes and ``sigma`` is
subtracted from every step. The lattice and its gradients are the ones of
:mod:`.tdt` with label durations ``[0]`` and blank durations
``[1, *big_blank_durations]``.
"""

from __future__ import annotations

import torch

from ..errors import TorchInputError
from .inputs import (
    check_blank,
    check_logits,
    check_reduction,
    check_targets_and_lengths,
)
from .tdt import (
    FLOAT_DTYPES,
    LatticeSpec,
    _DurationLattice,
    check_float,
    int_list,
    reduce_losses,
    resolve_implementation,
    targets_by_state,
)

__all__ = ["MultiblankRNNTLoss", "multiblank_rnnt_loss"]


def _check_big_blanks(fn: str, big_blank_durations, blank: int) -> tuple:
    durs = int_list(fn, "big_blank_durations", big_blank_durations, 1)
    if len(durs) > blank:
        raise TorchInputError(
            f"{fn}: big_blank_durations has {len(durs)} entries but big blank i is token "
            f"blank - 1 - i and blank={blank}; put the standard blank last in the vocabulary")
    return tuple(durs)


def multiblank_rnnt_loss(logits: torch.Tensor, targets: torch.Tensor,
                         logit_lengths: torch.Tensor, target_lengths: torch.Tensor, *,
                         blank: int, big_blank_durations, sigma: float = 0.0,
                         reduction: str = "mean", fused_log_softmax: bool = True,
                         implementation: str = "auto") -> torch.Tensor:
    """Multi-blank RNN-T loss (NeMo's ``MultiblankRNNTLossNumba``
    semantics), differentiable in ``logits``.

    ``logits``: (B, T, U+1, V + n_big) joiner output over all classes;
    ``targets`` (B, >= U) int, ``logit_lengths``/``target_lengths`` (B,) int.
    ``blank``: the standard blank's id (NeMo: the last, ``V + n_big - 1``;
    ``-1`` counts from the end); big blank ``i`` is token ``blank - 1 - i``
    and skips ``big_blank_durations[i]`` frames (e.g. ``[2, 4, 8]``). Targets
    may hold neither blank nor a big blank. ``sigma``: logit
    under-normalization subtracted from every step's log-probability (NeMo
    recommends 0.05). With no big blanks and ``sigma = 0`` this is the
    standard RNN-T loss. ``fused_log_softmax``, ``reduction`` and
    ``implementation`` as in :func:`kleene.torch.transducer.tdt.tdt_loss`;
    so is the handling of padded cells (anything, even NaN, zero gradient)
    and of impossible sequences (infinite loss, zero gradient).

    Time O(B T U (V + n_big)); memory beyond the inputs: O(B T U n_big) in the
    forward, one gradient-sized tensor in the backward.
    """
    fn = "multiblank_rnnt_loss"
    check_logits(fn, "logits", logits, 4, dtypes=FLOAT_DTYPES)
    check_reduction(fn, reduction)
    B, T, U1, C = logits.shape
    blank = check_blank(fn, blank, C)
    durs = _check_big_blanks(fn, big_blank_durations, blank)
    sigma = check_float(fn, "sigma", sigma, 0.0)
    impl = resolve_implementation(fn, implementation, logits.device)
    check_targets_and_lengths(fn, targets, logit_lengths, target_lengths, batch=B,
                              max_frames=T, max_target=U1 - 1, num_classes=C, blank=blank,
                              device=logits.device)
    if durs and U1 > 1 and B:
        cols = torch.arange(U1 - 1, device=targets.device)
        used = targets[:, :U1 - 1][cols[None, :] < target_lengths[:, None]]
        big = (used >= blank - len(durs)) & (used < blank)
        if bool(torch.any(big)):
            raise TorchInputError(
                f"{fn}: targets contain big-blank ids (tokens {blank - len(durs)}..{blank - 1} "
                f"are the big blanks of big_blank_durations={list(durs)})")
    spec = LatticeSpec(C, (0,), (1, *durs), (blank, *(blank - 1 - i for i in range(len(durs)))),
                       None, None, sigma, bool(fused_log_softmax), impl)
    tgt = targets_by_state(targets, U1, C)
    costs = _DurationLattice.apply(logits, None, tgt, logit_lengths, target_lengths, spec)
    return reduce_losses(costs, reduction)


class MultiblankRNNTLoss(torch.nn.Module):
    """Module form of :func:`multiblank_rnnt_loss`: stores the configuration
    and calls it; ``forward(logits, targets, logit_lengths, target_lengths)``."""

    def __init__(self, *, blank: int, big_blank_durations, sigma: float = 0.0,
                 reduction: str = "mean", fused_log_softmax: bool = True,
                 implementation: str = "auto"):
        super().__init__()
        self.blank = blank
        self.big_blank_durations = int_list("MultiblankRNNTLoss", "big_blank_durations",
                                            big_blank_durations, 1)
        self.sigma = sigma
        self.reduction = reduction
        self.fused_log_softmax = fused_log_softmax
        self.implementation = implementation

    def forward(self, logits, targets, logit_lengths, target_lengths):
        return multiblank_rnnt_loss(logits, targets, logit_lengths, target_lengths,
                                    blank=self.blank,
                                    big_blank_durations=self.big_blank_durations,
                                    sigma=self.sigma, reduction=self.reduction,
                                    fused_log_softmax=self.fused_log_softmax,
                                    implementation=self.implementation)
