"""Slow, obviously correct ε-removal (and path enumeration) in float64.

The ε-closure distances are computed in closed form instead of by the
generic shortest-distance algorithm: Floyd–Warshall (min, +) for tropical,
reachability for boolean, and the matrix inverse ``(I - E)^-1`` of the
ε-arc probability matrix for real and log. No kleene kernel is reused.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from .paths import Diverges, s_one, s_plus, s_times, s_zero

INF = math.inf


def epsilon_closure(fst):
    """``D[s][q]``: ⊕-sum of the weights of all ε:ε paths from ``s`` to ``q``
    (float64 matrix, semiring zero where none). Raises :class:`Diverges`
    when the sums are infinite."""
    name = fst.semiring.name
    n = fst.num_states
    eps = [(s, float(fst.weight[a]), int(fst.nextstate[a]))
           for s in range(n) for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1]))
           if fst.ilabel[a] == 0 and fst.olabel[a] == 0]
    if name == "tropical":
        d = np.full((n, n), INF)
        for s, w, t in eps:
            d[s, t] = min(d[s, t], w)
        for k in range(n):
            d = np.minimum(d, d[:, k:k + 1] + d[k:k + 1, :])
        if n and np.any(np.diag(d) < 0):
            raise Diverges("negative ε-cycle")
        np.fill_diagonal(d, 0.0)  # the empty path; no cycle improves on it
        return d
    if name == "boolean":
        r = np.eye(n, dtype=bool)
        for s, w, t in eps:
            if w != 0.0:
                r[s, t] = True
        for k in range(n):
            r = r | (r[:, k:k + 1] & r[k:k + 1, :])
        return r.astype(np.float64)
    # real and log: D = sum_k E^k = (I - E)^-1 over probabilities
    e = np.zeros((n, n))
    for s, w, t in eps:
        e[s, t] += w if name == "real" else math.exp(-w)
    if n and max(abs(np.linalg.eigvals(e))) >= 1 - 1e-9:
        raise Diverges("ε-cycle of probability >= 1")
    p = np.linalg.inv(np.eye(n) - e) if n else e
    if name == "real":
        return p
    with np.errstate(divide="ignore"):
        return np.where(p > 0, -np.log(np.maximum(p, 1e-300)), INF)


def rmepsilon_reference(fst):
    """``(arcs, finals)`` of the ε-removed machine with every state kept:
    ``arcs[s]`` maps ``(ilabel, olabel, nextstate)`` to the ⊕-summed weight,
    ``finals[s]`` is the new final weight."""
    name = fst.semiring.name
    n = fst.num_states
    d = epsilon_closure(fst)
    zero = s_zero(name)
    arcs = [defaultdict(lambda: zero) for _ in range(n)]
    finals = [zero] * n
    for s in range(n):
        for q in range(n):
            dq = float(d[s, q])
            if dq == zero:
                continue
            finals[s] = s_plus(name, finals[s], s_times(name, dq, float(fst.final[q])))
            for a in range(int(fst.indptr[q]), int(fst.indptr[q + 1])):
                il, ol = int(fst.ilabel[a]), int(fst.olabel[a])
                if il == 0 and ol == 0:
                    continue
                key = (il, ol, int(fst.nextstate[a]))
                arcs[s][key] = s_plus(name, arcs[s][key],
                                      s_times(name, dq, float(fst.weight[a])))
    return [dict(a) for a in arcs], finals


def arc_dicts(fst):
    """A machine's arcs per state as ``{(ilabel, olabel, nextstate): summed
    weight}`` (the form :func:`rmepsilon_reference` returns)."""
    name = fst.semiring.name
    out = []
    for s in range(fst.num_states):
        arcs = {}
        for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1])):
            key = (int(fst.ilabel[a]), int(fst.olabel[a]), int(fst.nextstate[a]))
            arcs[key] = s_plus(name, arcs.get(key, s_zero(name)), float(fst.weight[a]))
        out.append(arcs)
    return out


def path_weights(fst, max_arcs=40):
    """``{(input string, output string): ⊕-sum of path weights}`` over the
    successful paths of an acyclic machine (ε labels dropped)."""
    name = fst.semiring.name
    zero = s_zero(name)
    out = defaultdict(lambda: zero)
    if fst.start < 0:
        return {}
    stack = [(fst.start, (), (), s_one(name), 0)]
    while stack:
        q, ins, outs, w, depth = stack.pop()
        f = float(fst.final[q])
        if f != zero:
            out[(ins, outs)] = s_plus(name, out[(ins, outs)], s_times(name, w, f))
        if depth == max_arcs:
            raise ValueError("path_weights: machine is cyclic or too deep")
        for a in range(int(fst.indptr[q]), int(fst.indptr[q + 1])):
            il, ol = int(fst.ilabel[a]), int(fst.olabel[a])
            stack.append((int(fst.nextstate[a]), ins + ((il,) if il else ()),
                          outs + ((ol,) if ol else ()),
                          s_times(name, w, float(fst.weight[a])), depth + 1))
    return {k: v for k, v in out.items() if v != zero}


def weight_close(a, b, tol=1e-3):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def assert_same_weights(ours: dict, ref: dict, tol=1e-3):
    """Two ``{key: weight}`` maps with the same keys and close weights."""
    assert set(ours) == set(ref), (sorted(set(ours) ^ set(ref)), ours, ref)
    for k, w in ref.items():
        assert weight_close(ours[k], w, tol), (k, ours[k], w)
