"""examples/train_transducer.py runs (a few steps) and its loss falls."""

import importlib.util
from pathlib import Path

import numba
import pytest
import torch

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_transducer.py"


def load_example():
    spec = importlib.util.spec_from_file_location("train_transducer", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("loss", ["rnnt", "tdt"])
def test_training_example_loss_falls(loss, capsys):
    example = load_example()
    # main() sets the thread counts and seeds the global RNG, as a script
    # should; keep that from leaking into the tests that run after this one
    threads = (torch.get_num_threads(), numba.get_num_threads())
    try:
        with torch.random.fork_rng(devices=[]):
            out = example.main(["--steps", "25", "--loss", loss, "--eval-every", "25",
                                "--dev-size", "8", "--batch-size", "16"])
    finally:
        torch.set_num_threads(threads[0])
        numba.set_num_threads(threads[1])
    losses = out["losses"]
    assert len(losses) == 25 and len(out["accuracies"]) == 1
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5
    assert 0.0 <= out["beam_accuracy"] <= 1.0
    printed = capsys.readouterr().out
    assert "step   25  loss" in printed and "beam search" in printed


def test_task_targets_come_from_the_grammar():
    example = load_example()
    import kleene.grammar as g
    rule = example.build_rule()
    assert g.top_rewrite("acdcbdd", rule) == "bcdcbccd"
    feats, frames, targets, target_lengths = example.featurize(
        [("acdcbdd", "bcdcbccd"), ("ab", "ab")], 0.0, None)
    assert feats.shape == (2, 14, 4) and frames.tolist() == [14, 4]
    assert target_lengths.tolist() == [8, 2]
    assert targets[0].tolist() == [1, 2, 3, 2, 1, 2, 2, 3]
    assert feats[1, :4].argmax(-1).tolist() == [0, 0, 1, 1]
