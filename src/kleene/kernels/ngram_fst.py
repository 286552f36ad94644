"""Kernels of :mod:`kleene.lm.fst`: n-gram table look-ups for building a
backoff WFST G, and sentence scoring walks over G (φ and ε backoff forms).

Everything here takes plain arrays; the Python layer validates and maps the
status codes to errors.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .ngram_score import find_sorted

OK = 0
#: a walk followed more backoff arcs in a row than G has states (a cycle)
BACKOFF_CYCLE = 1


@njit(cache=True)
def parent_rows(parent, child):
    """Row of every child k-gram's prefix (its first k-1 words) in the
    (k-1)-gram table ``parent``; -1 where the prefix is absent.

    Both tables are sorted lexicographically, so their prefixes come in
    the same order: one merge pass, O((n_parent + n_child) * k)."""
    n_child = child.shape[0]
    n_parent = parent.shape[0]
    width = parent.shape[1]
    out = np.full(n_child, -1, np.int64)
    j = 0
    for i in range(n_child):
        # advance j while parent[j] < prefix(child[i])
        while j < n_parent:
            cmp = 0
            for c in range(width):
                a = parent[j, c]
                b = child[i, c]
                if a != b:
                    cmp = -1 if a < b else 1
                    break
            if cmp < 0:
                j += 1
                continue
            if cmp == 0:
                out[i] = j
            break
    return out


#: what :func:`_back_off` gives as the next state when the state has no
#: backoff arc, and when the walk made more backoff steps in a row than G has
#: states (a cycle)
_NO_BACKOFF = -1
_CYCLE = -2


@njit(cache=True, inline="always")
def _back_off(backoff_arc, nextstate, weight, num_states, s, cost, steps):
    """Follows the backoff arc of state ``s`` (``backoff_arc[s]``, -1: none):
    ``(next state, cost + the arc's weight, steps + 1)``. The next state is
    ``_NO_BACKOFF`` when ``s`` has no backoff arc (cost and steps unchanged)
    and ``_CYCLE`` when ``steps + 1`` exceeds ``num_states``."""
    b = backoff_arc[s]
    if b < 0:
        return _NO_BACKOFF, cost, steps
    steps += 1
    if steps > num_states:
        return _CYCLE, cost, steps
    return nextstate[b], cost + weight[b], steps


@njit(cache=True, inline="always")
def _grown(states, costs, size, capacity):
    """Frontier arrays with room for ``capacity`` entries, holding the first
    ``size`` entries of ``states`` and ``costs``."""
    grown_s = np.empty(capacity, np.int64)
    grown_c = np.empty(capacity, np.float64)
    grown_s[:size] = states[:size]
    grown_c[:size] = costs[:size]
    return grown_s, grown_c


@njit(cache=True)
def phi_walk(indptr, ilabel, nextstate, weight, final, start, backoff_arc,
             words, offsets, use_final, root, oov_cost):
    """Cost (float64, +inf when rejected) of every sentence under failure
    (φ) semantics: at each word take the state's arc for it if there is
    one, else follow the state's backoff arc (``backoff_arc[s]``, -1: none)
    and try again. At the end add the final weight, following backoff arcs
    from states that are not final (OpenFst's PhiMatcher does the same).

    A word that not even ``root`` (the end of the backoff chains) has an arc
    for costs ``oov_cost`` (+inf: the sentence is rejected) after the
    backoff costs on the way, and the walk goes on from ``root``.

    Arcs must be sorted by input label within each state. Sentence ``i`` is
    ``words[offsets[i]:offsets[i+1]]``. O(total words * order * log degree)."""
    n = offsets.shape[0] - 1
    num_states = final.shape[0]
    costs = np.empty(n, np.float64)
    for i in range(n):
        s = start
        cost = 0.0
        alive = s >= 0
        for t in range(offsets[i], offsets[i + 1]):
            if not alive:
                break
            w = words[t]
            steps = 0
            while True:
                a = find_sorted(ilabel, indptr[s], indptr[s + 1], w)
                if a >= 0:
                    cost += weight[a]
                    s = nextstate[a]
                    break
                nxt, cost, steps = _back_off(backoff_arc, nextstate, weight,
                                             num_states, s, cost, steps)
                if nxt == _CYCLE:
                    return costs, BACKOFF_CYCLE
                if nxt == _NO_BACKOFF:
                    if s == root and oov_cost != np.inf:
                        cost += oov_cost
                    else:
                        alive = False
                    break
                s = nxt
        if alive and use_final:
            steps = 0
            while final[s] == np.inf:
                s, cost, steps = _back_off(backoff_arc, nextstate, weight, num_states,
                                           s, cost, steps)
                if s == _CYCLE:
                    return costs, BACKOFF_CYCLE
                if s == _NO_BACKOFF:
                    alive = False
                    break
            if alive:
                cost += final[s]
        costs[i] = cost if alive else np.inf
    return costs, OK


@njit(cache=True)
def _add_candidate(states, costs, size, state, cost):
    """Min-merges (state, cost) into the frontier arrays; returns the new
    size (the arrays have room: the caller sized them)."""
    for k in range(size):
        if states[k] == state:
            costs[k] = min(costs[k], cost)
            return size
    states[size] = state
    costs[size] = cost
    return size + 1


@njit(cache=True)
def epsilon_walk(indptr, ilabel, nextstate, weight, final, start, backoff_arc,
                 words, offsets, use_final, root, oov_cost):
    """Tropical best-path cost (float64, +inf when rejected) of every
    sentence when backoff arcs are ordinary ε transitions: a path may back
    off even where the state has an arc for the word, so this is the
    minimum over every backoff route (the Kaldi G.fst reading).

    The frontier holds each reachable state once with its best cost; from
    every frontier state the walk tries the word at each state of its
    backoff chain; ``root`` and ``oov_cost`` as in :func:`phi_walk`.
    O(total words * frontier * order * log degree); the
    frontier holds states whose history ends in the previous word (a few
    per order in practice)."""
    n = offsets.shape[0] - 1
    num_states = final.shape[0]
    out = np.empty(n, np.float64)
    capacity = 64
    cur_s = np.empty(capacity, np.int64)
    cur_c = np.empty(capacity, np.float64)
    nxt_s = np.empty(capacity, np.int64)
    nxt_c = np.empty(capacity, np.float64)
    for i in range(n):
        size = 0
        if start >= 0:
            cur_s[0] = start
            cur_c[0] = 0.0
            size = 1
        for t in range(offsets[i], offsets[i + 1]):
            if size == 0:
                break
            w = words[t]
            new_size = 0
            for f in range(size):
                s = cur_s[f]
                cost = cur_c[f]
                steps = 0
                while True:
                    a = find_sorted(ilabel, indptr[s], indptr[s + 1], w)
                    dest = nextstate[a] if a >= 0 else root
                    add = weight[a] if a >= 0 else oov_cost
                    if a < 0 and (s != root or backoff_arc[s] >= 0 or oov_cost == np.inf):
                        dest = -1
                    if dest >= 0:
                        if new_size == capacity:  # grow every frontier array
                            capacity *= 2
                            nxt_s, nxt_c = _grown(nxt_s, nxt_c, new_size, capacity)
                            cur_s, cur_c = _grown(cur_s, cur_c, size, capacity)
                        new_size = _add_candidate(nxt_s, nxt_c, new_size, dest, cost + add)
                    s, cost, steps = _back_off(backoff_arc, nextstate, weight,
                                               num_states, s, cost, steps)
                    if s == _CYCLE:
                        return out, BACKOFF_CYCLE
                    if s == _NO_BACKOFF:
                        break
            cur_s, nxt_s = nxt_s, cur_s
            cur_c, nxt_c = nxt_c, cur_c
            size = new_size
        best = np.inf
        for f in range(size):
            # without </s> every state may end the sentence at no cost (but
            # a backoff arc of negative cost can still lower it)
            s = cur_s[f]
            cost = cur_c[f]
            steps = 0
            while True:
                end = final[s] if use_final else 0.0
                if end != np.inf and cost + end < best:
                    best = cost + end
                s, cost, steps = _back_off(backoff_arc, nextstate, weight, num_states,
                                           s, cost, steps)
                if s == _CYCLE:
                    return out, BACKOFF_CYCLE
                if s == _NO_BACKOFF:
                    break
        out[i] = best
    return out, OK
