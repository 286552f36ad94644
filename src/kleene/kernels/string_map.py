"""The prefix-tree transducer of ``string_map`` (see
:func:`kleene.grammar.builders.string_map`), built from flat label arrays.

Entries are sorted by their input labels (stable, so equal inputs keep their
order); a trie node is then a contiguous range of entries sharing a prefix,
visited breadth-first. At a node, the entries whose input ends there come
first: their remaining outputs, sorted, are spelled by a trie of ε:o arcs
(a new output node exactly where an output leaves the previous one's path,
which for sorted strings is the common-prefix rule of a trie), and each
leaf takes its entry's weight (⊕ for repeated pairs). The other entries
split into runs by their next input label; a run's arc carries the next
output label when every entry in it has that same one (pynini's pushing of
outputs toward the start), else ε.
"""

import numpy as np
from numba import njit

from .semiring import plus
from .subsets import grow as _grow


@njit(cache=True, inline="always")
def _push_arc(src, il, ol, dst, narc, source, ilabel, olabel, target):
    """Writes arc ``narc``, growing the four columns as needed."""
    src = _grow(src, narc + 1)
    il = _grow(il, narc + 1)
    ol = _grow(ol, narc + 1)
    dst = _grow(dst, narc + 1)
    src[narc], il[narc], ol[narc], dst[narc] = source, ilabel, olabel, target
    return src, il, ol, dst


@njit(cache=True, inline="always")
def _less(lab, off, a, b, start):
    """Whether sequence ``a`` (from ``start``) sorts before ``b``; ties are
    not less (stable sorts keep the original order)."""
    i, j = off[a] + start, off[b] + start
    ai, bi = off[a + 1], off[b + 1]
    while i < ai and j < bi:
        if lab[i] != lab[j]:
            return lab[i] < lab[j]
        i += 1
        j += 1
    return i == ai and j < bi


@njit(cache=True)
def _merge_sort(items, lab, off, start, buf):
    """Stable sort of ``items`` (entry ids) by their label sequences from
    ``start``; ``buf`` is scratch of the same length."""
    n = items.shape[0]
    width = 1
    in_buf = False  # the sorted runs are in `buf` after an odd number of passes
    while width < n:
        src = buf if in_buf else items
        dst = items if in_buf else buf
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if _less(lab, off, src[j], src[i], start):
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
        in_buf = not in_buf
        width *= 2
    if in_buf:
        items[:] = buf[:n]


@njit(cache=True)
def string_map_trie(ilab, ioff, olab, ooff, weight, zero_weight, code):
    """Returns ``(num_states, src, ilabel, olabel, nextstate, final)``: the
    arcs in creation order (each state's arcs in order), states numbered
    breadth-first from 0 with each node's output trie before its children."""
    n = ioff.shape[0] - 1
    order = np.arange(n).astype(np.int64)
    _merge_sort(order, ilab, ioff, 0, np.empty(n, np.int64))
    # nodes: (state, lo, hi, depth, emitted) over `order`
    q_state = np.empty(64, np.int64)
    q_lo = np.empty(64, np.int64)
    q_hi = np.empty(64, np.int64)
    q_depth = np.empty(64, np.int64)
    q_emit = np.empty(64, np.int64)
    q_state[0], q_lo[0], q_hi[0], q_depth[0], q_emit[0] = 0, 0, n, 0, 0
    nq = 1
    src = np.empty(256, np.int64)
    il = np.empty(256, np.int32)
    ol = np.empty(256, np.int32)
    dst = np.empty(256, np.int64)
    narc = 0
    fin_node = np.empty(64, np.int64)    # (node, entry) pairs, in order
    fin_entry = np.empty(64, np.int64)
    nfin = 0
    num_states = 1
    ending = np.empty(16, np.int64)
    ending_buf = np.empty(16, np.int64)
    path = np.empty(16, np.int64)
    head = 0
    while head < nq:
        state, lo, hi = q_state[head], q_lo[head], q_hi[head]
        depth, emitted = q_depth[head], q_emit[head]
        head += 1
        e_end = lo
        while e_end < hi and ioff[order[e_end] + 1] - ioff[order[e_end]] == depth:
            e_end += 1
        m = e_end - lo
        if m > 0:
            ending = _grow(ending, m)
            ending_buf = _grow(ending_buf, m)
            sub = ending[:m]
            sub[:] = order[lo:e_end]
            _merge_sort(sub, olab, ooff, emitted, ending_buf[:m])
            prev = -1
            for t in range(m):
                e = sub[t]
                e0 = ooff[e] + emitted
                length = ooff[e + 1] - e0
                path = _grow(path, length + 1)
                lcp = 0
                if prev >= 0:
                    p0 = ooff[prev] + emitted
                    plen = ooff[prev + 1] - p0
                    while lcp < length and lcp < plen and olab[e0 + lcp] == olab[p0 + lcp]:
                        lcp += 1
                else:
                    path[0] = state
                at = path[lcp]
                for k in range(lcp, length):
                    nxt = num_states
                    num_states += 1
                    src, il, ol, dst = _push_arc(src, il, ol, dst, narc, at, 0, olab[e0 + k],
                                                 nxt)
                    narc += 1
                    path[k + 1] = nxt
                    at = nxt
                fin_node = _grow(fin_node, nfin + 1)
                fin_entry = _grow(fin_entry, nfin + 1)
                fin_node[nfin] = at
                fin_entry[nfin] = e
                nfin += 1
                prev = e
        r = e_end
        while r < hi:
            label = ilab[ioff[order[r]] + depth]
            r_end = r + 1
            while r_end < hi and ilab[ioff[order[r_end]] + depth] == label:
                r_end += 1
            first = order[r]
            out_label = 0
            if ooff[first + 1] - ooff[first] > emitted:
                candidate = olab[ooff[first] + emitted]
                agree = True
                for t in range(r, r_end):
                    e = order[t]
                    if ooff[e + 1] - ooff[e] <= emitted or olab[ooff[e] + emitted] != candidate:
                        agree = False
                        break
                if agree:
                    out_label = candidate
            child = num_states
            num_states += 1
            src, il, ol, dst = _push_arc(src, il, ol, dst, narc, state, label, out_label, child)
            narc += 1
            q_state = _grow(q_state, nq + 1)
            q_lo = _grow(q_lo, nq + 1)
            q_hi = _grow(q_hi, nq + 1)
            q_depth = _grow(q_depth, nq + 1)
            q_emit = _grow(q_emit, nq + 1)
            q_state[nq], q_lo[nq], q_hi[nq] = child, r, r_end
            q_depth[nq], q_emit[nq] = depth + 1, emitted + (1 if out_label != 0 else 0)
            nq += 1
            r = r_end
    out_final = np.full(num_states, zero_weight, weight.dtype)
    has_final = np.zeros(num_states, np.bool_)
    for t in range(nfin):  # repeated pairs: ⊕ in entry order
        at = fin_node[t]
        if has_final[at]:
            out_final[at] = plus(code, out_final[at], weight[fin_entry[t]])
        else:
            has_final[at] = True
            out_final[at] = weight[fin_entry[t]]
    return (num_states, src[:narc].copy(), il[:narc].copy(), ol[:narc].copy(),
            dst[:narc].copy(), out_final)
