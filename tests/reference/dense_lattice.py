"""Slow, obviously correct references for dense intersection: enumerate every
path explicitly (exponential; tiny cases only)."""

from __future__ import annotations

import math


def graph_alignments(src, dst, ilabel, start, final_ok, length):
    """Every path from ``start`` to a final state with exactly ``length``
    labelled arcs (epsilon-input arcs, label 0, read no frame; they must be
    acyclic): a list of ``(arc indices, final state)``. Arguments are plain
    sequences for one machine with local state ids; ``final_ok[q]`` says
    ``q`` is final."""
    out_arcs = {}
    for a, s in enumerate(src):
        out_arcs.setdefault(int(s), []).append(a)
    paths = []

    def walk(state, taken, frames):
        if frames == length and final_ok[state]:
            paths.append((list(taken), state))
        for a in out_arcs.get(state, []):
            if ilabel[a] != 0 and frames == length:
                continue
            taken.append(a)
            walk(int(dst[a]), taken, frames + (ilabel[a] != 0))
            taken.pop()

    if start >= 0:
        walk(int(start), [], 0)
    return paths


def alignment_logsumexp(src, dst, ilabel, scores, final_scores, start, log_probs, length):
    """log-sum over all ``length``-frame alignments of ``graph score + dense
    scores + final score`` (plain floats; ``log_probs`` is ``[t][column]``;
    an epsilon arc scores its graph score alone)."""
    final_ok = [f > -math.inf for f in final_scores]
    totals = []
    for arcs, last in graph_alignments(src, dst, ilabel, start, final_ok, length):
        total = final_scores[last]
        t = 0
        for a in arcs:
            total += scores[a]
            if ilabel[a] != 0:
                total += log_probs[t][ilabel[a] - 1]
                t += 1
        totals.append(total)
    if not totals:
        return -math.inf
    top = max(totals)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(x - top) for x in totals))


def machine_paths(fsts, b):
    """All complete paths of machine ``b`` of a ``TensorFst`` (acyclic):
    a list of ``(global arc indices, global final state)``."""
    s0, s1 = int(fsts.state_offsets_np[b]), int(fsts.state_offsets_np[b + 1])
    a0, a1 = int(fsts.arc_offsets_np[b]), int(fsts.arc_offsets_np[b + 1])
    src = fsts.src[a0:a1].tolist()
    dst = fsts.dst[a0:a1].tolist()
    final_ok = (fsts.final_scores.detach() > -math.inf).tolist()
    out_arcs = {}
    for k, s in enumerate(src):
        out_arcs.setdefault(s, []).append(a0 + k)
    paths = []

    def walk(state, taken):
        if final_ok[state]:
            paths.append((list(taken), state))
        for a in out_arcs.get(state, []):
            taken.append(a)
            walk(dst[a - a0], taken)
            taken.pop()

    start = int(fsts.start[b])
    if start >= 0 and s1 > s0:
        walk(start, [])
    return paths


def machine_logsumexp(fsts, b):
    """Differentiable log-sum of the path scores of machine ``b`` (a torch
    scalar built from ``fsts.scores``/``final_scores`` by indexing)."""
    import torch

    paths = machine_paths(fsts, b)
    if not paths:
        # (-inf as a constant: sum() * 0 - inf was NaN for scores holding -inf)
        return fsts.scores.new_full((), -math.inf)
    totals = [fsts.scores[arcs].sum() + fsts.final_scores[last] for arcs, last in paths]
    return torch.logsumexp(torch.stack(totals), 0)
