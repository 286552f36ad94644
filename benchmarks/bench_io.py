"""File I/O and conversion: OpenFst binary read/write, AT&T text print and
compile, and the pynini bridge.

Files go to a temporary directory (page cache, no fsync) for both libraries.
The binary file both libraries read is the one pynini wrote.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from .bench_structural import _label
from .checks import fst_agrees, text_agrees
from .generate import cached, fresh, nbytes
from .harness import Case, Mismatch, Workload

_TMP: list[str] = []


def _tmpdir() -> str:
    if not _TMP:
        path = tempfile.mkdtemp(prefix="kleene-bench-io-")
        atexit.register(shutil.rmtree, path, True)
        _TMP.append(path)
    return _TMP[0]


def sizes(quick: bool) -> list[tuple[int, int]]:
    return [(300, 1500)] if quick else [(20_000, 100_000), (200_000, 1_000_000)]


def workloads(quick: bool) -> list[Workload]:
    out = []
    for n, m in sizes(quick):
        spec = (("random", n, m), dict(seed=11))
        label = _label(n, m, "cyclic")
        big = m >= 1_000_000
        out.append(Workload("read binary", label, ("io.binary:read_binary_file",),
                            _read_case(spec, f"read-{m}.fst")))
        out.append(Workload("write binary", label, ("io.binary:write_binary_file",),
                            _write_case(spec, f"write-{m}")))
        if big:
            continue  # text and bridge at 100k only: the 1M target is binary I/O
        out.append(Workload("print_fst", label, ("io.text:print_fst",), _print_case(spec)))
        out.append(Workload("compile_text", label, ("io.text:compile_text",),
                            _compile_case(spec)))
        out.append(Workload("from_pynini", label, ("io.pynini_bridge:from_pynini",),
                            _bridge_case(spec, "from")))
        out.append(Workload("to_pynini", label, ("io.pynini_bridge:to_pynini",),
                            _bridge_case(spec, "to")))
    return out


def _read_case(spec, filename):
    def build():
        import pynini

        from kleene.io.binary import read_binary_file
        kf, pf = cached(*spec[0], **spec[1])
        path = os.path.join(_tmpdir(), filename)
        pf.write(path)
        return Case(kleene=lambda: read_binary_file(path), pynini=lambda: pynini.Fst.read(path),
                    check=lambda k, p: fst_agrees(k, p, what="read"),
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note=f"file of {os.path.getsize(path) / 2**20:.1f} MiB written by pynini")
    return build


def _write_case(spec, stem):
    def build():
        import pynini

        from kleene.io.binary import write_binary_file
        kf, pf = cached(*spec[0], **spec[1])
        kpath = os.path.join(_tmpdir(), stem + "-kleene.fst")
        ppath = os.path.join(_tmpdir(), stem + "-pynini.fst")

        def check(_k, _p):
            # OpenFst must read kleene's file back as the same machine.
            fst_agrees(kf, pynini.Fst.read(kpath), what="pynini reading kleene's file")

        return Case(kleene=lambda: write_binary_file(kf, kpath),
                    pynini=lambda: pf.write(ppath), check=check,
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf))
    return build


def _print_case(spec):
    def build():
        from kleene.io.text import print_fst
        kf, pf = cached(*spec[0], **spec[1])
        return Case(kleene=lambda: print_fst(kf), pynini=lambda: pf.print(),
                    check=lambda k, p: text_agrees(k, p),
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note="kleene's text and pynini's are compiled by OpenFst and compared")
    return build


def _compile_case(spec):
    def build():
        import pywrapfst

        from kleene.io.text import compile_text
        kf, pf = cached(*spec[0], **spec[1])
        text = pf.print()

        def pynini_compile():
            compiler = pywrapfst.Compiler(arc_type="standard", keep_state_numbering=True)
            compiler.write(text)
            return compiler.compile()

        return Case(kleene=lambda: compile_text(text), pynini=pynini_compile,
                    check=lambda k, p: fst_agrees(k, p, what="compiled text"),
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note="pynini side: pywrapfst.Compiler (fstcompile)")
    return build


def _bridge_case(spec, direction):
    def build():
        from kleene import from_pynini
        kf, pf = cached(*spec[0], **spec[1])
        if direction == "from":
            def check(k, _p):
                fst_agrees(k, pf, what="from_pynini")
            kcall = lambda: from_pynini(pf)  # noqa: E731
        else:
            def check(k, _p):
                import pywrapfst
                if not pywrapfst.equal(k, pf):
                    raise Mismatch("to_pynini: the converted machine differs from the input")
            kcall = lambda: fresh(kf).to_pynini()  # noqa: E731
        return Case(kleene=kcall, pynini=None, check=check, num_states=kf.num_states,
                    num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note="conversion only: no pynini counterpart, so no ratio")
    return build
