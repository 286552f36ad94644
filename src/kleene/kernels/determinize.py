"""Weighted subset construction (OpenFst ``Determinize``) over CSR arrays.

One kernel, :func:`determinize_kernel`, serves acceptors and the three
transducer flavours. A determinized state is a *subset*: a sorted list of
elements ``(input state, residual output string, residual weight)``. Output
strings are interned in a trie (``parent``, ``last label``) so a residual is
one integer; id 0 is the empty string. Subsets are stored back to back in
flat, growable arrays and found again through an open-addressing hash table
keyed on the element tuples (weights exact after quantization, as OpenFst).

Modes (``mode``):

* ``ACCEPTOR``: strings unused; residual weights only.
* ``FUNCTIONAL``: OpenFst's ``GALLIC_RESTRICT``: two elements of one state with
  different residual strings, or two final strings that differ, mean the
  transducer is not functional (status ``NONFUNCTIONAL``).
* ``NONFUNCTIONAL``: OpenFst's ``GALLIC``: a state may carry several residual
  strings (a union weight).
* ``DISAMBIGUATE``: OpenFst's ``GALLIC_MIN``: of two residuals of one state the
  one with the better weight survives (ties: the later one, as OpenFst's
  ``Plus``).

The output label of a determinized arc is the first label shared by every
residual (OpenFst's ``LabelCommonDivisor`` emits at most one label per arc);
leftover strings at final states become chains of arcs with input
``subsequential_label`` (OpenFst's ``FactorWeightFst`` + superfinal state).

With ``pruned`` (acceptors, path semirings) the states are expanded lazily
in OpenFst's constructive ``Prune`` order: best first by ``α ⊗ β`` where
``β`` of a subset is ``⊕ residual ⊗ dist[state]`` (``dist``: the input's
distances to the final states).

Status codes: ``OK`` 0, ``BUDGET`` 1 (more than ``max_states`` states or
``max_elements`` subset elements), ``NONFUNCTIONAL`` 2.
"""

import numpy as np
from numba import njit

from .semiring import better, is_zero, one, plus, times, zero, divide

OK = 0
BUDGET = 1
NONFUNCTIONAL = 2

ACCEPTOR = 0
FUNCTIONAL = 1
NONFUNCTIONAL_MODE = 2
DISAMBIGUATE = 3

_EMPTY = -1          # hash table slot marker
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _grow(arr, need):
    """``arr`` itself when it holds ``need`` items, else a copy of double size."""
    if need <= arr.shape[0]:
        return arr
    cap = max(need, 2 * arr.shape[0], 16)
    out = np.empty(cap, arr.dtype)
    out[:arr.shape[0]] = arr
    return out


@njit(cache=True)
def _mix(h, x):
    h = (h ^ np.uint64(x)) * _HASH_MUL
    return h ^ (h >> np.uint64(29))


@njit(cache=True)
def _quantize(w, delta, half):
    """OpenFst's ``Quantize``: ``floor(w / delta + 0.5) * delta`` in the weight's
    own precision (``delta`` and ``half`` carry the dtype); infinities kept."""
    if w == np.inf or w == -np.inf or delta <= 0:
        return w
    return np.floor(w / delta + half) * delta


@njit(cache=True)
def _weight_key(w, delta):
    """An integer standing for a quantized weight in hashes."""
    if w == np.inf:
        return np.int64(0x7FF0000000000000)
    if w == -np.inf:
        return np.int64(-0x7FF0000000000000)
    if delta > 0:
        q = w / delta
        if abs(q) < 4.0e18:
            return np.int64(np.floor(q + 0.5))
    return np.int64(np.floor(w * 1048576.0))


# -- interned strings -----------------------------------------------------

@njit(cache=True)
def _rehash_strings(str_parent, str_last, nstr, cap):
    table = np.full(cap, _EMPTY, np.int64)
    mask = np.uint64(cap - 1)
    for sid in range(1, nstr):
        h = _mix(_mix(np.uint64(0), str_parent[sid]), str_last[sid]) & mask
        while table[h] != _EMPTY:
            h = (h + np.uint64(1)) & mask
        table[h] = sid
    return table


@njit(cache=True)
def _find_string(table, str_parent, str_last, parent, label):
    """Slot of ``parent + [label]`` in ``table``; the slot holds its id or
    ``_EMPTY`` when it is not interned yet."""
    mask = np.uint64(table.shape[0] - 1)
    h = _mix(_mix(np.uint64(0), parent), label) & mask
    while True:
        sid = table[h]
        if sid == _EMPTY or (str_parent[sid] == parent and str_last[sid] == label):
            return h
        h = (h + np.uint64(1)) & mask


@njit(cache=True)
def _reserve_strings(table, parent, last, first, length, tail, nstr, extra):
    """Room for ``extra`` more interned strings (arrays and hash table)."""
    need = nstr + extra
    if need > parent.shape[0]:
        old = parent.shape[0]
        parent = _grow(parent, need)
        last = _grow(last, need)
        first = _grow(first, need)
        length = _grow(length, need)
        tail = _grow(tail, need)
        tail[old:] = -1
    if 2 * need > table.shape[0]:
        cap = table.shape[0]
        while 2 * need > cap:
            cap *= 2
        table = _rehash_strings(parent, last, nstr, cap)
    return table, parent, last, first, length, tail


@njit(cache=True)
def _intern(table, parent, last, first, length, tail, nstr, prefix, label):
    """Id of ``prefix + [label]``, interning it if new (room must be reserved).
    Returns ``(id, nstr)``."""
    slot = _find_string(table, parent, last, prefix, label)
    sid = table[slot]
    if sid != _EMPTY:
        return sid, nstr
    parent[nstr] = prefix
    last[nstr] = label
    first[nstr] = first[prefix] if prefix != 0 else label
    length[nstr] = length[prefix] + 1
    tail[nstr] = -1
    table[slot] = nstr
    return nstr, nstr + 1


@njit(cache=True)
def _compute_tail(table, parent, last, first, length, tail, nstr, sid):
    """Sets ``tail[sid]`` (the string without its first label), interning it;
    room for ``length[sid]`` strings must be reserved. Returns ``nstr``."""
    labels = _string_labels(sid, parent, last, length)
    cur = 0
    for k in range(1, labels.shape[0]):
        cur, nstr = _intern(table, parent, last, first, length, tail, nstr, cur, labels[k])
    tail[sid] = cur
    return nstr


@njit(cache=True)
def _string_labels(sid, str_parent, str_last, str_len):
    out = np.empty(str_len[sid], np.int64)
    k = str_len[sid]
    while sid != 0:
        k -= 1
        out[k] = str_last[sid]
        sid = str_parent[sid]
    return out


@njit(cache=True)
def _string_before(a, b, str_parent, str_last, str_len):
    """OpenFst's union-weight order of strings: shorter first, then by labels."""
    if str_len[a] != str_len[b]:
        return str_len[a] < str_len[b]
    la = _string_labels(a, str_parent, str_last, str_len)
    lb = _string_labels(b, str_parent, str_last, str_len)
    for k in range(la.shape[0]):
        if la[k] != lb[k]:
            return la[k] < lb[k]
    return False


# -- the construction -------------------------------------------------------

@njit(cache=True)
def determinize_kernel(indptr, ilabel, olabel, nextstate, weight, final, start, code,
                       mode, delta, half, pruned, in_dist, has_limit, weight_limit,
                       state_threshold, subsequential_label, increment_label,
                       max_states, max_elements):
    """Returns ``(status, num_states, src, ilabel, olabel, weight, dest, final)``
    with the output arcs in generation order (the caller groups them by
    source, stably). ``delta``/``half`` have the weights' dtype. O(output
    states × subset size × out-degree × log) time."""
    n_in = final.shape[0]
    wdt = weight.dtype
    zero_w = np.empty(1, wdt)
    zero_w[0] = zero(code)
    # -- interned strings (id 0 = empty)
    str_parent = np.zeros(64, np.int64)
    str_last = np.zeros(64, np.int64)
    str_first = np.zeros(64, np.int64)
    str_len = np.zeros(64, np.int64)
    str_tail = np.full(64, -1, np.int64)
    nstr = 1
    str_table = np.full(128, _EMPTY, np.int64)
    # -- subsets: elements of state d are elem_*[sub_ptr[d]:sub_ptr[d+1]]
    sub_ptr = np.zeros(1024, np.int64)
    sub_hash = np.zeros(1024, np.uint64)
    elem_state = np.empty(4096, np.int64)
    elem_str = np.empty(4096, np.int64)
    elem_w = np.empty(4096, wdt)
    nsub = 0
    sub_table = np.full(2048, _EMPTY, np.int64)
    # -- output arcs
    out_src = np.empty(1024, np.int64)
    out_il = np.empty(1024, np.int64)
    out_ol = np.empty(1024, np.int64)
    out_w = np.empty(1024, wdt)
    out_dst = np.empty(1024, np.int64)
    narc = 0
    # -- per-state search data
    queue = np.empty(1024, np.int64)
    odist = np.empty(1024, np.float64)
    # -- candidates of one expansion
    c_label = np.empty(256, np.int64)
    c_state = np.empty(256, np.int64)
    c_str = np.empty(256, np.int64)
    c_w = np.empty(256, wdt)
    c_key = np.empty(256, np.int64)
    order = np.empty(256, np.int64)
    empty_out = np.zeros(0, wdt)
    if start < 0 or n_in == 0:
        return OK, 0, out_src[:0], out_il[:0], out_ol[:0], empty_out, out_dst[:0], empty_out

    # start subset {(start, ε, one)}
    elem_state[0] = start
    elem_str[0] = 0
    elem_w[0] = one(code)
    h0 = _mix(_mix(_mix(np.uint64(1), start), 0), _weight_key(elem_w[0], delta))
    sub_ptr[0] = 0
    sub_ptr[1] = 1
    sub_hash[0] = h0
    nsub = 1
    sub_table[h0 & np.uint64(sub_table.shape[0] - 1)] = 0
    odist[0] = in_dist[start] if pruned else 0.0

    # pruned-mode bookkeeping (grown with the subsets)
    alpha = np.full(1024, np.inf, np.float64)
    visited = np.zeros(1024, np.bool_)
    out_id = np.full(1024, -1, np.int64)
    hkey = np.empty(1024, np.float64)
    hstate = np.empty(1024, np.int64)
    heap = np.empty(1024, np.int64)
    hsize = 0
    nentries = 0
    num_out = 0
    limit = 0.0
    if pruned:
        limit = odist[0] + weight_limit
        alpha[0] = one(code)
        out_id[0] = 0
        num_out = 1
        hkey[0] = times(code, alpha[0], odist[0])
        hstate[0] = 0
        heap[0] = 0
        hsize = 1
        nentries = 1
    qhead = 0
    queue[0] = 0
    qtail = 1
    det_final = np.empty(1024, wdt)

    while True:
        # -- pick the next state to expand
        if pruned:
            if hsize == 0:
                break
            top = heap[0]
            hsize -= 1
            heap[0] = heap[hsize]
            k = 0
            while True:
                c = 2 * k + 1
                if c >= hsize:
                    break
                if c + 1 < hsize and _heap_before(code, hkey, hstate, heap[c + 1], heap[c]):
                    c += 1
                if _heap_before(code, hkey, hstate, heap[c], heap[k]):
                    tmp = heap[k]
                    heap[k] = heap[c]
                    heap[c] = tmp
                    k = c
                else:
                    break
            d = hstate[top]
            if visited[d]:
                continue
            visited[d] = True
        else:
            if qhead == qtail:
                break
            d = queue[qhead]
            qhead += 1
        lo = sub_ptr[d]
        hi = sub_ptr[d + 1]
        # -- final weight (acceptors and pruned mode; transducers later)
        if mode == ACCEPTOR:
            fw = zero_w[0]
            for e in range(lo, hi):
                q = elem_state[e]
                fw = plus(code, fw, times(code, elem_w[e], final[q]))
            det_final = _grow(det_final, d + 1)
            det_final[d] = fw
        # -- candidates: every arc leaving every element
        ncand = 0
        for e in range(lo, hi):
            q = elem_state[e]
            for a in range(indptr[q], indptr[q + 1]):
                if ncand >= c_label.shape[0]:
                    c_label = _grow(c_label, ncand + 1)
                    c_state = _grow(c_state, ncand + 1)
                    c_str = _grow(c_str, ncand + 1)
                    c_w = _grow(c_w, ncand + 1)
                    c_key = _grow(c_key, ncand + 1)
                    order = _grow(order, ncand + 1)
                c_label[ncand] = ilabel[a]
                c_state[ncand] = nextstate[a]
                c_w[ncand] = times(code, elem_w[e], weight[a])
                sid = elem_str[e]
                lab = olabel[a]
                if mode != ACCEPTOR and lab != 0:
                    str_table, str_parent, str_last, str_first, str_len, str_tail = \
                        _reserve_strings(str_table, str_parent, str_last, str_first,
                                         str_len, str_tail, nstr, 1)
                    sid, nstr = _intern(str_table, str_parent, str_last, str_first, str_len,
                                        str_tail, nstr, sid, lab)
                c_str[ncand] = sid
                # OpenFst pushes each new element to the front of its label's
                # list, then sorts stably by state: equal states end up in
                # reverse generation order. We sort a reversed index.
                c_key[ncand] = ilabel[a] * np.int64(n_in) + nextstate[a]
                ncand += 1
        for k in range(ncand):
            order[k] = ncand - 1 - k
        _stable_sort(order, c_key, ncand)
        if mode == NONFUNCTIONAL_MODE:
            _sort_runs_by_string(order, c_key, c_str, ncand)
        # -- one output arc per label
        g = 0
        while g < ncand:
            label = c_label[order[g]]
            gend = g
            while gend < ncand and c_label[order[gend]] == label:
                gend += 1
            # common divisor: ⊕ of weights, first output label shared by all
            cw = zero_w[0]
            clab = -1
            for k in range(g, gend):
                i = order[k]
                cw = plus(code, cw, c_w[i])
                sid = c_str[i]
                if clab == -1:
                    clab = str_first[sid] if sid != 0 else 0
                elif clab != 0:
                    if sid == 0 or str_first[sid] != clab:
                        clab = 0
            if clab < 0:
                clab = 0
            # merge duplicate states into the new subset (written after the
            # stored ones, kept only if it is new)
            base = sub_ptr[nsub]
            nel = 0
            for k in range(g, gend):
                i = order[k]
                need = base + nel + 1
                if need > elem_state.shape[0]:
                    elem_state = _grow(elem_state, need)
                    elem_str = _grow(elem_str, need)
                    elem_w = _grow(elem_w, need)
                if nel > 0 and elem_state[base + nel - 1] == c_state[i] and (
                        mode != NONFUNCTIONAL_MODE or elem_str[base + nel - 1] == c_str[i]):
                    p = base + nel - 1
                    if mode == DISAMBIGUATE:
                        if not better(code, elem_w[p], c_w[i]):
                            elem_w[p] = c_w[i]
                            elem_str[p] = c_str[i]
                    else:
                        if mode == FUNCTIONAL and elem_str[p] != c_str[i]:
                            return NONFUNCTIONAL, 0, out_src[:0], out_il[:0], out_ol[:0], \
                                empty_out, out_dst[:0], empty_out
                        elem_w[p] = plus(code, elem_w[p], c_w[i])
                else:
                    elem_state[base + nel] = c_state[i]
                    elem_str[base + nel] = c_str[i]
                    elem_w[base + nel] = c_w[i]
                    nel += 1
            if base + nel > max_elements:
                return BUDGET, nsub, out_src[:0], out_il[:0], out_ol[:0], empty_out, \
                    out_dst[:0], empty_out
            # divide out the common divisor and quantize; hash the subset
            hsh = np.uint64(nel)
            for p in range(base, base + nel):
                if clab != 0:
                    sid = elem_str[p]
                    if str_tail[sid] < 0:
                        str_table, str_parent, str_last, str_first, str_len, str_tail = \
                            _reserve_strings(str_table, str_parent, str_last, str_first,
                                             str_len, str_tail, nstr, str_len[sid])
                        nstr = _compute_tail(str_table, str_parent, str_last, str_first,
                                             str_len, str_tail, nstr, sid)
                    elem_str[p] = str_tail[sid]
                if not is_zero(code, cw):
                    elem_w[p] = divide(code, elem_w[p], cw)
                # quantize in the weights' own precision (as OpenFst's float
                # arithmetic): the stored value is read back with its dtype
                elem_w[p] = _quantize(elem_w[p], delta, half)
                hsh = _mix(_mix(_mix(hsh, elem_state[p]), elem_str[p]),
                           _weight_key(elem_w[p], delta))
            # look the subset up
            mask = np.uint64(sub_table.shape[0] - 1)
            slot = hsh & mask
            dest = -1
            while True:
                cand = sub_table[slot]
                if cand == _EMPTY:
                    break
                if sub_hash[cand] == hsh and sub_ptr[cand + 1] - sub_ptr[cand] == nel:
                    same = True
                    off = sub_ptr[cand]
                    for p in range(nel):
                        if (elem_state[off + p] != elem_state[base + p]
                                or elem_str[off + p] != elem_str[base + p]
                                or elem_w[off + p] != elem_w[base + p]):
                            same = False
                            break
                    if same:
                        dest = cand
                        break
                slot = (slot + np.uint64(1)) & mask
            if dest == -1:
                if nsub + 1 > max_states:
                    return BUDGET, nsub, out_src[:0], out_il[:0], out_ol[:0], empty_out, \
                        out_dst[:0], empty_out
                dest = nsub
                sub_table[slot] = dest
                sub_ptr = _grow(sub_ptr, nsub + 2)
                sub_hash = _grow(sub_hash, nsub + 1)
                sub_ptr[nsub + 1] = base + nel
                sub_hash[nsub] = hsh
                nsub += 1
                if 2 * nsub > sub_table.shape[0]:
                    sub_table = _rehash_subsets(sub_hash, nsub, 2 * sub_table.shape[0])
                if pruned:
                    od = np.inf if code <= 1 else 0.0
                    for p in range(base, base + nel):
                        od = plus(code, od, times(code, np.float64(elem_w[p]),
                                                  in_dist[elem_state[p]]))
                    odist = _grow(odist, nsub)
                    odist[dest] = od
                    if alpha.shape[0] < nsub:
                        old = alpha.shape[0]
                        alpha = _grow(alpha, nsub)
                        alpha[old:] = np.inf
                        visited = _grow(visited, nsub)
                        visited[old:] = False
                        out_id = _grow(out_id, nsub)
                        out_id[old:] = -1
                    alpha[dest] = zero(code)
                else:
                    queue = _grow(queue, qtail + 1)
                    queue[qtail] = dest
                    qtail += 1
            # emit the arc
            olab = label if mode == ACCEPTOR else clab
            if pruned:
                prefix = times(code, alpha[d], np.float64(cw))
                keep = True
                if has_limit and better(code, limit, times(code, prefix, odist[dest])):
                    keep = False
                elif state_threshold >= 0 and num_out >= state_threshold:
                    keep = False
                if keep:
                    improved = better(code, prefix, alpha[dest])
                    if improved:
                        alpha[dest] = prefix
                    requeue = True
                    if out_id[dest] < 0:
                        out_id[dest] = num_out
                        num_out += 1
                    elif visited[dest] or not improved:
                        requeue = False
                    if requeue:
                        q = nentries
                        nentries += 1
                        hkey = _grow(hkey, nentries)
                        hstate = _grow(hstate, nentries)
                        heap = _grow(heap, hsize + 1)
                        hkey[q] = times(code, alpha[dest], odist[dest])
                        hstate[q] = dest
                        j = hsize
                        heap[j] = q
                        hsize += 1
                        while j > 0:
                            pp = (j - 1) // 2
                            if _heap_before(code, hkey, hstate, heap[j], heap[pp]):
                                tmp = heap[j]
                                heap[j] = heap[pp]
                                heap[pp] = tmp
                                j = pp
                            else:
                                break
                else:
                    g = gend
                    continue
            if narc >= out_src.shape[0]:
                out_src = _grow(out_src, narc + 1)
                out_il = _grow(out_il, narc + 1)
                out_ol = _grow(out_ol, narc + 1)
                out_w = _grow(out_w, narc + 1)
                out_dst = _grow(out_dst, narc + 1)
            out_src[narc] = d
            out_il[narc] = label
            out_ol[narc] = olab
            out_w[narc] = cw
            out_dst[narc] = dest
            narc += 1
            g = gend

    if pruned:
        # renumber to the prune discovery order, keep finals within the limit
        fin = np.full(num_out, zero(code), wdt)
        for d in range(nsub):
            o = out_id[d]
            if o >= 0 and visited[d]:
                fw = det_final[d]
                if not is_zero(code, fw) and not (
                        has_limit and better(code, limit, times(code, alpha[d], np.float64(fw)))):
                    fin[o] = fw
        for k in range(narc):
            out_src[k] = out_id[out_src[k]]
            out_dst[k] = out_id[out_dst[k]]
        return OK, num_out, out_src[:narc], out_il[:narc], out_ol[:narc], out_w[:narc], \
            out_dst[:narc], fin
    if mode == ACCEPTOR:
        return OK, nsub, out_src[:narc], out_il[:narc], out_ol[:narc], out_w[:narc], \
            out_dst[:narc], det_final[:nsub].copy()
    # -- transducers: final residual strings become arcs to a superfinal state
    return _transducer_finals(nsub, sub_ptr, elem_state, elem_str, elem_w, final, code, mode,
                              str_table, str_parent, str_last, str_first, str_len, str_tail, nstr,
                              subsequential_label, increment_label, max_states,
                              out_src, out_il, out_ol, out_w, out_dst, narc)


@njit(cache=True)
def _heap_before(code, hkey, hstate, i, j):
    if hkey[i] == hkey[j]:
        return hstate[i] < hstate[j]
    return better(code, hkey[i], hkey[j])


@njit(cache=True)
def _rehash_subsets(sub_hash, nsub, cap):
    table = np.full(cap, _EMPTY, np.int64)
    mask = np.uint64(cap - 1)
    for d in range(nsub):
        h = sub_hash[d] & mask
        while table[h] != _EMPTY:
            h = (h + np.uint64(1)) & mask
        table[h] = d
    return table


@njit(cache=True)
def _stable_sort(order, key, n):
    """Stable sort of ``order[:n]`` by ``key[order]`` (insertion sort for short
    runs, merge sort otherwise)."""
    if n <= 24:
        for i in range(1, n):
            x = order[i]
            kx = key[x]
            j = i - 1
            while j >= 0 and key[order[j]] > kx:
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = x
        return
    keys = np.empty(n, np.int64)
    for i in range(n):
        keys[i] = key[order[i]]
    perm = np.argsort(keys, kind="mergesort")
    tmp = order[:n].copy()
    for i in range(n):
        order[i] = tmp[perm[i]]


@njit(cache=True)
def _sort_runs_by_string(order, key, strs, n):
    """Within each run of equal keys (label, state) sorts stably by string id,
    so equal residual strings of one state are adjacent."""
    i = 0
    while i < n:
        j = i
        while j < n and key[order[j]] == key[order[i]]:
            j += 1
        for a in range(i + 1, j):
            x = order[a]
            b = a - 1
            while b >= i and strs[order[b]] > strs[x]:
                order[b + 1] = order[b]
                b -= 1
            order[b + 1] = x
        i = j


@njit(cache=True)
def _transducer_finals(nsub, sub_ptr, elem_state, elem_str, elem_w, final, code, mode,
                       str_table, str_parent, str_last, str_first, str_len, str_tail, nstr,
                       subsequential_label, increment_label, max_states,
                       out_src, out_il, out_ol, out_w, out_dst, narc):
    """Final weights of the determinized transducer. A state whose final
    residual is ``(S, W)`` with ``S`` non-empty gets no final weight but an arc
    ``subsequential_label:S[0]/W`` into a chain that emits the rest of ``S``
    (chain states are shared by equal remainders) and ends in one superfinal
    state, as OpenFst's ``FactorWeightFst`` and ``FromGallicMapper`` do."""
    wdt = elem_w.dtype
    fin = np.empty(nsub, wdt)
    empty_out = np.zeros(0, wdt)
    one_w = np.empty(1, wdt)
    one_w[0] = one(code)
    node_of = np.full(nstr, -1, np.int64)     # chain state still emitting string id
    num = nsub
    superfinal = -1
    empty_node = -1
    f_str = np.empty(16, np.int64)
    f_w = np.empty(16, wdt)
    for d in range(nsub):
        nf = 0
        for e in range(sub_ptr[d], sub_ptr[d + 1]):
            q = elem_state[e]
            if is_zero(code, final[q]):
                continue
            s = elem_str[e]
            w = times(code, elem_w[e], final[q])
            if mode == NONFUNCTIONAL_MODE:
                merged = False
                for k in range(nf):
                    if f_str[k] == s:
                        f_w[k] = plus(code, f_w[k], w)
                        merged = True
                        break
                if not merged:
                    f_str = _grow(f_str, nf + 1)
                    f_w = _grow(f_w, nf + 1)
                    f_str[nf] = s
                    f_w[nf] = w
                    nf += 1
            elif nf == 0:
                f_str[0] = s
                f_w[0] = w
                nf = 1
            elif mode == DISAMBIGUATE:
                if not better(code, f_w[0], w):
                    f_str[0] = s
                    f_w[0] = w
            else:
                if f_str[0] != s:
                    return NONFUNCTIONAL, 0, out_src[:0], out_il[:0], out_ol[:0], \
                        empty_out, out_dst[:0], empty_out
                f_w[0] = plus(code, f_w[0], w)
        fin[d] = zero(code)
        if nf == 0:
            continue
        if nf == 1 and f_str[0] == 0:
            fin[d] = f_w[0]
            continue
        # union weights are emitted in OpenFst's order: shorter strings first
        for i in range(1, nf):
            xs = f_str[i]
            xw = f_w[i]
            j = i - 1
            while j >= 0 and _string_before(xs, f_str[j], str_parent, str_last, str_len):
                f_str[j + 1] = f_str[j]
                f_w[j + 1] = f_w[j]
                j -= 1
            f_str[j + 1] = xs
            f_w[j + 1] = xw
        for k in range(nf):
            s = f_str[k]
            label = subsequential_label + k if increment_label else subsequential_label
            if s == 0:
                # an empty residual beside others: an epsilon arc to a final state
                if empty_node < 0:
                    empty_node = num
                    num += 1
                out_src, out_il, out_ol, out_w, out_dst, narc = _push_arc(
                    out_src, out_il, out_ol, out_w, out_dst, narc, d, label, 0, f_w[k],
                    empty_node)
                continue
            labels = _string_labels(s, str_parent, str_last, str_len)
            size = labels.shape[0]
            if size == 1 and nf > 1:
                # OpenFst factors each alternative of a union into its first
                # label and an (empty) rest: the rest is a final state
                if empty_node < 0:
                    empty_node = num
                    num += 1
                out_src, out_il, out_ol, out_w, out_dst, narc = _push_arc(
                    out_src, out_il, out_ol, out_w, out_dst, narc, d, label, labels[0],
                    f_w[k], empty_node)
                continue
            str_table, str_parent, str_last, str_first, str_len, str_tail = _reserve_strings(
                str_table, str_parent, str_last, str_first, str_len, str_tail, nstr,
                size * size)
            src = d
            arc_label = label
            arc_w = f_w[k]
            joined = False
            for pos in range(1, size):
                # the chain state that still has to emit labels[pos:]
                rest = 0
                for j in range(pos, size):
                    rest, nstr = _intern(str_table, str_parent, str_last, str_first, str_len,
                                         str_tail, nstr, rest, labels[j])
                if node_of.shape[0] < nstr:
                    old = node_of.shape[0]
                    node_of = _grow(node_of, nstr)
                    node_of[old:] = -1
                node = node_of[rest]
                created = node < 0
                if created:
                    node = num
                    node_of[rest] = node
                    num += 1
                out_src, out_il, out_ol, out_w, out_dst, narc = _push_arc(
                    out_src, out_il, out_ol, out_w, out_dst, narc, src, arc_label,
                    labels[pos - 1], arc_w, node)
                if not created:
                    joined = True
                    break
                src = node
                arc_label = subsequential_label
                arc_w = one_w[0]
            if not joined:
                if superfinal < 0:
                    superfinal = num
                    num += 1
                out_src, out_il, out_ol, out_w, out_dst, narc = _push_arc(
                    out_src, out_il, out_ol, out_w, out_dst, narc, src, arc_label,
                    labels[size - 1], arc_w, superfinal)
            if num > max_states:
                return BUDGET, num, out_src[:0], out_il[:0], out_ol[:0], empty_out, \
                    out_dst[:0], empty_out
    fin_all = np.empty(num, wdt)
    fin_all[:nsub] = fin
    fin_all[nsub:] = zero(code)
    if superfinal >= 0:
        fin_all[superfinal] = one(code)
    if empty_node >= 0:
        fin_all[empty_node] = one(code)
    return OK, num, out_src[:narc], out_il[:narc], out_ol[:narc], out_w[:narc], \
        out_dst[:narc], fin_all


@njit(cache=True)
def _push_arc(out_src, out_il, out_ol, out_w, out_dst, narc, src, il, ol, w, dst):
    out_src = _grow(out_src, narc + 1)
    out_il = _grow(out_il, narc + 1)
    out_ol = _grow(out_ol, narc + 1)
    out_w = _grow(out_w, narc + 1)
    out_dst = _grow(out_dst, narc + 1)
    out_src[narc] = src
    out_il[narc] = il
    out_ol[narc] = ol
    out_w[narc] = w
    out_dst[narc] = dst
    return out_src, out_il, out_ol, out_w, out_dst, narc + 1
