"""Slow, obviously correct RNN-T loss references: the Graves recursion as a
plain double loop over (t, u) with ``torch.logsumexp`` and autograd for the
gradient, and a brute-force sum over every alignment for tiny lattices."""

from __future__ import annotations

import itertools

import torch


def sequence_log_likelihood(log_probs: torch.Tensor, targets: list[int], blank: int) -> torch.Tensor:
    """log P(targets) on one (T, U+1, V) log-probability lattice: alpha[t][u]
    is the log-probability of the prefixes that reach frame t having emitted
    u labels; the path ends with a blank from (T-1, U)."""
    T, U1, _ = log_probs.shape
    alpha = [[None] * U1 for _ in range(T)]
    for t in range(T):
        for u in range(U1):
            if t == 0 and u == 0:
                alpha[t][u] = log_probs.new_zeros(())
                continue
            terms = []
            if t > 0:  # blank at (t-1, u)
                terms.append(alpha[t - 1][u] + log_probs[t - 1, u, blank])
            if u > 0:  # label targets[u-1] at (t, u-1)
                terms.append(alpha[t][u - 1] + log_probs[t, u - 1, targets[u - 1]])
            alpha[t][u] = torch.logsumexp(torch.stack(terms), dim=0)
    return alpha[T - 1][U1 - 1] + log_probs[T - 1, U1 - 1, blank]


def brute_force_log_likelihood(log_probs: torch.Tensor, targets: list[int],
                               blank: int) -> torch.Tensor:
    """log P(targets) by enumerating every alignment: a sequence of T blanks
    and U labels ending in a blank, scored move by move."""
    T, U1, _ = log_probs.shape
    U = U1 - 1
    scores = []
    for label_slots in itertools.combinations(range(T - 1 + U), U):
        t = u = 0
        score = log_probs.new_zeros(())
        for k in range(T - 1 + U):
            if k in label_slots:
                score = score + log_probs[t, u, targets[u]]
                u += 1
            else:
                score = score + log_probs[t, u, blank]
                t += 1
        scores.append(score + log_probs[T - 1, U, blank])
    return torch.logsumexp(torch.stack(scores), dim=0)


def rnnt_loss_reference(logits: torch.Tensor, targets: torch.Tensor, logit_lengths: torch.Tensor,
                        target_lengths: torch.Tensor, blank: int = -1, clamp: float = -1.0,
                        reduction: str = "mean", fused_log_softmax: bool = True,
                        brute_force: bool = False):
    """Returns ``(loss, grad)``: torchaudio's ``rnnt_loss`` value and its
    gradient with respect to ``logits`` (each sequence's gradient clipped to
    [-clamp, clamp] when clamp > 0, then scaled by the reduction; for
    ``"none"`` the gradient of the summed losses). ``brute_force`` sums every
    alignment instead of running the recursion."""
    B, _, _, V = logits.shape
    blank = blank % V
    x = logits.detach().to(torch.float64).requires_grad_(True)
    costs, grads = [], []
    for b in range(B):
        T, U = int(logit_lengths[b]), int(target_lengths[b])
        lattice = x[b, :T, :U + 1]
        if fused_log_softmax:
            lattice = torch.log_softmax(lattice, dim=-1)
        ys = [int(y) for y in targets[b, :U]]
        score = (brute_force_log_likelihood if brute_force else sequence_log_likelihood)(
            lattice, ys, blank)
        (g,) = torch.autograd.grad(-score, x)
        if clamp > 0:
            g = g.clamp(-clamp, clamp)
        costs.append(-score.detach())
        grads.append(g)
    costs = torch.stack(costs)
    weight = {"none": 1.0, "sum": 1.0, "mean": 1.0 / B}[reduction]
    grad = sum(grads) * weight
    loss = {"none": costs, "sum": costs.sum(), "mean": costs.mean()}[reduction]
    return loss.to(logits.dtype), grad.to(logits.dtype)
