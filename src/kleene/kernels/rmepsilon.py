"""ε-removal kernel (OpenFst ``RmEpsilon``, replayed state for state).

OpenFst removes ε:ε arcs in place: it visits the states in reverse
topological order of the ε-subgraph's strongly connected components (the
states of one component by increasing id) and replaces each state's arcs by
the non-ε arcs of its ε-closure, each weighted by the closure distance. A
state expanded earlier has no ε-arcs left, so it is a leaf of every later
closure and contributes its already expanded arcs. The kernel replays
exactly that schedule, the depth-first (stack) visit of the closure and the
merging of arcs with equal ``(ilabel, olabel, nextstate)``, so the result has
OpenFst's arcs in OpenFst's order.

Status codes: ``OK`` (0), ``BUDGET`` (1: an ε-closure distance was relaxed
more than ``max_relaxations`` times, a divergent ε-cycle), ``NOT_FINITE``
(2: a distance became NaN or infinite the wrong way).
"""

import numpy as np
from numba import njit

from .semiring import approx_equal, is_zero, one, plus, times, zero

OK = 0
BUDGET = 1
NOT_FINITE = 2


@njit(cache=True)
def epsilon_scc_order(indptr, ilabel, olabel, nextstate, num_states):
    """States ordered for expansion: strongly connected components of the
    ε:ε subgraph in reverse topological order (sinks first, as Tarjan's
    algorithm emits them), the states of one component by increasing id.
    Iterative Tarjan; O(V + E)."""
    index = np.full(num_states, -1, np.int64)
    low = np.zeros(num_states, np.int64)
    on_stack = np.zeros(num_states, np.bool_)
    comp = np.full(num_states, -1, np.int64)
    tstack = np.empty(num_states, np.int64)
    tsize = 0
    call_state = np.empty(num_states, np.int64)
    call_arc = np.empty(num_states, np.int64)
    counter = 0
    ncomp = 0
    for root in range(num_states):
        if index[root] >= 0:
            continue
        depth = 0
        call_state[0] = root
        call_arc[0] = indptr[root]
        index[root] = counter
        low[root] = counter
        counter += 1
        tstack[tsize] = root
        tsize += 1
        on_stack[root] = True
        while depth >= 0:
            s = call_state[depth]
            a = call_arc[depth]
            descended = False
            while a < indptr[s + 1]:
                if ilabel[a] == 0 and olabel[a] == 0:
                    t = nextstate[a]
                    if index[t] < 0:
                        call_arc[depth] = a + 1
                        depth += 1
                        call_state[depth] = t
                        call_arc[depth] = indptr[t]
                        index[t] = counter
                        low[t] = counter
                        counter += 1
                        tstack[tsize] = t
                        tsize += 1
                        on_stack[t] = True
                        descended = True
                        break
                    elif on_stack[t] and index[t] < low[s]:
                        low[s] = index[t]
                a += 1
            if descended:
                continue
            if low[s] == index[s]:
                while True:
                    tsize -= 1
                    u = tstack[tsize]
                    on_stack[u] = False
                    comp[u] = ncomp
                    if u == s:
                        break
                ncomp += 1
            depth -= 1
            if depth >= 0:
                p = call_state[depth]
                if low[s] < low[p]:
                    low[p] = low[s]
    # counting sort by component, stable in state id
    counts = np.zeros(ncomp + 1, np.int64)
    for s in range(num_states):
        counts[comp[s] + 1] += 1
    for c in range(ncomp):
        counts[c + 1] += counts[c]
    order = np.empty(num_states, np.int64)
    for s in range(num_states):
        order[counts[comp[s]]] = s
        counts[comp[s]] += 1
    return order


@njit(cache=True)
def _grow_i32(arr, size):
    out = np.empty(max(size, 2 * arr.shape[0]), np.int32)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _grow_i64(arr, size):
    out = np.empty(max(size, 2 * arr.shape[0]), np.int64)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _grow_f64(arr, size):
    out = np.empty(max(size, 2 * arr.shape[0]), np.float64)
    out[:arr.shape[0]] = arr
    return out


@njit(inline="always", cache=True)
def _slot(il, ol, ns, mask):
    h = (np.int64(il) * 1000003) ^ (np.int64(ol) * 998244353) ^ (np.int64(ns) * 2654435761)
    h ^= h >> 29
    return h & mask


@njit(cache=True)
def rmepsilon_states(indptr, ilabel, olabel, nextstate, weight, final, start, code,
                     delta, skip_unreachable, max_relaxations):
    """Expands every state (OpenFst's in-place schedule).

    With ``skip_unreachable`` a state that is neither the start nor the
    target of a non-ε arc is not expanded and loses its arcs (OpenFst does
    this when it connects or prunes afterwards; such states are inaccessible
    once the ε-arcs are gone).

    Returns ``(status, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src,
    new_final)``: state ``s``'s new arcs are buffer entries ``seg_start[s] ..
    seg_start[s] + seg_len[s]``, each with the index of the input arc it
    copies in ``b_src``. Distances are accumulated in float64.

    Complexity: for each state, a shortest-distance computation over the
    ε-arcs its closure reaches plus one visit of the closure's arcs; only
    touched states are reset. O(V + E) for ε-free machines, O(Σ_s |closure(s)|
    arcs × relaxations) in general.
    """
    n = final.shape[0]
    m = ilabel.shape[0]
    seg_start = np.zeros(n, np.int64)
    seg_len = np.zeros(n, np.int64)
    new_final = final.astype(np.float64)
    cap = max(16, m + m // 4)
    b_il = np.empty(cap, np.int32)
    b_ol = np.empty(cap, np.int32)
    b_ns = np.empty(cap, np.int32)
    b_w = np.empty(cap, np.float64)
    b_src = np.empty(cap, np.int64)
    b_size = 0
    if n == 0:
        return OK, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, new_final

    noneps_in = np.zeros(n, np.bool_)
    if start >= 0:
        noneps_in[start] = True
    # eps_out[u]: u has ε:ε arcs to relax in the distance pass (cleared once
    # u is expanded); other states are leaves of every closure
    eps_out = np.zeros(n, np.bool_)
    for u in range(n):
        for a in range(indptr[u], indptr[u + 1]):
            if ilabel[a] != 0 or olabel[a] != 0:
                noneps_in[nextstate[a]] = True
            else:
                eps_out[u] = True
    order = epsilon_scc_order(indptr, ilabel, olabel, nextstate, n)

    processed = np.zeros(n, np.bool_)
    dist = np.full(n, zero(code), np.float64)
    resid = np.full(n, zero(code), np.float64)
    pops = np.zeros(n, np.int64)
    in_queue = np.zeros(n, np.bool_)
    # dist[u] is valid (else zero) and u visited in expansion k iff
    # dist_mark[u] == k, resp. visit_mark[u] == k: no per-state reset
    dist_mark = np.full(n, -1, np.int64)
    visit_mark = np.full(n, -1, np.int64)
    queue = np.empty(n, np.int64)
    dfs = np.empty(max(16, m + 1), np.int64)
    # the arcs of the current expansion, and a hash map (label, label, state)
    # -> index among them; slots are valid when their stamp is this expansion's
    c_cap = 16
    c_il = np.empty(c_cap, np.int32)
    c_ol = np.empty(c_cap, np.int32)
    c_ns = np.empty(c_cap, np.int32)
    c_w = np.empty(c_cap, np.float64)
    c_src = np.empty(c_cap, np.int64)
    h_cap = 64
    h_stamp = np.full(h_cap, -1, np.int64)
    h_val = np.empty(h_cap, np.int64)

    for k in range(n):
        s = order[k]
        if skip_unreachable and not noneps_in[s]:
            continue
        # 1. ε-closure distances from s (Mohri's generic algorithm, FIFO);
        # nothing to compute for a state without ε-arcs (the common case)
        dist[s] = one(code)
        dist_mark[s] = k
        has_eps = eps_out[s]
        resid[s] = one(code)
        head = 0
        size = 1 if has_eps else 0
        queue[0] = s
        in_queue[s] = has_eps
        while size > 0:
            u = queue[head]
            head += 1
            if head == n:
                head = 0
            size -= 1
            in_queue[u] = False
            pops[u] += 1
            if pops[u] > max_relaxations:
                return BUDGET, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, new_final
            r = resid[u]
            resid[u] = zero(code)
            if processed[u]:
                continue  # no ε-arcs left
            for a in range(indptr[u], indptr[u + 1]):
                if ilabel[a] != 0 or olabel[a] != 0:
                    continue
                t = nextstate[a]
                w = times(code, r, np.float64(weight[a]))
                if is_zero(code, w):
                    continue
                old = dist[t] if dist_mark[t] == k else zero(code)
                new = plus(code, old, w)
                if new != new:
                    return NOT_FINITE, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, new_final
                if not approx_equal(code, old, new, delta):
                    dist[t] = new
                    dist_mark[t] = k
                    # a leaf (expanded, or without ε-arcs) relaxes nothing
                    # when popped: it is not queued, which leaves the FIFO
                    # order of the other states, hence every sum, unchanged
                    if not eps_out[t]:
                        continue
                    resid[t] = plus(code, resid[t], w)
                    if not in_queue[t]:
                        tail = head + size
                        queue[tail - n if tail >= n else tail] = t
                        size += 1
                        in_queue[t] = True
        deg = indptr[s + 1] - indptr[s]
        if not has_eps and deg <= 8:
            # fast path: the closure is s alone; merge duplicate arcs by a
            # quadratic scan and store them last first
            if b_size + deg > b_il.shape[0]:
                need = b_size + deg
                b_il = _grow_i32(b_il, need)
                b_ol = _grow_i32(b_ol, need)
                b_ns = _grow_i32(b_ns, need)
                b_w = _grow_f64(b_w, need)
                b_src = _grow_i64(b_src, need)
            ncur = 0
            for a in range(indptr[s], indptr[s + 1]):
                merged = False
                for j in range(ncur):
                    c = c_src[j]
                    if (ilabel[c] == ilabel[a] and olabel[c] == olabel[a]
                            and nextstate[c] == nextstate[a]):
                        c_w[j] = plus(code, c_w[j], np.float64(weight[a]))
                        merged = True
                        break
                if not merged:
                    c_src[ncur] = a
                    c_w[ncur] = np.float64(weight[a])
                    ncur += 1
            seg_start[s] = b_size
            seg_len[s] = ncur
            for j in range(ncur - 1, -1, -1):
                a = c_src[j]
                b_il[b_size] = ilabel[a]
                b_ol[b_size] = olabel[a]
                b_ns[b_size] = nextstate[a]
                b_w[b_size] = c_w[j]
                b_src[b_size] = a
                b_size += 1
            dist[s] = zero(code)
            resid[s] = zero(code)
            pops[s] = 0
            in_queue[s] = False
            processed[s] = True
            continue
        # 2. depth-first (stack) visit of the closure collecting arcs
        expand_id = k
        ncur = 0
        fin = zero(code)
        dsize = 1
        dfs[0] = s
        nvisited = 0
        while dsize > 0:
            dsize -= 1
            u = dfs[dsize]
            if visit_mark[u] == k:
                continue
            visit_mark[u] = k
            if eps_out[u]:  # reuse queue as the list of states to reset
                queue[nvisited] = u
                nvisited += 1
            du = dist[u] if dist_mark[u] == k else zero(code)
            if processed[u]:
                lo = seg_start[u]
                hi = lo + seg_len[u]
            else:
                lo = indptr[u]
                hi = indptr[u + 1]
            for a in range(lo, hi):
                if processed[u]:
                    il = b_il[a]
                    ol = b_ol[a]
                    ns = b_ns[a]
                    w = times(code, du, b_w[a])
                    src = b_src[a]
                else:
                    il = ilabel[a]
                    ol = olabel[a]
                    ns = nextstate[a]
                    w = times(code, du, np.float64(weight[a]))
                    src = a
                    if il == 0 and ol == 0:
                        if visit_mark[ns] != k:
                            if dsize == dfs.shape[0]:
                                dfs = _grow_i64(dfs, dsize + 1)
                            dfs[dsize] = ns
                            dsize += 1
                        continue
                mask = h_cap - 1
                h = _slot(il, ol, ns, mask)
                found = -1
                while h_stamp[h] == expand_id:
                    j = h_val[h]
                    if c_il[j] == il and c_ol[j] == ol and c_ns[j] == ns:
                        found = j
                        break
                    h = (h + 1) & mask
                if found >= 0:
                    c_w[found] = plus(code, c_w[found], w)
                    continue
                if ncur == c_cap:
                    c_cap *= 2
                    c_il = _grow_i32(c_il, c_cap)
                    c_ol = _grow_i32(c_ol, c_cap)
                    c_ns = _grow_i32(c_ns, c_cap)
                    c_w = _grow_f64(c_w, c_cap)
                    c_src = _grow_i64(c_src, c_cap)
                c_il[ncur] = il
                c_ol[ncur] = ol
                c_ns[ncur] = ns
                c_w[ncur] = w
                c_src[ncur] = src
                h_stamp[h] = expand_id
                h_val[h] = ncur
                ncur += 1
                if 2 * ncur > h_cap:  # rehash the current expansion's arcs
                    h_cap *= 4
                    h_stamp = np.full(h_cap, -1, np.int64)
                    h_val = np.empty(h_cap, np.int64)
                    mask = h_cap - 1
                    for j in range(ncur):
                        h = _slot(c_il[j], c_ol[j], c_ns[j], mask)
                        while h_stamp[h] == expand_id:
                            h = (h + 1) & mask
                        h_stamp[h] = expand_id
                        h_val[h] = j
            fin = plus(code, fin, times(code, du, new_final[u]))
        # 3. reset the residuals and counts of the states the distance pass
        # queued: s and states with ε-arcs (it reaches only states the
        # visit also reaches); dist and the visit are reset by the marks
        resid[s] = zero(code)
        pops[s] = 0
        for j in range(nvisited):
            u = queue[j]
            resid[u] = zero(code)
            pops[u] = 0
        # 4. the state's new arcs, in OpenFst's order (last collected first)
        if b_size + ncur > b_il.shape[0]:
            need = b_size + ncur
            b_il = _grow_i32(b_il, need)
            b_ol = _grow_i32(b_ol, need)
            b_ns = _grow_i32(b_ns, need)
            b_w = _grow_f64(b_w, need)
            b_src = _grow_i64(b_src, need)
        seg_start[s] = b_size
        seg_len[s] = ncur
        for j in range(ncur - 1, -1, -1):
            b_il[b_size] = c_il[j]
            b_ol[b_size] = c_ol[j]
            b_ns[b_size] = c_ns[j]
            b_w[b_size] = c_w[j]
            b_src[b_size] = c_src[j]
            b_size += 1
        new_final[s] = fin
        processed[s] = True
        eps_out[s] = False
    return OK, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, new_final


@njit(cache=True)
def gather_segments(seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, out_weight):
    """Concatenates the per-state buffer segments in state order into CSR
    arrays (``out_weight`` is preallocated in the semiring dtype)."""
    n = seg_start.shape[0]
    indptr = np.zeros(n + 1, np.int64)
    for s in range(n):
        indptr[s + 1] = indptr[s] + seg_len[s]
    m = indptr[n]
    il = np.empty(m, np.int32)
    ol = np.empty(m, np.int32)
    ns = np.empty(m, np.int32)
    src = np.empty(m, np.int64)
    for s in range(n):
        o = indptr[s]
        b = seg_start[s]
        for j in range(seg_len[s]):
            il[o + j] = b_il[b + j]
            ol[o + j] = b_ol[b + j]
            ns[o + j] = b_ns[b + j]
            out_weight[o + j] = b_w[b + j]
            src[o + j] = b_src[b + j]
    return indptr, il, ol, ns, src


@njit(cache=True)
def trim_arrays(keep, indptr, il, ol, ns, weight, src, final):
    """Keeps the states of mask ``keep`` (renumbered in order) and the arcs
    between kept states (in order): what ``connect`` does, in one pass and
    without intermediate copies. Returns ``(indptr, il, ol, ns, weight, src,
    final, new_id)``."""
    n = keep.shape[0]
    new_id = np.full(n, -1, np.int64)
    n_out = 0
    for s in range(n):
        if keep[s]:
            new_id[s] = n_out
            n_out += 1
    m_out = 0
    for s in range(n):
        if keep[s]:
            for a in range(indptr[s], indptr[s + 1]):
                if keep[ns[a]]:
                    m_out += 1
    o_indptr = np.zeros(n_out + 1, np.int64)
    o_il = np.empty(m_out, np.int32)
    o_ol = np.empty(m_out, np.int32)
    o_ns = np.empty(m_out, np.int32)
    o_w = np.empty(m_out, weight.dtype)
    o_src = np.empty(m_out, np.int64)
    o_final = np.empty(n_out, final.dtype)
    j = 0
    for s in range(n):
        if not keep[s]:
            continue
        q = new_id[s]
        o_final[q] = final[s]
        for a in range(indptr[s], indptr[s + 1]):
            t = ns[a]
            if keep[t]:
                o_il[j] = il[a]
                o_ol[j] = ol[a]
                o_ns[j] = new_id[t]
                o_w[j] = weight[a]
                o_src[j] = src[a]
                j += 1
        o_indptr[q + 1] = j
    return o_indptr, o_il, o_ol, o_ns, o_w, o_src, o_final, new_id
