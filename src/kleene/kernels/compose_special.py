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

from .compose import (
    OK,
    STAY,
    _cut_to_size,
    _epsilon_counts,
    _first_state,
    _follow_moves,
    _grow,
    _lower_bound,
    _open_state,
    _reserve_arcs,
    _reserve_states,
    _state_budget,
)
from .semiring import one, times

PHI = 1
SIGMA = 2
RHO = 3

BAD_LABEL = 2      # a's output label equals the special label
PHI_NONDET = 3     # a state of b has more than one φ arc
PHI_CYCLE = 4      # a φ chain returns to a state without a φ self-loop match


@njit(cache=True)
def _grow_candidates(cand1, cand2, candw, cando, need):
    return _grow(cand1, need), _grow(cand2, need), _grow(candw, need), _grow(cando, need)


@njit(inline="always", cache=True)
def _phi_lookup(label, q2, indptr2, ilabel2, olabel2, nextstate2, weight2, ne2, n2,
                code, special, rewrite_both, phi_loop):
    """Where b's state ``q2``, which has no arc for ``label``, matches it
    through its φ chain: ``(status, first, last, weight of the φ arcs
    followed, rewritten output label or -1)``; ``first == last`` when the
    chain ends without a match."""
    pw = one(code)
    state = q2
    steps = 0
    first = 0
    last = 0
    while True:
        slo = indptr2[state]
        shi = indptr2[state + 1]
        p = _lower_bound(ilabel2, slo + ne2[state], shi, special)
        if p == shi or ilabel2[p] != special:
            return OK, 0, 0, pw, -1            # no φ arc: no match
        if p + 1 < shi and ilabel2[p + 1] == special:
            return PHI_NONDET, 0, 0, pw, -1
        if nextstate2[p] == state:
            if not phi_loop:
                return PHI_CYCLE, 0, 0, pw, -1
            # the φ self-loop reads the label
            rewrite = label if (rewrite_both and olabel2[p] == special) else -1
            return OK, p, p + 1, pw, rewrite
        pw = times(code, pw, np.float64(weight2[p]))
        state = nextstate2[p]
        steps += 1
        if steps > n2:
            return PHI_CYCLE, 0, 0, pw, -1
        slo = indptr2[state]
        shi = indptr2[state + 1]
        first = _lower_bound(ilabel2, slo + ne2[state], shi, label)
        last = first
        while last < shi and ilabel2[last] == label:
            last += 1
        if first != last:
            return OK, first, last, pw, -1


@njit(cache=True)
def compose_special_csr(indptr1, ilabel1, olabel1, nextstate1, weight1, final1, start1,
                        indptr2, ilabel2, olabel2, nextstate2, weight2, final2, start2,
                        code, filter_code, kind, special, rewrite_both, phi_loop,
                        max_states, want_maps):
    """As :func:`kleene.kernels.compose.compose_csr` with ``match_mode`` 1
    (b sorted by input label) and the special matcher ``kind`` for label
    ``special`` on b. Returns the same tuple; status may also be
    ``BAD_LABEL``, ``PHI_NONDET`` or ``PHI_CYCLE``."""
    n2 = final2.shape[0]
    ne1 = _epsilon_counts(indptr1, olabel1)
    ne2 = _epsilon_counts(indptr2, ilabel2)
    keys = np.empty(256, np.int64)
    out_ptr = np.zeros(257, np.int64)
    fin = np.empty(256, final1.dtype)
    bits = 10
    table = np.full(1 << bits, -1, np.int32)
    cap_a = 1024
    il = np.empty(cap_a, np.int32)
    ol = np.empty(cap_a, np.int32)
    dst = np.empty(cap_a, np.int32)
    w = np.empty(cap_a, weight1.dtype)
    map1 = np.empty(cap_a if want_maps else 0, np.int64)
    map2 = np.empty(cap_a if want_maps else 0, np.int64)
    # candidate moves: arcs, the weight of the φ arcs followed, b's output
    # label after rewriting (-1: keep the arc's)
    cand1 = np.empty(64, np.int64)
    cand2 = np.empty(64, np.int64)
    candw = np.empty(64, np.float64)
    cando = np.empty(64, np.int64)
    num_states, status = _first_state(table, bits, keys, start1, start2, n2,
                                      _state_budget(max_states))
    num_arcs = 0
    head = 0
    while head < num_states and status == OK:
        q1, q2, fs, final, noeps1, alleps1, noeps2, alleps2 = _open_state(
            code, keys[head], n2, indptr1, final1, ne1, indptr2, final2, ne2)
        fin[head] = final
        lo1 = indptr1[q1]
        hi1 = indptr1[q1 + 1]
        lo2 = indptr2[q2]
        hi2 = indptr2[q2 + 1]
        nc = 0
        if ne2[q2] + 1 > cand1.shape[0]:
            cand1, cand2, candw, cando = _grow_candidates(cand1, cand2, candw, cando,
                                                          ne2[q2] + 1)
        for k2 in range(lo2, lo2 + ne2[q2]):  # a stays, b reads ε
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
            # where to look (first..last) and at what cost
            pw = one(code)
            rewrite = -1
            if label == 0:
                first = lo2
                last = lo2 + ne2[q2]
            else:
                first = _lower_bound(ilabel2, lo2 + ne2[q2], hi2, label)
                last = first
                while last < hi2 and ilabel2[last] == label:
                    last += 1
                if kind == PHI and first == last:
                    status, first, last, pw, rewrite = _phi_lookup(
                        label, q2, indptr2, ilabel2, olabel2, nextstate2, weight2, ne2, n2,
                        code, special, rewrite_both, phi_loop)
                    if status != OK:
                        break
            # the σ arcs (every real label) or ρ arcs (a label nothing matched)
            lo_any = hi2
            hi_any = hi2
            if label != 0 and (kind == SIGMA or (kind == RHO and first == last)):
                lo_any = _lower_bound(ilabel2, lo2 + ne2[q2], hi2, special)
                hi_any = lo_any
                while hi_any < hi2 and ilabel2[hi_any] == special:
                    hi_any += 1
            need = nc + 1 + (last - first) + (hi_any - lo_any)
            if need > cand1.shape[0]:
                cand1, cand2, candw, cando = _grow_candidates(cand1, cand2, candw, cando,
                                                              need)
            if label == 0:
                cand1[nc] = k1
                cand2[nc] = STAY
                candw[nc] = one(code)
                cando[nc] = -1
                nc += 1
            for k2 in range(first, last):
                cand1[nc] = k1
                cand2[nc] = k2
                candw[nc] = pw
                cando[nc] = rewrite
                nc += 1
            for p in range(lo_any, hi_any):
                cand1[nc] = k1
                cand2[nc] = p
                candw[nc] = one(code)
                cando[nc] = label if (rewrite_both and olabel2[p] == special) else -1
                nc += 1
        if status != OK:
            break
        if num_states + nc > keys.shape[0]:
            keys, out_ptr, fin = _reserve_states(keys, out_ptr, fin, num_states + nc)
        if num_arcs + nc > il.shape[0]:
            il, ol, dst, w, map1, map2 = _reserve_arcs(il, ol, dst, w, map1, map2,
                                                       num_arcs + nc, want_maps)
        status, num_states, num_arcs, table, bits = _follow_moves(
            cand1, cand2, candw, cando, nc, True, code, filter_code,
            (q1, q2, fs, noeps1, alleps1, noeps2, alleps2),
            (ilabel1, olabel1, nextstate1, weight1), (olabel2, nextstate2, weight2), n2,
            table, bits, keys, num_states, _state_budget(max_states),
            (il, ol, dst, w, map1, map2), num_arcs, want_maps)
        head += 1
        out_ptr[head] = num_arcs
    return _cut_to_size(status, num_states, num_arcs, out_ptr, il, ol, dst, w, fin,
                        map1, map2, want_maps, max_states)
