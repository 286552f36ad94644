"""Slow, obviously correct path algorithms (pure Python / numpy float64).

Used by the tests of shortest_distance, shortest_path, prune, push and
randgen so the suite checks correctness without pynini. Weights are handled in
float64 with explicit formulas per semiring (no kleene code is reused).
"""

from __future__ import annotations

import math

import numpy as np

INF = math.inf


class Diverges(Exception):
    """The path sums do not converge (negative tropical cycle, log/real cycle
    of probability >= 1)."""


# -- scalar semiring arithmetic in float64 ---------------------------------
def s_zero(name):
    return INF if name in ("tropical", "log") else 0.0


def s_one(name):
    return 0.0 if name in ("tropical", "log") else 1.0


def s_plus(name, a, b):
    if name == "tropical":
        return min(a, b)
    if name == "log":
        if a == INF:
            return b
        if b == INF:
            return a
        m = min(a, b)
        return m - math.log(math.exp(m - a) + math.exp(m - b))
    if name == "real":
        return a + b
    return max(a, b)


def s_times(name, a, b):
    if name in ("tropical", "log"):
        return INF if INF in (a, b) else a + b
    if name == "real":
        return a * b
    return min(a, b)


def _arcs(fst):
    """List of (src, ilabel, olabel, weight, dst, arc index)."""
    out = []
    for s in range(fst.num_states):
        for a in range(int(fst.indptr[s]), int(fst.indptr[s + 1])):
            out.append((s, int(fst.ilabel[a]), int(fst.olabel[a]), float(fst.weight[a]),
                        int(fst.nextstate[a]), a))
    return out


def _reach(n, edges, sources):
    seen = set(sources)
    todo = list(sources)
    while todo:
        s = todo.pop()
        for t in edges.get(s, ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def accessible(fst):
    if fst.start < 0:
        return set()
    fwd = {}
    for s, _, _, _, t, _ in _arcs(fst):
        fwd.setdefault(s, []).append(t)
    return _reach(fst.num_states, fwd, [fst.start])


def coaccessible(fst):
    bwd = {}
    for s, _, _, _, t, _ in _arcs(fst):
        bwd.setdefault(t, []).append(s)
    finals = [s for s in range(fst.num_states) if fst.final[s] != fst.semiring.zero]
    return _reach(fst.num_states, bwd, finals)


# -- shortest distance -------------------------------------------------------
def ref_shortest_distance(fst, reverse=False):
    """float64 distances. Bellman-Ford for tropical/boolean; for log/real the
    exact sums of the geometric series via a linear solve in the probability
    domain. Raises :class:`Diverges` where the sums are infinite."""
    name = fst.semiring.name
    n = fst.num_states
    arcs = _arcs(fst)
    final = [float(x) for x in fst.final]
    if name in ("tropical", "boolean"):
        d = [s_zero(name)] * n
        if reverse:
            d = list(final)
        elif fst.start >= 0:
            d[fst.start] = s_one(name)
        for round_ in range(n + 2):
            changed = False
            for s, _, _, w, t, _ in arcs:
                src, dst = (t, s) if reverse else (s, t)
                cand = s_plus(name, d[dst], s_times(name, d[src], w))
                if cand != d[dst] and abs(cand - d[dst]) > 1e-9:
                    d[dst] = cand
                    changed = True
            if not changed:
                return np.array(d)
        raise Diverges("negative cycle")
    # log / real: probabilities p = exp(-w) (log) or w (real)
    def prob(w):
        return math.exp(-w) if name == "log" else w
    m = np.zeros((n, n))
    for s, _, _, w, t, _ in arcs:
        m[s, t] += prob(w)
    if reverse:
        useful = sorted(coaccessible(fst))
    else:
        useful = sorted(accessible(fst))
    d = np.zeros(n)
    if useful:
        sub = m[np.ix_(useful, useful)]
        if np.max(np.abs(np.linalg.eigvals(sub))) >= 1 - 1e-9:
            raise Diverges("cycle of probability >= 1")
        ident = np.eye(len(useful))
        if reverse:
            f = np.array([prob(final[s]) for s in useful])
            sol = np.linalg.solve(ident - sub, f)
        else:
            e = np.array([1.0 if s == fst.start else 0.0 for s in useful])
            sol = np.linalg.solve((ident - sub).T, e)
        d[useful] = sol
    if name == "log":
        with np.errstate(divide="ignore"):
            return -np.log(np.maximum(d, 0.0))
    return d


def spectral_radius(fst):
    """Largest |eigenvalue| of the arc probability matrix over accessible
    states (log/real machines): < 1 means the forward sums converge."""
    name = fst.semiring.name
    n = fst.num_states
    m = np.zeros((n, n))
    for s, _, _, w, t, _ in _arcs(fst):
        m[s, t] += math.exp(-w) if name == "log" else w
    acc = sorted(accessible(fst))
    if not acc:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(m[np.ix_(acc, acc)]))))


# -- path enumeration ----------------------------------------------------------
def enumerate_paths(fst, max_arcs):
    """Every successful path with at most ``max_arcs`` arcs as
    ``(arc indices, istring, ostring, weight)``; strings omit epsilons."""
    name = fst.semiring.name
    zero = fst.semiring.zero
    by_src = {}
    for arc in _arcs(fst):
        by_src.setdefault(arc[0], []).append(arc)
    out = []
    if fst.start < 0:
        return out

    def walk(s, arcs, istr, ostr, w):
        f = float(fst.final[s])
        if f != zero:
            out.append((tuple(arcs), tuple(istr), tuple(ostr), s_times(name, w, f)))
        if len(arcs) == max_arcs:
            return
        for _, il, ol, aw, t, idx in by_src.get(s, ()):
            walk(t, arcs + [idx], istr + ([il] if il else []), ostr + ([ol] if ol else []),
                 s_times(name, w, aw))

    walk(fst.start, [], [], [], s_one(name))
    return out


def ref_nbest_weights(fst, n):
    """The ``n`` smallest tropical path weights (with multiplicity) of a
    machine with non-negative weights: k-best lists per (path length, state)
    over paths of at most ``n * V`` arcs, which contain the n best paths (a
    longer path visits a state n+1 times, and dropping its cycles gives n
    distinct paths that are no worse)."""
    num = fst.num_states
    if fst.start < 0 or num == 0:
        return []
    arcs = _arcs(fst)
    layer = {fst.start: [0.0]}
    results = []
    for length in range(n * num + 1):
        for s, ws in layer.items():
            f = float(fst.final[s])
            if f != INF:
                results.extend(w + f for w in ws)
        nxt = {}
        for s, _, _, w, t, _ in arcs:
            if s in layer:
                nxt.setdefault(t, []).extend(x + w for x in layer[s])
        layer = {t: sorted(ws)[:n] for t, ws in nxt.items()}
        if not layer:
            break
    return sorted(results)[:n]


def ref_unique_nbest(fst, n, max_arcs):
    """The ``n`` best distinct (istring, ostring) pairs of an acyclic tropical
    machine, each with its best weight, sorted by weight."""
    best = {}
    for _, istr, ostr, w in enumerate_paths(fst, max_arcs):
        key = (istr, ostr)
        if key not in best or w < best[key]:
            best[key] = w
    return sorted(best.items(), key=lambda kv: kv[1])[:n]


# -- prune ------------------------------------------------------------------
def ref_prune_arcs(fst, threshold):
    """Indices of the arcs and the states kept by tropical weight pruning:
    those on some successful path of weight <= best + threshold (float64
    Bellman-Ford distances)."""
    alpha = ref_shortest_distance(fst)
    beta = ref_shortest_distance(fst, reverse=True)
    if fst.start < 0 or beta[fst.start] == INF:
        return None
    limit = beta[fst.start] + threshold
    tol = 1e-4
    arcs = [idx for s, _, _, w, t, idx in _arcs(fst)
            if alpha[s] + w + beta[t] <= limit + tol]
    finals = [s for s in range(fst.num_states)
              if alpha[s] + float(fst.final[s]) <= limit + tol]
    return arcs, finals


# -- randgen ---------------------------------------------------------------
def choice_probs(fst, s, select):
    """Probabilities of the options at state ``s``: its arcs in order, then
    stopping (if final), as OpenFst's uniform / log_prob arc selectors."""
    name = fst.semiring.name
    lo, hi = int(fst.indptr[s]), int(fst.indptr[s + 1])
    ws = [float(w) for w in fst.weight[lo:hi]]
    f = float(fst.final[s])
    is_final = f != fst.semiring.zero
    if is_final:
        ws.append(f)
    if not ws:
        return []
    if select == "uniform":
        return [1.0 / len(ws)] * len(ws)
    if name in ("tropical", "log"):
        ps = [math.exp(-w) for w in ws]
    else:
        ps = list(ws)
    total = sum(ps)
    return [p / total for p in ps]


def success_probability(fst, select, max_arcs):
    """Probability that a walk ends in a final state within ``max_arcs``."""
    return sum(path_distribution(fst, select, max_arcs, normalize=False).values())


def path_distribution(fst, select, max_arcs, normalize=True):
    """Exact probabilities of the sampled arc sequences (paths of at most
    ``max_arcs`` arcs, conditioned on the walk ending in a final state within
    that length), as ``{arc indices: probability}``."""
    dist = {}

    def walk(s, arcs, p):
        probs = choice_probs(fst, s, select)
        lo = int(fst.indptr[s])
        nar = int(fst.indptr[s + 1]) - lo
        for k, q in enumerate(probs):
            if k == nar:
                dist[tuple(arcs)] = dist.get(tuple(arcs), 0.0) + p * q
            elif len(arcs) < max_arcs and q > 0:
                walk(int(fst.nextstate[lo + k]), arcs + [lo + k], p * q)

    if fst.start >= 0:
        walk(fst.start, [], 1.0)
    total = sum(dist.values())
    if not normalize:
        return dist
    return {k: v / total for k, v in dist.items()} if total else {}
