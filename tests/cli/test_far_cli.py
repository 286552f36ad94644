"""``kleene farcreate``, ``farextract`` and ``farinfo`` against the library
and against pynini reading/writing the same archives."""

from __future__ import annotations

import os

import pytest

import kleene
from kleene.core.builder import FstBuilder
from kleene.io.far import FarReader, read_far, write_far
from kleene.semirings import get_semiring

from ..helpers import assert_same_fst, require_pynini


def _chain(n: int, semiring="tropical") -> kleene.Fst:
    b = FstBuilder(get_semiring(semiring))
    b.add_states(n + 1)
    b.set_start(0)
    for i in range(n):
        b.add_arc(i, i + 1, i + 2, 0.5 * i, i + 1)
    b.set_final(n, 0.25)
    return b.freeze()


@pytest.fixture
def machines(tmp_path):
    paths = {}
    for name, n in (("zeta.fst", 3), ("alpha.fst", 1), ("mid.fst", 2)):
        path = tmp_path / name
        _chain(n).write(str(path))
        paths[name] = str(path)
    return paths


def test_farcreate_keys_are_base_names_sorted(kleene_cli, tmp_path, machines):
    out = tmp_path / "all.far"
    r = kleene_cli("farcreate", *machines.values(), out)
    assert r.status == 0, r
    got = read_far(out)
    assert list(got) == ["alpha.fst", "mid.fst", "zeta.fst"]
    for name, path in machines.items():
        assert got[name].equal(kleene.read(path), delta=0.0)


def test_farcreate_key_options(kleene_cli, tmp_path, machines):
    out = tmp_path / "k.far"
    inputs = list(machines.values())
    r = kleene_cli("farcreate", "--keys=c,a,b", "--key_prefix=p_", "--far_type=native",
                   *inputs, out)
    assert r.status == 0, r
    got = read_far(out)
    assert list(got) == ["p_a", "p_b", "p_c"]
    assert got["p_c"].equal(kleene.read(inputs[0]), delta=0.0)
    with FarReader(out) as reader:
        assert reader.far_type == "native"
    r = kleene_cli("farcreate", "--generate_keys=3", *inputs, out)
    assert r.status == 0 and list(read_far(out)) == ["001", "002", "003"]
    assert read_far(out)["001"].equal(kleene.read(inputs[0]), delta=0.0)


def test_farcreate_errors(kleene_cli, tmp_path, machines):
    out = tmp_path / "e.far"
    inputs = list(machines.values())
    r = kleene_cli("farcreate", "--keys=a,b", *inputs, out)
    assert r.status == 2 and "2 keys for 3 inputs" in r.err
    r = kleene_cli("farcreate", out)
    assert r.status == 2 and "at least one input" in r.err
    r = kleene_cli("farcreate", "--keys=a,a,b", *inputs, out)
    assert r.status == 1 and "appears twice" in r.err
    log = tmp_path / "log.fst"
    _chain(1, "log").write(str(log))
    r = kleene_cli("farcreate", inputs[0], str(log), out)
    assert r.status == 1 and "convert it first" in r.err
    assert not out.exists()
    r = kleene_cli("farcreate", str(tmp_path / "missing.fst"), out)
    assert r.status == 1 and "missing.fst" in r.err


def test_farextract_all_and_some(kleene_cli, tmp_path):
    far = tmp_path / "x.far"
    write_far(far, {"one": _chain(1), "two": _chain(2), "three": _chain(3)})
    outdir = tmp_path / "out"
    r = kleene_cli("farextract", "--outdir", outdir, "--filename_suffix=.fst", far)
    assert r.status == 0, r
    assert sorted(os.listdir(outdir)) == ["one.fst", "three.fst", "two.fst"]
    assert kleene.read(outdir / "two.fst").equal(_chain(2), delta=0.0)
    some = tmp_path / "some"
    r = kleene_cli("farextract", "--keys=two,one", f"--outdir={some}", far)
    assert r.status == 0 and sorted(os.listdir(some)) == ["one", "two"]
    assert kleene.read(some / "one").equal(_chain(1), delta=0.0)
    r = kleene_cli("farextract", "--keys=four", f"--outdir={some}", far)
    assert r.status == 1 and "no entry 'four'" in r.err and "farinfo" in r.err


def test_farextract_refuses_unsafe_names(kleene_cli, tmp_path):
    far = tmp_path / "u.far"
    write_far(far, {"../evil": _chain(1)})
    r = kleene_cli("farextract", f"--outdir={tmp_path / 'o'}", far)
    assert r.status == 1 and "safe file name" in r.err
    assert not (tmp_path / "evil").exists()


def test_farinfo(kleene_cli, tmp_path):
    far = tmp_path / "i.far"
    write_far(far, {"b": _chain(2), "a": _chain(1, "tropical")}, far_type="stlist")
    r = kleene_cli("farinfo", far)
    assert r.status == 0, r
    fields = {line[:50].strip(): line[50:] for line in r.out.splitlines()[:5]}
    assert fields == {"far type": "stlist", "arc type": "standard", "# of FSTs": "2",
                      "total # of states": "5", "total # of arcs": "3"}
    rows = [line.split() for line in r.out.splitlines()[7:]]
    assert rows == [["a", "2", "1"], ["b", "3", "2"]]
    r = kleene_cli("farinfo", tmp_path / "nope.far")
    assert r.status == 1 and "nope.far" in r.err


def test_cli_archive_round_trips_with_pynini(kleene_cli, tmp_path, machines):
    pynini = require_pynini()
    out = tmp_path / "p.far"
    r = kleene_cli("farcreate", *machines.values(), out)
    assert r.status == 0, r
    theirs = pynini.Far(str(out))
    for key, pfst in theirs:
        assert_same_fst(kleene.read(machines[key]), pfst, delta=0.0)
    ppath = tmp_path / "from_pynini.far"
    with pynini.Far(str(ppath), mode="w", arc_type="log") as far:
        far["w"] = pynini.arcmap(pynini.accep("word", weight=2.0), map_type="to_log")
    r = kleene_cli("farinfo", ppath)
    assert "arc type" in r.out and "log" in r.out and r.status == 0
    r = kleene_cli("farextract", f"--outdir={tmp_path / 'px'}", ppath)
    assert r.status == 0
    assert_same_fst(kleene.read(tmp_path / "px" / "w"), pynini.Far(str(ppath))["w"],
                    delta=0.0)
