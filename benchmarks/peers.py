"""Adapters for the peer libraries timed beside kleene and pynini:
rustfst-python (Rust), kaldifst (OpenFst compiled into Kaldi's bindings) and
pyfoma (pure Python).

Each adapter builds the peer's machine from the kleene input once, outside
any timed region (rustfst and kaldifst read the OpenFst binary file that
:func:`benchmarks.generate.openfst_bytes` writes; pyfoma's ``FST`` is built
state by state from the arrays), and returns a
:class:`~benchmarks.harness.PeerCase`: the zero-argument call that is timed,
and a converter that turns the peer's result back into a kleene
:class:`~kleene.Fst` (the peer writes an OpenFst binary file that
``kleene.io.binary.read_binary_file`` reads; pyfoma's states and arcs are
walked) so that the workload's own check compares it with pynini's result.

A peer that is not installed, or that has no faithful counterpart of an
operation, simply gets no entry: its cell in the report is "—".

Semantics, checked against each library's source:

- rustfst: tropical ``VectorFst`` only (the Python bindings expose no other
  weight); ``connect``, ``tr_sort``, ``project``, ``union``, ``concat``,
  ``minimize`` and ``optimize`` mutate their argument, so the timed call
  copies first (pynini's functional forms copy too).
- kaldifst: OpenFst 1.7 with the standard (tropical) arc; ``arcsort``,
  ``connect``, ``invert``, ``minimize`` and ``rmepsilon`` work in place (the
  timed call copies; OpenFst copies are copy-on-write, as in pynini).
- pyfoma: tropical weights (costs add along a path, ``min`` across paths,
  ``inf`` is "not final"); labels are symbol strings (we use ``str(label)``,
  ``''`` is epsilon), a 1-tuple label is an identity arc. Its algorithms are
  epsilon-free constructions (``reverse``, ``union``, ``concatenate``,
  ``kleene_star``), so its results are checked for *equivalence* with
  pynini's (:func:`equivalent_to_pynini`), not isomorphism. Its calls get a
  time cap (:data:`PYFOMA_CAP`, ``--pyfoma-cap``): pure Python is
  interrupted by ``SIGALRM`` and the cell reads "> cap".
"""

from __future__ import annotations

import atexit
import functools
import importlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

from .generate import openfst_bytes
from .harness import Mismatch, PeerCase

PEERS = ("rustfst", "kaldifst", "pyfoma")
PYFOMA_CAP = 10.0  # seconds per pyfoma call; set by ``--pyfoma-cap``
# pyfoma's inputs are Python objects (~600 bytes per arc): larger inputs are
# not built at all (the cell reads "—", not "> cap", since nothing was timed).
PYFOMA_MAX_ARCS = 200_000
ENABLED = set(PEERS)  # ``--no-peers`` empties it

_MODULE = {"rustfst": "rustfst", "kaldifst": "kaldifst", "pyfoma": "pyfoma"}
_TMP: list[str] = []
_counter = itertools.count()


def configure(*, enabled=PEERS, pyfoma_cap: float = 10.0) -> None:
    """Which peers run and pyfoma's time cap (the command line calls this)."""
    global PYFOMA_CAP
    ENABLED.clear()
    ENABLED.update(enabled)
    PYFOMA_CAP = float(pyfoma_cap)


@functools.cache
def _importable(name: str) -> bool:
    try:
        importlib.import_module(_MODULE[name])
    except Exception:  # noqa: BLE001 - not installed, or its native library fails to load
        return False
    return True


def available(name: str) -> bool:
    """The peer is enabled and importable."""
    return name in ENABLED and _importable(name)


def _tmpdir() -> str:
    if not _TMP:
        path = tempfile.mkdtemp(prefix="kleene-bench-peers-")
        atexit.register(shutil.rmtree, path, True)
        _TMP.append(path)
    return _TMP[0]


def _tmpfile(stem: str) -> str:
    return os.path.join(_tmpdir(), f"{stem}-{next(_counter)}.fst")


# -- conversion: OpenFst binary file (rustfst, kaldifst) -------------------------------


def _input_file(kf) -> str:
    path = _tmpfile("input")
    with open(path, "wb") as fh:
        fh.write(openfst_bytes(kf))
    return path


def _tropical(kf) -> bool:
    """rustfst and kaldifst take the standard arc only (tropical, float32)."""
    return kf.semiring.name == "tropical" and kf.weight.dtype == np.float32


def to_rustfst(kf):
    """The identical ``rustfst.VectorFst`` (read from OpenFst's binary format)."""
    from rustfst import VectorFst
    return VectorFst.read(_input_file(kf))


def to_kaldifst(kf):
    """The identical ``kaldifst.StdVectorFst``."""
    import kaldifst
    return kaldifst.StdVectorFst.read(_input_file(kf))


def from_openfst_writer(peer_fst):
    """A rustfst or kaldifst machine back as a kleene ``Fst``: the peer writes
    OpenFst's binary format, kleene reads it."""
    from kleene.io.binary import read_binary_file
    path = _tmpfile("result")
    ok = peer_fst.write(path)
    if ok is False:  # kaldifst returns False on failure; rustfst raises
        raise RuntimeError("the peer failed to write its result")
    try:
        return read_binary_file(path)
    finally:
        os.remove(path)


# -- conversion: pyfoma -----------------------------------------------------------------


def _sym(label: int) -> str:
    return "" if label == 0 else str(int(label))


def to_pyfoma(kf):
    """The same machine as a ``pyfoma.FST``: one ``State`` per state, arcs in
    order, ``str(label)`` symbols (``''`` = epsilon), identity arcs as
    1-tuples, weights as Python floats (tropical)."""
    from pyfoma.atomic import State
    from pyfoma.fst import FST
    n = kf.num_states
    states = [State() for _ in range(n)]
    src = kf.arc_source.tolist()
    il, ol = kf.ilabel.tolist(), kf.olabel.tolist()
    w, dst = kf.weight.astype(np.float64).tolist(), kf.nextstate.tolist()
    alphabet = set()
    for s, a, b, x, d in zip(src, il, ol, w, dst):
        label = (_sym(a),) if a == b else (_sym(a), _sym(b))
        alphabet.update(label)
        states[s].add_transition(states[d], label, x)
    alphabet.discard("")
    fst = FST(alphabet=alphabet)
    fst.states = set(states)
    fst.initialstate = states[kf.start] if kf.start >= 0 else State()
    fst.states.add(fst.initialstate)
    final = kf.final.astype(np.float64)
    finals = np.flatnonzero(np.isfinite(final)).tolist()
    fst.finalstates = {states[s] for s in finals}
    for s in finals:
        states[s].finalweight = float(final[s])
    return fst


def from_pyfoma(pf, semiring="tropical"):
    """A pyfoma ``FST`` as a kleene ``Fst`` (initial state first, the other
    states in discovery order; symbols that are not integers are refused)."""
    from kleene import Fst
    index: dict[int, int] = {}
    order = []

    def number(state) -> int:
        key = id(state)
        if key not in index:
            index[key] = len(order)
            order.append(state)
        return index[key]

    number(pf.initialstate)
    for s in pf.states:
        number(s)
    src, il, ol, w, dst = [], [], [], [], []
    k = 0
    while k < len(order):  # targets outside pf.states are still numbered
        s = order[k]
        for label, transitions in s.transitions.items():
            a = int(label[0]) if label[0] else 0
            b = int(label[-1]) if label[-1] else 0
            for t in transitions:
                src.append(k)
                il.append(a)
                ol.append(b)
                w.append(t.weight)
                dst.append(number(t.targetstate))
        k += 1
    final = np.full(len(order), np.inf, np.float32)
    for s in pf.finalstates:
        if id(s) in index:
            final[index[id(s)]] = s.finalweight
    return Fst.from_arrays(len(order), np.array(src, np.int64), np.array(il, np.int64),
                           np.array(ol, np.int64), np.array(w, np.float32),
                           np.array(dst, np.int64), final=final, start=0, semiring=semiring)


# -- checks -------------------------------------------------------------------------------


def _random_paths(kfst, count: int, rng, max_free: int = 12):
    """``count`` successful paths of a kleene ``Fst`` as ``(ilabels,
    olabels)`` (ε dropped): up to ``max_free`` uniformly random steps among
    arcs that can still reach a final state, then a random shortest (in
    arcs) way to a final state. A plain random walk (``pynini.randgen``)
    rarely ends on machines whose only final state is far away (a reversed
    random machine): bounded it returns no path, unbounded it takes
    minutes."""
    from collections import deque
    n = kfst.num_states
    if kfst.start < 0 or n == 0:
        return []
    src, dst = kfst.arc_source, kfst.nextstate
    ilab, olab = kfst.ilabel, kfst.olabel
    order = np.argsort(dst, kind="stable")  # incoming arcs per state
    in_ptr = np.searchsorted(dst[order], np.arange(n + 1))
    hops = np.full(n, -1, np.int64)  # arcs to the nearest final state
    queue = deque(np.flatnonzero(np.isfinite(kfst.final)).tolist())
    hops[list(queue)] = 0
    while queue:
        q = queue.popleft()
        for a in order[in_ptr[q]:in_ptr[q + 1]]:
            p = src[a]
            if hops[p] < 0:
                hops[p] = hops[q] + 1
                queue.append(p)
    if hops[kfst.start] < 0:
        return []
    indptr = kfst.indptr
    out = []
    for _ in range(count):
        s, il, ol = kfst.start, [], []
        free = int(rng.integers(max_free + 1))
        while True:
            arcs = np.arange(indptr[s], indptr[s + 1])
            ok = arcs[hops[dst[arcs]] >= 0]
            if free > 0 and ok.size:
                free -= 1
                a = int(rng.choice(ok))
            elif hops[s] == 0:
                break
            else:
                a = int(rng.choice(ok[hops[dst[ok]] == hops[s] - 1]))
            if ilab[a]:
                il.append(int(ilab[a]))
            if olab[a]:
                ol.append(int(olab[a]))
            s = int(dst[a])
        out.append((il, ol))
    return out


def _string_weight(pfst, ilabels, olabels) -> float:
    """Tropical weight of the string pair in ``pfst`` (inf when absent):
    ``chain(in) ∘ pfst ∘ chain(out)``, then its shortest distance."""
    import pynini

    from .checks import _chain, pynini_distances
    arc_type = pfst.arc_type()
    both = pynini.compose(pynini.compose(_chain(ilabels, arc_type), pfst),
                          _chain(olabels, arc_type))
    if both.start() < 0 or both.num_states() == 0:
        return float("inf")
    d = pynini_distances(pynini.shortestdistance(both, reverse=True))
    return float(d[both.start()]) if d.size else float("inf")


def equivalent_to_pynini(delta: float = 1e-3, npath: int = 30, seed: int = 5):
    """For peers whose constructions differ from OpenFst's (pyfoma's are
    epsilon-free): isomorphic, or else the same weighted relation on
    samples: ``npath`` random string pairs drawn from each machine
    (:func:`_random_paths`) weigh the same, within ``delta``, in the other
    one. (``pynini.randequivalent`` was the first choice: unbounded it took
    minutes on 100k-arc cyclic machines, bounded it drew no path at all and
    answered True.)"""
    def check(kres, pres):
        from .checks import fst_agrees
        from .generate import to_pynini_fast
        try:
            fst_agrees(kres, pres, delta)
            return
        except Mismatch:
            pass
        from kleene import from_pynini
        ours = to_pynini_fast(kres)
        rng = np.random.default_rng(seed)
        for ksrc, src, other, side in ((from_pynini(pres), pres, ours, "pynini's"),
                                       (kres, ours, pres, "the peer's")):
            paths = _random_paths(ksrc, npath, rng)
            if not paths and src.start() >= 0 and _string_weight(src, [], []) < np.inf:
                raise Mismatch(f"no successful path could be drawn from {side} result")
            if not paths:  # no successful path: the other must have none either
                paths = [([], [])]
            for il, ol in paths:
                a, b = _string_weight(src, il, ol), _string_weight(other, il, ol)
                if not (a == b or abs(a - b) <= delta * max(1.0, abs(a))):
                    raise Mismatch(f"the string pair {il[:8]}...:{ol[:8]}... drawn from "
                                   f"{side} result weighs {a:.4f} there and {b:.4f} in the "
                                   "other")
    return check


# -- PeerCase builders ------------------------------------------------------------------------


def _make(name: str, run: Callable[[], Any], check=None, note: str = "") -> PeerCase:
    if name == "pyfoma":
        return PeerCase(run=run, convert=from_pyfoma, check=check or equivalent_to_pynini(),
                        cap=PYFOMA_CAP, note=note)
    return PeerCase(run=run, convert=from_openfst_writer, check=check, note=note)


_BUILD_INPUT = {"rustfst": to_rustfst, "kaldifst": to_kaldifst, "pyfoma": to_pyfoma}


def unary(kf, *, check=None, **ops: Callable[[Any], Any] | None) -> dict[str, PeerCase]:
    """PeerCases applying ``ops[peer](peer_machine)`` to the peer's copy of
    ``kf`` (built now, untimed). ``check`` replaces the workload's check for
    rustfst/kaldifst (pyfoma always uses :func:`equivalent_to_pynini`)."""
    out = {}
    for name, op in ops.items():
        if op is None or not available(name):
            continue
        if name != "pyfoma" and not _tropical(kf):
            continue
        if name == "pyfoma" and kf.num_arcs > PYFOMA_MAX_ARCS:
            continue
        machine = _BUILD_INPUT[name](kf)
        out[name] = _make(name, functools.partial(op, machine), check)
    return out


def binary(ka, kb, *, check=None, **ops: Callable[[Any, Any], Any] | None) -> dict[str, PeerCase]:
    """PeerCases applying ``ops[peer](a, b)`` to the peer's copies of two
    machines."""
    out = {}
    for name, op in ops.items():
        if op is None or not available(name):
            continue
        if name != "pyfoma" and not (_tropical(ka) and _tropical(kb)):
            continue
        if name == "pyfoma" and ka.num_arcs + kb.num_arcs > PYFOMA_MAX_ARCS:
            continue
        build = _BUILD_INPUT[name]
        out[name] = _make(name, functools.partial(op, build(ka), build(kb)), check)
    return out


# -- the operations each peer offers ---------------------------------------------------------
# Each takes the peer's machine(s) and returns a new machine; in-place
# operations copy first, inside the timed call.


def rs_inplace(fn_name: str, *args):
    """A rustfst algorithm that mutates its argument, applied to a copy."""
    def op(f):
        mod = importlib.import_module(f"rustfst.algorithms.{_RS_MODULE[fn_name]}")
        g = f.copy()
        getattr(mod, fn_name)(g, *args)
        return g  # (rustfst 1.1's top_sort returns an empty handle: use the copy)
    return op


_RS_MODULE = {"tr_sort": "tr_sort", "connect": "connect", "project": "project",
              "minimize": "minimize", "optimize": "optimize", "union": "union",
              "concat": "concat", "top_sort": "top_sort", "rm_epsilon": "rm_epsilon"}


def rs_reverse(f):
    from rustfst.algorithms.reverse import reverse
    return reverse(f)


def rs_rmepsilon(f):
    return rs_inplace("rm_epsilon")(f)


def rs_compose(a, b):
    """rustfst's compose refuses a left machine whose output-label order it
    does not know: sort a copy by output label (inside the timed call)."""
    from rustfst.algorithms.compose import compose
    from rustfst.algorithms.tr_sort import tr_sort
    a = a.copy()
    tr_sort(a, False)
    return compose(a, b)


def kf_reverse(f):
    import kaldifst
    return kaldifst.reverse(f)


def kf_shortest_path(nshortest: int = 1):
    def op(f):
        import kaldifst
        return kaldifst.shortest_path(f, n=nshortest)
    return op


def rs_project(output: bool):
    def op(f):
        from rustfst.algorithms.project import ProjectType, project
        kind = ProjectType.PROJECT_OUTPUT if output else ProjectType.PROJECT_INPUT
        return project(f.copy(), kind)
    return op


def rs_binary_inplace(fn_name: str):
    def op(a, b):
        mod = importlib.import_module(f"rustfst.algorithms.{fn_name}")
        return getattr(mod, fn_name)(a.copy(), b)
    return op


def rs_shortest_path(nshortest: int = 1):
    def op(f):
        from rustfst.algorithms.shortest_path import (
            ShortestPathConfig,
            shortestpath,
            shortestpath_with_config,
        )
        if nshortest == 1:
            return shortestpath(f)
        return shortestpath_with_config(f, ShortestPathConfig(nshortest=nshortest))
    return op


def rs_det_min(f):
    from rustfst.algorithms.determinize import determinize
    from rustfst.algorithms.minimize import minimize
    return minimize(determinize(f))


def kf_inplace(fn_name: str, **kwargs):
    """A kaldifst function that mutates its argument, applied to a copy."""
    def op(f):
        import kaldifst
        g = f.copy()
        getattr(kaldifst, fn_name)(g, **kwargs)
        return g
    return op


def kf_det_min(f):
    import kaldifst
    g = kaldifst.determinize(f)
    kaldifst.minimize(g)
    return g


def kf_compose(a, b):
    """kaldifst matches on the left machine's output labels
    (``match_side='left'``), which must be sorted (unsorted input gives a
    wrong result, not an error): sort a copy by output label, inside the
    timed call."""
    import kaldifst
    if not a.is_olabel_sorted:
        a = a.copy()
        kaldifst.arcsort(a, sort_type="olabel")
    return kaldifst.compose(a, b)


def pf_det_min(f):
    return f.determinize().minimize()


# -- file I/O -----------------------------------------------------------------------------------


def read_binary(path: str, *, check) -> dict[str, PeerCase]:
    """Reading an OpenFst binary file: rustfst ``VectorFst.read``, kaldifst
    ``StdVectorFst.read``; the machine read is converted back and checked."""
    out = {}
    if available("rustfst"):
        from rustfst import VectorFst
        out["rustfst"] = _make("rustfst", functools.partial(VectorFst.read, path), check)
    if available("kaldifst"):
        import kaldifst
        out["kaldifst"] = _make("kaldifst", functools.partial(kaldifst.StdVectorFst.read, path),
                                check)
    return out


def write_binary(kf, stem: str) -> dict[str, PeerCase]:
    """Writing an OpenFst binary file; the check reads the peer's file with
    OpenFst (pynini) and compares it with the machine."""
    out = {}
    for name in ("rustfst", "kaldifst"):
        if not available(name) or not _tropical(kf):
            continue
        machine = _BUILD_INPUT[name](kf)
        path = os.path.join(_tmpdir(), f"{stem}-{name}.fst")

        def check(_res, _pres, path=path, name=name):
            import pynini

            from .checks import fst_agrees
            fst_agrees(kf, pynini.Fst.read(path), what=f"pynini reading {name}'s file")

        out[name] = PeerCase(run=functools.partial(machine.write, path), check=check)
    return out
