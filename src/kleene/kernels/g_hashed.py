"""φ-walk scoring of sentences over a backoff G with hashed arc look-up
(the fast path of :class:`kleene.lm.fst.GScorer`).

G's arcs go into an open-addressing table keyed by ``state * n_labels +
ilabel`` (rows ``[key, nextstate, weight bits]``, the weight read through a
float64 view), and every state gets a row ``[backoff nextstate (-1: none),
backoff weight bits, final weight bits]``. The walk of one sentence is a
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
from .ngram_score import ABSENT, hashed_find, hashed_slot, prefetch_row

_LANES = 16


@njit(cache=True)
def build_arc_table(indptr, ilabel, nextstate, weight, n_labels, num_slots):
    """The arc table of G (``num_slots`` > number of arcs; labels in
    ``[0, n_labels)``, no two arcs of a state with one input label).
    O(arcs) expected."""
    table = np.empty((num_slots, 3), np.int64)
    table[:, 0] = ABSENT
    table[:, 1:] = 0
    tf = table.view(np.float64)
    for s in range(indptr.shape[0] - 1):
        for a in range(indptr[s], indptr[s + 1]):
            key = s * n_labels + ilabel[a]
            j = hashed_slot(key, num_slots)
            while table[j, 0] != ABSENT:
                j += 1
                if j == num_slots:
                    j = 0
            table[j, 0] = key
            table[j, 1] = nextstate[a]
            tf[j, 2] = weight[a]
    return table


@njit(cache=True, inline="always")
def _prefetch_step(table, states, words, n_labels, t, end, s):
    """Prefetches what the next step of a lane at state ``s`` reads: the
    state's row, and the arc row of the next word while words remain."""
    prefetch_row(states, s)
    if t < end:
        w = words[t]
        if 0 <= w < n_labels:
            prefetch_row(table, hashed_slot(s * n_labels + w, table.shape[0]))


@njit(cache=True)
def phi_walk_hashed(table, table_f, states, states_f, start, words, offsets, use_final,
                    root, oov_cost, n_labels):
    """Cost of every sentence ``words[offsets[i]:offsets[i+1]]`` under φ
    semantics, as :func:`kleene.kernels.ngram_fst.phi_walk` computes it
    (``(costs, status)``; +inf where rejected; ``BACKOFF_CYCLE`` when a walk
    follows more backoff arcs in a row than G has states). O(words * order)
    expected probes."""
    n = offsets.shape[0] - 1
    num_states = states.shape[0]
    costs = np.empty(n, np.float64)
    if start < 0:
        costs[:] = np.inf
        return costs, OK
    lane_sent = np.full(_LANES, -1, np.int64)
    lane_t = np.zeros(_LANES, np.int64)
    lane_s = np.zeros(_LANES, np.int64)
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
            end = offsets[i + 1]
            done = False
            alive = True
            if t < end:
                w = words[t]
                j = -1
                if 0 <= w < n_labels:
                    j = hashed_find(table, s * n_labels + w)
                if j >= 0:
                    cost += table_f[j, 2]
                    s = table[j, 1]
                    t += 1
                    lane_steps[lane] = 0
                else:
                    b = states[s, 0]
                    if b < 0:
                        if s == root and oov_cost != np.inf:
                            cost += oov_cost
                            t += 1
                            lane_steps[lane] = 0
                        else:
                            alive = False
                            done = True
                    else:
                        lane_steps[lane] += 1
                        if lane_steps[lane] > num_states:
                            return costs, BACKOFF_CYCLE
                        cost += states_f[s, 1]
                        s = b
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
                else:
                    lane_sent[lane] = -1
                    busy -= 1
                    continue
            lane_t[lane] = t
            lane_s[lane] = s
            lane_cost[lane] = cost
            _prefetch_step(table, states, words, n_labels, t, end, s)
    return costs, OK
