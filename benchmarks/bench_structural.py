"""Structural operations: arcsort, connect, topsort, reverse, invert, project,
relabel, union, concat, closure.

pynini's module-level functions (``pynini.arcsort(f)``, ``pynini.connect(f)``,
...) copy their input and mutate the copy; OpenFst copies are copy-on-write,
so the deep copy happens inside the timed call. kleene always returns a new
machine, so both sides pay for building their output.
"""

from __future__ import annotations

import numpy as np

from . import peers
from .checks import same_fst
from .generate import cached, fresh, nbytes
from .harness import Case, Workload


def sizes(quick: bool) -> list[tuple[int, int]]:
    """(states, arcs) of the random inputs."""
    return [(300, 1500)] if quick else [(20_000, 100_000)]


def _label(n: int, m: int, kind: str) -> str:
    return f"{kind} {_short(n)}/{_short(m)}"


def _short(x: int) -> str:
    if x >= 1_000_000 and x % 1_000_000 == 0:
        return f"{x // 1_000_000}M"
    if x >= 1000 and x % 1000 == 0:
        return f"{x // 1000}k"
    return str(x)


def _unary(args, kleene_call, pynini_call, note="", peer_ops=None):
    """A workload applying one operation to one cached input machine;
    ``peer_ops`` maps a peer's name to its operation (``benchmarks.peers``)."""
    def build():
        kf, pf = cached(*args[0], **args[1])
        return Case(kleene=lambda: kleene_call(fresh(kf)), pynini=lambda: pynini_call(pf),
                    check=same_fst(), num_states=kf.num_states, num_arcs=kf.num_arcs,
                    input_bytes=nbytes(kf), note=note,
                    peers=peers.unary(kf, **(peer_ops or {})))
    return build


def workloads(quick: bool) -> list[Workload]:
    import pynini

    import kleene
    out = []
    for n, m in sizes(quick):
        cyclic = (("random", n, m), dict(seed=1))
        sparse = (("random", 2 * n, m), dict(final_fraction=0.02, seed=2))
        dag = (("random", n, m), dict(acyclic=True, shuffle=True, seed=3))
        cyc = _label(n, m, "cyclic")

        def add(name, module, label, spec, kcall, pcall, note="", **peer_ops):
            out.append(Workload(name, label, (f"algorithms.{module}:{module}",),
                                _unary(spec, kcall, pcall, note, peer_ops)))

        add("arcsort ilabel", "arcsort", cyc, cyclic,
            lambda f: kleene.arcsort(f, sort_type="ilabel"),
            lambda f: pynini.arcsort(f, sort_type="ilabel"),
            rustfst=peers.rs_inplace("tr_sort", True),
            kaldifst=peers.kf_inplace("arcsort", sort_type="ilabel"))
        add("arcsort olabel", "arcsort", cyc, cyclic,
            lambda f: kleene.arcsort(f, sort_type="olabel"),
            lambda f: pynini.arcsort(f, sort_type="olabel"),
            rustfst=peers.rs_inplace("tr_sort", False),
            kaldifst=peers.kf_inplace("arcsort", sort_type="olabel"))
        add("connect", "connect", _label(2 * n, m, "sparse cyclic"), sparse,
            lambda f: kleene.connect(f),
            lambda f: pynini.connect(f),
            rustfst=peers.rs_inplace("connect"), kaldifst=peers.kf_inplace("connect"),
            pyfoma=lambda f: f.trim())
        add("topsort", "topsort", _label(n, m, "shuffled acyclic"), dag,
            lambda f: kleene.topsort(f), lambda f: pynini.topsort(f),
            rustfst=peers.rs_inplace("top_sort"))
        add("reverse", "reverse", cyc, cyclic,
            lambda f: kleene.reverse(f), lambda f: pynini.reverse(f),
            rustfst=peers.rs_reverse, kaldifst=peers.kf_reverse,
            pyfoma=lambda f: f.reverse())
        add("invert", "invert", cyc, cyclic,
            lambda f: kleene.invert(f), lambda f: pynini.invert(f),
            kaldifst=peers.kf_inplace("invert"), pyfoma=lambda f: f.invert())
        add("project input", "project", cyc, cyclic,
            lambda f: kleene.project(f, project_type="input"),
            lambda f: pynini.project(f, "input"),
            rustfst=peers.rs_project(output=False), pyfoma=lambda f: f.project(0))
        add("project output", "project", cyc, cyclic,
            lambda f: kleene.project(f, project_type="output"),
            lambda f: pynini.project(f, "output"),
            rustfst=peers.rs_project(output=True), pyfoma=lambda f: f.project(-1))
        perm = np.random.default_rng(9).permutation(np.arange(1, 65))
        pairs = [(int(a), int(b)) for a, b in zip(range(1, 65), perm)]
        add("relabel ipairs", "relabel", cyc, cyclic,
            lambda f: kleene.relabel(f, ipairs=pairs),
            lambda f: pynini.relabel_pairs(f, ipairs=pairs),
            note="a permutation of all 64 input labels")
        add("closure star", "closure", cyc, cyclic,
            lambda f: kleene.closure(f), lambda f: pynini.closure(f))

        half_a = (("random", n // 2, m // 2), dict(seed=4))
        half_b = (("random", n // 2, m // 2), dict(seed=5))
        for name, kop, pop, ops in (
                ("union", lambda a, b: kleene.union(a, b), pynini.union,
                 {"rustfst": peers.rs_binary_inplace("union"),
                  "pyfoma": lambda a, b: a.union(b)}),
                ("concat", lambda a, b: kleene.concat(a, b), pynini.concat,
                 {"rustfst": peers.rs_binary_inplace("concat"),
                  "pyfoma": lambda a, b: a.concatenate(b)})):
            out.append(Workload(name, _label(n, m, "2 × cyclic half"),
                                (f"algorithms.{name}:{name}",),
                                _binary(half_a, half_b, kop, pop, peer_ops=ops)))
        # word-list style: union of two tries of random strings (deterministic
        # acyclic acceptors sharing no states)
        words = 300 if quick else 12_000
        trie_a = (("trie", words), dict(seed=21))
        trie_b = (("trie", words), dict(seed=22))
        out.append(Workload("union", f"2 × trie of {_short(words)} strings",
                            ("algorithms.union:union",),
                            _binary(trie_a, trie_b, lambda a, b: kleene.union(a, b),
                                    pynini.union,
                                    peer_ops={"rustfst": peers.rs_binary_inplace("union"),
                                              "pyfoma": lambda a, b: a.union(b)})))
    return out


def _binary(spec_a, spec_b, kop, pop, note="", peer_ops=None):
    def build():
        import pynini
        ka, pa = cached(*spec_a[0], **spec_a[1])
        kb, pb = cached(*spec_b[0], **spec_b[1])
        # OpenFst's Union adds a new start state unless it *knows* the first
        # machine is initial-acyclic. A machine built with pynini knows it
        # (AddArc tracks it); one read from our header-less binary does not.
        # Let OpenFst compute it once here, outside the timed region.
        for f in (pa, pb):
            f.properties(pynini.INITIAL_ACYCLIC | pynini.INITIAL_CYCLIC, True)
        return Case(kleene=lambda: kop(fresh(ka), fresh(kb)), pynini=lambda: pop(pa, pb),
                    check=same_fst(), num_states=ka.num_states + kb.num_states,
                    num_arcs=ka.num_arcs + kb.num_arcs,
                    input_bytes=nbytes(ka) + nbytes(kb), note=note,
                    peers=peers.binary(ka, kb, **(peer_ops or {})))
    return build
