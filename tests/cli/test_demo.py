"""``kleene demo`` on the shipped data: it runs, its n-best list is OpenFst's,
its files round-trip, and the data is reachable as package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import kleene
import kleene.cli.common
from kleene.cli.demo import DATA_FILES, data_text

from ..helpers import require_pynini


def test_data_is_package_data():
    for name in DATA_FILES:
        assert data_text(name).strip(), name
    words = kleene.SymbolTable.from_text(data_text("words.syms"))
    lattice = kleene.compile_text(data_text("lattice.txt"), acceptor=True, isymbols=words)
    assert lattice.num_states > 3 and lattice.has(kleene.Prop.ACYCLIC)


def test_demo_runs_and_matches_openfst(kleene_cli, tmp_path):
    pynini = require_pynini()
    r = kleene_cli("demo", f"--outdir={tmp_path}")
    assert "Traceback" not in r.err
    assert r.status == 0, r
    assert "skipped" not in r.out
    assert r.out.count("round trip exact") == 2
    # composition with the lexicon and optimize ran through the CLI
    assert "$ kleene compose pruned.fst lexicon_plus.fst pron.fst" in r.out
    assert "same pronunciations: yes" in r.out
    # the 3-best sentences, independently from OpenFst on the same text
    syms = pynini.SymbolTable.read_text(str(tmp_path / "words.syms"))
    import pywrapfst
    comp = pywrapfst.Compiler(isymbols=syms, osymbols=syms, acceptor=True)
    comp.write(data_text("lattice.txt"))
    lattice = pynini.Fst.from_pywrapfst(comp.compile())
    nbest = pynini.shortestpath(lattice, nshortest=3)
    it = nbest.paths(input_token_type=syms, output_token_type=syms)
    expected = []
    while not it.done():
        expected.append((it.istring(), it.weight()))
        it.next()
    assert len(expected) == 3
    for sentence, weight in expected:
        line = [ln for ln in r.out.splitlines() if ln.strip().startswith(sentence + " ")]
        assert line, sentence
        assert any(ln.rstrip().endswith(f"weight {kleene.cli.common.format_weight(float(weight))}")
                   for ln in line), (sentence, weight, line)
    # the files it wrote are OpenFst files
    assert pynini.Fst.read(str(tmp_path / "lexicon.fst")).num_states() == \
        kleene.read(str(tmp_path / "lexicon.fst")).num_states


def test_console_script_demo():
    exe = shutil.which("kleene") or os.path.join(os.path.dirname(sys.executable), "kleene")
    if not os.path.exists(exe):
        pytest.skip("the kleene console script is not installed")
    done = subprocess.run([exe, "demo"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "demo finished" in done.stdout


EXAMPLES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def test_lattice_nbest_example_agrees_with_library():
    script = os.path.join(EXAMPLES_DIR, "lattice_nbest.py")
    if not os.path.exists(script):
        pytest.skip("examples/ is not part of this checkout")
    done = subprocess.run([sys.executable, script, "2"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    words = kleene.SymbolTable.from_text(data_text("words.syms"))
    lattice = kleene.compile_text(data_text("lattice.txt"), acceptor=True, isymbols=words)
    best = sorted(kleene.paths(kleene.shortest_path(lattice, nshortest=2),
                               input_token_type=words, output_token_type=words),
                  key=lambda p: p[2])
    lines = done.stdout.splitlines()
    assert lines[1].startswith(f"1. {best[0][0]}  (")
    assert lines[2].startswith(f"2. {best[1][0]}  (")


def test_demo_runs_the_number_grammar(tmp_path, capsys):
    from kleene.cli.main import main
    from tests.reference.number_words import cardinal
    assert main(["demo", "--outdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for digits in ("7", "40", "1203", "90017", "1000000", "31", "512"):
        assert f"{cardinal(int(digits))}" in out
    assert (tmp_path / "grammars.far").exists()
