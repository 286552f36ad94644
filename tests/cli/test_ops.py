"""Machine -> machine subcommands: each must write exactly what the library
operation returns for the same input (and, for a few, what OpenFst returns)."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.cli.main import main

from ..helpers import assert_isomorphic, fsts, require_pynini


def run_cli(command: str, flags: list[str], *inputs, fst_type: str = "vector"):
    """Runs ``kleene command flags in... out`` on files; returns the output
    machine read back."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, fst in enumerate(inputs):
            path = os.path.join(tmp, f"in{k}.fst")
            kleene.write(fst, path, format="binary")
            paths.append(path)
        out = os.path.join(tmp, "out.fst")
        status = main([command, *flags, *paths, out, f"--fst_type={fst_type}"])
        assert status == 0, (command, flags)
        return kleene.read(out)


def assert_same(cli_result, library_result):
    assert cli_result.equal(library_result), (
        f"CLI result differs from the library's\ncli:\n{cli_result}\n"
        f"library:\n{library_result}")


SMALL = dict(max_states=5, max_arcs=10)
EXAMPLES = settings(max_examples=12)


@EXAMPLES
@given(fsts(**SMALL), st.sampled_from(["ilabel", "olabel"]))
def test_arcsort(fst, sort_type):
    pynini = require_pynini()
    out = run_cli("arcsort", [f"--sort_type={sort_type}"], fst)
    assert_same(out, kleene.arcsort(fst, sort_type=sort_type))
    assert_isomorphic(out, pynini.arcsort(fst.to_pynini(), sort_type=sort_type))


@EXAMPLES
@given(fsts(**SMALL))
def test_connect(fst):
    require_pynini()
    out = run_cli("connect", [], fst)
    assert_same(out, kleene.connect(fst))
    assert_isomorphic(out, fst.to_pynini().connect())


@EXAMPLES
@given(fsts(acyclic=True, **SMALL))
def test_topsort(fst):
    out = run_cli("topsort", [], fst)
    assert_same(out, kleene.topsort(fst))
    assert out.has(kleene.Prop.TOP_SORTED)


def test_topsort_cyclic_is_a_clean_error(kleene_cli, tmp_path):
    b = kleene.FstBuilder()
    b.add_states(1)
    b.set_start(0)
    b.add_arc(0, 1, 1, 0.0, 0)
    b.set_final(0)
    path = tmp_path / "cyclic.fst"
    kleene.write(b.freeze(), str(path), format="binary")
    r = kleene_cli("topsort", path, tmp_path / "out.fst")
    assert r.status == 1 and r.err.startswith("kleene topsort: error: ")
    assert "Traceback" not in r.err


@EXAMPLES
@given(fsts(**SMALL))
def test_reverse(fst):
    pynini = require_pynini()
    out = run_cli("reverse", [], fst)
    assert_same(out, kleene.reverse(fst))
    assert_isomorphic(out, pynini.reverse(fst.to_pynini()))


@EXAMPLES
@given(fsts(**SMALL))
def test_invert(fst):
    out = run_cli("invert", [], fst)
    assert_same(out, kleene.invert(fst))
    np.testing.assert_array_equal(out.ilabel, fst.olabel)


@EXAMPLES
@given(fsts(**SMALL), st.sampled_from(["input", "output"]))
def test_project(fst, project_type):
    pynini = require_pynini()
    out = run_cli("project", [f"--project_type={project_type}"], fst)
    assert_same(out, kleene.project(fst, project_type=project_type))
    assert_isomorphic(out, pynini.project(fst.to_pynini(), project_type))


def test_project_output_legacy_flag():
    fst = kleene.compile_text("0 1 1 2\n1\n")
    assert_same(run_cli("project", ["--project_output"], fst),
                kleene.project(fst, project_type="output"))


@EXAMPLES
@given(fsts(**SMALL), fsts(**SMALL))
def test_union(a, b):
    pynini = require_pynini()
    out = run_cli("union", [], a, b)
    assert_same(out, kleene.union(a, b))
    # connected inputs: kleene.union reads OpenFst's "initial acyclic" as "no
    # arc into the start state", which differs when an unreachable state has one
    a, b = kleene.connect(a), kleene.connect(b)
    assert_isomorphic(run_cli("union", [], a, b),
                      pynini.union(a.to_pynini(), b.to_pynini()))


@EXAMPLES
@given(fsts(**SMALL), fsts(**SMALL))
def test_concat(a, b):
    pynini = require_pynini()
    out = run_cli("concat", [], a, b)
    assert_same(out, kleene.concat(a, b))
    assert_isomorphic(out, pynini.concat(a.to_pynini(), b.to_pynini()))


@EXAMPLES
@given(fsts(**SMALL), st.sampled_from([[], ["--closure_plus"], ["--closure_type=plus"],
                                       ["--closure_plus=false"]]))
def test_closure(fst, flags):
    out = run_cli("closure", flags, fst)
    plus = flags in (["--closure_plus"], ["--closure_type=plus"])
    assert_same(out, kleene.closure(fst, closure_type="plus" if plus else "star"))


@EXAMPLES
@given(fsts(**SMALL), st.sampled_from([0.0, 0.5, 1.5]))
def test_prune(fst, weight):
    pynini = require_pynini()
    out = run_cli("prune", [f"--weight={weight}"], fst)
    assert_same(out, kleene.prune(fst, weight=weight))
    assert_isomorphic(out, pynini.prune(fst.to_pynini(), weight=weight))


@EXAMPLES
@given(fsts(**SMALL), st.sampled_from([(), ("--push_weights",),
                                       ("--push_weights", "--to_final"),
                                       ("--push_weights", "--remove_total_weight")]))
def test_push(fst, flags):
    out = run_cli("push", list(flags), fst)
    if not flags:
        assert_same(out, fst)  # fstpush pushes nothing unless asked
        return
    expected = kleene.push(fst, push_weights=True, to_final="--to_final" in flags,
                           remove_total_weight="--remove_total_weight" in flags)
    assert_same(out, expected)


def test_relabel_pairs(kleene_cli, tmp_path):
    require_pynini()
    fst = kleene.compile_text("0 1 1 2\n1 2 2 3 0.5\n2 0 3 1\n2\n")
    src = tmp_path / "in.fst"
    kleene.write(fst, str(src), format="binary")
    (tmp_path / "ipairs.txt").write_text("1 5\n2 6\n")
    (tmp_path / "opairs.txt").write_text("3 7\n")
    out = tmp_path / "out.fst"
    r = kleene_cli("relabel", f"--relabel_ipairs={tmp_path / 'ipairs.txt'}",
                   f"--relabel_opairs={tmp_path / 'opairs.txt'}", src, out)
    assert r.status == 0, r
    result = kleene.read(str(out))
    assert_same(result, kleene.relabel(fst, ipairs=[(1, 5), (2, 6)], opairs=[(3, 7)]))
    theirs = fst.to_pynini().relabel_pairs(ipairs=[(1, 5), (2, 6)], opairs=[(3, 7)])
    assert_isomorphic(result, theirs)


def test_relabel_by_symbols(kleene_cli, tmp_path):
    old = kleene.SymbolTable("old", ["<eps>", "a", "b"])
    new = kleene.SymbolTable("new", ["<eps>", "x", "b", "a"])
    fst = kleene.compile_text("0 1 a\n1 2 b\n2\n", acceptor=True, isymbols=old)
    src = tmp_path / "in.fst"
    kleene.write(fst, str(src), format="binary")
    new.write_text(str(tmp_path / "new.syms"))
    out = tmp_path / "out.fst"
    r = kleene_cli("relabel", f"--relabel_isymbols={tmp_path / 'new.syms'}", src, out)
    assert r.status == 0, r
    result = kleene.read(str(out))
    assert result.ilabel.tolist() == [3, 2]
    assert_same(result, kleene.relabel(fst, isymbols=new))


def test_relabel_bad_pairs_file(kleene_cli, tmp_path):
    fst = kleene.compile_text("0 1 1 2\n1\n")
    src = tmp_path / "in.fst"
    kleene.write(fst, str(src), format="binary")
    (tmp_path / "pairs.txt").write_text("1 2\n3 x\n")
    r = kleene_cli("relabel", f"--relabel_ipairs={tmp_path / 'pairs.txt'}", src,
                   tmp_path / "out.fst")
    assert r.status == 1 and "line 2" in r.err
    r = kleene_cli("relabel", src, tmp_path / "out.fst")
    assert r.status == 2 and "--relabel_ipairs" in r.err


def test_binary_commands_reject_mixed_semirings(kleene_cli, tmp_path):
    a = kleene.compile_text("0 1 1 1\n1\n")
    b = kleene.compile_text("0 1 1 1\n1\n", semiring="log")
    kleene.write(a, str(tmp_path / "a.fst"), format="binary")
    kleene.write(b, str(tmp_path / "b.fst"), format="binary")
    r = kleene_cli("union", tmp_path / "a.fst", tmp_path / "b.fst", tmp_path / "c.fst")
    assert r.status == 1 and "arc types" in r.err


def test_const_output():
    pywrapfst = pytest.importorskip("pywrapfst")
    fst = kleene.compile_text("0 1 1 2 0.5\n1 2 3 4\n2\n")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.fst"), os.path.join(tmp, "out.fst")
        kleene.write(fst, src, format="binary")
        assert main(["invert", "--fst_type=const", src, out]) == 0
        assert pywrapfst.Fst.read(out).fst_type() == "const"
        assert_same(kleene.read(out), kleene.invert(fst))
