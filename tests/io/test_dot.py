"""Graphviz output: identical to pynini's draw (fstdraw); rendering skips
cleanly without the dot program."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene import FstArgError, SymbolTable
from kleene.io.dot import draw, repr_svg
from kleene.io.text import compile_text

from ..helpers import PYNINI_SEMIRINGS, fsts, require_pynini

NODE = re.compile(r'^(\d+) \[label = "([^"]*)", shape = (circle|doublecircle), '
                  r'style = (bold|solid), fontsize = (\d+)\]$')
EDGE = re.compile(r'^\t(\d+) -> (\d+) \[label = "((?:[^"\\]|\\.)*)", fontsize = (\d+)\];$')


def _pynini_draw(pfst, tmp_path, **options):
    path = tmp_path / "ref.dot"
    pfst.draw(str(path), **options)
    return path.read_text()


@settings(max_examples=15)
@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(fst=st.data())
def test_draw_equals_pynini(semiring, fst, tmp_path_factory):
    require_pynini()
    machine = fst.draw(fsts(semiring=semiring))
    tmp = tmp_path_factory.mktemp("dot")
    pfst = machine.to_pynini()
    assert draw(machine) == _pynini_draw(pfst, tmp)
    options = dict(title="T", acceptor=True, portrait=True, vertical=True, width=3,
                   height=4.5, fontsize=10, ranksep=1, nodesep=0.5,
                   show_weight_one=True, precision=3)
    assert draw(machine, **options) == _pynini_draw(pfst, tmp, **options)


def test_draw_with_symbols_and_escapes_equals_pynini(tmp_path):
    require_pynini()
    table = SymbolTable("s", ["<eps>", 'a"b\\', "x y"])
    fst = compile_text("0 1 1 2 0.333333\n1 2 2 2 123456.7\n1 1e-09\n2\n").replace(
        isymbols=table, osymbols=table)
    assert draw(fst, title="qt") == _pynini_draw(fst.to_pynini(), tmp_path, title="qt")
    # fstdraw writes a title's quotes unescaped (invalid dot); kleene escapes them
    assert 'label = "q\\"t";' in draw(fst, title='q"t')


def test_structure_of_dot_source():
    fst = compile_text("1 0 1 2 0.5\n0 2 3 3\n2 1.5\n1 2 0 0\n")
    source = draw(fst, title="demo")
    lines = source.splitlines()
    assert lines[0] == "digraph FST {" and lines[-1] == "}"
    assert 'label = "demo";' in lines
    nodes = [NODE.match(ln).groups() for ln in lines if NODE.match(ln)]
    edges = [EDGE.match(ln).groups() for ln in lines if EDGE.match(ln)]
    assert [n[0] for n in nodes] == ["1", "0", "2"]  # start first
    assert {n[0]: n[3] for n in nodes} == {"1": "bold", "0": "solid", "2": "solid"}
    assert {n[0]: (n[1], n[2]) for n in nodes}["2"] == ("2/1.5", "doublecircle")
    assert sorted((e[0], e[1], e[2]) for e in edges) == sorted(
        [("1", "0", "1:2/0.5"), ("0", "2", "3:3"), ("1", "2", "0:0")])
    assert len(nodes) == fst.num_states and len(edges) == fst.num_arcs


def test_acceptor_labels_and_no_start():
    fst = compile_text("0 1 4 0.25\n1\n", acceptor=True)
    assert '\t0 -> 1 [label = "4/0.25", fontsize = 14];' in draw(fst, acceptor=True)
    assert draw(kleene.Fst.empty()) == ""


def test_draw_writes_dot_file(tmp_path):
    fst = compile_text("0 1 1 1\n1\n")
    path = tmp_path / "m.dot"
    source = draw(fst, path)
    assert path.read_text() == source


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
def test_render_svg(tmp_path):
    pytest.importorskip("graphviz")
    fst = compile_text("0 1 1 1\n1\n")
    draw(fst, tmp_path / "m.svg")
    assert "<svg" in (tmp_path / "m.svg").read_text()
    assert "<svg" in repr_svg(fst)


def test_render_without_dot_raises_install_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    fst = compile_text("0 1 1 1\n1\n")
    with pytest.raises(FstArgError, match="install Graphviz"):
        draw(fst, tmp_path / "m.png")
    assert repr_svg(fst) is None
    assert fst._repr_svg_() is None


def test_bad_float_format():
    with pytest.raises(FstArgError):
        draw(compile_text("0\n"), float_format="x")
