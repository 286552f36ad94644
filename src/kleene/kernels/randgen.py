"""Random path sampling kernel (OpenFst ``RandGen`` selectors) and the
prefix tree (trie) that merges the sampled paths at the root.

Random numbers come from a splitmix64 generator whose 64-bit seed the caller
draws from a numpy ``Generator``, so results are reproducible per seed.
"""

import math

import numpy as np
from numba import njit

from .semiring import LOG, TROPICAL, is_zero

OK = 0
TOO_MANY_FAILURES = 1

_MASK = (1 << 64) - 1


@njit(cache=True)
def _next(state):
    """splitmix64: returns (new state, uniform float in [0, 1))."""
    state = (state + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(_MASK)
    z = state
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(_MASK)
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(_MASK)
    z = z ^ (z >> np.uint64(31))
    return state, float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _option_mass(code, log_prob, w):
    if not log_prob:
        return 1.0
    if code == TROPICAL or code == LOG:
        return math.exp(-w)
    return w


@njit(cache=True)
def sample_paths(indptr, nextstate, weight, final, start, useful, code, log_prob,
                 npath, max_length, max_attempts, seed):
    """Samples ``npath`` successful paths. At each state one option is drawn
    among its arcs and, if final, stopping: uniformly, or with probability
    proportional to ``exp(-w)`` (tropical/log; the weight itself for
    real/boolean) when ``log_prob``. A walk that enters a state from which no
    final state is reachable (``useful`` false), or exceeds ``max_length``
    arcs, is rejected and retried (so the samples follow the walk's
    distribution conditioned on success). Returns ``(status, arcs, offsets)``:
    the arc indices of path ``k`` are ``arcs[offsets[k]:offsets[k + 1]]``."""
    state = np.uint64(seed)
    offsets = np.zeros(npath + 1, np.int64)
    arcs = np.empty(max(16, 4 * npath), np.int64)
    used = 0
    walk = np.empty(16, np.int64)
    done = 0
    attempts = 0
    while done < npath:
        attempts += 1
        if attempts > max_attempts:
            return TOO_MANY_FAILURES, arcs[:used], offsets[:done + 1]
        s = start
        length = 0
        ok = False
        while True:
            if not useful[s]:
                break
            lo = indptr[s]
            hi = indptr[s + 1]
            is_final = not is_zero(code, final[s])
            total = 0.0
            for a in range(lo, hi):
                total += _option_mass(code, log_prob, weight[a])
            if is_final:
                total += _option_mass(code, log_prob, final[s])
            if total <= 0.0:
                break
            state, u = _next(state)
            target = u * total
            pick = -1
            acc = 0.0
            for a in range(lo, hi):
                acc += _option_mass(code, log_prob, weight[a])
                if target < acc:
                    pick = a
                    break
            if pick < 0:
                if is_final:
                    ok = True
                    break
                pick = hi - 1      # rounding at the top end
            if length >= max_length:
                break
            if length == walk.shape[0]:
                grown = np.empty(2 * length, np.int64)
                grown[:length] = walk
                walk = grown
            walk[length] = pick
            length += 1
            s = nextstate[pick]
        if not ok:
            continue
        if used + length > arcs.shape[0]:
            grown = np.empty(max(2 * arcs.shape[0], used + length), np.int64)
            grown[:used] = arcs[:used]
            arcs = grown
        arcs[used:used + length] = walk[:length]
        used += length
        done += 1
        offsets[done] = used
    return OK, arcs[:used], offsets


@njit(cache=True)
def build_tree(arcs, offsets):
    """Merges the sampled arc sequences into a prefix tree. Returns
    ``(num_nodes, src, dst, arc, through, stops)``: tree arcs (creation order,
    parents numbered before children), and per node the number of samples
    passing through it and ending at it."""
    npath = offsets.shape[0] - 1
    child = {(np.int64(-1), np.int64(-1)): np.int64(-1)}   # (node, arc) -> node
    cap = arcs.shape[0] + 1
    src = np.empty(cap, np.int64)
    dst = np.empty(cap, np.int64)
    arc_of = np.empty(cap, np.int64)
    through = np.zeros(cap, np.int64)
    stops = np.zeros(cap, np.int64)
    nodes = 1
    m = 0
    for k in range(npath):
        node = np.int64(0)
        through[0] += 1
        for j in range(offsets[k], offsets[k + 1]):
            key = (node, arcs[j])
            if key in child:
                node = child[key]
            else:
                child[key] = nodes
                src[m] = node
                dst[m] = nodes
                arc_of[m] = arcs[j]
                m += 1
                node = nodes
                nodes += 1
            through[node] += 1
        stops[node] += 1
    return nodes, src[:m], dst[:m], arc_of[:m], through[:nodes], stops[:nodes]
