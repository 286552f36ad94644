"""The format dispatcher: kleene.read / kleene.write / Fst.write."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

import kleene
from kleene import FstArgError, FstIOError
from kleene.io.files import read, write
from kleene.io.text import compile_text, print_fst

from ..helpers import require_pynini

FST = compile_text("1 0 1 2 0.5\n0 2 3 3\n2 1.5\n1 2 0 0\n")


@pytest.mark.parametrize("name, fmt", [("m.fst", "binary"), ("m.npz", "native"),
                                       ("m.txt", "text"), ("m.fst.txt", "text"),
                                       ("m.att", "att"), ("noext", "binary")])
def test_auto_round_trip_by_extension(tmp_path, name, fmt):
    path = tmp_path / name
    write(FST, path)
    back = read(path)
    assert back.equal(FST)
    assert read(path, format=fmt).equal(FST)


def test_auto_sniffs_content_not_extension(tmp_path):
    # binary written under a .txt name, text under a .fst name
    write(FST, tmp_path / "a.txt", format="binary")
    assert read(tmp_path / "a.txt").equal(FST)
    write(FST, tmp_path / "b.fst", format="text")
    assert read(tmp_path / "b.fst").equal(FST)
    write(FST, tmp_path / "c.bin", format="native")
    assert read(tmp_path / "c.bin").equal(FST)
    (tmp_path / "d.fst").write_text("0\t1\ta\tb\n1\n")
    att = read(tmp_path / "d.fst")
    assert att.isymbols.find("b") == 2


def test_binary_is_readable_by_pynini_and_back(tmp_path):
    pynini = require_pynini()
    FST.write(tmp_path / "m.fst")
    assert pynini.Fst.read(str(tmp_path / "m.fst")).print() == print_fst(FST)
    pynini.Fst.read(str(tmp_path / "m.fst")).write(str(tmp_path / "p.fst"))
    assert kleene.read(tmp_path / "p.fst").equal(FST)
    FST.write(tmp_path / "c.fst", fst_type="const")
    assert read(tmp_path / "c.fst").equal(FST)


def test_fst_write_delegates_and_dot(tmp_path):
    FST.write(tmp_path / "m.dot")
    assert (tmp_path / "m.dot").read_text().startswith("digraph FST {")
    FST.write(tmp_path / "m.x", format="text")
    assert (tmp_path / "m.x").read_text() == print_fst(FST)


def test_semiring_and_options(tmp_path):
    path = tmp_path / "m.txt"
    write(FST, path)
    assert read(path, semiring="log").semiring == kleene.log
    write(FST, tmp_path / "m.fst")
    with pytest.raises(FstIOError, match="tropical"):
        read(tmp_path / "m.fst", semiring="log")
    (tmp_path / "acc.txt").write_text("0 1 3\n1\n")
    assert read(tmp_path / "acc.txt", acceptor=True).is_acceptor()


def test_errors_name_the_path(tmp_path):
    with pytest.raises(FstIOError, match="missing.fst"):
        read(tmp_path / "missing.fst")
    with pytest.raises(FstIOError, match="nodir"):
        write(FST, tmp_path / "nodir" / "m.fst")
    (tmp_path / "junk.fst").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FstIOError, match="junk.fst"):
        read(tmp_path / "junk.fst")
    (tmp_path / "bad.txt").write_text("0 1 1 1\n0 1 1\n")
    with pytest.raises(FstIOError) as err:
        read(tmp_path / "bad.txt")
    assert err.value.line == 2
    if os.name == "posix" and os.geteuid() != 0:
        locked = tmp_path / "locked.fst"
        write(FST, locked)
        locked.chmod(0)
        with pytest.raises(FstIOError, match="locked.fst"):
            read(locked)


def test_bad_arguments():
    with pytest.raises(FstArgError):
        read("x", format="yaml")
    with pytest.raises(FstArgError):
        write(FST, "x", format="yaml")
    with pytest.raises(FstArgError):
        write(FST, "x", fst_type="compact")
    with pytest.raises(FstArgError):
        write("not an fst", "x")


def test_stdin_and_stdout():
    code = ("import sys, kleene; f = kleene.read('-'); "
            "f.write('-', format='native')")
    binary = io.BytesIO()
    from kleene.io.binary import write_binary
    binary.write(write_binary(FST))
    out = subprocess.run([sys.executable, "-c", code], input=binary.getvalue(),
                         capture_output=True, check=True).stdout
    from kleene.io.native import native_from_bytes
    assert native_from_bytes(out).equal(FST)
