"""Train a tiny RNN-T (or TDT) model on CPU to learn a string rewrite that a
kleene grammar defines, and watch the loss fall and greedy decoding improve.

The task: random strings over ``abcd`` are rewritten by two context-dependent
rules compiled with ``kleene.grammar.cdrewrite`` (``a -> b`` before ``c``,
then ``d -> cc`` after ``b``), e.g. ``acdcbdd -> bcdcbccd``. The "audio" is the
input string, each character held for two frames of one-hot vectors plus
Gaussian noise; the model must emit the rewritten string. A bidirectional LSTM
encoder, an LSTM predictor and an additive joiner
(:mod:`kleene.torch.transducer.model`) are trained with
:func:`kleene.torch.transducer.rnnt.rnnt_loss` (or ``tdt_loss``), and decoded
with greedy search (and modified beam search at the end).

    python examples/train_transducer.py --steps 300 --seed 0 --loss rnnt

Runs in well under two minutes on one CPU core.
"""

from __future__ import annotations

import argparse
import random
import time

import numba
import torch
from torch import nn

import kleene.grammar as g
from kleene.torch.transducer.beam import modified_beam_search, tdt_beam_search
from kleene.torch.transducer.greedy import greedy_search, tdt_greedy_search
from kleene.torch.transducer.model import LinearJoiner, LstmPredictor
from kleene.torch.transducer.rnnt import rnnt_loss
from kleene.torch.transducer.tdt import tdt_loss

ALPHABET = "abcd"
BLANK = len(ALPHABET)             # the last class, the losses' blank=-1
DURATIONS = [0, 1, 2]             # TDT durations
FRAMES_PER_CHAR = 2


def build_rule():
    """The kleene transducer that defines the task."""
    sigma_star = g.union(*ALPHABET).optimize().star
    return (g.cdrewrite(g.cross("a", "b"), "", "c", sigma_star)
            @ g.cdrewrite(g.cross("d", "cc"), "b", "", sigma_star)).optimize()


def make_examples(rule, count, rng):
    pairs = []
    for _ in range(count):
        x = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 8)))
        pairs.append((x, g.top_rewrite(x, rule)))
    return pairs


def featurize(pairs, noise, gen):
    """Frames (B, T, 4), frame lengths, targets (B, U), target lengths."""
    batch = len(pairs)
    frames = max(len(x) for x, _ in pairs) * FRAMES_PER_CHAR
    labels = max(max(len(y) for _, y in pairs), 1)
    feats = torch.zeros(batch, frames, len(ALPHABET))
    targets = torch.zeros(batch, labels, dtype=torch.long)
    for b, (x, y) in enumerate(pairs):
        ids = torch.tensor([ALPHABET.index(c) for c in x]).repeat_interleave(FRAMES_PER_CHAR)
        feats[b, torch.arange(len(ids)), ids] = 1.0
        targets[b, :len(y)] = torch.tensor([ALPHABET.index(c) for c in y])
    feats += noise * torch.randn(feats.shape, generator=gen)
    frame_lengths = torch.tensor([len(x) * FRAMES_PER_CHAR for x, _ in pairs])
    target_lengths = torch.tensor([len(y) for _, y in pairs])
    return feats, frame_lengths, targets, target_lengths


class Model(nn.Module):
    def __init__(self, tdt: bool, hidden: int = 48):
        super().__init__()
        vocab = len(ALPHABET) + 1
        self.encoder = nn.LSTM(len(ALPHABET), hidden // 2, batch_first=True,
                               bidirectional=True)
        self.predictor = LstmPredictor(vocab, 16, hidden, blank=BLANK)
        self.joiner = LinearJoiner(hidden, hidden, hidden,
                                   vocab + (len(DURATIONS) if tdt else 0))

    def encode(self, feats):
        return self.encoder(feats)[0]

    def lattice_logits(self, enc, targets):
        """(B, T, U+1, outputs) joiner output for the loss."""
        pred = self.predictor.forward_sequence(targets)
        return self.joiner(enc[:, :, None, :], pred[:, None, :, :])


def decode(model, pairs, tdt, gen, beam=0):
    feats, lengths, _, _ = featurize(pairs, 0.3, gen)
    with torch.no_grad():
        enc = model.encode(feats)
    if beam:
        search = tdt_beam_search if tdt else modified_beam_search
        extra = {"durations": DURATIONS} if tdt else {}
        hyps = search(enc, lengths, model.predictor, model.joiner, beam=beam, **extra)
        tokens = [h[0].tokens for h in hyps]
    elif tdt:
        tokens = tdt_greedy_search(enc, lengths, model.predictor, model.joiner,
                                   durations=DURATIONS).tokens
    else:
        tokens = greedy_search(enc, lengths, model.predictor, model.joiner).tokens
    hyps = ["".join(ALPHABET[i] for i in seq) for seq in tokens]
    return sum(h == y for h, (_, y) in zip(hyps, pairs)) / len(pairs), hyps


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loss", choices=("rnnt", "tdt"), default="rnnt")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--dev-size", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    # numba's OpenMP workers spin after a parallel kernel (the loss) and
    # would steal the cores torch needs: give numba the same thread budget
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    tdt = args.loss == "tdt"
    start = time.perf_counter()
    rule = build_rule()
    dev = make_examples(rule, args.dev_size, random.Random(args.seed + 1))
    print(f"task: e.g. {dev[0][0]} -> {dev[0][1]}, {dev[1][0]} -> {dev[1][1]} "
          f"(grammar built in {time.perf_counter() - start:.1f} s)")

    model = Model(tdt)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses, accuracies = [], []
    window = []
    for step in range(1, args.steps + 1):
        feats, lengths, targets, target_lengths = featurize(
            make_examples(rule, args.batch_size, rng), 0.3, gen)
        logits = model.lattice_logits(model.encode(feats), targets)
        if tdt:
            loss = tdt_loss(logits, targets, lengths, target_lengths, blank=BLANK,
                            durations=DURATIONS, sigma=0.05)
        else:
            loss = rnnt_loss(logits, targets, lengths, target_lengths, blank=BLANK)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        losses.append(loss.item())
        window.append(losses[-1])
        if step % args.eval_every == 0 or step == args.steps:
            accuracy, _ = decode(model, dev, tdt, gen)
            accuracies.append(accuracy)
            print(f"step {step:4d}  loss {sum(window) / len(window):7.3f}  "
                  f"greedy sequence accuracy {accuracy:6.1%}  "
                  f"({time.perf_counter() - start:5.1f} s)")
            window = []
    beam_accuracy, hyps = decode(model, dev, tdt, gen, beam=4)
    print(f"beam search (beam 4) sequence accuracy {beam_accuracy:.1%}; "
          f"{dev[-1][0]} -> {hyps[-1]} (want {dev[-1][1]})")
    return {"losses": losses, "accuracies": accuracies, "beam_accuracy": beam_accuracy}


if __name__ == "__main__":
    main()
