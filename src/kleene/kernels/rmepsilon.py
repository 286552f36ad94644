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
    O(V + E)."""
    comp, ncomp = epsilon_components(indptr, ilabel, olabel, nextstate, num_states)
    return _order_by_component(comp, ncomp)


@njit(cache=True)
def epsilon_components(indptr, ilabel, olabel, nextstate, num_states):
    """Strongly connected components of the ε:ε subgraph, numbered in the
    order Tarjan's algorithm emits them (an ε-arc between two components
    goes to the lower number). Iterative Tarjan; returns ``(comp, ncomp)``.
    O(V + E)."""
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
    return comp, ncomp


@njit(cache=True)
def _order_by_component(comp, ncomp):
    """States by component number, stable in state id (counting sort)."""
    num_states = comp.shape[0]
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
def _grow(arr, size):
    """``arr`` copied into a new array of capacity ``max(size, 2 len)``; only
    the copied part is written (the rest stays untouched, not resident)."""
    out = np.empty(max(size, 2 * arr.shape[0]), arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(inline="always", cache=True)
def _slot(il, ol, ns, mask):
    h = (np.int64(il) * 1000003) ^ (np.int64(ol) * 998244353) ^ (np.int64(ns) * 2654435761)
    h ^= h >> 29
    return h & mask


@njit(inline="always", cache=True)
def _collect(il, ol, ns, w, src, ncur, stamp, c_il, c_ol, c_ns, c_w, c_src, h_stamp,
             h_val, code):
    """Adds arc ``(il, ol, ns, w)`` to the current expansion's list, ⊕-merging
    it into an earlier arc with the same labels and destination; returns the
    new list length. The caller has made room for one more arc."""
    mask = h_stamp.shape[0] - 1
    h = _slot(il, ol, ns, mask)
    while h_stamp[h] == stamp:
        j = h_val[h]
        if c_il[j] == il and c_ol[j] == ol and c_ns[j] == ns:
            c_w[j] = plus(code, c_w[j], w)
            return ncur
        h = (h + 1) & mask
    c_il[ncur] = il
    c_ol[ncur] = ol
    c_ns[ncur] = ns
    c_w[ncur] = w
    c_src[ncur] = src
    h_stamp[h] = stamp
    h_val[h] = ncur
    return ncur + 1


@njit(cache=True)
def _cacheable(u, indptr, ilabel, olabel, nextstate, eps_in_degree, eps_out, processed):
    """Whether skipped state ``u`` (one that only ε-arcs enter) can be
    expanded once and then read as a leaf by the closures that reach it.

    OpenFst never expands such a state: every closure through it re-walks its
    raw ε-arcs. Reading its expansion instead gives the same arcs in the same
    order when the walk below ``u`` is a tree that nothing else enters: each
    ε-successor is a leaf (expanded, or without ε-arcs) whose only ε-arc in
    comes from ``u``. Then a closure reaches those states only through ``u``,
    so their distances are ``d(s, u) ⊗ d(u, ·)`` and the depth-first walk
    below ``u`` is the same in every closure (distributivity; only float
    rounding differs)."""
    has_eps = False
    for a in range(indptr[u], indptr[u + 1]):
        if ilabel[a] != 0 or olabel[a] != 0:
            continue
        has_eps = True
        t = nextstate[a]
        if t == u or eps_in_degree[t] != 1 or (eps_out[t] and not processed[t]):
            return False
    return has_eps


#: closure sizes saturate here (an upper bound must not overflow)
_SIZE_LIMIT = 1 << 40


@njit(cache=True)
def _closure_size_bounds(indptr, ilabel, olabel, nextstate, comp, order):
    """For each ε-component, an upper bound on the number of non-ε arcs
    in the ε-closure of any of its states (so on its expanded arc count): its
    members' non-ε arcs plus the bounds of the components its ε-arcs leave
    to, saturating at ``_SIZE_LIMIT``. One pass in ``order`` (sinks first).
    Exact on trees, an overcount where closures share states. O(V + E)."""
    bound = np.zeros(comp.shape[0], np.int64)
    for u in order:
        c = comp[u]
        total = bound[c]
        for a in range(indptr[u], indptr[u + 1]):
            if ilabel[a] != 0 or olabel[a] != 0:
                total += 1
            elif comp[nextstate[a]] != c:
                total += bound[comp[nextstate[a]]]
            if total > _SIZE_LIMIT:
                total = _SIZE_LIMIT
        bound[c] = total
    return bound


@njit(cache=True)
def rmepsilon_states(indptr, ilabel, olabel, nextstate, weight, final, start, code,
                     delta, skip_unreachable, max_relaxations, acceptor, want_src):
    """Expands every state (OpenFst's in-place schedule).

    With ``skip_unreachable`` a state that is neither the start nor the
    target of a non-ε arc is not expanded and loses its arcs (OpenFst does
    this when it connects or prunes afterwards; such states are inaccessible
    once the ε-arcs are gone). Such a state whose ε-walk is a private tree
    (see ``_cacheable``) is still expanded, into the buffer but not the
    result, so that the closures through it read its arcs instead of
    re-walking the tree (the same arcs in the same order as OpenFst's).

    Returns ``(status, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src,
    new_final)``: state ``s``'s new arcs are buffer entries ``seg_start[s] ..
    seg_start[s] + seg_len[s]``. Buffer weights have the input's dtype (as
    OpenFst stores them); distances and sums are accumulated in float64.
    ``b_ol`` is only filled when not ``acceptor`` (else ``b_il`` stands for
    both) and ``b_src`` (the input arc each buffer arc copies) only when
    ``want_src``. The buffers have spare capacity that is never written.

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
    noneps_in = np.zeros(n, np.bool_)
    if 0 <= start < n:
        noneps_in[start] = True
    # eps_out[u]: u has ε:ε arcs to relax in the distance pass (cleared once
    # u is expanded); other states are leaves of every closure
    eps_out = np.zeros(n, np.bool_)
    eps_in_degree = np.zeros(n, np.int32)
    for u in range(n):
        for a in range(indptr[u], indptr[u + 1]):
            if ilabel[a] != 0 or olabel[a] != 0:
                noneps_in[nextstate[a]] = True
            else:
                eps_out[u] = True
                eps_in_degree[nextstate[a]] += 1
    comp, ncomp = epsilon_components(indptr, ilabel, olabel, nextstate, n)
    order = _order_by_component(comp, ncomp)
    # The buffers are reserved at an upper bound of what the expansions
    # write, where that bound is moderate: pages never written cost no
    # memory, and growing (copying) would hold two copies of the arcs.
    bound = _closure_size_bounds(indptr, ilabel, olabel, nextstate, comp, order)
    reserve = 0
    for s in range(n):
        if noneps_in[s] or not skip_unreachable or eps_out[s]:
            reserve = min(reserve + bound[comp[s]], _SIZE_LIMIT)
    cap = max(1024, min(reserve, max(64 * m, 1 << 22)))
    b_il = np.empty(cap, np.int32)
    b_ol = np.empty(0 if acceptor else cap, np.int32)
    b_ns = np.empty(cap, np.int32)
    b_w = np.empty(cap, weight.dtype)
    b_src = np.empty(cap if want_src else 0, np.int64)
    b_size = 0

    processed = np.zeros(n, np.bool_)
    # cached: skipped states expanded for the closures only; their buffer
    # segment is stored last-collected first like every other, so a closure
    # reads it backwards to replay the collection order of the raw walk
    cached = np.zeros(n, np.bool_)
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
    h_stamp = np.full(64, -1, np.int64)
    h_val = np.empty(64, np.int64)

    for k in range(n):
        s = order[k]
        if skip_unreachable and not noneps_in[s]:
            if not _cacheable(s, indptr, ilabel, olabel, nextstate, eps_in_degree,
                              eps_out, processed):
                continue
            cached[s] = True
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
                    c_il[ncur] = ilabel[a]
                    c_ol[ncur] = olabel[a]
                    c_ns[ncur] = nextstate[a]
                    c_src[ncur] = a
                    c_w[ncur] = np.float64(weight[a])
                    ncur += 1
            fin = new_final[s]
        else:
            # 2. depth-first (stack) visit of the closure collecting arcs
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
                    cnt = seg_len[u]
                else:
                    lo = indptr[u]
                    cnt = indptr[u + 1] - lo
                # room for every arc of u in the list and the hash map
                if ncur + cnt > c_cap:
                    c_cap = 2 * (ncur + cnt)
                    c_il = _grow(c_il, c_cap)
                    c_ol = _grow(c_ol, c_cap)
                    c_ns = _grow(c_ns, c_cap)
                    c_w = _grow(c_w, c_cap)
                    c_src = _grow(c_src, c_cap)
                if 2 * (ncur + cnt) > h_stamp.shape[0]:
                    h_cap = h_stamp.shape[0]
                    while 2 * (ncur + cnt) > h_cap:
                        h_cap *= 4
                    h_stamp = np.full(h_cap, -1, np.int64)
                    h_val = np.empty(h_cap, np.int64)
                    mask = h_cap - 1
                    for j in range(ncur):
                        h = _slot(c_il[j], c_ol[j], c_ns[j], mask)
                        while h_stamp[h] == k:
                            h = (h + 1) & mask
                        h_stamp[h] = k
                        h_val[h] = j
                if processed[u]:
                    backwards = cached[u]
                    for q in range(cnt):
                        a = lo + cnt - 1 - q if backwards else lo + q
                        il = b_il[a]
                        ol = il if acceptor else b_ol[a]
                        src = b_src[a] if want_src else -1
                        ncur = _collect(il, ol, b_ns[a], times(code, du, np.float64(b_w[a])),
                                        src, ncur, k, c_il, c_ol, c_ns, c_w, c_src,
                                        h_stamp, h_val, code)
                else:
                    for a in range(lo, lo + cnt):
                        il = ilabel[a]
                        ol = olabel[a]
                        ns = nextstate[a]
                        if il == 0 and ol == 0:
                            if visit_mark[ns] != k:
                                if dsize == dfs.shape[0]:
                                    dfs = _grow(dfs, dsize + 1)
                                dfs[dsize] = ns
                                dsize += 1
                            continue
                        ncur = _collect(il, ol, ns, times(code, du, np.float64(weight[a])),
                                        a, ncur, k, c_il, c_ol, c_ns, c_w, c_src,
                                        h_stamp, h_val, code)
                fin = plus(code, fin, times(code, du, new_final[u]))
            # 3. reset the residuals and counts of the states the distance
            # pass queued: s and states with ε-arcs (it reaches only states
            # the visit also reaches); dist and the visit are reset by marks
            for j in range(nvisited):
                u = queue[j]
                resid[u] = zero(code)
                pops[u] = 0
        resid[s] = zero(code)
        pops[s] = 0
        in_queue[s] = False
        # 4. the state's new arcs, in OpenFst's order (last collected first)
        if b_size + ncur > b_il.shape[0]:
            # grown one array at a time: the old one is freed before the next
            need = b_size + ncur
            b_il = _grow(b_il, need)
            if not acceptor:
                b_ol = _grow(b_ol, need)
            b_ns = _grow(b_ns, need)
            b_w = _grow(b_w, need)
            if want_src:
                b_src = _grow(b_src, need)
        seg_start[s] = b_size
        seg_len[s] = ncur
        for j in range(ncur - 1, -1, -1):
            b_il[b_size] = c_il[j]
            if not acceptor:
                b_ol[b_size] = c_ol[j]
            b_ns[b_size] = c_ns[j]
            b_w[b_size] = c_w[j]
            if want_src:
                b_src[b_size] = c_src[j]
            b_size += 1
        new_final[s] = fin
        processed[s] = True
        eps_out[s] = False
    # cached states are not part of the result: no arcs, original final
    for s in range(n):
        if cached[s]:
            seg_len[s] = 0
            new_final[s] = final[s]
    return OK, seg_start, seg_len, b_il, b_ol, b_ns, b_w, b_src, new_final


@njit(cache=True)
def result_layout(seg_start, seg_len, b_ns, final, start, code, connect):
    """The result's states and offsets: with ``connect`` the states that are
    accessible from ``start`` and coaccessible (OpenFst's ``Connect``),
    renumbered in order, and the arcs between them; else every state and arc.

    Works on the buffer segments directly (the reverse graph for
    coaccessibility takes one int32 per arc). Returns ``(keep, new_id,
    indptr)``. O(V + E)."""
    n = seg_start.shape[0]
    keep = np.ones(n, np.bool_)
    if connect:
        # accessible: depth-first from the start
        acc = np.zeros(n, np.bool_)
        stack = np.empty(n, np.int64)
        top = 0
        if 0 <= start < n:
            acc[start] = True
            stack[0] = start
            top = 1
        while top > 0:
            top -= 1
            s = stack[top]
            for a in range(seg_start[s], seg_start[s] + seg_len[s]):
                t = b_ns[a]
                if not acc[t]:
                    acc[t] = True
                    stack[top] = t
                    top += 1
        # coaccessible: backwards from the final states over the accessible
        # part's arcs (reverse CSR of int32 sources)
        rptr = np.zeros(n + 1, np.int64)
        for s in range(n):
            if acc[s]:
                for a in range(seg_start[s], seg_start[s] + seg_len[s]):
                    rptr[b_ns[a] + 1] += 1
        for s in range(n):
            rptr[s + 1] += rptr[s]
        fill = rptr[:n].copy()
        rsrc = np.empty(rptr[n], np.int32)
        for s in range(n):
            if acc[s]:
                for a in range(seg_start[s], seg_start[s] + seg_len[s]):
                    t = b_ns[a]
                    rsrc[fill[t]] = s
                    fill[t] += 1
        co = np.zeros(n, np.bool_)
        for s in range(n):
            if acc[s] and not is_zero(code, final[s]):
                co[s] = True
                stack[top] = s
                top += 1
        while top > 0:
            top -= 1
            t = stack[top]
            for j in range(rptr[t], rptr[t + 1]):
                s = rsrc[j]
                if not co[s]:
                    co[s] = True
                    stack[top] = s
                    top += 1
        keep = acc & co
    new_id = np.full(n, -1, np.int64)
    n_out = 0
    for s in range(n):
        if keep[s]:
            new_id[s] = n_out
            n_out += 1
    indptr = np.zeros(n_out + 1, np.int64)
    for s in range(n):
        if keep[s]:
            count = 0
            for a in range(seg_start[s], seg_start[s] + seg_len[s]):
                if keep[b_ns[a]]:
                    count += 1
            q = new_id[s]
            indptr[q + 1] = indptr[q] + count
    return keep, new_id, indptr


@njit(cache=True)
def gather_column(column, seg_start, seg_len, b_ns, keep, new_id, num_arcs, renumber):
    """One arc array of the result: the buffer entries of ``column`` for the
    kept states' segments in state order, skipping arcs into dropped states;
    with ``renumber`` the entries are states, mapped through ``new_id``.
    Gathering one array at a time lets the caller free each buffer array
    before the next result array is allocated. O(V + E)."""
    out = np.empty(num_arcs, column.dtype)
    j = 0
    for s in range(seg_start.shape[0]):
        if not keep[s]:
            continue
        for a in range(seg_start[s], seg_start[s] + seg_len[s]):
            t = b_ns[a]
            if keep[t]:
                if renumber:
                    out[j] = new_id[t]
                else:
                    out[j] = column[a]
                j += 1
    return out
