"""Random sequences of operations, run in kleene and in pynini side by side.

A hypothesis state machine keeps a pool of ``(kleene machine, pynini
machine)`` pairs that started equal; every rule applies one operation
(union, concat, closure, compose, project, invert, rmepsilon, determinize,
minimize, arcsort, connect, optimize) to pool members in both libraries and
checks that the two results describe the same weighted relation:

- acyclic results with few paths: every (input, output) pair and its
  ⊕-summed weight, enumerated by the naive DFS of ``test_identities``;
- otherwise ``pynini.randequivalent`` (random paths drawn from both
  machines, each weighed in both).

Results are compared for equivalence, not isomorphism: kleene's state
numbering and, for transducer minimization (output labels are not pushed,
see :func:`kleene.minimize`), its machines may legitimately differ from
OpenFst's. Results over ~200 states are not added to the pool, to keep the
run fast.
"""

from __future__ import annotations

import sys

import numpy as np
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    rule,
)

import kleene
from kleene import FstOpError, Prop

from ..helpers import fsts, require_pynini
from .test_identities import relation

pynini = require_pynini()

MAX_STATES = 200
MAX_PATHS = 2000
SMALL = {"max_states": 4, "max_arcs": 7, "num_labels": 3}


def path_count(fst) -> int:
    """Number of successful paths of an acyclic machine (capped)."""
    order = kleene.topsort(fst)
    counts = np.zeros(order.num_states, dtype=object)
    for s in range(order.num_states - 1, -1, -1):
        c = 0 if order.semiring.is_zero(order.final[s]) else 1
        for a in range(order.indptr[s], order.indptr[s + 1]):
            c += counts[order.nextstate[a]]
        counts[s] = min(c, MAX_PATHS + 1)
    return int(counts[order.start]) if order.start >= 0 else 0


def assert_same_relation(k, p):
    ours = k.to_pynini()
    if k.has(Prop.ACYCLIC) and path_count(k) <= MAX_PATHS:
        theirs = kleene.from_pynini(p)
        if theirs.has(Prop.ACYCLIC) and path_count(theirs) <= MAX_PATHS:
            rk, rp = relation(k), relation(theirs)
            assert set(rk) == set(rp), (sorted(rk), sorted(rp))
            for key, w in rp.items():
                assert abs(rk[key] - w) <= 1e-3 * max(1.0, abs(w)), (key, rk[key], w)
            return
    assert pynini.randequivalent(ours, p, npath=30, seed=7, max_length=40), (
        f"kleene:\n{ours}\npynini:\n{p}")


def small(k, p) -> bool:
    return k.num_states <= MAX_STATES and p.num_states() <= MAX_STATES


class KleeneVsPynini(RuleBasedStateMachine):
    pool = Bundle("pool")

    def _keep(self, k, p):
        assert_same_relation(k, p)
        event(f"{sys._getframe(1).f_code.co_name} checked")
        if not small(k, p):
            return multiple()  # too big to keep operating on quickly
        return (k, p)

    @initialize(target=pool, fst=fsts("tropical", **SMALL))
    def first_transducer(self, fst):
        return (fst, fst.to_pynini())

    @initialize(target=pool, fst=fsts("tropical", acceptor=True, **SMALL))
    def first_acceptor(self, fst):
        return (fst, fst.to_pynini())

    @rule(target=pool, fst=st.one_of(fsts("tropical", **SMALL),
                                     fsts("tropical", acceptor=True, **SMALL),
                                     fsts("tropical", acceptor=True, weighted=False, **SMALL)))
    def new_machine(self, fst):
        return (fst, fst.to_pynini())

    @rule(target=pool, a=pool, b=pool)
    def union(self, a, b):
        return self._keep(kleene.union(a[0], b[0]), pynini.union(a[1], b[1]))

    @rule(target=pool, a=pool, b=pool)
    def concat(self, a, b):
        return self._keep(kleene.concat(a[0], b[0]), pynini.concat(a[1], b[1]))

    @rule(target=pool, a=pool, plus=st.booleans())
    def closure(self, a, plus):
        lower = 1 if plus else 0
        return self._keep(kleene.closure(a[0], lower),
                          pynini.closure(a[1], lower))

    @rule(target=pool, a=pool, b=pool)
    def compose(self, a, b):
        if a[0].num_states * b[0].num_states > 2000:
            return multiple()
        return self._keep(kleene.compose(a[0], b[0]), pynini.compose(a[1], b[1]))

    @rule(target=pool, a=pool, side=st.sampled_from(["input", "output"]))
    def project(self, a, side):
        return self._keep(kleene.project(a[0], project_type=side),
                          pynini.project(a[1], side))

    @rule(target=pool, a=pool)
    def invert(self, a):
        return self._keep(kleene.invert(a[0]), pynini.invert(a[1]))

    @rule(target=pool, a=pool)
    def rmepsilon(self, a):
        return self._keep(kleene.rmepsilon(a[0]), pynini.rmepsilon(a[1]))

    @rule(target=pool, a=pool)
    def determinize(self, a):
        k = a[0]
        # acceptors only; weighted cycles may lack the twins property (the
        # construction would not terminate in OpenFst)
        if not k.has(Prop.ACCEPTOR) or not (k.has(Prop.ACYCLIC) or k.has(Prop.UNWEIGHTED)):
            return multiple()
        try:
            out = kleene.determinize(k, max_states=4 * MAX_STATES)
        except FstOpError:
            return multiple()  # exponential blow-up: pynini is not run at all
        return self._keep(out, pynini.determinize(a[1]))

    @rule(target=pool, a=pool)
    def minimize(self, a):
        if not a[0].has(Prop.I_DETERMINISTIC):
            return multiple()  # both libraries refuse nondeterministic input
        return self._keep(kleene.minimize(a[0]), pynini.minimize(a[1].copy()))

    @rule(target=pool, a=pool, sort_type=st.sampled_from(["ilabel", "olabel"]))
    def arcsort(self, a, sort_type):
        return self._keep(kleene.arcsort(a[0], sort_type=sort_type),
                          pynini.arcsort(a[1], sort_type))

    @rule(target=pool, a=pool)
    def connect(self, a):
        return self._keep(kleene.connect(a[0]), pynini.connect(a[1]))

    @rule(target=pool, a=pool)
    def optimize(self, a):
        return self._keep(kleene.optimize(a[0], compute_props=True),
                          a[1].copy().optimize(compute_props=True))


KleeneVsPynini.TestCase.settings = settings(
    max_examples=60, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestKleeneVsPynini = KleeneVsPynini.TestCase
