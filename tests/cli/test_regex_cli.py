"""``kleene regex``: writes what compile_regex returns; errors are clean."""

from __future__ import annotations

import argparse

import pytest

import kleene
from kleene.cli import regex as regex_cli
from kleene.core.symbols import SymbolTable
from kleene.grammar.regex import compile_regex


def test_writes_the_compiled_machine(kleene_cli, tmp_path):
    out = tmp_path / "out.fst"
    result = kleene_cli("regex", "(ab|c)*d", out)
    assert result.status == 0, result
    assert kleene.read(str(out)).equal(compile_regex("(ab|c)*d"))


def test_flags_reach_compile_regex(kleene_cli, tmp_path):
    out = tmp_path / "out.fst"
    result = kleene_cli("regex", "--arc_type=log", "--alphabet=xy", "(~x)<1>", out)
    assert result.status == 0, result
    got = kleene.read(str(out))
    assert got.semiring.name == "log"
    assert got.equal(compile_regex("(~x)<1>", alphabet="xy", semiring="log"))


def test_symbol_table_token_type(kleene_cli, tmp_path):
    table = SymbolTable("t", ["<eps>", "the", "dog"])
    syms = tmp_path / "t.syms"
    table.write_text(str(syms))
    out = tmp_path / "out.fst"
    result = kleene_cli("regex", f"--token_type={syms}", "the dog+", out)
    assert result.status == 0, result
    got = kleene.read(str(out))
    expected = compile_regex("the dog+", token_type=SymbolTable.read_text(str(syms)))
    assert got.num_states == expected.num_states
    assert list(got.ilabel) == list(expected.ilabel)


def test_syntax_error_is_reported_with_the_caret(kleene_cli, tmp_path):
    result = kleene_cli("regex", "(ab", tmp_path / "out.fst")
    assert result.status == 1
    assert "unbalanced '('" in result.err and "column 1" in result.err
    assert "  ^" in result.err


def test_register_on_a_fresh_parser():
    parser = argparse.ArgumentParser()
    regex_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["regex", "a+", "--arc_type=log64"])
    assert args.pattern == "a+" and args.out_fst == "-" and args.arc_type == "log64"
    with pytest.raises(SystemExit):
        parser.parse_args(["regex", "a", "--arc_type=nope"])
