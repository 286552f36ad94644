"""Beam search for RNN-T (modified beam search) and TDT, with shallow fusion
of an external language model and internal-LM subtraction.

**Modified beam search** (k2/icefall's ``modified_beam_search``): the
one-symbol-per-frame topology; at every frame each hypothesis either emits
blank or one token, and moves to the next frame either way. Hypotheses with
the same token sequence are merged by log-adding their scores, so a
hypothesis' score is the log of the summed probability of all its
alignments that survived pruning (with a beam at least as large as the
number of distinct prefixes, the exact sum).

**TDT beam search** (a simple variant of NeMo's TDT beam search, without its
``maes`` expansions): hypotheses wait in a pool at the frame they reached.
At frame ``t`` the pool is merged (equal token sequences log-added) and cut
to the ``beam`` best; each hypothesis is expanded by every (token, duration)
pair (blank needs a duration >= 1), each utterance keeps its ``beam`` best
expansions, and they land at frame ``t + d``. Tokens with duration 0 stay at
``t`` for another round; the ``max_symbols_per_frame``-th token at a frame
moves on one frame instead (as in greedy decoding). A hypothesis that
reaches the end of its sequence is finished; finished ones are merged too.
RNN-T's modified beam search is the same search with "blank moves one
frame, a token zero" and ``max_symbols_per_frame = 1``, and is implemented
so. Pruning differs from icefall in one detail: icefall cuts the expansions
of a frame to ``beam`` before merging; here each utterance's expansions are
cut to ``beam`` and the merged pool is cut again when its frame comes.

**Fusion.** With an ``lm`` (see :mod:`.model`: ``lm(tokens, state) ->
(log_probs (N, V), state)``, started with the blank id) a token ``y``
scores ``log p(y | x, prefix) + lm_weight * log p_lm(y | prefix)
- ilm_weight * log p_ilm(y | prefix)``; blanks and durations are not
fused. The internal LM is the usual zero-encoder estimate: the log-softmax
over the non-blank token logits of ``joiner(0, pred)``, the joiner fed an
all-zero encoder frame (Meng et al., "Internal language model estimation for
domain-adaptive end-to-end speech recognition", 2021).

Complexity: ``T * max_symbols_per_frame`` rounds; each makes one joiner call
and one predictor call (and one LM call) on at most ``B * beam`` rows, and
``O(B * beam)`` Python bookkeeping. On a GPU each round copies its
``(B * beam, V * D)`` candidate scores to the host once, for that
bookkeeping. Runs under ``torch.no_grad``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from ..errors import TorchInputError
from .inputs import check_blank
from .model import (
    Hypothesis,
    Joiner,
    LanguageModel,
    Predictor,
    check_durations,
    check_encoder,
    check_positive_int,
    output_classes,
    state_stack,
    state_unbind,
)


class _Hyp:
    """A search hypothesis; ``pred``/``state`` are filled in batches.
    ``score``: log-sum over its merged alignments; ``best``: the score of the
    best one of them, whose token frames ``stamps`` holds."""

    __slots__ = ("best", "bonus", "lm_state", "parent", "pred", "score", "stamps", "state",
                 "tokens")

    def __init__(self, tokens, stamps, score, best, parent=None, pred=None, state=None,
                 bonus=None, lm_state=None):
        self.tokens, self.stamps, self.score, self.best = tokens, stamps, score, best
        self.parent, self.pred, self.state = parent, pred, state
        self.bonus, self.lm_state = bonus, lm_state


def _logadd(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    return a if b == -math.inf else a + math.log1p(math.exp(b - a))


def _merge(pool: dict, hyp: _Hyp) -> bool:
    """Adds ``hyp`` to ``pool`` (token tuple -> hypothesis); returns whether
    it is new (and so needs its predictor step)."""
    old = pool.get(hyp.tokens)
    if old is None:
        pool[hyp.tokens] = hyp
        return True
    if hyp.best > old.best:    # keep the timestamps of the best alignment
        old.stamps, old.best = hyp.stamps, hyp.best
    old.score = _logadd(old.score, hyp.score)
    return False


def _prune(pool: dict, beam: int) -> list[_Hyp]:
    hyps = sorted(pool.values(), key=lambda h: -h.score)
    return hyps[:beam]


class _Search:
    def __init__(self, fn, enc, lengths, predictor, joiner, blank, durations, beam,
                 max_symbols, lm, lm_weight, ilm_weight):
        self.fn, self.enc, self.predictor, self.joiner = fn, enc, predictor, joiner
        self.lengths = lengths.tolist()
        self.durations, self.beam, self.max_symbols = durations, beam, max_symbols
        self.lm = lm if lm_weight != 0 else None
        self.lm_weight, self.ilm_weight = float(lm_weight), float(ilm_weight)
        device = enc.device
        nd = 0 if durations is None else len(durations)
        # one probe call learns V (the blank id may count from the end)
        probe, _ = predictor(torch.zeros(1, dtype=torch.long, device=device),
                             predictor.initial_state(1, device))
        self.vocab = output_classes(fn, joiner(enc[:1, 0], probe), 1, nd)
        self.blank = check_blank(fn, blank, self.vocab)

    def _step(self, hyps: list[_Hyp], tokens: list[int], states, lm_states):
        """Predictor (and LM, and ILM) step for ``hyps`` fed ``tokens``."""
        device = self.enc.device
        ids = torch.tensor(tokens, dtype=torch.long, device=device)
        pred, state = self.predictor(ids, states)
        bonus = None
        new_lm = [None] * len(hyps)
        if self.lm is not None:
            logp, lm_state = self.lm(ids, lm_states)
            if not isinstance(logp, torch.Tensor) or logp.shape != (len(hyps), self.vocab):
                raise TorchInputError(f"{self.fn}: lm must return ({len(hyps)}, {self.vocab}) "
                                      "log-probabilities")
            bonus = self.lm_weight * logp.to(pred.dtype)
            new_lm = state_unbind(lm_state, len(hyps))
        if self.ilm_weight:
            zero = torch.zeros((len(hyps), self.enc.shape[2]), dtype=self.enc.dtype,
                               device=device)
            ilm = self.joiner(zero, pred)[:, :self.vocab].clone()
            ilm[:, self.blank] = -math.inf
            ilm = -self.ilm_weight * F.log_softmax(ilm, dim=-1)
            bonus = ilm if bonus is None else bonus + ilm
        if bonus is not None:
            bonus[:, self.blank] = 0.0
        rows = state_unbind(state, len(hyps))
        for i, hyp in enumerate(hyps):
            hyp.pred, hyp.state, hyp.lm_state = pred[i], rows[i], new_lm[i]
            hyp.bonus = None if bonus is None else bonus[i]

    def _roots(self) -> list[_Hyp]:
        batch = self.enc.shape[0]
        device = self.enc.device
        roots = [_Hyp((), (), 0.0, 0.0) for _ in range(batch)]
        self._step(roots, [self.blank] * batch, self.predictor.initial_state(batch, device),
                   None if self.lm is None else self.lm.initial_state(batch, device))
        return roots

    def _expand(self, t: int, current: list[list[_Hyp]], pools, same, finished, count: int):
        flat = [(b, h) for b, hyps in enumerate(current) for h in hyps]
        rows = torch.tensor([b for b, _ in flat], device=self.enc.device)
        hyps = [h for _, h in flat]
        logits = self.joiner(self.enc[rows, t], torch.stack([h.pred for h in hyps]))
        tok = F.log_softmax(logits[:, :self.vocab], dim=-1)
        if hyps[0].bonus is not None:
            tok = tok + torch.stack([h.bonus for h in hyps])
        base = torch.tensor([h.score for h in hyps], dtype=tok.dtype, device=tok.device)
        if self.durations is None:
            steps = [1]
            cand = (base[:, None] + tok)[:, :, None]
        else:
            steps = self.durations
            dur = F.log_softmax(logits[:, self.vocab:], dim=-1)
            cand = base[:, None, None] + tok[:, :, None] + dur[:, None, :]
            if 0 in steps:
                cand[:, self.blank, steps.index(0)] = -math.inf
        nd = len(steps)
        cand = cand.reshape(len(hyps), -1).cpu()
        fresh, parents, tokens = [], [], []
        start = 0
        for b, group in enumerate(current):
            if not group:
                continue
            block = cand[start:start + len(group)].reshape(-1)
            values, index = block.topk(min(self.beam, block.numel()))
            for value, flat_index in zip(values.tolist(), index.tolist()):
                if value == -math.inf:
                    continue
                i, rest = divmod(flat_index, self.vocab * nd)
                y, j = divmod(rest, nd)
                parent = group[i]
                # the step's score is the same for every alignment merged into
                # the parent, so its best alignment plus the step is the child's
                best = parent.best + (value - parent.score)
                if y == self.blank:
                    child = _Hyp(parent.tokens, parent.stamps, value, best, None, parent.pred,
                                 parent.state, parent.bonus, parent.lm_state)
                    land, nxt = t + steps[j], 0
                else:
                    d = 0 if self.durations is None else steps[j]
                    child = _Hyp(parent.tokens + (y,), parent.stamps + (t,), value, best,
                                 parent)
                    land, nxt = (t + d, 0) if d else (t, count + 1)
                    if not d and nxt >= self.max_symbols:
                        land, nxt = t + 1, 0
                if land >= self.lengths[b]:
                    pool = finished[b]
                elif land == t:
                    pool = same[b]
                else:
                    pool = pools[b].setdefault(land, {})
                if _merge(pool, child) and child.parent is not None:
                    fresh.append(child)
                    parents.append(parent)
                    tokens.append(y)
            start += len(group)
        if fresh:
            self._step(fresh, tokens, state_stack([p.state for p in parents]),
                       None if self.lm is None else state_stack([p.lm_state for p in parents]))
            for child in fresh:
                child.parent = None

    def run(self) -> list[list[Hypothesis]]:
        batch, frames = self.enc.shape[:2]
        roots = self._roots()
        pools: list[dict[int, dict]] = [{} for _ in range(batch)]
        finished: list[dict] = [{} for _ in range(batch)]
        for b, root in enumerate(roots):
            (pools[b].setdefault(0, {}) if self.lengths[b] > 0 else finished[b])[()] = root
        for t in range(frames):
            current = [_prune(pools[b].pop(t, {}), self.beam) for b in range(batch)]
            count = 0
            while any(current):
                same: list[dict] = [{} for _ in range(batch)]
                self._expand(t, current, pools, same, finished, count)
                current = [_prune(pool, self.beam) for pool in same]
                count += 1
        return [[Hypothesis(list(h.tokens), list(h.stamps), h.score)
                 for h in _prune(done, self.beam)] for done in finished]


def _beam(fn, encoder_out, encoder_lengths, predictor, joiner, blank, durations, beam,
          max_symbols, lm, lm_weight, ilm_weight):
    check_encoder(fn, encoder_out, encoder_lengths)
    check_positive_int(fn, "beam", beam)
    check_positive_int(fn, "max_symbols_per_frame", max_symbols)
    if isinstance(blank, bool) or not isinstance(blank, int):
        raise TorchInputError(f"{fn}: blank must be an int, got {type(blank).__name__}")
    for name, value in (("lm_weight", lm_weight), ("ilm_weight", ilm_weight)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise TorchInputError(f"{fn}: {name} must be a finite number, got {value!r}")
    if lm_weight and lm is None:
        raise TorchInputError(f"{fn}: lm_weight={lm_weight} needs an lm")
    if encoder_out.shape[0] == 0:
        return []
    if encoder_out.shape[1] == 0:
        return [[Hypothesis([], [], 0.0)] for _ in range(encoder_out.shape[0])]
    with torch.no_grad():
        search = _Search(fn, encoder_out, encoder_lengths, predictor, joiner, blank, durations,
                         beam, max_symbols, lm, lm_weight, ilm_weight)
        return search.run()


def modified_beam_search(encoder_out: torch.Tensor, encoder_lengths: torch.Tensor,
                         predictor: Predictor, joiner: Joiner, *, beam: int = 4,
                         blank: int = -1, lm: LanguageModel | None = None,
                         lm_weight: float = 0.0,
                         ilm_weight: float = 0.0) -> list[list[Hypothesis]]:
    """RNN-T modified beam search (at most one token per frame), with
    optional shallow fusion.

    Args:
        encoder_out, encoder_lengths, predictor, joiner, blank: as
            :func:`~kleene.torch.transducer.greedy.greedy_search` (the joiner
            returns ``(N, V)`` logits).
        beam: hypotheses kept per frame.
        lm: an external LM (``lm(tokens, state) -> (log_probs (N, V),
            state)``, ``lm.initial_state(n, device)``); not called when
            ``lm_weight`` is 0.
        lm_weight: weight of the LM's log-probability of each token.
        ilm_weight: weight of the subtracted internal-LM estimate (zero
            encoder); 0 turns it off.

    Returns:
        For every sequence, up to ``beam`` :class:`~.model.Hypothesis`
        sorted best first (``score``: the log-summed fused probability of the
        merged alignments).

    Complexity: ``T`` rounds of one joiner and one predictor call on at most
    ``B * beam`` rows; see the module docstring.
    """
    return _beam("modified_beam_search", encoder_out, encoder_lengths, predictor, joiner,
                 blank, None, beam, 1, lm, lm_weight, ilm_weight)


def tdt_beam_search(encoder_out: torch.Tensor, encoder_lengths: torch.Tensor,
                    predictor: Predictor, joiner: Joiner, *, durations: Sequence[int],
                    beam: int = 4, blank: int = -1, max_symbols_per_frame: int = 2,
                    lm: LanguageModel | None = None, lm_weight: float = 0.0,
                    ilm_weight: float = 0.0) -> list[list[Hypothesis]]:
    """TDT beam search: expansions over tokens x durations, hypotheses
    merged by token sequence at the frame they reach (see the module
    docstring). The joiner returns ``(N, V + D)``; ``durations`` as
    :func:`~kleene.torch.transducer.greedy.tdt_greedy_search`. Other
    arguments and the result as :func:`modified_beam_search`.

    Complexity: ``T * max_symbols_per_frame`` rounds of one joiner and one
    predictor call on at most ``B * beam`` rows.
    """
    fn = "tdt_beam_search"
    return _beam(fn, encoder_out, encoder_lengths, predictor, joiner, blank,
                 check_durations(fn, durations), beam, max_symbols_per_frame, lm, lm_weight,
                 ilm_weight)
