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

from . import peers
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
    out = _far_workloads(1_000 if quick else 10_000)
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

        def check(k, p):
            fst_agrees(k, p, what="read")

        return Case(kleene=lambda: read_binary_file(path), pynini=lambda: pynini.Fst.read(path),
                    check=check,
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note=f"file of {os.path.getsize(path) / 2**20:.1f} MiB written by pynini",
                    peers=peers.read_binary(path, check=check))
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
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    peers=peers.write_binary(kf, stem))
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


# -- FAR archives of many small machines -------------------------------------------

def _far_machines(count: int):
    """``count`` small two-way machines (pynini.cross of random words, 3-9
    letters), keyed k000000..., in both libraries (built once)."""
    import random

    import pynini

    from kleene import from_pynini
    rng = random.Random(7)

    def word():
        return "".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 9)))
    pm = {f"k{i:06d}": pynini.cross(word(), word()) for i in range(count)}
    km = {key: from_pynini(p) for key, p in pm.items()}
    return km, pm


def _far_sizes(km) -> dict:
    states = sum(f.num_states for f in km.values())
    arcs = sum(f.num_arcs for f in km.values())
    return dict(num_states=states, num_arcs=arcs,
                input_bytes=sum(nbytes(f) for f in km.values()))


def _pynini_far_write(pm, path, far_type="sttable"):
    import pynini
    with pynini.Far(path, mode="w", far_type=far_type) as far:
        for key in sorted(pm):
            far[key] = pm[key]


def _far_agrees(kmachines: dict, pairs) -> None:
    """kleene's machines (a dict) equal pynini's ``(key, fst)`` pairs."""
    pairs = list(pairs)
    if list(kmachines) != [k for k, _ in pairs]:
        raise Mismatch("FAR: the keys differ")
    for key, pfst in pairs:
        fst_agrees(kmachines[key], pfst, delta=0.0, what=f"FAR entry {key!r}")


def _far_workloads(count: int) -> list[Workload]:
    label = f"{count // 1000}k small machines"
    out = []
    for far_type in ("sttable", "stlist", "native"):
        out.append(Workload(f"far write {far_type}", label, ("io.far:write_far",),
                            _far_write_case(count, far_type)))
        out.append(Workload(f"far read {far_type}", label, ("io.far:read_far",),
                            _far_read_case(count, far_type)))
    for far_type in ("sttable", "native"):
        out.append(Workload(f"far 1000 lookups {far_type}", label, ("io.far:FarReader",),
                            _far_lookup_case(count, far_type)))
    return out


_FAR_CACHE: dict = {}


def _far_inputs(count: int):
    if count not in _FAR_CACHE:
        _FAR_CACHE[count] = _far_machines(count)
    return _FAR_CACHE[count]


def _far_write_case(count, far_type):
    def build():
        import pynini

        from kleene.io.far import write_far
        km, pm = _far_inputs(count)
        kpath = os.path.join(_tmpdir(), f"w-{far_type}-kleene.far")
        ppath = os.path.join(_tmpdir(), f"w-{far_type}-pynini.far")
        pynini_type = far_type if far_type != "native" else "sttable"

        def check(_k, _p):
            if far_type == "native":  # pynini cannot read it: kleene reads it back
                from kleene.io.far import read_far
                back = read_far(kpath)
                _far_agrees(back, sorted(pm.items()))
            else:  # OpenFst reads kleene's archive as pynini's machines
                _far_agrees(km, pynini.Far(kpath))
        return Case(kleene=lambda: write_far(kpath, km, far_type=far_type),
                    pynini=lambda: _pynini_far_write(pm, ppath, pynini_type), check=check,
                    note="pynini writes sttable" if far_type == "native" else "",
                    **_far_sizes(km))
    return build


def _far_read_case(count, far_type):
    def build():
        import pynini

        from kleene.io.far import read_far, write_far
        km, pm = _far_inputs(count)
        path = os.path.join(_tmpdir(), f"r-{far_type}.far")
        if far_type == "native":
            write_far(path, km, far_type="native")
            ppath = os.path.join(_tmpdir(), "r-native-peer.far")
            _pynini_far_write(pm, ppath)
        else:
            _pynini_far_write(pm, path, far_type)  # the file both read: pynini's
            ppath = path
        return Case(kleene=lambda: read_far(path),
                    pynini=lambda: list(pynini.Far(ppath)),
                    check=lambda k, p: _far_agrees(k, p),
                    note="pynini reads its sttable" if far_type == "native" else
                    "the archive pynini wrote", **_far_sizes(km))
    return build


def _far_lookup_case(count, far_type):
    def build():
        import random

        import pynini

        from kleene.io.far import FarReader, write_far
        km, pm = _far_inputs(count)
        keys, rng = sorted(km), random.Random(3)
        probes = [rng.choice(keys) for _ in range(1000)]
        path = os.path.join(_tmpdir(), f"l-{far_type}.far")
        ppath = os.path.join(_tmpdir(), "l-pynini.far")
        _pynini_far_write(pm, ppath)
        if far_type == "native":
            write_far(path, km, far_type="native")
        else:
            path = ppath

        def kleene_lookups():
            with FarReader(path) as reader:
                return {key: reader[key] for key in probes}

        def pynini_lookups():
            far = pynini.Far(ppath)
            out = {}
            for key in probes:
                far.find(key)
                out[key] = far.get_fst()
            return out

        def check(k, p):
            _far_agrees(dict(sorted(k.items())), sorted(p.items()))
        return Case(kleene=kleene_lookups, pynini=pynini_lookups, check=check,
                    note="open + 1000 random keys", **_far_sizes(km))
    return build
