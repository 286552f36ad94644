"""Composition with a special matcher on b (OpenFst's PhiMatcher,
SigmaMatcher, RhoMatcher on b's input labels; MATCH_INPUT, so a's arcs are
always walked and their output labels looked up in b).

Lookup of a real label L at b's state q:

* φ (failure): the arcs of q labelled L; if there are none, follow q's one
  φ arc (multiplying its weight in) and try again at its destination, and so
  on. A φ self-loop met on the way matches L itself when ``phi_loop``.
* σ (any): the arcs labelled L, then the σ arcs (σ matches every L > 0).
* ρ (rest): the arcs labelled L, or, when there are none, the ρ arcs.

A σ/ρ/φ-loop match rewrites the special label on b's output side to L when
``rewrite_both`` (OpenFst's rewrite mode "auto": b is an acceptor). ε moves
and the compose filter are as in :mod:`kleene.kernels.compose`.
"""

import numpy as np
from numba import njit

from .compose import (MOVE_EPS1, MOVE_EPS2, MOVE_EPSEPS, MOVE_MATCH, OK, STATE_LIMIT,
                      STAY, _epsilon_counts, _grow, _lower_bound, _probe, _rehash,
                      next_filter_state)
from .semiring import is_zero, one, times, zero

PHI = 1
SIGMA = 2
RHO = 3

BAD_LABEL = 2      # a's output label equals the special label
PHI_NONDET = 3     # a state of b has more than one φ arc
PHI_CYCLE = 4      # a φ chain returns to a state without a φ self-loop match


@njit(cache=True)
def compose_special_csr(indptr1, ilabel1, olabel1, nextstate1, weight1, final1, start1,
                        indptr2, ilabel2, olabel2, nextstate2, weight2, final2, start2,
                        code, filter_code, kind, special, rewrite_both, phi_loop,
                        max_states):
    """As :func:`kleene.kernels.compose.compose_csr` with ``match_mode`` 1
    (b sorted by input label) and the special matcher ``kind`` for label
    ``special`` on b. Returns the same tuple; status may also be
    ``BAD_LABEL``, ``PHI_NONDET`` or ``PHI_CYCLE``."""
    n2 = final2.shape[0]
    ne1 = _epsilon_counts(indptr1, olabel1)
    ne2 = _epsilon_counts(indptr2, ilabel2)
    cap_s = 256
    tup1 = np.empty(cap_s, np.int64)
    tup2 = np.empty(cap_s, np.int64)
    tupf = np.empty(cap_s, np.int64)
    out_ptr = np.zeros(cap_s + 1, np.int64)
    fin = np.empty(cap_s, final1.dtype)
    bits = 10
    table = np.full(2 << bits, -1, np.int64)
    cap_a = 1024
    il = np.empty(cap_a, np.int32)
    ol = np.empty(cap_a, np.int32)
    dst = np.empty(cap_a, np.int32)
    w = np.empty(cap_a, weight1.dtype)
    map1 = np.empty(cap_a, np.int64)
    map2 = np.empty(cap_a, np.int64)
    # candidate moves: arcs, the weight of the φ arcs followed, b's output
    # label after rewriting (-1: keep the arc's)
    cand1 = np.empty(64, np.int64)
    cand2 = np.empty(64, np.int64)
    candw = np.empty(64, np.float64)
    cando = np.empty(64, np.int64)
    num_states = 0
    num_arcs = 0
    status = OK
    if start1 >= 0 and start2 >= 0:
        tup1[0] = start1
        tup2[0] = start2
        tupf[0] = 0
        key = (np.int64(start1) * n2 + start2) * 3
        slot = _probe(table, bits, key)
        table[2 * slot] = key
        table[2 * slot + 1] = 0
        num_states = 1
        if max_states == 0:
            status = STATE_LIMIT
            num_states = 0
    head = 0
    while head < num_states and status == OK:
        q1 = tup1[head]
        q2 = tup2[head]
        fs = tupf[head]
        if is_zero(code, final1[q1]) or is_zero(code, final2[q2]):
            fin[head] = zero(code)
        else:
            fin[head] = times(code, final1[q1], final2[q2])
        lo1 = indptr1[q1]
        hi1 = indptr1[q1 + 1]
        lo2 = indptr2[q2]
        hi2 = indptr2[q2 + 1]
        noeps1 = ne1[q1] == 0
        alleps1 = ne1[q1] == hi1 - lo1 and is_zero(code, final1[q1])
        noeps2 = ne2[q2] == 0
        alleps2 = ne2[q2] == hi2 - lo2 and is_zero(code, final2[q2])
        nc = 0
        for k2 in range(lo2, lo2 + ne2[q2]):  # a stays, b reads ε
            if nc + 1 > cand1.shape[0]:
                cand1 = _grow(cand1, nc + 1)
                cand2 = _grow(cand2, nc + 1)
                candw = _grow(candw, nc + 1)
                cando = _grow(cando, nc + 1)
            cand1[nc] = STAY
            cand2[nc] = k2
            candw[nc] = one(code)
            cando[nc] = -1
            nc += 1
        for k1 in range(lo1, hi1):
            label = olabel1[k1]
            if label == special:
                status = BAD_LABEL
                break
            # where to look (state), how far (first..last) and at what cost
            pw = one(code)
            rewrite = -1
            first = 0
            last = 0
            if label == 0:
                if nc + 1 > cand1.shape[0]:
                    cand1 = _grow(cand1, nc + 1)
                    cand2 = _grow(cand2, nc + 1)
                    candw = _grow(candw, nc + 1)
                    cando = _grow(cando, nc + 1)
                cand1[nc] = k1
                cand2[nc] = STAY
                candw[nc] = one(code)
                cando[nc] = -1
                nc += 1
                first = lo2
                last = lo2 + ne2[q2]
            else:
                first = _lower_bound(ilabel2, lo2 + ne2[q2], hi2, label)
                last = first
                while last < hi2 and ilabel2[last] == label:
                    last += 1
                if kind == PHI and first == last:
                    state = q2
                    steps = 0
                    while first == last:
                        slo = indptr2[state]
                        shi = indptr2[state + 1]
                        p = _lower_bound(ilabel2, slo + ne2[state], shi, special)
                        if p == shi or ilabel2[p] != special:
                            break  # no φ arc: no match
                        if p + 1 < shi and ilabel2[p + 1] == special:
                            status = PHI_NONDET
                            break
                        if nextstate2[p] == state:
                            if phi_loop:  # the φ self-loop reads the label
                                first = p
                                last = p + 1
                                if rewrite_both and olabel2[p] == special:
                                    rewrite = label
                                break
                            status = PHI_CYCLE
                            break
                        pw = times(code, pw, np.float64(weight2[p]))
                        state = nextstate2[p]
                        steps += 1
                        if steps > n2:
                            status = PHI_CYCLE
                            break
                        slo = indptr2[state]
                        shi = indptr2[state + 1]
                        first = _lower_bound(ilabel2, slo + ne2[state], shi, label)
                        last = first
                        while last < shi and ilabel2[last] == label:
                            last += 1
                    if status != OK:
                        break
            for k2 in range(first, last):
                if nc + 1 > cand1.shape[0]:
                    cand1 = _grow(cand1, nc + 1)
                    cand2 = _grow(cand2, nc + 1)
                    candw = _grow(candw, nc + 1)
                    cando = _grow(cando, nc + 1)
                cand1[nc] = k1
                cand2[nc] = k2
                candw[nc] = pw
                cando[nc] = rewrite
                nc += 1
            if label != 0 and (kind == SIGMA or (kind == RHO and first == last)):
                p = _lower_bound(ilabel2, lo2 + ne2[q2], hi2, special)
                while p < hi2 and ilabel2[p] == special:
                    if nc + 1 > cand1.shape[0]:
                        cand1 = _grow(cand1, nc + 1)
                        cand2 = _grow(cand2, nc + 1)
                        candw = _grow(candw, nc + 1)
                        cando = _grow(cando, nc + 1)
                    cand1[nc] = k1
                    cand2[nc] = p
                    candw[nc] = one(code)
                    cando[nc] = label if (rewrite_both and olabel2[p] == special) else -1
                    nc += 1
                    p += 1
        if status != OK:
            break
        for c in range(nc):
            k1 = cand1[c]
            k2 = cand2[c]
            if k2 == STAY:
                move = MOVE_EPS1
            elif k1 == STAY:
                move = MOVE_EPS2
            elif olabel1[k1] == 0:
                move = MOVE_EPSEPS
            else:
                move = MOVE_MATCH
            nfs = next_filter_state(filter_code, fs, move, noeps1, alleps1,
                                    noeps2, alleps2)
            if nfs < 0:
                continue
            n1 = q1 if k1 == STAY else np.int64(nextstate1[k1])
            n2n = q2 if k2 == STAY else np.int64(nextstate2[k2])
            key = (n1 * n2 + n2n) * 3 + nfs
            slot = _probe(table, bits, key)
            if table[2 * slot] == key:
                target = table[2 * slot + 1]
            else:
                if max_states >= 0 and num_states >= max_states:
                    status = STATE_LIMIT
                    break
                target = num_states
                if num_states == tup1.shape[0]:
                    tup1 = _grow(tup1, num_states + 1)
                    tup2 = _grow(tup2, num_states + 1)
                    tupf = _grow(tupf, num_states + 1)
                    fin = _grow(fin, num_states + 1)
                    out_ptr = _grow(out_ptr, num_states + 2)
                tup1[target] = n1
                tup2[target] = n2n
                tupf[target] = nfs
                table[2 * slot] = key
                table[2 * slot + 1] = target
                num_states += 1
                if 2 * num_states > (np.int64(1) << bits):
                    bits += 1
                    table = _rehash(table, bits)
            if num_arcs == il.shape[0]:
                il = _grow(il, num_arcs + 1)
                ol = _grow(ol, num_arcs + 1)
                dst = _grow(dst, num_arcs + 1)
                w = _grow(w, num_arcs + 1)
                map1 = _grow(map1, num_arcs + 1)
                map2 = _grow(map2, num_arcs + 1)
            if k1 == STAY:
                il[num_arcs] = 0
                wa = one(code)
            else:
                il[num_arcs] = ilabel1[k1]
                wa = np.float64(weight1[k1])
            if k2 == STAY:
                ol[num_arcs] = 0
                wb = one(code)
            else:
                ol[num_arcs] = olabel2[k2] if cando[c] < 0 else cando[c]
                wb = times(code, candw[c], np.float64(weight2[k2]))
            w[num_arcs] = times(code, wa, wb)
            dst[num_arcs] = target
            map1[num_arcs] = k1
            map2[num_arcs] = k2
            num_arcs += 1
        head += 1
        out_ptr[head] = num_arcs
    if status != OK:
        num_states = 0
        num_arcs = 0
    return (status, out_ptr[:num_states + 1].copy(), il[:num_arcs].copy(),
            ol[:num_arcs].copy(), dst[:num_arcs].copy(), w[:num_arcs].copy(),
            fin[:num_states].copy(), map1[:num_arcs].copy(), map2[:num_arcs].copy())
