"""The small interface the transducer decoders call, and a tiny model that
implements it.

A decoder never sees a model class. It takes the encoder output as a tensor
and two callables:

* ``encoder_out``: ``(B, T, C)`` float tensor, with ``encoder_lengths`` ``(B,)``
  (the valid frames of each sequence).
* ``predictor`` (:class:`Predictor`): ``predictor(tokens, state) ->
  (pred_out, new_state)`` with ``tokens`` ``(N,)`` int64 and ``pred_out``
  ``(N, C')``, plus ``predictor.initial_state(n, device)``. The decoders feed
  the **blank id as the start token** (NeMo's SOS = blank, icefall's blank
  context), so train the predictor on ``[blank] + targets`` (as
  :meth:`LstmPredictor.forward_sequence` does).
* ``joiner`` (:class:`Joiner`): ``joiner(enc (N, C), pred (N, C')) ->
  logits (N, V)`` for RNN-T, or ``(N, V + D)`` for TDT (the first ``V``
  columns are the token logits, the last ``D`` the duration logits).

A *state* is ``None``, a tensor whose first dimension is the batch ``N``, or
a tuple/list of states (nested). :func:`state_select`, :func:`state_where`,
:func:`state_stack` and :func:`state_unbind` are the batch operations the
decoders apply to it;
predictors whose natural state has the batch elsewhere (``nn.LSTM``'s
``(layers, N, H)``) transpose it, as :class:`LstmPredictor` does.

An external language model for shallow fusion (:class:`LanguageModel`) has
the predictor's shape: ``lm(tokens, state) -> (log_probs (N, V), new_state)``
and ``lm.initial_state(n, device)``; it too is started with the blank id,
and its blank column is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn

from ..errors import TorchInputError

State = Any  # None | torch.Tensor | tuple/list of State, batch first


class Predictor(Protocol):
    def initial_state(self, n: int, device: torch.device | None = None) -> State: ...

    def __call__(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]: ...


class Joiner(Protocol):
    def __call__(self, enc: torch.Tensor, pred: torch.Tensor) -> torch.Tensor: ...


class LanguageModel(Protocol):
    def initial_state(self, n: int, device: torch.device | None = None) -> State: ...

    def __call__(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]: ...


# --------------------------------------------------------------------------
# batch operations on states


def _map(fn, *states):
    first = states[0]
    if first is None:
        return None
    if isinstance(first, torch.Tensor):
        return fn(*states)
    if isinstance(first, (tuple, list)):
        return type(first)(_map(fn, *parts) for parts in zip(*states))
    raise TorchInputError(
        f"predictor state must be None, a tensor or a tuple/list of states, got "
        f"{type(first).__name__}")


def state_select(state: State, index: torch.Tensor) -> State:
    """Rows ``index`` (an int64 tensor, or a bool mask) of every tensor."""
    return _map(lambda x: x[index], state)


def state_where(mask: torch.Tensor, new: State, old: State) -> State:
    """``new`` where the ``(N,)`` bool ``mask`` holds, else ``old``."""
    return _map(lambda a, b: torch.where(mask.view(-1, *([1] * (a.dim() - 1))), a, b),
                new, old)


def state_stack(states: Sequence[State]) -> State:
    """Stacks per-hypothesis states (no batch dimension) into one batch."""
    return _map(lambda *xs: torch.stack(xs), *states)


def state_unbind(state: State, n: int) -> list[State]:
    """The inverse of :func:`state_stack`: ``n`` per-row states."""
    if state is None:
        return [None] * n
    return [_map(lambda x, i=i: x[i], state) for i in range(n)]


# --------------------------------------------------------------------------
# results


@dataclass
class GreedyResult:
    """The output of the greedy decoders for a batch of ``B`` sequences.

    ``tokens[b]`` and ``timestamps[b]`` (the frame at which each token was
    emitted) are lists of ints; ``durations[b]`` the duration each token
    took (TDT only, else ``None``); ``scores`` a ``(B,)`` tensor: the
    log-probability of the alignment the decoder followed (the sum of the
    log-softmax scores of every decision, blanks and, for TDT, durations
    included; a frame advance forced by ``max_symbols_per_frame`` costs
    nothing).
    """

    tokens: list[list[int]]
    timestamps: list[list[int]]
    scores: torch.Tensor
    durations: list[list[int]] | None = None


@dataclass
class Hypothesis:
    """One beam-search hypothesis: its tokens, the frame of each token (of
    its best alignment) and its score (log-sum over the merged alignments of
    the fused log-probabilities)."""

    tokens: list[int]
    timestamps: list[int] = field(default_factory=list)
    score: float = 0.0


# --------------------------------------------------------------------------
# checks shared by the decoders


def check_encoder(fn: str, encoder_out: torch.Tensor, encoder_lengths: torch.Tensor) -> None:
    if not isinstance(encoder_out, torch.Tensor):
        raise TorchInputError(
            f"{fn}: encoder_out must be a torch.Tensor, got {type(encoder_out).__name__}")
    if encoder_out.dim() != 3 or not torch.is_floating_point(encoder_out):
        raise TorchInputError(f"{fn}: encoder_out must be a float (B, T, C) tensor, got "
                              f"{encoder_out.dtype} of shape {tuple(encoder_out.shape)}")
    if not isinstance(encoder_lengths, torch.Tensor) or encoder_lengths.dtype not in (
            torch.int32, torch.int64) or encoder_lengths.shape != encoder_out.shape[:1]:
        raise TorchInputError(
            f"{fn}: encoder_lengths must be an int32/int64 tensor of shape "
            f"({encoder_out.shape[0]},)")
    if encoder_lengths.device != encoder_out.device:
        raise TorchInputError(f"{fn}: encoder_lengths is on {encoder_lengths.device}, "
                              f"encoder_out on {encoder_out.device}")
    lengths = encoder_lengths.cpu()
    if lengths.numel() and (int(lengths.min()) < 0 or int(lengths.max()) > encoder_out.shape[1]):
        raise TorchInputError(f"{fn}: encoder_lengths must lie in [0, {encoder_out.shape[1]}] "
                              f"(encoder_out's T), got {lengths.tolist()}")


def check_positive_int(fn: str, name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TorchInputError(f"{fn}: {name} must be a positive int, got {value!r}")
    return value


def check_durations(fn: str, durations: Sequence[int]) -> list[int]:
    """TDT durations: distinct non-negative ints, at least one positive; a
    model with duration 0 must also have duration 1 (a blank whose best
    duration is 0 is moved on by one frame, NeMo's rule)."""
    try:
        values = [int(d) for d in durations]
    except (TypeError, ValueError):
        raise TorchInputError(f"{fn}: durations must be a sequence of ints, got "
                              f"{durations!r}") from None
    if (not values or len(set(values)) != len(values) or min(values) < 0
            or max(values) < 1 or any(int(d) != d for d in durations)):
        raise TorchInputError(f"{fn}: durations must be distinct non-negative ints with at "
                              f"least one positive, got {list(durations)!r}")
    if 0 in values and 1 not in values:
        raise TorchInputError(f"{fn}: durations contain 0 but not 1; a blank predicted "
                              f"with duration 0 advances one frame, so 1 must be a duration")
    return values


def output_classes(fn: str, logits: torch.Tensor, n: int, num_durations: int) -> int:
    """The token vocabulary ``V`` of a joiner's ``(n, V + D)`` output."""
    if not isinstance(logits, torch.Tensor) or logits.dim() != 2 or logits.shape[0] != n:
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits)
        raise TorchInputError(f"{fn}: joiner must return an (N, V) tensor of logits for N={n} "
                              f"rows, got {shape}")
    vocab = logits.shape[1] - num_durations
    if vocab < 2:
        raise TorchInputError(f"{fn}: joiner returns {logits.shape[1]} columns; with "
                              f"{num_durations} durations that leaves V={vocab} < 2 tokens")
    return vocab


# --------------------------------------------------------------------------
# a tiny concrete model


class LstmPredictor(nn.Module):
    """Embedding + LSTM prediction network.

    ``forward(tokens (N,), state) -> (out (N, hidden), state)`` is one
    decoding step; the state is ``(h, c)``, each ``(N, layers, hidden)``
    (batch first). :meth:`forward_sequence` runs a whole ``(B, U)`` target
    batch for training, prepending the blank id as the start token.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_dim: int, *, blank: int,
                 num_layers: int = 1) -> None:
        super().__init__()
        self.blank = blank % vocab_size
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=num_layers, batch_first=True)

    def initial_state(self, n: int, device: torch.device | None = None) -> State:
        p = next(self.parameters())
        shape = (n, self.lstm.num_layers, self.lstm.hidden_size)
        zeros = torch.zeros(shape, dtype=p.dtype, device=device or p.device)
        return (zeros, zeros.clone())

    def forward(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        h, c = state
        out, (h, c) = self.lstm(self.embed(tokens)[:, None, :],
                                (h.transpose(0, 1).contiguous(), c.transpose(0, 1).contiguous()))
        return out[:, 0, :], (h.transpose(0, 1), c.transpose(0, 1))

    def forward_sequence(self, targets: torch.Tensor) -> torch.Tensor:
        """``(B, U)`` targets -> ``(B, U + 1, hidden)`` outputs for the
        inputs ``[blank] + targets``. Padding beyond a target's length may
        hold any id (``-1`` included): it is clamped into the vocabulary,
        and the rows it feeds come after the valid ones, which the losses
        never read. Time O(B U) LSTM steps (one cuDNN/MKL call)."""
        ids = targets.to(torch.int64).clamp(0, self.embed.num_embeddings - 1)
        start = torch.full_like(ids[:, :1], self.blank)
        out, _ = self.lstm(self.embed(torch.cat([start, ids], dim=1)))
        return out


class LinearJoiner(nn.Module):
    """``tanh(W_e enc + W_p pred) W_o``: the usual additive joiner.

    Broadcasts over leading dimensions: ``(N, C)`` with ``(N, C')`` gives
    ``(N, outputs)`` for decoding; ``(B, T, 1, C)`` with ``(B, 1, U+1, C')``
    gives the ``(B, T, U+1, outputs)`` lattice for training. ``outputs`` is
    ``V`` for RNN-T or ``V + D`` for TDT.
    """

    def __init__(self, enc_dim: int, pred_dim: int, joint_dim: int, outputs: int) -> None:
        super().__init__()
        self.enc_proj = nn.Linear(enc_dim, joint_dim)
        self.pred_proj = nn.Linear(pred_dim, joint_dim, bias=False)
        self.out = nn.Linear(joint_dim, outputs)

    def forward(self, enc: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(self.enc_proj(enc) + self.pred_proj(pred)))
