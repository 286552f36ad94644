"""``kleene compile``, ``print``, ``info``, ``draw`` and the error paths,
against the library and against pynini/OpenFst reading the same files."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib import resources

import pytest
from hypothesis import given, settings

import kleene
from kleene.cli.common import load_fst as read_fst
from kleene.cli.main import main

from ..helpers import fsts, require_pynini

DATA = resources.files("kleene").joinpath("data")


def data_path(name: str) -> str:
    return str(DATA.joinpath(name))


def compile_lattice(kleene_cli, tmp_path, *extra) -> str:
    out = tmp_path / "lattice.fst"
    r = kleene_cli("compile", "--acceptor", f"--isymbols={data_path('words.syms')}",
                   "--keep_isymbols", *extra, data_path("lattice.txt"), out)
    assert r.status == 0, r
    return str(out)


# -- compile / print -----------------------------------------------------------
@settings(max_examples=25)
@given(fsts(max_states=6, max_arcs=12))
def test_compile_then_print_round_trips_text(fst):
    text = kleene.print_fst(fst)
    with tempfile.TemporaryDirectory() as tmp:
        src, binary, back = (os.path.join(tmp, n) for n in ("a.txt", "a.fst", "b.txt"))
        with open(src, "w") as fh:
            fh.write(text)
        assert main(["compile", src, binary]) == 0
        assert main(["print", binary, back]) == 0
        with open(back) as fh:
            assert fh.read() == text
        assert read_fst(binary).equal(kleene.compile_text(text))


@settings(max_examples=25)
@given(fsts(max_states=6, max_arcs=12))
def test_compiled_file_prints_the_same_in_openfst(fst):
    pynini = require_pynini()
    text = kleene.print_fst(fst)
    with tempfile.TemporaryDirectory() as tmp:
        src, binary = os.path.join(tmp, "a.txt"), os.path.join(tmp, "a.fst")
        with open(src, "w") as fh:
            fh.write(text)
        assert main(["compile", src, binary]) == 0
        assert pynini.Fst.read(binary).print() == text


def test_symbols_are_kept_and_printed(kleene_cli, tmp_path):
    pynini = require_pynini()
    path = compile_lattice(kleene_cli, tmp_path)
    r = kleene_cli("print", "--acceptor", path)
    assert r.status == 0, r
    with open(data_path("lattice.txt")) as fh:
        assert r.out == fh.read()
    theirs = pynini.Fst.read(path)
    assert theirs.input_symbols().name() == "words.syms"
    assert theirs.print(acceptor=True) == r.out
    numeric = kleene_cli("print", "--numeric", path)
    assert numeric.out == kleene.print_fst(read_fst(path).replace(isymbols=None))


def test_keep_symbols_defaults_to_false(kleene_cli, tmp_path):
    out = tmp_path / "x.fst"
    r = kleene_cli("compile", "--acceptor", f"--isymbols={data_path('words.syms')}",
                   data_path("lattice.txt"), out)
    assert r.status == 0, r
    assert read_fst(str(out)).isymbols is None


def test_save_isymbols(kleene_cli, tmp_path):
    path = compile_lattice(kleene_cli, tmp_path)
    saved = tmp_path / "saved.syms"
    assert kleene_cli("print", f"--save_isymbols={saved}", path).status == 0
    assert kleene.SymbolTable.read_text(str(saved)) == kleene.SymbolTable.read_text(
        data_path("words.syms"))


@pytest.mark.parametrize("arc_type,name,bits",
                         [("standard", "tropical", 32), ("log", "log", 32),
                          ("log64", "log", 64), ("tropical64", "tropical", 64)])
def test_arc_type(kleene_cli, tmp_path, arc_type, name, bits):
    out = tmp_path / "x.fst"
    r = kleene_cli("compile", f"--arc_type={arc_type}", data_path("lexicon.txt"), out,
                   f"--isymbols={data_path('words.syms')}",
                   f"--osymbols={data_path('phones.syms')}")
    assert r.status == 0, r
    fst = read_fst(str(out))
    assert (fst.semiring.name, fst.semiring.bits) == (name, bits)
    info = dict(line.rsplit(None, 1) for line in kleene_cli("info", out).out.splitlines())
    assert info["arc type"] == arc_type


def test_const_fst_type_reads_in_openfst(kleene_cli, tmp_path):
    require_pynini()
    import pywrapfst  # ships with pynini; keeps the container type it reads
    path = compile_lattice(kleene_cli, tmp_path, "--fst_type=const")
    theirs = pywrapfst.Fst.read(path)
    assert theirs.fst_type() == "const"
    r = kleene_cli("info", path)
    assert r.out.splitlines()[0] == "fst type".ljust(50) + "const"
    assert len(list(theirs.states())) == read_fst(path).num_states


# -- info ----------------------------------------------------------------------
def test_info_reports_counts(kleene_cli, tmp_path):
    path = tmp_path / "lex.fst"
    assert kleene_cli("compile", f"--isymbols={data_path('words.syms')}",
                      f"--osymbols={data_path('phones.syms')}", "--keep_isymbols",
                      "--keep_osymbols", data_path("lexicon.txt"), path).status == 0
    fst = read_fst(str(path))
    r = kleene_cli("info", path)
    assert r.status == 0 and r.err == ""
    rows = {line[:50].rstrip(): line[50:] for line in r.out.splitlines()}
    assert rows["# of states"] == str(fst.num_states)
    assert rows["# of arcs"] == str(fst.num_arcs)
    assert rows["# of final states"] == "1"
    assert rows["input symbol table"] == "words.syms"
    assert rows["output symbol table"] == "phones.syms"
    assert rows["acceptor"] == "n"
    n_ieps = sum(1 for line in open(data_path("lexicon.txt"))
                 if len(line.split()) >= 4 and line.split()[2] == "<eps>")
    assert rows["# of input epsilons"] == str(n_ieps)


# -- draw ----------------------------------------------------------------------
def test_draw_matches_library(kleene_cli, tmp_path):
    pytest.importorskip("kleene.io.dot")
    from kleene.io.dot import draw
    path = compile_lattice(kleene_cli, tmp_path)
    r = kleene_cli("draw", "--acceptor", "--title=lattice", "--portrait", path)
    assert r.status == 0, r
    assert r.out.startswith("digraph")
    assert "lattice" in r.out and "the" in r.out
    assert r.out == draw(read_fst(path), None, title="lattice", acceptor=True,
                         portrait=True)


# -- errors --------------------------------------------------------------------
def test_missing_file(kleene_cli, tmp_path):
    r = kleene_cli("info", tmp_path / "nope.fst")
    assert r.status == 1
    assert r.err.startswith("kleene info: error: ")
    assert "nope.fst" in r.err and "Traceback" not in r.err


def test_malformed_text_names_the_line(kleene_cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("0 1 1 1 0.5\n1 2 3\n2\n")
    r = kleene_cli("compile", bad, tmp_path / "out.fst")
    assert r.status == 1
    assert r.err.startswith("kleene compile: error: ")
    assert "line 2" in r.err and "bad.txt" in r.err
    assert not (tmp_path / "out.fst").exists()


def test_unknown_symbol(kleene_cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("0 1 the\n1 2 zebra\n2\n")
    r = kleene_cli("compile", "--acceptor", f"--isymbols={data_path('words.syms')}",
                   bad, tmp_path / "out.fst")
    assert r.status == 1 and "zebra" in r.err and "line 2" in r.err


def test_garbage_binary(kleene_cli, tmp_path):
    bad = tmp_path / "bad.fst"
    bad.write_bytes(b"\x00\x01not an fst at all")
    r = kleene_cli("print", bad)
    assert r.status == 1 and r.err.startswith("kleene print: error: ")


@pytest.mark.parametrize("argv,fragment", [
    (["arcsort", "--sort_type=weight"], "invalid choice"),
    (["compile", "--arc_type=real"], "invalid choice"),
    (["closure", "--closure_plus=maybe"], "true or false"),
    (["shortestpath", "--nshortest=many"], "invalid int"),
    (["info", "--no_such_flag"], "unrecognized arguments"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2(kleene_cli, argv, fragment):
    r = kleene_cli(*argv)
    assert r.status == 2, r
    assert fragment in r.err and "Traceback" not in r.err


def test_help_for_every_command(kleene_cli):
    from kleene.cli.main import build_parser, _subparser
    parser = build_parser()
    names = ["compile", "print", "info", "draw", "arcsort", "connect", "topsort",
             "reverse", "invert", "project", "relabel", "union", "concat", "closure",
             "shortestdistance", "shortestpath", "prune", "push", "randgen", "demo"]
    for name in names:
        assert _subparser(parser, name) is not None, name
        r = kleene_cli(name, "--help")
        assert r.status == 0 and r.out.startswith(f"usage: kleene {name}"), name


def test_bool_flag_spellings(kleene_cli, tmp_path):
    path = compile_lattice(kleene_cli, tmp_path)
    two_columns = kleene_cli("print", "--acceptor=true", path).out
    assert two_columns == kleene_cli("print", "--acceptor", path).out
    four_columns = kleene_cli("print", "--acceptor=false", path).out
    assert four_columns == kleene_cli("print", "--noacceptor", path).out
    assert four_columns != two_columns


# -- as a separate process ---------------------------------------------------------
def test_pipeline_through_python_m_kleene(tmp_path):
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "kleene"]
    compiled = subprocess.run(
        cmd + ["compile", "--acceptor", f"--isymbols={data_path('words.syms')}",
               "--keep_isymbols", data_path("lattice.txt")],
        capture_output=True, check=True, env=env).stdout
    assert compiled[:4] == (2125659606).to_bytes(4, "little")
    printed = subprocess.run(cmd + ["print", "--acceptor", "-"], input=compiled,
                             capture_output=True, check=True, env=env).stdout.decode()
    with open(data_path("lattice.txt")) as fh:
        assert printed == fh.read()
    failed = subprocess.run(cmd + ["print", str(tmp_path / "missing.fst")],
                            capture_output=True, env=env)
    assert failed.returncode == 1
    assert failed.stderr.decode().startswith("kleene print: error:")
    assert b"Traceback" not in failed.stderr
