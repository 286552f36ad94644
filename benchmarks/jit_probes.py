"""Representative operations whose JIT compile time is measured in fresh
processes (see :func:`benchmarks.harness.measure_jit`). Each probe prepares a
tiny input (no JIT involved) and runs the operation on it."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, NamedTuple


class Probe(NamedTuple):
    requires: tuple[str, ...]
    prepare: Callable[[], Any]
    run: Callable[[Any], Any]


def _tiny(**kwargs):
    from .generate import random_fst
    return random_fst(20, 60, **kwargs)


def _binary_file():
    from .generate import openfst_bytes
    fd, path = tempfile.mkstemp(suffix=".fst")
    with os.fdopen(fd, "wb") as fh:
        fh.write(openfst_bytes(_tiny()))
    return path


def _run(name, **kwargs):
    def run(fst):
        import kleene
        return getattr(kleene, name)(fst, **kwargs)
    return run


def _read(path):
    from kleene.io.binary import read_binary_file
    return read_binary_file(path)


def _pair():
    return _tiny(seed=1), _tiny(seed=2)


def _compose(pair):
    import kleene
    return kleene.compose(*pair)


def _det_min(fst):
    import kleene
    return kleene.minimize(kleene.determinize(fst))


PROBES = {
    "arcsort": Probe(("algorithms.arcsort:arcsort",), _tiny, _run("arcsort")),
    "connect": Probe(("algorithms.connect:connect",), _tiny, _run("connect")),
    "topsort": Probe(("algorithms.topsort:topsort",), lambda: _tiny(acyclic=True),
                     _run("topsort")),
    "shortest_distance": Probe(("algorithms.shortest_distance:shortest_distance",), _tiny,
                               _run("shortest_distance")),
    "shortest_path": Probe(("algorithms.shortest_path:shortest_path",), _tiny,
                           _run("shortest_path")),
    "push": Probe(("algorithms.push:push",), lambda: _tiny(acyclic=True), _run("push")),
    "compose": Probe(("algorithms.compose:compose",), _pair, _compose),
    "determinize+minimize": Probe(("algorithms.determinize:determinize",
                                   "algorithms.minimize:minimize"),
                                  lambda: _tiny(acceptor=True, acyclic=True), _det_min),
    "rmepsilon": Probe(("algorithms.rmepsilon:rmepsilon",), _tiny, _run("rmepsilon")),
    "optimize": Probe(("algorithms.optimize:optimize",), lambda: _tiny(acyclic=True),
                      _run("optimize")),
    "read_binary_file": Probe(("io.binary:read_binary_file",), _binary_file, _read),
}
