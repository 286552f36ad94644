"""NeMo's English text normalization grammars (nemo-text-processing, about
770 files of pynini code nobody here wrote) built twice, on real pynini and
on kleene through :func:`kleene.compat.install`, normalizing the same
generated sentences: every output must be identical. pynini's outputs are the
oracle.

Each backend runs in its own process (tests/compat/nemo_driver.py); the two
run concurrently. Slow (about a minute of grammar building on each side),
so it runs once, over a few hundred sentences of every semiotic class.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .nemo_sentences import WRITTEN_KINDS, spoken_sentences, written_sentences

pytest.importorskip("pynini")
pytest.importorskip("nemo_text_processing")

NUM_WRITTEN = 240
NUM_SPOKEN = 120
ROOT = Path(__file__).resolve().parents[2]


def _run_both(tmp_path: Path) -> tuple[dict, dict]:
    sentences = {"written": written_sentences(NUM_WRITTEN, seed=5),
                 "spoken": spoken_sentences(NUM_SPOKEN, seed=5)}
    in_path = tmp_path / "sentences.json"
    in_path.write_text(json.dumps(sentences), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = {}
    for backend in ("pynini", "kleene"):
        out = tmp_path / f"{backend}.json"
        procs[backend] = (subprocess.Popen(
            [sys.executable, "-m", "tests.compat.nemo_driver", backend, str(in_path), str(out)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out)
    results = {}
    for backend, (proc, out) in procs.items():
        log, _ = proc.communicate(timeout=1500)
        if proc.returncode != 0:
            pytest.fail(f"the {backend} run failed (exit {proc.returncode}):\n{log[-4000:]}")
        results[backend] = json.loads(out.read_text(encoding="utf-8"))
    return results["pynini"], results["kleene"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _run_both(tmp_path_factory.mktemp("nemo"))


def test_sentences_cover_every_semiotic_class():
    sentences = written_sentences(NUM_WRITTEN, seed=5)
    assert len(sentences) == NUM_WRITTEN
    # the generator cycles through the kinds, so each leads len/len(kinds) sentences
    assert NUM_WRITTEN // len(WRITTEN_KINDS) >= 10


def _mismatches(expected: list[str], got: list[str], inputs: list[str]) -> list[str]:
    return [f"{i!r}\n   pynini: {e!r}\n   kleene: {g!r}"
            for i, e, g in zip(inputs, expected, got) if e != g]


def _assert_identical(pynini_run: dict, kleene_run: dict, key: str, inputs: list[str]) -> None:
    """Both backends gave every output, the grammar really rewrote the
    inputs (not an identity pass on both sides), and the outputs agree."""
    count = len(inputs)
    assert len(pynini_run[key]) == len(kleene_run[key]) == count
    changed = sum(o != i for o, i in zip(pynini_run[key], inputs))
    assert changed > count * 0.9
    bad = _mismatches(pynini_run[key], kleene_run[key], inputs)
    assert not bad, f"{len(bad)} of {count} {key.upper()} outputs differ:\n" + "\n".join(bad[:20])


def test_text_normalization_identical(runs):
    _assert_identical(*runs, "tn", written_sentences(NUM_WRITTEN, seed=5))


def test_inverse_text_normalization_identical(runs):
    _assert_identical(*runs, "itn", spoken_sentences(NUM_SPOKEN, seed=5))


def test_kleene_run_used_kleene(runs):
    _, kleene_run = runs
    assert kleene_run["backend"] == "kleene"
