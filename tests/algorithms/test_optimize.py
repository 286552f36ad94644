"""optimize: isomorphic to pynini's optimize(compute_props=True) on random
machines, equivalent with compute_props=False, path sets preserved without
pynini; the helpers arc_sum and has_unweighted_cycles against naive ones."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

import kleene
from kleene.algorithms.optimize import arc_sum, has_unweighted_cycles, optimize

from ..helpers import assert_isomorphic, fsts, require_pynini

SMALL = dict(max_states=5, max_arcs=9, num_labels=3)


def path_weights(fst) -> dict:
    """{(input labels, output labels): min weight} of an acyclic tropical machine."""
    out = defaultdict(lambda: math.inf)
    if fst.start < 0:
        return {}
    stack = [(fst.start, (), (), 0.0)]
    while stack:
        s, ins, outs, w = stack.pop()
        if fst.is_final(s):
            out[(ins, outs)] = min(out[(ins, outs)], w + fst.final_weight(s))
        for a in fst.arcs(s):
            stack.append((a.nextstate, ins + ((a.ilabel,) if a.ilabel else ()),
                          outs + ((a.olabel,) if a.olabel else ()), w + a.weight))
    return dict(out)


def pynini_optimize(fst, compute_props=True):
    return fst.to_pynini().optimize(compute_props=compute_props)


def sorted_input(fst):
    """OpenFst's cyclic minimizer can leave equivalent states unmerged when
    a state's arcs are not sorted by input label (kleene merges them), so
    the isomorphism tests give both libraries label-sorted machines."""
    return kleene.arcsort(fst, sort_type="ilabel")


@settings(max_examples=60)
@given(fsts(acceptor=True, **SMALL))
def test_acceptors_isomorphic_to_pynini(fst):
    compare_with_pynini(sorted_input(fst))


@settings(max_examples=60)
@given(fsts(**SMALL))
def test_transducers_isomorphic_to_pynini(fst):
    compare_with_pynini(sorted_input(fst))


def compare_with_pynini(fst):
    """Isomorphic to pynini's result, except where OpenFst minimizes a
    transducer: a deterministic transducer, or a weighted cyclic acceptor
    whose weights are encoded (the encoded machine keeps its output labels).
    There OpenFst's Gallic minimization also pushes output labels (it can
    even turn the acceptor into a transducer) and kleene's minimize does not
    (see kleene.minimize); the results must then be equivalent."""
    pynini = require_pynini()
    ours, theirs = optimize(fst, compute_props=True), pynini_optimize(fst)
    if pynini.isomorphic(ours.to_pynini(), theirs, delta=1e-3):
        return
    ready = fst if fst.has(kleene.Prop.NO_EPSILONS) else kleene.rmepsilon(fst)
    deterministic_transducer = (ready.has(kleene.Prop.I_DETERMINISTIC)
                                and not ready.has(kleene.Prop.ACCEPTOR))
    weight_encoded_acceptor = (
        ready.has(kleene.Prop.ACCEPTOR) and fst.semiring.idempotent
        and not (ready.has(kleene.Prop.ACYCLIC) or ready.has(kleene.Prop.UNWEIGHTED)
                 or has_unweighted_cycles(ready)))
    assert deterministic_transducer or weight_encoded_acceptor, (
        f"not isomorphic\nkleene:\n{ours}\npynini:\n{theirs}")
    assert pynini.randequivalent(ours.to_pynini(), theirs, npath=20, seed=3,
                                 max_length=30)


@settings(max_examples=40)
@given(st.sampled_from(["log", "log64"]).flatmap(
    lambda sr: fsts(semiring=sr, acyclic=True, **SMALL)))
def test_log_acyclic_isomorphic_to_pynini(fst):
    """Non-idempotent semirings: acyclic machines are determinized (label
    pairs encoded for transducers) and minimized."""
    compare_with_pynini(sorted_input(fst))


def test_log_cyclic_only_loses_epsilons():
    """A cyclic log machine is not determinized (it may not be
    determinizable): ε-removal only, as pynini."""
    require_pynini()
    fst = kleene.compile_text("0 1 1 1 0.5\n0 2 1 1 0.25\n1 0 2 2 1\n2 0 3 3 1\n"
                              "1 3 0 0 1\n3 1.5\n", semiring="log")
    out = optimize(fst, compute_props=True)
    assert out.has(kleene.Prop.NO_EPSILONS) and not out.has(kleene.Prop.I_DETERMINISTIC)
    assert_isomorphic(out, pynini_optimize(fst))


@settings(max_examples=30)
@given(fsts(**SMALL))
def test_without_computed_props_still_equivalent(fst):
    pynini = require_pynini()
    ours = optimize(fst)
    assert pynini.randequivalent(ours.to_pynini(), fst.to_pynini(), npath=20, seed=1,
                                 max_length=30)
    assert pynini.randequivalent(ours.to_pynini(), pynini_optimize(fst, False),
                                 npath=20, seed=2, max_length=30)


@settings(max_examples=40)
@given(fsts(acyclic=True, **SMALL), st.booleans())
def test_path_weights_preserved(fst, compute_props):
    """Every (input, output) pair keeps its best weight (no pynini needed)."""
    got = path_weights(optimize(fst, compute_props=compute_props))
    expected = path_weights(fst)
    assert got.keys() == expected.keys()
    for key in got:
        assert math.isclose(got[key], expected[key], abs_tol=1e-4)


@settings(max_examples=30)
@given(fsts(acceptor=True, acyclic=True, epsilons=False, **SMALL))
def test_result_is_minimal_deterministic(fst):
    out = optimize(fst, compute_props=True)
    assert out.has(kleene.Prop.I_DETERMINISTIC)
    assert out.num_states <= kleene.determinize(fst).num_states


@settings(max_examples=40)
@given(st.sampled_from(["tropical", "log", "real", "boolean"]).flatmap(
    lambda sr: fsts(semiring=sr, max_arcs=12, num_labels=2)))
def test_arc_sum_against_naive(fst):
    out = arc_sum(fst)
    sr = fst.semiring
    for s in fst.states():
        groups = {}
        for a in fst.arcs(s):
            key = (a.ilabel, a.olabel, a.nextstate)
            groups[key] = a.weight if key not in groups else float(sr.plus(groups[key],
                                                                            a.weight))
        got = [((a.ilabel, a.olabel, a.nextstate), a.weight) for a in out.arcs(s)]
        assert [k for k, _ in got] == sorted(groups)
        for key, w in got:
            assert math.isclose(w, groups[key], rel_tol=1e-5, abs_tol=1e-5)
    assert out.final.tolist() == fst.final.tolist()


@settings(max_examples=60)
@given(fsts(max_states=6, max_arcs=10))
def test_unweighted_cycles_against_naive(fst):
    # an arc is on a cycle iff its destination reaches its source
    def reaches(a, b):
        seen, stack = {a}, [a]
        while stack:
            s = stack.pop()
            if s == b:
                return True
            for arc in fst.arcs(s):
                if arc.nextstate not in seen:
                    seen.add(arc.nextstate)
                    stack.append(arc.nextstate)
        return False
    expected = all(arc.weight == 0.0 or not reaches(arc.nextstate, s)
                   for s in fst.states() for arc in fst.arcs(s))
    assert has_unweighted_cycles(fst) == expected
