"""φ-walk scoring of sentences over a backoff G with hashed arc look-up
(the fast path of :class:`kleene.lm.fst.GScorer`).

G's arcs go into an open-addressing table keyed by ``state * n_labels +
ilabel`` (``keys``, int64; the arc in ``arcs[slot]`` = ``[nextstate, weight
bits]``, the weight read through a float64 view ``arcs_f``), and every state
gets a row ``[backoff nextstate (-1: none), backoff weight bits, final
weight bits, number of its arcs in the table]`` of ``states`` (a state
without any, e.g. an n-gram history nothing continues, backs off without a
search). The walk of one sentence is a
chain of dependent look-ups, so :func:`phi_walk_hashed` walks ``_LANES``
sentences at once, one step of each in turn, prefetching the rows each
lane's next step reads: the cache misses of different sentences overlap.
Results equal :func:`kleene.kernels.ngram_fst.phi_walk` (same additions in
the same order) on machines without two arcs of one state sharing an input
label (the caller checks).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .ngram_fst import BACKOFF_CYCLE, OK
from .ngram_score import ABSENT, hashed_slot, prefetch

_LANES = 16


@njit(cache=True, inline="always")
def _distance(j, key, m):
    """How far slot ``j`` is from ``key``'s home slot (table of ``m`` slots)."""
    d = j - hashed_slot(key, m)
    return d + m if d < 0 else d


@njit(cache=True)
def build_arc_table(indptr, ilabel, nextstate, weight, n_labels, skip_label, backoff_state,
                    keys, arcs_f):
    """Fills ``keys`` (slots > number of arcs stored) and ``arcs_f`` (float64
    view of ``arcs``, (slots, 3): next state, weight, the next state's
    backoff state from ``backoff_state`` (-1: none)) with G's arcs but those
    labelled ``skip_label`` (labels in ``[0, n_labels)``, no two arcs of a
    state with one input label). Robin Hood insertion: along a probe run,
    keys sit in order of their home slots, so a search for an absent key
    stops at the first key that is nearer its home than the search is to
    its own (:func:`find_arc`). O(arcs) expected."""
    keys[:] = ABSENT
    arcs = arcs_f.view(np.int64)
    m = keys.shape[0]
    for s in range(indptr.shape[0] - 1):
        for a in range(indptr[s], indptr[s + 1]):
            if ilabel[a] == skip_label:
                continue
            key = s * n_labels + ilabel[a]
            nxt = np.int64(nextstate[a])
            wt = np.float64(weight[a])
            bo = np.int64(backoff_state[nxt])
            j = hashed_slot(key, m)
            d = 0
            while keys[j] != ABSENT:
                other = _distance(j, keys[j], m)
                if other < d:  # the richer entry moves on
                    key, keys[j] = keys[j], key
                    nxt, arcs[j, 0] = arcs[j, 0], nxt
                    wt, arcs_f[j, 1] = arcs_f[j, 1], wt
                    bo, arcs[j, 2] = arcs[j, 2], bo
                    d = other
                j += 1
                d += 1
                if j == m:
                    j = 0
            keys[j] = key
            arcs[j, 0] = nxt
            arcs_f[j, 1] = wt
            arcs[j, 2] = bo


@njit(cache=True, inline="always")
def find_arc(keys, key):
    """Slot of ``key`` in a Robin Hood table (:func:`build_arc_table`), or -1."""
    m = keys.shape[0]
    j = hashed_slot(key, m)
    d = 0
    while True:
        k = keys[j]
        if k == key:
            return j
        if k == ABSENT or _distance(j, k, m) < d:
            return -1
        j += 1
        d += 1
        if j == m:
            j = 0


@njit(cache=True, inline="always")
def _prefetch_step(keys, arcs, states, n_labels, w, s):
    """Prefetches what a search for word ``w`` at state ``s`` reads: the
    state's row, and the key and arc rows of the home slot."""
    prefetch(states, s)
    if 0 <= w < n_labels:
        j = hashed_slot(s * n_labels + w, keys.shape[0])
        prefetch(keys, j)
        prefetch(arcs, j)


@njit(cache=True)
def phi_walk_hashed(keys, arcs, arcs_f, states, states_f, start, words, offsets, use_final,
                    root, oov_cost, n_labels):
    """Cost of every sentence ``words[offsets[i]:offsets[i+1]]`` under φ
    semantics, as :func:`kleene.kernels.ngram_fst.phi_walk` computes it
    (``(costs, status)``; +inf where rejected; ``BACKOFF_CYCLE`` when a walk
    follows more backoff arcs in a row than G has states).

    A lane that reached its state by an arc knows that state's backoff state
    (the arc's row holds it) and prefetches the next word's rows there too,
    so when the search fails it backs off and searches again within the same
    turn. O(words * order) expected probes."""
    n = offsets.shape[0] - 1
    num_states = states.shape[0]
    costs = np.empty(n, np.float64)
    if start < 0:
        costs[:] = np.inf
        return costs, OK
    lane_sent = np.full(_LANES, -1, np.int64)
    lane_t = np.zeros(_LANES, np.int64)
    lane_s = np.zeros(_LANES, np.int64)
    lane_bo = np.full(_LANES, -1, np.int64)  # prefetched backoff state, -1: none
    lane_cost = np.zeros(_LANES, np.float64)
    lane_steps = np.zeros(_LANES, np.int64)
    next_sentence = 0
    busy = 0
    for lane in range(_LANES):
        if next_sentence < n:
            lane_sent[lane] = next_sentence
            lane_t[lane] = offsets[next_sentence]
            lane_s[lane] = start
            next_sentence += 1
            busy += 1
    while busy > 0:
        for lane in range(_LANES):
            i = lane_sent[lane]
            if i < 0:
                continue
            t = lane_t[lane]
            s = lane_s[lane]
            cost = lane_cost[lane]
            ready = lane_bo[lane]  # a backoff state whose rows are on their way
            bo_next = -1
            end = offsets[i + 1]
            done = False
            alive = True
            if t < end:
                w = words[t]
                while True:
                    j = -1
                    if 0 <= w < n_labels and states[s, 3] != 0:
                        j = find_arc(keys, s * n_labels + w)
                    if j >= 0:
                        cost += arcs_f[j, 1]
                        s = arcs[j, 0]
                        bo_next = arcs[j, 2]
                        t += 1
                        lane_steps[lane] = 0
                        break
                    b = states[s, 0]
                    if b < 0:
                        if s == root and oov_cost != np.inf:
                            cost += oov_cost
                            t += 1
                            lane_steps[lane] = 0
                        else:
                            alive = False
                            done = True
                        break
                    lane_steps[lane] += 1
                    if lane_steps[lane] > num_states:
                        return costs, BACKOFF_CYCLE
                    cost += states_f[s, 1]
                    s = b
                    if b != ready:  # its rows were not prefetched: next turn
                        break
                    ready = -1
                if not done and t == end:
                    lane_steps[lane] = 0
                    if not use_final:
                        done = True
            elif not use_final:
                done = True
            elif states_f[s, 2] != np.inf:
                cost += states_f[s, 2]
                done = True
            else:  # not final: back off for the final weight
                b = states[s, 0]
                if b < 0:
                    alive = False
                    done = True
                else:
                    lane_steps[lane] += 1
                    if lane_steps[lane] > num_states:
                        return costs, BACKOFF_CYCLE
                    cost += states_f[s, 1]
                    s = b
            if done:
                costs[i] = cost if alive else np.inf
                if next_sentence < n:
                    i = next_sentence
                    next_sentence += 1
                    lane_sent[lane] = i
                    t = offsets[i]
                    s = start
                    cost = 0.0
                    end = offsets[i + 1]
                    lane_steps[lane] = 0
                    bo_next = -1
                else:
                    lane_sent[lane] = -1
                    busy -= 1
                    continue
            lane_t[lane] = t
            lane_s[lane] = s
            lane_cost[lane] = cost
            lane_bo[lane] = -1
            if t < end:
                w = words[t]
                _prefetch_step(keys, arcs, states, n_labels, w, s)
                if bo_next >= 0:
                    _prefetch_step(keys, arcs, states, n_labels, w, bo_next)
                    lane_bo[lane] = bo_next
            else:
                prefetch(states, s)
    return costs, OK
