"""Greedy RNN-T and TDT decoding against the one-at-a-time reference, and
label looping against frame looping."""

import pytest
import torch

from kleene.torch.errors import TorchInputError
from kleene.torch.transducer.greedy import greedy_search, tdt_greedy_search
from kleene.torch.transducer.model import LinearJoiner, LstmPredictor
from tests.reference import transducer_search as ref


def tiny_model(seed, vocab, blank, extra=0, enc_dim=4, scale=3.0):
    """A random float64 predictor/joiner; ``scale`` sharpens the joiner so
    that tokens, blanks and multi-symbol frames all occur."""
    torch.manual_seed(seed)
    predictor = LstmPredictor(vocab, 5, 6, blank=blank).double()
    joiner = LinearJoiner(enc_dim, 6, 8, vocab + extra).double()
    with torch.no_grad():
        joiner.out.weight.mul_(scale)
    enc = torch.randn(3, 7, enc_dim, dtype=torch.float64)
    lengths = torch.tensor([7, 4, 1])
    return predictor, joiner, enc, lengths


def assert_matches_reference(result, enc, lengths, predictor, joiner, **kw):
    for b in range(enc.shape[0]):
        tokens, stamps, durs, score = ref.greedy(enc[b], int(lengths[b]), predictor, joiner,
                                                 **kw)
        assert result.tokens[b] == tokens
        assert result.timestamps[b] == stamps
        if result.durations is not None:
            assert result.durations[b] == durs
        assert float(result.scores[b]) == pytest.approx(score, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_symbols", [1, 3])
def test_rnnt_greedy_equals_reference(seed, max_symbols):
    vocab, blank = 4, seed % 4
    predictor, joiner, enc, lengths = tiny_model(seed, vocab, blank)
    results = [greedy_search(enc, lengths, predictor, joiner, blank=blank,
                             max_symbols_per_frame=max_symbols, method=m)
               for m in ("label_looping", "frame_looping")]
    assert results[0].tokens == results[1].tokens
    assert results[0].timestamps == results[1].timestamps
    assert torch.equal(results[0].scores, results[1].scores)
    assert_matches_reference(results[0], enc, lengths, predictor, joiner, blank=blank,
                             vocab=vocab, max_symbols=max_symbols)


def test_greedy_emits_several_symbols_per_frame_and_caps_them():
    # a joiner that never predicts blank: the cap alone moves time on
    vocab = 3
    predictor, joiner, enc, lengths = tiny_model(0, vocab, 0)
    with torch.no_grad():
        joiner.out.bias[0] = -50.0
    for m in ("label_looping", "frame_looping"):
        out = greedy_search(enc, lengths, predictor, joiner, blank=0, max_symbols_per_frame=2,
                            method=m)
        assert [len(x) for x in out.tokens] == [14, 8, 2]
        assert out.timestamps[1] == [0, 0, 1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("durations", [[0, 1, 2, 3], [1, 2], [0, 1]])
def test_tdt_greedy_equals_reference(seed, durations):
    vocab, blank = 4, 3   # blank=-1, the default
    predictor, joiner, enc, lengths = tiny_model(seed, vocab, blank, extra=len(durations))
    results = [tdt_greedy_search(enc, lengths, predictor, joiner, durations=durations,
                                 max_symbols_per_frame=2, method=m)
               for m in ("label_looping", "frame_looping")]
    for a, b in zip(results[0].__dict__.values(), results[1].__dict__.values()):
        assert a == b if not isinstance(a, torch.Tensor) else torch.equal(a, b)
    assert_matches_reference(results[0], enc, lengths, predictor, joiner, blank=blank,
                             vocab=vocab, durations=durations, max_symbols=2)


def test_tdt_blank_with_duration_zero_advances_one_frame():
    vocab, durations = 3, [0, 1, 2]
    predictor, joiner, enc, lengths = tiny_model(1, vocab, 2, extra=3)
    with torch.no_grad():   # always blank, always duration 0
        joiner.out.bias[2] = 50.0
        joiner.out.bias[3] = 50.0
    out = tdt_greedy_search(enc, lengths, predictor, joiner, durations=durations, blank=2)
    assert out.tokens == [[], [], []]
    # seven blanks, each scored with duration 1 (log p(1) is very negative)
    assert float(out.scores[0]) < -100
    for m in ("label_looping", "frame_looping"):
        again = tdt_greedy_search(enc, lengths, predictor, joiner, durations=durations,
                                  blank=2, method=m)
        assert torch.equal(again.scores, out.scores)


def test_batch_equals_one_at_a_time():
    predictor, joiner, enc, lengths = tiny_model(4, 4, 3)
    whole = greedy_search(enc, lengths, predictor, joiner)
    for b in range(3):
        alone = greedy_search(enc[b:b + 1, :int(lengths[b])], lengths[b:b + 1], predictor,
                              joiner)
        assert alone.tokens[0] == whole.tokens[b]
        assert float(alone.scores[0]) == pytest.approx(float(whole.scores[b]), abs=1e-9)
    predictor, joiner, enc, lengths = tiny_model(4, 4, 3, extra=3)
    whole = tdt_greedy_search(enc, lengths, predictor, joiner, durations=[0, 1, 2])
    for b in range(3):
        alone = tdt_greedy_search(enc[b:b + 1, :int(lengths[b])], lengths[b:b + 1], predictor,
                                  joiner, durations=[0, 1, 2])
        assert (alone.tokens[0], alone.timestamps[0], alone.durations[0]) == \
            (whole.tokens[b], whole.timestamps[b], whole.durations[b])
        assert float(alone.scores[0]) == pytest.approx(float(whole.scores[b]), abs=1e-9)


def test_zero_length_and_empty_batch():
    predictor, joiner, enc, _ = tiny_model(0, 3, 0)
    out = greedy_search(enc, torch.tensor([0, 2, 0]), predictor, joiner)
    assert out.tokens[0] == [] and out.tokens[2] == []
    assert float(out.scores[0]) == 0.0
    empty = greedy_search(enc[:0], torch.zeros(0, dtype=torch.long), predictor, joiner)
    assert empty.tokens == [] and empty.scores.shape == (0,)


def test_bad_input_names_the_argument():
    predictor, joiner, enc, lengths = tiny_model(0, 3, 0)
    cases = [
        ({"encoder_out": enc[0]}, "encoder_out"),
        ({"encoder_lengths": torch.tensor([8, 1, 1])}, "encoder_lengths"),
        ({"encoder_lengths": lengths.float()}, "encoder_lengths"),
        ({"blank": 3}, "blank"),
        ({"max_symbols_per_frame": 0}, "max_symbols_per_frame"),
        ({"method": "beam"}, "method"),
    ]
    for change, name in cases:
        kw = {"encoder_out": enc, "encoder_lengths": lengths, "predictor": predictor,
                  "joiner": joiner}
        kw.update(change)
        with pytest.raises(TorchInputError, match=name):
            greedy_search(**kw)
    for durations in ([0, 2], [0], [1, 1], [-1, 1], "ab"):
        with pytest.raises(TorchInputError, match="durations"):
            tdt_greedy_search(enc, lengths, predictor, joiner, durations=durations)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    predictor, joiner, enc, lengths = tiny_model(5, 4, 3, extra=3)
    cpu = tdt_greedy_search(enc, lengths, predictor, joiner, durations=[0, 1, 2])
    gpu = tdt_greedy_search(enc.cuda(), lengths.cuda(), predictor.cuda(), joiner.cuda(),
                            durations=[0, 1, 2])
    assert gpu.tokens == cpu.tokens and gpu.timestamps == cpu.timestamps
    assert gpu.scores.device.type == "cuda"
    assert torch.allclose(gpu.scores.cpu(), cpu.scores)


def test_forward_sequence_ignores_the_padding_ids():
    # targets padded past their lengths with anything (-1 is a common pad
    # id) give the same outputs on the valid rows
    predictor = LstmPredictor(4, 5, 6, blank=3).double()
    targets = torch.tensor([[0, 2, 1], [1, 0, 0]])
    padded = torch.tensor([[0, 2, 1], [1, -1, 99]])
    with torch.no_grad():
        want, got = predictor.forward_sequence(targets), predictor.forward_sequence(padded)
    assert got.shape == (2, 4, 6)
    torch.testing.assert_close(got[0], want[0])
    torch.testing.assert_close(got[1, :2], want[1, :2])


def test_state_helpers_on_nested_states():
    from kleene.torch.transducer.model import (
        state_select,
        state_stack,
        state_unbind,
        state_where,
    )

    h = torch.arange(12.0).view(3, 2, 2)
    state = (h, [h + 100, None])
    picked = state_select(state, torch.tensor([2, 0]))
    assert torch.equal(picked[0], h[[2, 0]]) and torch.equal(picked[1][0], h[[2, 0]] + 100)
    assert picked[1][1] is None and isinstance(picked[1], list)
    masked = state_select(state, torch.tensor([True, False, True]))
    assert torch.equal(masked[0], h[[0, 2]])
    mixed = state_where(torch.tensor([True, False, True]), state, (-h, [-h, None]))
    assert torch.equal(mixed[0], torch.stack([h[0], -h[1], h[2]]))
    assert torch.equal(mixed[1][0], torch.stack([h[0] + 100, -h[1], h[2] + 100]))
    rows = state_unbind(state, 3)
    assert torch.equal(rows[1][0], h[1]) and rows[1][1][1] is None
    again = state_stack(rows)
    assert torch.equal(again[0], h) and torch.equal(again[1][0], h + 100)
    assert state_unbind(None, 2) == [None, None]
    with pytest.raises(TorchInputError, match="state"):
        state_select({"h": h}, torch.tensor([0]))
