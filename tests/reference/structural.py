"""Naive references and checks for the structural operations (arcsort,
connect, topsort, reverse, union, concat, closure, ...). Deliberately slow
and obvious: plain Python over ``fst.arcs(s)``."""

from __future__ import annotations

import numpy as np


def arc_tuples(fst):
    """Every arc as ``(ilabel, olabel, weight)`` in global (CSR) order."""
    return list(zip(fst.ilabel.tolist(), fst.olabel.tolist(), fst.weight.tolist()))


def check_arc_map(inputs, out, arc_map, repeats=False):
    """Output arc ``k`` carries the labels and weight of input arc
    ``arc_map[k]`` (indices into the concatenation of ``inputs``' arcs);
    ``-1`` marks new arcs, which must be epsilon arcs. Unless ``repeats``
    (closure copies its input), no input arc may be used twice."""
    arc_map = np.asarray(arc_map)
    assert arc_map.dtype == np.int64
    assert arc_map.shape == (out.num_arcs,)
    pool = [a for f in inputs for a in arc_tuples(f)]
    got = arc_tuples(out)
    for k, j in enumerate(arc_map.tolist()):
        if j == -1:
            assert got[k][:2] == (0, 0), (k, got[k])
        else:
            assert 0 <= j < len(pool), (k, j)
            assert got[k] == pool[j], (k, j, got[k], pool[j])
    used = arc_map[arc_map >= 0]
    if not repeats:
        assert np.unique(used).shape == used.shape, "an input arc was used twice"


def useful_states(fst):
    """States that are accessible and coaccessible (set), by plain search."""
    n = fst.num_states
    if fst.start < 0:
        return set()
    succ = {s: [a.nextstate for a in fst.arcs(s)] for s in range(n)}
    acc = {fst.start}
    todo = [fst.start]
    while todo:
        s = todo.pop()
        for t in succ[s]:
            if t not in acc:
                acc.add(t)
                todo.append(t)
    coacc = {s for s in range(n) if fst.is_final(s)}
    changed = True
    while changed:
        changed = False
        for s in range(n):
            if s not in coacc and any(t in coacc for t in succ[s]):
                coacc.add(s)
                changed = True
    return acc & coacc


def is_topologically_sorted(fst):
    return all(a.nextstate > s for s in range(fst.num_states) for a in fst.arcs(s))


def assert_fold_matches_pynini(name: str, machines) -> None:
    """kleene's n-ary ``name`` (``"concat"`` or ``"union"``) of ``machines``
    equals pynini's left-to-right fold of the binary operation (same states,
    arcs and weights), and its arc map points at the copied input arcs."""
    import kleene

    from ..helpers import assert_same_fst, require_pynini
    pynini = require_pynini()
    out, arc_map = getattr(kleene, name)(*machines, return_arc_map=True)
    expected = machines[0].to_pynini()
    for m in machines[1:]:
        expected = getattr(pynini, name)(expected, m.to_pynini())
    assert_same_fst(out, expected)
    check_arc_map(machines, out, arc_map)
