"""Path operations: shortest_distance, shortest_path, prune, push, randgen.

Inputs: the random cyclic transducer of :mod:`bench_structural` (tropical) and
an ASR-like acyclic lattice (tropical and log), whose every state lies on a
successful path, so pushing and pruning are well defined.
"""

from __future__ import annotations

from . import peers
from .bench_structural import _label, sizes
from .checks import (randgen_valid, same_distances, same_fst, as_accurate_as_pynini,
                     same_shortest_paths)
from .generate import cached, fresh, nbytes
from .harness import Case, Workload


def _case(spec, kcall, pcall, check, note="", peer_ops=None):
    def build():
        kf, pf = cached(*spec[0], **spec[1])
        chk = check(pf) if callable(check) and getattr(check, "needs_input", False) else check
        return Case(kleene=lambda: kcall(fresh(kf)), pynini=lambda: pcall(pf), check=chk,
                    num_states=kf.num_states, num_arcs=kf.num_arcs, input_bytes=nbytes(kf),
                    note=note, peers=peers.unary(kf, **(peer_ops or {})))
    return build


def _log64(spec):
    """pynini's copy of a cached log machine in log64 (a float64 reference)."""
    import numpy as np

    import kleene

    from .generate import to_pynini_fast
    kf, _ = cached(*spec[0], **spec[1])
    f64 = kf.replace(semiring=kleene.log64, weight=kf.weight.astype(np.float64),
                     final=kf.final.astype(np.float64))
    return to_pynini_fast(f64)


def _needs_input(factory):
    factory.needs_input = True
    return factory


def workloads(quick: bool) -> list[Workload]:
    import pynini

    import kleene
    out = []
    for n, m in sizes(quick):
        cyclic = (("random", n, m), dict(seed=1))
        lat = (("lattice", n, m), dict(seed=6))
        lat_log = (("lattice", n, m), dict(semiring="log", seed=6))
        # prune's keep/drop decision at the threshold (within delta) depends
        # on float32 rounding order along ~n-arc paths: exact weights avoid it
        lat_exact = (("lattice", n, m), dict(quantum=0.125, seed=6))
        cyc, lab = _label(n, m, "cyclic"), _label(n, m, "lattice")

        def add(name, module, label, spec, kcall, pcall, check, note="", **peer_ops):
            out.append(Workload(name, label, (f"algorithms.{module}:{module}",),
                                _case(spec, kcall, pcall, check, note, peer_ops)))

        add("shortest_distance", "shortest_distance", cyc, cyclic,
            lambda f: kleene.shortest_distance(f),
            lambda f: pynini.shortestdistance(f), same_distances())
        add("shortest_distance reverse", "shortest_distance", cyc, cyclic,
            lambda f: kleene.shortest_distance(f, reverse=True),
            lambda f: pynini.shortestdistance(f, reverse=True), same_distances())
        add("shortest_distance log", "shortest_distance", lab + " (log)", lat_log,
            lambda f: kleene.shortest_distance(f),
            lambda f: pynini.shortestdistance(f), same_distances())
        sp1 = {"rustfst": peers.rs_shortest_path(1), "kaldifst": peers.kf_shortest_path(1)}
        add("shortest_path", "shortest_path", cyc, cyclic,
            lambda f: kleene.shortest_path(f),
            lambda f: pynini.shortestpath(f), same_shortest_paths(), **sp1)
        add("shortest_path", "shortest_path", lab, lat,
            lambda f: kleene.shortest_path(f),
            lambda f: pynini.shortestpath(f), same_shortest_paths(), **sp1)
        add("shortest_path nshortest=10", "shortest_path", lab, lat,
            lambda f: kleene.shortest_path(f, nshortest=10),
            lambda f: pynini.shortestpath(f, nshortest=10), same_shortest_paths(),
            rustfst=peers.rs_shortest_path(10), kaldifst=peers.kf_shortest_path(10))
        add("prune weight=1", "prune", lab + " (weights k/8)", lat_exact,
            lambda f: kleene.prune(f, weight=1.0),
            lambda f: pynini.prune(f, weight=1.0), same_fst(),
            note="weights are multiples of 1/8 so path sums are exact in float32")
        add("push to_initial", "push", lab + " (weights k/8)", lat_exact,
            lambda f: kleene.push(f),
            lambda f: pynini.push(f, push_weights=True), same_fst())
        add("push to_final", "push", lab + " (weights k/8)", lat_exact,
            lambda f: kleene.push(f, to_final=True),
            lambda f: pynini.push(f, push_weights=True, reweight_type="to_final"),
            same_fst())
        add("push to_initial log", "push", lab + " (log)", lat_log,
            lambda f: kleene.push(f),
            lambda f: pynini.push(f, push_weights=True),
            as_accurate_as_pynini(lambda: pynini.push(_log64(lat_log), push_weights=True,
                                                      delta=1e-12)),
            note="log potentials reach ~1e3, so float32 rounding (~1e-3) is compared: "
                 "kleene's error vs a log64 pynini push converged to delta=1e-12 is at "
                 "most pynini's (at its default delta pynini's log64 push is itself "
                 "off by ~2e-2 on the start arcs)")
        words = 300 if quick else 24_000
        add("shortest_distance", "shortest_distance", f"trie of {words:,} strings",
            (("trie", words), dict(seed=23)), lambda f: kleene.shortest_distance(f),
            lambda f: pynini.shortestdistance(f), same_distances())
        npath = 10 if quick else 100
        add(f"randgen npath={npath}", "randgen", lab, lat,
            lambda f: kleene.randgen(f, npath=npath, seed=7),
            lambda f: pynini.randgen(f, npath=npath, seed=7),
            _needs_input(lambda pf: randgen_valid(pf, npath)),
            note="samples differ by design: checked that every kleene path is "
                 "accepted by the input")
    return out
