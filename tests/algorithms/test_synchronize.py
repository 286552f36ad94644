"""synchronize(): differential against pynini.synchronize (OpenFst's
SynchronizeFst), path-set preservation, and the unbounded-delay budget."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, strategies as st

import kleene
from kleene import Fst, FstBuilder, FstOpError
from kleene.algorithms.synchronize import synchronize

from ..helpers import PYNINI_SEMIRINGS, assert_same_fst, fsts, require_pynini


def _is_synchronized(fst: Fst) -> bool:
    """Ignoring ε:ε arcs (delay unchanged), every path reads labels on both
    sides until, from some arc on, one side stays ε: no arc with a non-ε
    label on a side after a labelled arc that had ε on that side."""
    # forward search tracking (seen ε input, seen ε output)
    seen = set()
    stack = [(fst.start, False, False)] if fst.start >= 0 else []
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        s, ieps, oeps = item
        for a in range(fst.indptr[s], fst.indptr[s + 1]):
            i, o = int(fst.ilabel[a]), int(fst.olabel[a])
            if i == 0 and o == 0:
                stack.append((int(fst.nextstate[a]), ieps, oeps))
                continue
            if (i and ieps) or (o and oeps):
                return False
            stack.append((int(fst.nextstate[a]), ieps or i == 0, oeps or o == 0))
    return True


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_acyclic_matches_pynini(semiring, data):
    pynini = require_pynini()
    fst = data.draw(fsts(semiring, acyclic=True, min_states=0, no_start_ok=True))
    out = synchronize(fst)
    assert_same_fst(out, pynini.synchronize(fst.to_pynini()))
    assert _is_synchronized(out)


@pytest.mark.parametrize("semiring", PYNINI_SEMIRINGS)
@given(data=st.data())
def test_cyclic_bounded_delay_matches_pynini(semiring, data):
    """Acceptors (with ε) and ε-free transducers have bounded delay."""
    pynini = require_pynini()
    acceptor = data.draw(st.booleans())
    fst = data.draw(fsts(semiring, acceptor=acceptor, epsilons=acceptor))
    out = synchronize(fst)
    assert_same_fst(out, pynini.synchronize(fst.to_pynini()))
    assert _is_synchronized(out)
    if fst.has(kleene.Prop.ACCEPTOR):
        assert out.has(kleene.Prop.ACCEPTOR)


def _path_items(fst):
    return sorted((i, o, round(w, 3)) for i, o, w in kleene.paths(fst))


@given(fsts(acyclic=True, max_states=5, max_arcs=8))
def test_acyclic_paths_preserved(fst):
    out = synchronize(fst)
    assert _path_items(out) == _path_items(fst)


def test_epsilon_heavy_examples_match_pynini():
    pynini = require_pynini()
    machines = [
        pynini.cross("a", "") + pynini.cross("", "b"),
        pynini.cross("ab", ""),
        pynini.cross("", "xyz") + pynini.cross("a", "b"),
        pynini.cross("abc", "x").closure(0, 3),
        (pynini.cross("ab", "xy") | pynini.cross("c", "z")).closure(),
        pynini.cross("ab", "") + pynini.cross("cd", "xy").closure(),
    ]
    for m in machines:
        m = m.optimize() if m.num_states() > 8 else m
        fst = kleene.from_pynini(m)
        out = synchronize(fst)
        assert_same_fst(out, pynini.synchronize(m))
        assert _is_synchronized(out)
        assert _path_items(out) == _path_items(fst) if fst.has(kleene.Prop.ACYCLIC) else True


def test_unbounded_delay_raises():
    # a loop reading "a" and writing "xx": the delay grows without bound
    b = FstBuilder()
    b.add_states(1)
    b.set_start(0)
    b.set_final(0)
    b.add_arc(0, 1, 2, None, 0)
    b.add_arc(0, 0, 3, None, 0)
    loop = b.freeze()
    with pytest.raises(FstOpError, match="unbounded delay"):
        synchronize(loop, state_threshold=500)
    # the default budget stops it too (residual label budget); its speed is
    # a benchmark matter, not a test's
    with pytest.raises(FstOpError, match="unbounded delay"):
        synchronize(loop)
    with pytest.raises(kleene.FstArgError):
        synchronize(loop, state_threshold=0)


def test_no_start_and_symbols():
    out = synchronize(Fst.empty())
    assert out.start == -1 and out.num_states == 0
    fst = kleene.accep("ab")
    assert synchronize(fst).isymbols is fst.isymbols


def test_grammar_sized_machine_matches_pynini():
    # 20k strings mapped to shifted outputs: ~100k arcs
    rng = np.random.default_rng(0)
    b = FstBuilder()
    b.add_states(1)
    b.set_start(0)
    arcs = 0
    while arcs < 100_000:
        n = int(rng.integers(1, 8))
        prev = 0
        for k in range(n):
            s = b.add_state()
            i = int(rng.integers(1, 50)) if k < n - 1 else 0
            o = 0 if k == 0 else int(rng.integers(1, 50))
            b.add_arc(prev, i, o, 0.5, s)
            prev = s
            arcs += 1
        b.set_final(prev)
    fst = b.freeze()
    out = synchronize(fst)
    assert out.num_arcs >= fst.num_arcs
    pynini = require_pynini()
    assert_same_fst(out, pynini.synchronize(fst.to_pynini()))
