"""``kleene.compat.pynini`` files and installation, against the real pynini:
FAR archives written by one and read by the other (and a plain .fst read as
a FAR, as NeMo does), the FAR ``Exporter``, ``rule_cascade``, the
``plurals`` example, and ``kleene.compat.install()`` (in subprocesses, so
this test process keeps the real pynini)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from ..helpers import require_pynini

pynini = require_pynini()
from pynini.export import export as p_export
from pynini.lib import rule_cascade as p_rule_cascade

import kleene.compat.pynini as kp
from kleene.compat.pynini.export import export as k_export
from kleene.compat.pynini.lib import rule_cascade as k_rule_cascade

PAIRS = [(pynini, kp), (kp, pynini)]
IDS = ["pynini-writes", "kleene-writes"]


def items(fst):
    return sorted((i, o, round(float(w), 5)) for i, o, w in fst.paths().items())


def _entries(pn):
    return {"a": pn.accep("xy", weight=1.5), "b": pn.cross("a", "b"),
            "c": pn.string_map([("1", "one", "0.5"), ("2", "two")])}


@pytest.mark.parametrize("writer,reader", PAIRS, ids=IDS)
def test_far_round_trip(tmp_path, writer, reader):
    path = str(tmp_path / "g.far")
    with writer.Far(path, "w") as sink:
        for key, fst in _entries(writer).items():
            sink[key] = fst
    expected = {k: items(f) for k, f in _entries(reader).items()}
    far = reader.Far(path, "r")
    assert far.far_type() == "sttable" and far.arc_type() == "standard"
    assert [(k, items(f)) for k, f in far] == sorted(expected.items())
    far = reader.Far(path)
    assert far.find("b") and items(far.get_fst()) == expected["b"]
    assert items(far["c"]) == expected["c"] and far.get_key() == "c"
    far.reset()
    seen = []
    while not far.done():
        seen.append(far.get_key())
        far.next()
    assert seen == ["a", "b", "c"]
    with pytest.raises(KeyError):
        far["missing"]


@pytest.mark.parametrize("writer,reader", PAIRS, ids=IDS)
def test_plain_fst_file_opens_as_a_far(tmp_path, writer, reader):
    path = str(tmp_path / "rule.fst")
    writer.cross("q", "r").write(path)
    far = reader.Far(path, mode="r")
    assert far.get_key() == path
    assert items(far.get_fst()) == [("q", "r", 0.0)]
    assert items(reader.Fst.read(path)) == [("q", "r", 0.0)]


@pytest.mark.parametrize("arc_type", ["log", "log64"])
def test_far_arc_types(tmp_path, arc_type):
    path = str(tmp_path / "g.far")
    with kp.Far(path, "w", arc_type=arc_type) as sink:
        sink["x"] = kp.accep("ab", weight=0.25, arc_type=arc_type)
    far = pynini.Far(path)
    assert far.arc_type() == arc_type
    assert items(far.get_fst()) == [("ab", "ab", 0.25)]
    assert kp.Far(path).arc_type() == arc_type


@pytest.mark.parametrize("export,reader", [(p_export, kp), (k_export, pynini)],
                         ids=IDS)
def test_exporter(tmp_path, export, reader):
    module = pynini if export is p_export else kp
    path = str(tmp_path / "exported.far")
    exporter = export.Exporter(path)
    exporter["Z"] = module.cross("1", "one")
    exporter["A"] = module.accep("2")  # keys are sorted on close
    exporter.close()
    assert [(k, items(f)) for k, f in reader.Far(path)] == [
        ("A", [("2", "2", 0.0)]), ("Z", [("1", "one", 0.0)])]


def test_rule_cascade(tmp_path):
    path = str(tmp_path / "rules.far")
    with pynini.Far(path, "w") as sink:
        sigma = pynini.union(*"abc").closure()
        sink["r1"] = pynini.cdrewrite(pynini.cross("a", "b"), "", "", sigma)
        sink["r2"] = pynini.cdrewrite(pynini.cross("b", "c"), "", "c", sigma)
    real = p_rule_cascade.RuleCascade(path)
    ours = k_rule_cascade.RuleCascade(path)
    for cascade in (real, ours):
        cascade.set_rules(["r1", "r2"])
    for text in ("aac", "abc", "cab"):
        assert ours.top_rewrite(text) == real.top_rewrite(text)
        assert ours.rewrites(text) == real.rewrites(text)
    assert ours.matches("aac", "bcc") == real.matches("aac", "bcc")
    with pytest.raises(k_rule_cascade.Error):
        ours.set_rules(["nope"])


def test_plurals_example_matches():
    from pynini.examples import plurals as p_plurals

    from kleene.compat.pynini.examples import plurals as k_plurals
    from kleene.compat.pynini.lib import rewrite as k_rewrite
    for word in ("cat", "ox", "sheep", "mouse", "box", "bus"):
        real = pynini.shortestpath(word @ p_plurals._plural).string()
        ours = kp.shortestpath(word @ k_plurals._plural).string()
        assert ours == real, word
        assert k_rewrite.top_rewrite(word, k_plurals._plural) == real
        assert k_plurals.plural(word) == p_plurals.plural(word)
    assert items(k_plurals._suppletive) == items(p_plurals._suppletive)
    pu = k_plurals._priority_union(kp.cross("a", "b"), kp.cross("a", "c"),
                                   kp.union("a", "b").closure())
    rpu = p_plurals._priority_union(pynini.cross("a", "b"), pynini.cross("a", "c"),
                                    pynini.union("a", "b").closure())
    assert sorted(kp.compose("a", pu).paths().ostrings()) == \
        sorted(pynini.compose("a", rpu).paths().ostrings())


def _run(code: str, *args: str, script: str | None = None, tmp_path=None):
    env = dict(os.environ)
    if script is not None:
        path = tmp_path / "script.py"
        path.write_text(textwrap.dedent(script), encoding="utf-8")
        cmd = [sys.executable, "-m", "kleene.compat", str(path), *args]
    else:
        cmd = [sys.executable, "-c", textwrap.dedent(code)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_install_makes_import_pynini_resolve_to_kleene():
    out = _run("""
        import kleene.compat
        kleene.compat.install()
        import pynini
        from pynini.lib import pynutil, byte, utf8, rewrite, rule_cascade
        from pynini.export import export
        from pynini.examples import plurals
        names = [m.__name__ for m in (pynini, pynutil, byte, utf8, rewrite, rule_cascade,
                                      export, plurals)]
        assert all(n.startswith("kleene.compat.pynini") for n in names), names
        f = pynini.cross("a", "b") + pynutil.insert("c")
        print(type(f).__module__, f.string(), kleene.compat.installed())
        kleene.compat.uninstall()
        import sys
        print("pynini" in sys.modules, kleene.compat.installed())
    """)
    assert out.split() == ["kleene.compat.pynini._fst", "bc", "True", "False", "False"]


def test_install_refuses_when_real_pynini_is_imported_and_uninstall_restores():
    out = _run("""
        import pynini as real
        import kleene.compat
        try:
            kleene.compat.install()
        except kleene.compat.CompatError as exc:
            print("refused", isinstance(exc, RuntimeError))
        import pynini
        print(pynini is real)
        kleene.compat.install(replace=True)
        import pynini as swapped
        print(swapped.__name__)
        kleene.compat.uninstall()
        import pynini as back
        print(back is real)
    """)
    assert out.split() == ["refused", "True", "True", "kleene.compat.pynini", "True"]


def test_python_m_kleene_compat_runs_a_script(tmp_path):
    out = _run("", "argument", tmp_path=tmp_path, script="""
        import sys
        import pynini
        from pynini.lib import rewrite
        rule = pynini.cdrewrite(pynini.cross("a", "b"), "", "", pynini.union(*"ab").closure())
        print(pynini.__name__, rewrite.top_rewrite("aab", rule), sys.argv[1])
    """)
    assert out.split() == ["kleene.compat.pynini", "bbb", "argument"]
