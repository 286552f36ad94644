"""disambiguate: equivalence with pynini.disambiguate as a weighted relation
and unambiguity of the result."""

from __future__ import annotations

import pytest
from hypothesis import given

from kleene import FstBuilder, from_pynini
from kleene.algorithms.disambiguate import disambiguate
from kleene.errors import FstArgError, FstOpError

from ..helpers import fsts, require_pynini
from ..reference.determinize import label_sequence_weights, same_weights


def _pair_paths(fst):
    """Every successful path's pair-label sequence (ε kept), with repeats."""
    seqs = []

    def walk(s, seq):
        if fst.final[s] != fst.semiring.zero:
            seqs.append(tuple(seq))
        for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1])):
            walk(int(fst.nextstate[a]), seq + [(int(fst.ilabel[a]), int(fst.olabel[a]))])

    if fst.start >= 0:
        walk(fst.start, [])
    return seqs


@given(fst=fsts(acyclic=True, max_states=6, max_arcs=10, num_labels=3))
def test_same_relation_as_pynini_and_unambiguous(fst):
    pynini = require_pynini()
    ours = disambiguate(fst)
    try:
        theirs = from_pynini(pynini.disambiguate(fst.to_pynini()))
    except pynini.FstOpError:
        # pynini 2.1's disambiguate sometimes fails ("Operation failed") on
        # small inputs, not reproducibly within one process; the oracle has
        # nothing to say then, but kleene's own invariant below still holds
        theirs = None
    if theirs is not None:
        # same (input, output) relation with the best weight per pair of strings
        assert same_weights(label_sequence_weights(ours, keep_input_epsilons=False),
                            label_sequence_weights(theirs, keep_input_epsilons=False))
    seqs = _pair_paths(ours)
    assert len(seqs) == len(set(seqs))


@given(fst=fsts(acyclic=True, max_states=6, max_arcs=10, num_labels=3))
def test_keeps_the_best_path_per_pair_sequence(fst):
    ours = disambiguate(fst)
    best = {}

    def walk(s, seq, w):
        if fst.final[s] != fst.semiring.zero:
            total = w + float(fst.final[s])
            best[tuple(seq)] = min(best.get(tuple(seq), total), total)
        for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1])):
            walk(int(fst.nextstate[a]), seq + [(int(fst.ilabel[a]), int(fst.olabel[a]))],
                 w + float(fst.weight[a]))

    walk(fst.start, [], 0.0)
    got = {}

    def walk2(s, seq, w):
        if ours.final[s] != ours.semiring.zero:
            got[tuple(seq)] = w + float(ours.final[s])
        for a in range(int(ours.indptr[s]), int(ours.indptr[s + 1])):
            walk2(int(ours.nextstate[a]), seq + [(int(ours.ilabel[a]), int(ours.olabel[a]))],
                  w + float(ours.weight[a]))

    if ours.start >= 0:
        walk2(ours.start, [], 0.0)
    assert got.keys() == best.keys()
    assert all(abs(got[k] - best[k]) < 2e-3 for k in got)


def test_errors():
    b = FstBuilder()
    b.add_states(3)
    b.set_start(0)
    for s, i, o, w, t in [(0, 1, 1, 0.0, 1), (0, 1, 1, 0.0, 2), (1, 1, 2, 1.0, 1),
                          (2, 1, 2, 2.0, 2)]:
        b.add_arc(s, i, o, w, t)
    b.set_final(1, 0.0)
    b.set_final(2, 0.0)
    with pytest.raises(FstOpError, match="twins"):
        disambiguate(b.freeze(), max_states=300)
    with pytest.raises(FstArgError):
        disambiguate("a")
