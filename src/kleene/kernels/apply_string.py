"""Kernels for applying one string to a transducer (the hot path of
:mod:`kleene.grammar.rewrite`): the composition ``string ∘ rule`` read on
the rule's output side, built directly as a topologically sorted, trimmed
acceptor, and the searches the rewrite helpers run on it.

Why a dedicated composition: the input is a linear, ε-free acceptor, so
every composition filter (sequence, alt_sequence, match, ...) admits exactly
the same paths (only the rule ever moves alone, on its input-ε arcs) and
the state pairs are ``(position, rule state)``. When the rule's input-ε
arcs form no cycle, numbering the pairs layer by layer (position), and
inside a layer by the rule states' rank in a topological order of those
ε-arcs, makes every arc go to a larger state: the lattice is top-sorted, so
trimming, the best path and string matching are each one linear pass.
"""

import numpy as np
from numba import njit

from .semiring import is_zero, one, times, zero

OK = 0
CYCLIC = 1  # the rule's input-ε arcs form a cycle: no topological rank


@njit(cache=True)
def epsilon_rank(indptr, ilabel, nextstate):
    """Rank of every state in a topological order of the input-ε arcs
    (Kahn's algorithm). Returns ``(status, rank)``; ``CYCLIC`` when those
    arcs form a cycle. O(V + E)."""
    n = indptr.shape[0] - 1
    indegree = np.zeros(n, np.int64)
    for e in range(ilabel.shape[0]):
        if ilabel[e] == 0:
            indegree[nextstate[e]] += 1
    queue = np.empty(n, np.int64)
    head = 0
    tail = 0
    for s in range(n):
        if indegree[s] == 0:
            queue[tail] = s
            tail += 1
    rank = np.full(n, -1, np.int64)
    while head < tail:
        s = queue[head]
        rank[s] = head
        head += 1
        for e in range(indptr[s], indptr[s + 1]):
            if ilabel[e] == 0:
                t = nextstate[e]
                indegree[t] -= 1
                if indegree[t] == 0:
                    queue[tail] = t
                    tail += 1
    if tail < n:
        return CYCLIC, rank
    return OK, rank


@njit(cache=True)
def _grow(arr, needed):
    if needed <= arr.shape[0]:
        return arr
    out = np.empty(max(needed, 2 * arr.shape[0]), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _lower_bound(ilabel, lo, hi, label):
    """First arc in ``[lo, hi)`` whose input label is >= ``label``."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if ilabel[mid] < label:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def apply_string(labels, indptr, ilabel, olabel, nextstate, weight, final, start,
                 rank, slot, mark, code):
    """The trimmed output acceptor of ``labels ∘ rule`` (rule arcs sorted by
    input label, ``rank`` from :func:`epsilon_rank` without a cycle).

    ``slot`` (int64, all -1) and ``mark`` (bool, all False) are per-rule
    scratch arrays of one entry per rule state; they are restored before
    returning, so a caller can keep them for the next call.

    Returns ``(indptr, label, nextstate, weight, final)`` of the lattice:
    state 0 is the start (no state at all when nothing is accepted), every
    arc goes to a larger state. O((n + 1) · (V + E log d)) for an input of
    n labels, counting only the rule states and arcs reached.
    """
    n = labels.shape[0]
    cap = 16 + 2 * (n + 1)
    st_rule = np.empty(cap, np.int64)      # rule state of each lattice state
    a_src = np.empty(cap, np.int64)
    a_lab = np.empty(cap, olabel.dtype)
    a_dst = np.empty(cap, np.int64)
    a_w = np.empty(cap, weight.dtype)
    num_states = 0
    num_arcs = 0
    seeds = np.empty(16, np.int64)
    num_seeds = 0
    if start >= 0:
        seeds[0] = start
        num_seeds = 1
    prev_lo = 0       # first arc of the previous layer
    last_first = -1   # first state of layer n (the final layer), if reached
    for i in range(n + 1):
        if num_seeds == 0:
            break
        # -- the layer's states, appended to st_rule: the ε-closure of the
        # seeds (slot -2 marks members until they are numbered)
        first = num_states
        st_rule = _grow(st_rule, first + num_seeds)
        for k in range(num_seeds):
            q = seeds[k]
            mark[q] = False
            slot[q] = -2
            st_rule[num_states] = q
            num_states += 1
        k = first
        while k < num_states:
            q = st_rule[k]
            k += 1
            for e in range(indptr[q], indptr[q + 1]):
                if ilabel[e] != 0:
                    break  # sorted by input label: the ε-arcs come first
                t = nextstate[e]
                if slot[t] == -1:
                    slot[t] = -2
                    st_rule = _grow(st_rule, num_states + 1)
                    st_rule[num_states] = t
                    num_states += 1
        # numbered by ε-rank (insertion sort: layers are small), so the
        # layer's ε-arcs go to larger states
        for k in range(first + 1, num_states):
            q = st_rule[k]
            r = rank[q]
            j = k - 1
            while j >= first and rank[st_rule[j]] > r:
                st_rule[j + 1] = st_rule[j]
                j -= 1
            st_rule[j + 1] = q
        for k in range(first, num_states):
            slot[st_rule[k]] = k
        if i == n:
            last_first = first
        # the previous layer's consuming arcs were stored as -1 - rule state
        for e in range(prev_lo, num_arcs):
            if a_dst[e] < 0:
                a_dst[e] = slot[-1 - a_dst[e]]
        prev_lo = num_arcs
        # -- arcs, state by state: ε-input arcs, then those reading labels[i]
        num_seeds = 0
        label = labels[i] if i < n else -1
        for s in range(first, num_states):
            q = st_rule[s]
            lo = indptr[q]
            hi = indptr[q + 1]
            e = lo
            while e < hi and ilabel[e] == 0:
                e += 1
            eps_end = e
            if label >= 0:
                e = _lower_bound(ilabel, e, hi, label)
                match_end = e
                while match_end < hi and ilabel[match_end] == label:
                    match_end += 1
            else:
                match_end = e
            needed = num_arcs + (eps_end - lo) + (match_end - e)
            if needed > a_src.shape[0]:
                a_src = _grow(a_src, needed)
                a_lab = _grow(a_lab, needed)
                a_dst = _grow(a_dst, needed)
                a_w = _grow(a_w, needed)
            for x in range(lo, eps_end):
                a_src[num_arcs] = s
                a_lab[num_arcs] = olabel[x]
                a_dst[num_arcs] = slot[nextstate[x]]
                a_w[num_arcs] = weight[x]
                num_arcs += 1
            for x in range(e, match_end):
                t = nextstate[x]
                a_src[num_arcs] = s
                a_lab[num_arcs] = olabel[x]
                a_dst[num_arcs] = -1 - t  # resolved once the next layer exists
                a_w[num_arcs] = weight[x]
                num_arcs += 1
                if not mark[t]:
                    mark[t] = True
                    seeds = _grow(seeds, num_seeds + 1)
                    seeds[num_seeds] = t
                    num_seeds += 1
        for k in range(first, num_states):
            slot[st_rule[k]] = -1
    return _trim(st_rule, a_src, a_lab, a_dst, a_w, num_states, num_arcs, last_first,
                 final, code)


@njit(cache=True)
def _trim(st_rule, a_src, a_lab, a_dst, a_w, num_states, num_arcs, last_first,
          rule_final, code):
    """Keeps the states that reach a final state (one backward pass: every
    arc goes forward) and renumbers them in order; CSR arrays out."""
    fin = np.full(num_states, zero(code), rule_final.dtype)
    if last_first >= 0:
        for s in range(last_first, num_states):
            fin[s] = rule_final[st_rule[s]]
    arc_ptr = np.zeros(num_states + 1, np.int64)
    for e in range(num_arcs):
        arc_ptr[a_src[e] + 1] += 1
    for s in range(num_states):
        arc_ptr[s + 1] += arc_ptr[s]
    live = np.zeros(num_states, np.bool_)
    for s in range(num_states - 1, -1, -1):
        alive = not is_zero(code, fin[s])
        e = arc_ptr[s]
        while not alive and e < arc_ptr[s + 1]:
            alive = live[a_dst[e]]
            e += 1
        live[s] = alive
    new_id = np.empty(num_states, np.int64)
    kept = 0
    for s in range(num_states):
        new_id[s] = kept
        if live[s]:
            kept += 1
    if num_states == 0 or not live[0]:
        kept = 0
    out_ptr = np.zeros(kept + 1, np.int64)
    count = 0
    for e in range(num_arcs):
        if live[a_src[e]] and live[a_dst[e]] and kept:
            count += 1
    lab = np.empty(count, a_lab.dtype)
    dst = np.empty(count, np.int32)
    w = np.empty(count, a_w.dtype)
    out_fin = np.empty(kept, fin.dtype)
    k = 0
    if kept:
        for s in range(num_states):
            if not live[s]:
                continue
            out_fin[new_id[s]] = fin[s]
            for e in range(arc_ptr[s], arc_ptr[s + 1]):
                t = a_dst[e]
                if live[t]:
                    lab[k] = a_lab[e]
                    dst[k] = new_id[t]
                    w[k] = a_w[e]
                    k += 1
            out_ptr[new_id[s] + 1] = k
    return out_ptr, lab, dst, w, out_fin


@njit(cache=True)
def best_path(indptr, label, nextstate, weight, final, code):
    """One best path of a trimmed, top-sorted acceptor with start state 0
    (tropical): ``(labels without ε, weight)``. Among equally good choices
    at a state, stopping comes first, then the arcs in order. O(V + E)."""
    n = final.shape[0]
    beta = np.empty(n, final.dtype)
    for s in range(n - 1, -1, -1):
        best = final[s]
        for e in range(indptr[s], indptr[s + 1]):
            d = times(code, weight[e], beta[nextstate[e]])
            if d < best:
                best = d
        beta[s] = best
    out = np.empty(n, label.dtype)
    length = 0
    s = 0
    while final[s] != beta[s]:
        found = False
        for e in range(indptr[s], indptr[s + 1]):
            t = nextstate[e]
            if times(code, weight[e], beta[t]) == beta[s]:
                if label[e] != 0:
                    out[length] = label[e]
                    length += 1
                s = t
                found = True
                break
        if not found:  # unreachable: beta[s] is one of the sums compared
            break
    return out[:length], beta[0]


@njit(cache=True)
def accepts(indptr, label, nextstate, final, target, code):
    """Whether a top-sorted acceptor with start state 0 has a path spelling
    ``target`` (ε-free labels; ε-arcs of the acceptor are skipped) into a
    final state. O(len(target) · (V + E))."""
    n = final.shape[0]
    if n == 0:
        return False
    active = np.zeros(n, np.bool_)
    active[0] = True
    for k in range(target.shape[0] + 1):
        # ε-closure: arcs go forward, so one pass in state order
        any_active = False
        for s in range(n):
            if active[s]:
                any_active = True
                for e in range(indptr[s], indptr[s + 1]):
                    if label[e] == 0:
                        active[nextstate[e]] = True
        if not any_active:
            return False
        if k == target.shape[0]:
            break
        step = np.zeros(n, np.bool_)
        x = target[k]
        for s in range(n):
            if active[s]:
                for e in range(indptr[s], indptr[s + 1]):
                    if label[e] == x:
                        step[nextstate[e]] = True
        active = step
    for s in range(n):
        if active[s] and not is_zero(code, final[s]):
            return True
    return False


@njit(cache=True)
def all_paths(indptr, label, nextstate, weight, final, live, code, max_paths):
    """Every successful path of an acyclic acceptor with start state 0 (arcs
    into states not ``live``, those that reach no final state, are skipped),
    depth first (stopping before continuing, arcs in order): the ε-free
    labels of path k are ``labels[offsets[k]:offsets[k + 1]]`` and its
    weight (accumulated in float64) ``weights[k]``. Returns ``(count,
    labels, offsets, weights)``, count -1 once more than ``max_paths``
    paths exist (the caller falls back to determinization).
    O(total length of the paths)."""
    n = final.shape[0]
    out_labels = np.empty(64, label.dtype)
    offsets = np.zeros(min(max_paths, 64) + 1, np.int64)
    weights = np.empty(min(max_paths, 64), np.float64)
    count = 0
    if n == 0 or not live[0]:
        return 0, out_labels[:0], offsets[:1], weights[:0]
    st_state = np.empty(n + 1, np.int64)
    st_arc = np.empty(n + 1, np.int64)
    st_weight = np.empty(n + 1, np.float64)
    st_len = np.empty(n + 1, np.int64)  # labels on the path up to this state
    path = np.empty(n + 1, label.dtype)
    depth = 0
    st_state[0] = 0
    st_arc[0] = -1  # -1: the "stop here" option is still to be tried
    st_weight[0] = one(code)
    st_len[0] = 0
    while depth >= 0:
        s = st_state[depth]
        e = st_arc[depth]
        if e < 0:
            st_arc[depth] = indptr[s]
            if not is_zero(code, final[s]):
                if count == max_paths:
                    return -1, out_labels[:0], offsets[:1], weights[:0]
                if count == weights.shape[0]:
                    offsets = _grow(offsets, 2 * count + 1)
                    weights = _grow(weights, 2 * count)
                length = st_len[depth]
                start = offsets[count]
                if start + length > out_labels.shape[0]:
                    out_labels = _grow(out_labels, start + length)
                out_labels[start:start + length] = path[:length]
                offsets[count + 1] = start + length
                weights[count] = times(code, st_weight[depth], final[s])
                count += 1
            continue
        if e >= indptr[s + 1]:
            depth -= 1
            continue
        st_arc[depth] = e + 1
        if not live[nextstate[e]]:
            continue
        length = st_len[depth]
        if label[e] != 0:
            path[length] = label[e]
            length += 1
        depth += 1
        st_state[depth] = nextstate[e]
        st_arc[depth] = -1
        st_weight[depth] = times(code, st_weight[depth - 1], weight[e])
        st_len[depth] = length
    return count, out_labels[:offsets[count]], offsets[:count + 1], weights[:count]
