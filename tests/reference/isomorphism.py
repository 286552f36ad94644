"""Exact isomorphism of two small machines by backtracking search: the
fallback when ``pynini.isomorphic`` cannot decide (OpenFst gives up when a
state has two arcs with equal labels and weights, "Cannot determine if
inputs are isomorphic"). Exponential in the worst case; for test-sized
machines only."""

from __future__ import annotations

import math


def _close(x: float, y: float, delta: float) -> bool:
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= delta * max(1.0, abs(x), abs(y))


def isomorphic(f, g, delta: float = 1e-3) -> bool:
    """Whether kleene machines ``f`` and ``g`` are equal up to a renumbering
    of states and a reordering of each state's arcs (weights within
    ``delta``). Every state must be matched, reachable or not from the
    start (unreachable states are paired by a final brute-force pass)."""
    if (f.num_states, f.num_arcs) != (g.num_states, g.num_arcs):
        return False
    if f.num_states == 0:
        return True
    if (f.start < 0) != (g.start < 0):
        return False
    arcs_f = [f.arcs(s) for s in range(f.num_states)]
    arcs_g = [g.arcs(s) for s in range(g.num_states)]

    def compatible(s: int, t: int) -> bool:
        return (len(arcs_f[s]) == len(arcs_g[t])
                and _close(f.final_weight(s), g.final_weight(t), delta))

    def expand(mapping: dict, used: set, pending: list) -> bool:
        if not pending:
            return finish(mapping, used)
        (s, t), rest = pending[0], pending[1:]
        return match(arcs_f[s], arcs_g[t], 0, set(), mapping, used, rest)

    def match(fa, ga, i, taken, mapping, used, pending) -> bool:
        if i == len(fa):
            return expand(mapping, used, pending)
        a = fa[i]
        for j, b in enumerate(ga):
            if j in taken or a.ilabel != b.ilabel or a.olabel != b.olabel:
                continue
            if not _close(a.weight, b.weight, delta):
                continue
            target = mapping.get(a.nextstate)
            if target is not None:
                if target == b.nextstate and match(fa, ga, i + 1, taken | {j}, mapping,
                                                   used, pending):
                    return True
            elif b.nextstate not in used and compatible(a.nextstate, b.nextstate):
                mapping[a.nextstate] = b.nextstate
                used.add(b.nextstate)
                if match(fa, ga, i + 1, taken | {j}, mapping, used,
                         pending + [(a.nextstate, b.nextstate)]):
                    return True
                del mapping[a.nextstate]
                used.discard(b.nextstate)
        return False

    def finish(mapping: dict, used: set) -> bool:
        # states not reached from the start: pair the first unmatched one
        # with every compatible unmatched candidate and search again
        rest = [s for s in range(f.num_states) if s not in mapping]
        if not rest:
            return True
        s = rest[0]
        for t in range(g.num_states):
            if t not in used and compatible(s, t):
                mapping[s] = t
                used.add(t)
                if expand(mapping, used, [(s, t)]):
                    return True
                del mapping[s]
                used.discard(t)
        return False

    if f.start < 0:
        return finish({}, set())
    if not compatible(f.start, g.start):
        return False
    return expand({f.start: g.start}, {g.start}, [(f.start, g.start)])
