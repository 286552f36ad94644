"""Naive references for minimization: Moore's refinement on dictionaries and
string-pair weights by path enumeration (acyclic machines)."""

from __future__ import annotations

import math


def ref_minimal_size(fst) -> int:
    """Number of states of the minimal DFA of an unweighted deterministic
    acceptor, by Moore's refinement over the trimmed machine (no sink)."""
    import kleene
    fst = kleene.connect(fst)
    n = fst.num_states
    if n == 0:
        return 0
    arcs = [{(a.ilabel): a.nextstate for a in fst.arcs(s)} for s in range(n)]
    block = [int(fst.is_final(s)) for s in range(n)]
    while True:
        sig = [(block[s], tuple(sorted((lab, block[t]) for lab, t in arcs[s].items())))
               for s in range(n)]
        ids = {}
        new = [ids.setdefault(x, len(ids)) for x in sig]
        if len(ids) == len(set(block)):
            return len(ids)
        block = new


def string_weights(fst, max_arcs: int = 30) -> dict:
    """{(input labels, output labels): ⊕-sum of path weights} over the
    successful paths (acyclic machines; epsilons dropped from the strings)."""
    sr = fst.semiring
    out: dict = {}
    if fst.start < 0:
        return out

    def plus(a, b):
        if sr.name == "tropical":
            return min(a, b)
        if math.isinf(a):
            return b
        if math.isinf(b):
            return a
        return min(a, b) - math.log1p(math.exp(-abs(a - b)))

    def walk(s, ins, outs, w, depth):
        if depth > max_arcs:
            raise RecursionError("path too long for the reference")
        fw = float(fst.final[s])
        if fw != sr.zero:
            key = (ins, outs)
            out[key] = plus(out.get(key, math.inf), w + fw)
        for a in fst.arcs(s):
            walk(a.nextstate, ins + ((a.ilabel,) if a.ilabel else ()),
                 outs + ((a.olabel,) if a.olabel else ()), w + a.weight, depth + 1)

    walk(fst.start, (), (), 0.0, 0)
    return out


def ref_acyclic_partition(fst) -> list:
    """Revuz's algorithm written from its definition, on dictionaries: the
    class of every state of an acyclic machine, states taken height by height
    (height = longest path to a state without arcs); two states of one
    height are equivalent iff they have the same final weight and the same
    set of (ilabel, olabel, weight, class of destination). Classes are
    numbered by first occurrence in state order."""
    n = fst.num_states
    height = [None] * n

    def h(s):
        if height[s] is None:
            height[s] = 1 + max((h(a.nextstate) for a in fst.arcs(s)), default=-1)
        return height[s]

    levels: dict = {}
    for s in range(n):
        levels.setdefault(h(s), []).append(s)
    cls = [None] * n
    for level in sorted(levels):
        ids: dict = {}
        for s in levels[level]:
            sig = (float(fst.final[s]), frozenset(
                (a.ilabel, a.olabel, float(a.weight), cls[a.nextstate]) for a in fst.arcs(s)))
            cls[s] = ids.setdefault(sig, (level, len(ids)))
    renumber: dict = {}
    return [renumber.setdefault(c, len(renumber)) for c in cls]
