"""Slow, obviously correct path scores of small acyclic machines, by
enumerating every successful path (depth-first search). The reference for
kleene.torch's forward scores, arc posteriors and Viterbi paths.

Scores are log-scores (higher is better), given as plain per-arc and
per-state lists for one machine: ``arcs`` is a list of ``(src, dst)``
pairs indexed like the scores.
"""

from __future__ import annotations

import math


def successful_paths(num_states: int, start: int, arcs, scores, final_scores):
    """Every successful path as ``(arc indices, final state, score)``, arcs
    in path order, paths in depth-first order (arcs tried in index order).
    Arcs or finals with score ``-inf`` are still paths (score ``-inf``)."""
    out_arcs = [[] for _ in range(num_states)]
    for e, (s, _) in enumerate(arcs):
        out_arcs[s].append(e)
    paths = []

    def visit(state, taken, score):
        if final_scores[state] != -math.inf:
            paths.append((list(taken), state, score + final_scores[state]))
        for e in out_arcs[state]:
            taken.append(e)
            visit(arcs[e][1], taken, score + scores[e])
            taken.pop()

    if start >= 0:
        visit(start, [], 0.0)
    return paths


def logsumexp(values) -> float:
    values = [v for v in values if v != -math.inf]
    if not values:
        return -math.inf
    m = max(values)
    return m + math.log(sum(math.exp(v - m) for v in values))


def total(paths, semiring: str) -> float:
    """⊕ of the path scores: logsumexp (log) or max (tropical)."""
    scores = [p[2] for p in paths]
    if semiring == "log":
        return logsumexp(scores)
    return max(scores, default=-math.inf)


def arc_posteriors(paths, num_arcs: int, num_states: int):
    """``(arc_post, final_post)`` by summing path probabilities: the share
    of the total mass of the paths through each arc (counted once per
    traversal) and of the paths ending in each state."""
    z = total(paths, "log")
    arc_post = [0.0] * num_arcs
    final_post = [0.0] * num_states
    if z == -math.inf:
        return arc_post, final_post
    for taken, last, score in paths:
        p = math.exp(score - z)
        for e in taken:
            arc_post[e] += p
        final_post[last] += p
    return arc_post, final_post


def best_paths(paths):
    """Every path reaching the maximal score (the ties), as ``(arcs, final)``."""
    best = total(paths, "tropical")
    if best == -math.inf:
        return []
    return [(p[0], p[1]) for p in paths if p[2] == best]
