"""Modified beam search and TDT beam search against greedy decoding and
against exhaustive enumeration of alignments; shallow fusion and ILM
subtraction."""

import math

import pytest
import torch
import torch.nn.functional as F

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.beam import modified_beam_search, tdt_beam_search
from kleene.torch.transducer.greedy import greedy_search, tdt_greedy_search
from tests.reference import transducer_search as ref
from tests.torch.test_greedy import tiny_model


class BigramLM:
    """A stateful test LM: log-probs from a (V, V) table row of the last
    token, shifted by the parity of the number of tokens seen (the state),
    so the state plumbing matters."""

    def __init__(self, table, shift):
        self.table, self.shift = table, shift

    def initial_state(self, n, device=None):
        return torch.zeros(n, dtype=torch.long, device=device)

    def __call__(self, tokens, state):
        logits = self.table[tokens] + self.shift * (state % 2)[:, None].to(self.table.dtype)
        return F.log_softmax(logits, dim=-1), state + 1


def as_dict(hyps):
    return {tuple(h.tokens): h.score for h in hyps}


def assert_same_scores(got, want):
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


@pytest.mark.parametrize("seed", range(5))
def test_beam_one_equals_greedy_with_one_symbol_per_frame(seed):
    predictor, joiner, enc, lengths = tiny_model(seed, 4, seed % 4, scale=1.5)
    greedy = greedy_search(enc, lengths, predictor, joiner, blank=seed % 4,
                           max_symbols_per_frame=1)
    beam = modified_beam_search(enc, lengths, predictor, joiner, beam=1, blank=seed % 4)
    for b in range(3):
        (best,) = beam[b]
        assert best.tokens == greedy.tokens[b]
        assert best.timestamps == greedy.timestamps[b]
        assert best.score == pytest.approx(float(greedy.scores[b]), abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_tdt_beam_one_equals_greedy_without_zero_durations(seed):
    # with every duration >= 1 the best (token, duration) pair is the pair
    # of separate arg-maxes, which is what greedy decoding takes
    predictor, joiner, enc, lengths = tiny_model(seed, 4, 3, extra=3, scale=1.5)
    greedy = tdt_greedy_search(enc, lengths, predictor, joiner, durations=[1, 2, 4])
    beam = tdt_beam_search(enc, lengths, predictor, joiner, durations=[1, 2, 4], beam=1)
    for b in range(3):
        assert beam[b][0].tokens == greedy.tokens[b]
        assert beam[b][0].timestamps == greedy.timestamps[b]
        assert beam[b][0].score == pytest.approx(float(greedy.scores[b]), abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_large_beam_is_exhaustive(seed):
    # T <= 3, V = 3: beam 64 never prunes, so every sequence's score is the
    # log-sum over all its one-symbol-per-frame alignments
    vocab, blank = 3, seed % 3
    predictor, joiner, enc, _ = tiny_model(seed, vocab, blank, scale=1.5)
    lengths = torch.tensor([3, 2, 1])
    hyps = modified_beam_search(enc[:, :3], lengths, predictor, joiner, beam=64, blank=blank)
    for b in range(3):
        want = ref.exhaustive(enc[b], int(lengths[b]), predictor, joiner, blank=blank,
                              vocab=vocab)
        assert_same_scores(as_dict(hyps[b]), want)
        assert math.log(sum(math.exp(v) for v in want.values())) == pytest.approx(0, abs=1e-9)
        assert tuple(hyps[b][0].tokens) == max(want, key=want.get)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("durations", [[0, 1, 2], [1, 3]])
def test_tdt_large_beam_is_exhaustive(seed, durations):
    vocab = 3
    predictor, joiner, enc, _ = tiny_model(seed, vocab, 2, extra=len(durations), scale=1.5)
    lengths = torch.tensor([2, 1])
    hyps = tdt_beam_search(enc[:2, :2], lengths, predictor, joiner, durations=durations,
                           beam=1000, max_symbols_per_frame=2)
    for b in range(2):
        want = ref.exhaustive(enc[b], int(lengths[b]), predictor, joiner, blank=2, vocab=vocab,
                              durations=durations, max_symbols=2)
        assert_same_scores(as_dict(hyps[b]), want)


@pytest.mark.parametrize("seed", range(2))
def test_timestamps_are_those_of_the_best_alignment(seed):
    # a merged hypothesis reports the frames of its single best alignment
    # (Viterbi), not those of the alignment that reached it with the largest
    # merged-parent score
    vocab = 3
    predictor, joiner, enc, _ = tiny_model(seed, vocab, 2, extra=3, scale=1.5)
    lengths = torch.tensor([3])
    hyps = tdt_beam_search(enc[:1, :3], lengths, predictor, joiner, durations=[0, 1, 2],
                           beam=10_000, max_symbols_per_frame=2)
    _, stamps = ref.exhaustive_with_stamps(enc[0], 3, predictor, joiner, blank=2, vocab=vocab,
                                           durations=[0, 1, 2], max_symbols=2)
    assert len(hyps[0]) == len(stamps)
    for h in hyps[0]:
        assert h.timestamps == stamps[tuple(h.tokens)], h.tokens
    rnnt_p, rnnt_j, enc, _ = tiny_model(seed, vocab, 2, scale=1.5)
    hyps = modified_beam_search(enc[:1, :4], torch.tensor([4]), rnnt_p, rnnt_j, beam=10_000,
                                blank=2)
    _, stamps = ref.exhaustive_with_stamps(enc[0], 4, rnnt_p, rnnt_j, blank=2, vocab=vocab)
    for h in hyps[0]:
        assert h.timestamps == stamps[tuple(h.tokens)], h.tokens


def test_lm_fusion_and_ilm_subtraction_are_exhaustive_with_a_large_beam():
    vocab, blank = 3, 0
    predictor, joiner, enc, _ = tiny_model(7, vocab, blank, scale=1.5)
    lm = BigramLM(torch.randn(vocab, vocab, dtype=torch.float64) * 2, 1.5)
    lengths = torch.tensor([3])
    for lm_weight, ilm_weight in ((0.7, 0.0), (0.0, 0.4), (0.5, 0.3)):
        hyps = modified_beam_search(enc[:1, :3], lengths, predictor, joiner, beam=64,
                                    blank=blank, lm=lm, lm_weight=lm_weight,
                                    ilm_weight=ilm_weight)
        want = ref.exhaustive(enc[0], 3, predictor, joiner, blank=blank, vocab=vocab, lm=lm,
                              lm_weight=lm_weight, ilm_weight=ilm_weight)
        assert_same_scores(as_dict(hyps[0]), want)
        # a real change: the unfused scores differ
        plain = ref.exhaustive(enc[0], 3, predictor, joiner, blank=blank, vocab=vocab)
        assert abs(want[(1,)] - plain[(1,)]) > 1e-3


def test_tdt_fusion_is_exhaustive_with_a_large_beam():
    vocab, durations = 3, [0, 1, 2]
    predictor, joiner, enc, _ = tiny_model(8, vocab, 2, extra=3, scale=1.5)
    lm = BigramLM(torch.randn(vocab, vocab, dtype=torch.float64) * 2, -1.0)
    hyps = tdt_beam_search(enc[:1, :2], torch.tensor([2]), predictor, joiner,
                           durations=durations, beam=1000, lm=lm, lm_weight=0.6,
                           ilm_weight=0.3)
    want = ref.exhaustive(enc[0], 2, predictor, joiner, blank=2, vocab=vocab,
                          durations=durations, max_symbols=2, lm=lm, lm_weight=0.6,
                          ilm_weight=0.3)
    assert_same_scores(as_dict(hyps[0]), want)


def test_lm_weight_zero_is_a_no_op_and_a_peaked_lm_wins():
    vocab, blank = 4, 3
    predictor, joiner, enc, lengths = tiny_model(2, vocab, blank, scale=1.5)
    plain = modified_beam_search(enc, lengths, predictor, joiner, beam=4)
    table = torch.full((vocab, vocab), -20.0, dtype=torch.float64)
    table[:, 1] = 0.0                       # the LM only believes in token 1
    lm = BigramLM(table, 0.0)
    same = modified_beam_search(enc, lengths, predictor, joiner, beam=4, lm=lm, lm_weight=0.0)
    assert [[(h.tokens, h.score) for h in x] for x in same] == \
        [[(h.tokens, h.score) for h in x] for x in plain]
    fused = modified_beam_search(enc, lengths, predictor, joiner, beam=4, lm=lm, lm_weight=1.0)
    assert set(plain[0][0].tokens) - {1}    # without the LM, other tokens win
    assert fused[0][0].tokens
    for b in range(3):    # with it, every token kept is the LM's token 1
        assert set(fused[b][0].tokens) <= {1}


def test_batch_equals_one_at_a_time():
    predictor, joiner, enc, lengths = tiny_model(3, 4, 3, scale=1.5)
    lengths = torch.tensor([7, 4, 0])
    whole = modified_beam_search(enc, lengths, predictor, joiner, beam=3)
    tdt_p, tdt_j, _, _ = tiny_model(3, 4, 3, extra=3, scale=1.5)
    whole_tdt = tdt_beam_search(enc, lengths, tdt_p, tdt_j, durations=[0, 1, 2], beam=3)
    assert whole[2] == whole_tdt[2] == [type(whole[2][0])([], [], 0.0)]
    for b in range(2):
        n = int(lengths[b])
        alone = modified_beam_search(enc[b:b + 1, :n], lengths[b:b + 1], predictor, joiner,
                                     beam=3)
        assert [h.tokens for h in alone[0]] == [h.tokens for h in whole[b]]
        assert [h.score for h in alone[0]] == pytest.approx([h.score for h in whole[b]])
        alone = tdt_beam_search(enc[b:b + 1, :n], lengths[b:b + 1], tdt_p, tdt_j,
                                durations=[0, 1, 2], beam=3)
        assert [h.tokens for h in alone[0]] == [h.tokens for h in whole_tdt[b]]
        assert [h.score for h in alone[0]] == pytest.approx([h.score for h in whole_tdt[b]])


def test_bad_input_names_the_argument():
    predictor, joiner, enc, lengths = tiny_model(0, 3, 0)
    lm = BigramLM(torch.zeros(3, 3, dtype=torch.float64), 0.0)
    for kw, name in (({"beam": 0}, "beam"), ({"blank": 5}, "blank"),
                     ({"lm_weight": 0.5}, "lm_weight"), ({"ilm_weight": math.nan}, "ilm_weight"),
                     ({"lm": BigramLM(torch.zeros(3, 2), 0.0), "lm_weight": 1.0}, "lm")):
        with pytest.raises(TorchInputError, match=name):
            modified_beam_search(enc, lengths, predictor, joiner, **kw)
    with pytest.raises(TorchInputError, match="encoder_lengths"):
        modified_beam_search(enc, lengths + 5, predictor, joiner, lm=lm)
    with pytest.raises(TorchInputError, match="max_symbols_per_frame"):
        tdt_beam_search(enc, lengths, predictor, joiner, durations=[1], max_symbols_per_frame=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    predictor, joiner, enc, lengths = tiny_model(5, 4, 3, scale=1.5)
    lm = BigramLM(torch.randn(4, 4, dtype=torch.float64), 0.5)
    cpu = modified_beam_search(enc, lengths, predictor, joiner, beam=3, lm=lm, lm_weight=0.5,
                               ilm_weight=0.2)
    lm.table = lm.table.cuda()
    gpu = modified_beam_search(enc.cuda(), lengths.cuda(), predictor.cuda(), joiner.cuda(),
                               beam=3, lm=lm, lm_weight=0.5, ilm_weight=0.2)
    assert [[h.tokens for h in x] for x in gpu] == [[h.tokens for h in x] for x in cpu]
    assert [h.score for h in gpu[0]] == pytest.approx([h.score for h in cpu[0]])
