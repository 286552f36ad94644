"""Greedy decoding for RNN-T and TDT transducers, frame-looping and
label-looping.

Each sequence follows one deterministic process: at frame ``t`` with
predictor output ``g``, the joiner scores ``(enc[t], g)``; the decoder takes
the best token (and, for TDT, independently the best duration). A non-blank
token is emitted (timestamp ``t``) and fed to the predictor; time advances
by the duration: for RNN-T ``1`` after a blank and ``0`` after a token; for
TDT the predicted duration, except that a blank predicted with duration 0
advances by 1 (NeMo's rule, ``durations.masked_fill_(durations == 0 &
blank, 1)``). After ``max_symbols_per_frame`` tokens at the same frame the
decoder moves to the next frame (for free). A sequence ends once ``t``
reaches its length.

The two schedules run that process for the whole batch at once, with masks:

* ``"frame_looping"``: the outer loop walks frames; at frame ``t`` every
  sequence that stands there steps until it leaves it.
* ``"label_looping"`` (NeMo's label-looping algorithm): every round, each
  sequence first skips blanks (advancing its own frame, an inner loop over
  the sequences still on blanks) until it finds a token or ends; then the
  found tokens go through the predictor in one batched call. This calls
  the predictor once per emitted label rather than once per frame step.

Both give identical tokens, timestamps and scores (the tests check it).
Work is ``O(T + U)`` joiner calls of batch ``B`` (label looping: at most
``U_max`` predictor calls), no Python loop over sequences. On a GPU each
step reads one bool back to the host (the loop condition); the results are
copied to the host once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F

from ..errors import TorchInputError
from .inputs import check_blank
from .model import (
    GreedyResult,
    Joiner,
    Predictor,
    check_durations,
    check_encoder,
    check_positive_int,
    output_classes,
    state_where,
)

Method = Literal["label_looping", "frame_looping"]


class _Decider:
    """Turns joiner logits into (label, duration, score) for every row."""

    def __init__(self, fn: str, blank: int, durations: list[int] | None) -> None:
        self.fn = fn
        self.blank_arg = blank
        self.durations = durations
        self.vocab: int | None = None
        self.blank = -1

    def __call__(self, logits: torch.Tensor):
        nd = 0 if self.durations is None else len(self.durations)
        if self.vocab is None:
            self.vocab = output_classes(self.fn, logits, logits.shape[0], nd)
            self.blank = check_blank(self.fn, self.blank_arg, self.vocab)
            if self.durations is not None:
                self.dur_tensor = torch.tensor(self.durations, device=logits.device)
                self.one = self.durations.index(1) if 1 in self.durations else 0
        tok = F.log_softmax(logits[:, :self.vocab], dim=-1)
        score, label = tok.max(dim=-1)
        is_blank = label == self.blank
        if self.durations is None:
            return label, is_blank.long(), score
        dur_logp = F.log_softmax(logits[:, self.vocab:], dim=-1)
        index = dur_logp.argmax(dim=-1)
        duration = self.dur_tensor[index]
        bump = is_blank & (duration == 0)
        index = torch.where(bump, torch.full_like(index, self.one), index)
        duration = torch.where(bump, torch.ones_like(duration), duration)
        score = score + dur_logp.gather(1, index[:, None])[:, 0]
        return label, duration, score


class _Recorder:
    """Collects (mask, label, frame, duration) per step; lists at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[torch.Tensor, ...]] = []

    def add(self, mask, label, frame, duration) -> None:
        self.steps.append((mask, label, frame, duration))

    def result(self, batch: int, scores: torch.Tensor, tdt: bool) -> GreedyResult:
        tokens: list[list[int]] = [[] for _ in range(batch)]
        stamps: list[list[int]] = [[] for _ in range(batch)]
        durs: list[list[int]] = [[] for _ in range(batch)]
        if self.steps:
            mask, label, frame, duration = (torch.stack(x).cpu() for x in zip(*self.steps))
            for s, b in torch.nonzero(mask).tolist():   # step-major: emission order
                tokens[b].append(int(label[s, b]))
                stamps[b].append(int(frame[s, b]))
                durs[b].append(int(duration[s, b]))
        return GreedyResult(tokens, stamps, scores, durs if tdt else None)


def _start(predictor: Predictor, batch: int, blank_guess: int, device) -> tuple:
    state = predictor.initial_state(batch, device)
    start = torch.full((batch,), blank_guess, dtype=torch.long, device=device)
    return predictor(start, state)


def _frame_looping(enc, lengths, predictor, joiner, decide, max_symbols, pred, state, rec):
    batch, frames = enc.shape[:2]
    time = torch.zeros(batch, dtype=torch.long, device=enc.device)
    count = torch.zeros_like(time)          # tokens emitted at the current frame
    scores = torch.zeros(batch, dtype=enc.dtype, device=enc.device)
    for t in range(frames):
        active = (time == t) & (lengths > t)
        while bool(active.any()):
            label, duration, score = decide(joiner(enc[:, t], pred))
            emit = active & (label != decide.blank)
            rec.add(emit, label, torch.full_like(time, t), duration)
            scores = scores + torch.where(active, score, torch.zeros_like(score))
            new_pred, new_state = predictor(label, state)
            pred = torch.where(emit[:, None], new_pred, pred)
            state = state_where(emit, new_state, state)
            count = count + emit.long()
            time = torch.where(active, time + duration, time)
            time = time + (emit & (time == t) & (count >= max_symbols)).long()
            count = torch.where(time != t, torch.zeros_like(count), count)
            active = active & (time == t)
    return scores


def _label_looping(enc, lengths, predictor, joiner, decide, max_symbols, pred, state, rec):
    batch = enc.shape[0]
    rows = torch.arange(batch, device=enc.device)
    last = torch.clamp(lengths - 1, min=0)
    time = torch.zeros(batch, dtype=torch.long, device=enc.device)
    count = torch.zeros_like(time)          # tokens emitted at frame last_stamp
    last_stamp = torch.full_like(time, -1)
    scores = torch.zeros(batch, dtype=enc.dtype, device=enc.device)
    active = time < lengths
    while bool(active.any()):
        label, duration, score = decide(joiner(enc[rows, torch.minimum(time, last)], pred))
        scores = scores + torch.where(active, score, torch.zeros_like(score))
        stamp = time.clone()
        time = time + duration * active
        advance = active & (label == decide.blank) & (time < lengths)
        while bool(advance.any()):          # skip blanks, each row on its own frame
            stamp = torch.where(advance, time, stamp)
            more_label, more_dur, more_score = decide(
                joiner(enc[rows, torch.minimum(time, last)], pred))
            label = torch.where(advance, more_label, label)
            duration = torch.where(advance, more_dur, duration)
            scores = scores + torch.where(advance, more_score, torch.zeros_like(more_score))
            time = torch.where(advance, time + duration, time)
            advance = advance & (label == decide.blank) & (time < lengths)
        found = active & (label != decide.blank)
        rec.add(found, label, stamp, duration)
        new_pred, new_state = predictor(label, state)
        pred = torch.where(found[:, None], new_pred, pred)
        state = state_where(found, new_state, state)
        count = torch.where(found, torch.where(stamp == last_stamp, count + 1, 1), count)
        last_stamp = torch.where(found, stamp, last_stamp)
        time = time + (found & (time == stamp) & (count >= max_symbols)).long()
        active = time < lengths
    return scores


def _greedy(fn, encoder_out, encoder_lengths, predictor, joiner, blank, durations,
            max_symbols_per_frame, method):
    check_encoder(fn, encoder_out, encoder_lengths)
    check_positive_int(fn, "max_symbols_per_frame", max_symbols_per_frame)
    if method not in ("label_looping", "frame_looping"):
        raise TorchInputError(
            f"{fn}: method must be 'label_looping' or 'frame_looping', got {method!r}")
    if isinstance(blank, bool) or not isinstance(blank, int):
        raise TorchInputError(f"{fn}: blank must be an int, got {type(blank).__name__}")
    batch, frames = encoder_out.shape[:2]
    decide = _Decider(fn, blank, durations)
    device = encoder_out.device
    lengths = encoder_lengths.to(torch.long)
    with torch.no_grad():
        if batch and frames:
            # learn V (and so the blank id) from one joiner call on a zero
            # predictor output; the real start needs the blank id first
            state = predictor.initial_state(1, device)
            probe, _ = predictor(torch.zeros(1, dtype=torch.long, device=device), state)
            decide(joiner(encoder_out[:1, 0], probe))
        rec = _Recorder()
        if decide.vocab is None:
            scores = torch.zeros(batch, dtype=encoder_out.dtype, device=device)
        else:
            pred, state = _start(predictor, batch, decide.blank, device)
            loop = _label_looping if method == "label_looping" else _frame_looping
            scores = loop(encoder_out, lengths, predictor, joiner, decide,
                          max_symbols_per_frame, pred, state, rec)
    return rec.result(batch, scores, durations is not None)


def greedy_search(encoder_out: torch.Tensor, encoder_lengths: torch.Tensor,
                  predictor: Predictor, joiner: Joiner, *, blank: int = -1,
                  max_symbols_per_frame: int = 10,
                  method: Method = "label_looping") -> GreedyResult:
    """Greedy RNN-T decoding of a batch.

    Args:
        encoder_out: ``(B, T, C)`` encoder output; ``encoder_lengths`` ``(B,)``
            its valid frames.
        predictor, joiner: see :mod:`kleene.torch.transducer.model`; the
            joiner returns ``(N, V)`` logits; the predictor is started with
            the blank id.
        blank: the blank id in ``[-V, V)`` (``-1``: the last class, as
            :func:`~kleene.torch.transducer.rnnt.rnnt_loss`'s default).
        max_symbols_per_frame: tokens emitted at one frame before the
            decoder moves on (``1`` gives the one-symbol-per-frame topology
            of :func:`~kleene.torch.transducer.beam.modified_beam_search`).
        method: ``"label_looping"`` (default) or ``"frame_looping"``; same
            result.

    Returns:
        :class:`~kleene.torch.transducer.model.GreedyResult` (tokens,
        timestamps, alignment log-probabilities).

    Complexity: ``O(T + U)`` batched joiner calls (plus as many predictor
    calls for frame looping, ``U_max`` for label looping); runs under
    ``torch.no_grad`` on the encoder's device.
    """
    return _greedy("greedy_search", encoder_out, encoder_lengths, predictor, joiner, blank,
                   None, max_symbols_per_frame, method)


def tdt_greedy_search(encoder_out: torch.Tensor, encoder_lengths: torch.Tensor,
                      predictor: Predictor, joiner: Joiner, *, durations: Sequence[int],
                      blank: int = -1, max_symbols_per_frame: int = 10,
                      method: Method = "label_looping") -> GreedyResult:
    """Greedy TDT (token-and-duration transducer) decoding of a batch.

    The joiner returns ``(N, V + D)``: ``V`` token logits then one logit per
    entry of ``durations`` (e.g. ``[0, 1, 2, 3, 4]``). Token and duration
    are chosen independently (the arg-max of each); time advances by the
    duration; a blank whose best duration is 0 advances by 1 (as NeMo does),
    which is why ``durations`` must contain 1 when it contains 0. Scores
    add the token's and the taken duration's log-probabilities. Other
    arguments, result and complexity as :func:`greedy_search`; the result
    also carries each token's duration.
    """
    fn = "tdt_greedy_search"
    return _greedy(fn, encoder_out, encoder_lengths, predictor, joiner, blank,
                   check_durations(fn, durations), max_symbols_per_frame, method)
