"""Linear-time minimization of acyclic deterministic machines for
:mod:`kleene.algorithms.minimize` (Revuz 1992, as OpenFst's
``AcyclicMinimizer``).

In an acyclic machine every state's right language is fixed by its final
weight and its arcs ``(ilabel, olabel, weight, class of destination)``, and
the destinations are strictly "lower". Visiting the states in reverse
topological order (destinations first), the class of every destination is
already known when a state is reached, so one hash-consing pass assigns the
classes (Revuz visits states height by height; any reverse topological
order gives the same classes). O(V + E).

Memory locality decides the speed on large machines: hash-consing state by
state makes every hash-table probe wait for the previous state's (a cache
miss each). So :func:`acyclic_classes` first hashes every state's whole
right language bottom-up (a state's hash mixes its destinations' hashes,
not their classes; a sequential pass), then numbers the distinct hashes
(independent probes that the processor overlaps), and finally checks that
the numbering is stable: every state has the signature of its class's first
member. Equivalent states get equal hashes, so a stable numbering is the
coarsest one; a hash collision (probability about V²/2⁶⁵) makes the check
fail and the exact state-by-state pass runs instead. Correctness never
rests on the hash.
"""

import numpy as np
from numba import njit

from .minimize import _mix


@njit(cache=True)
def reverse_topological_order(indptr, nextstate, start):
    """Every state, destinations before sources (DFS post-order, from
    ``start`` first, then from the unvisited states in increasing order).
    Returns ``(order, status)``; ``status`` is 1 when a cycle exists (the
    order is then meaningless), else 0. O(V + E)."""
    n = indptr.shape[0] - 1
    color = np.zeros(n, np.int8)          # 0 new, 1 on the DFS stack, 2 done
    order = np.empty(n, np.int64)
    done = 0
    stack = np.empty(n, np.int64)
    next_arc = np.empty(n, np.int64)
    for root_index in range(-1, n):
        root = start if root_index < 0 else root_index
        if root < 0 or root >= n or color[root] != 0:
            continue
        color[root] = 1
        stack[0] = root
        next_arc[0] = indptr[root]
        top = 1
        while top > 0:
            s = stack[top - 1]
            a = next_arc[top - 1]
            if a < indptr[s + 1]:
                next_arc[top - 1] = a + 1
                t = nextstate[a]
                if color[t] == 1:
                    return order, 1
                if color[t] == 0:
                    color[t] = 1
                    stack[top] = t
                    next_arc[top] = indptr[t]
                    top += 1
            else:
                color[s] = 2
                order[done] = s
                done += 1
                top -= 1
    return order, 0


_SEED = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _arc_hash(h, label_in, label_out, bits, dest_key):
    h = _mix(h ^ np.uint64(label_in) ^ (np.uint64(label_out) << np.uint64(32)))
    h = _mix(h ^ np.uint64(bits))
    return _mix(h ^ dest_key)


@njit(cache=True)
def language_hashes(indptr, perm, ilabel, olabel, wbits, nextstate, fbits, order, hash_mask):
    """A 64-bit hash of every state's right language: its final weight bits
    and arcs (labels, weight bits, destination's hash) in the order ``perm``;
    ``order`` lists destinations first. Equivalent states hash alike.
    ``hash_mask`` (all ones in use) lets tests force collisions. O(V + E)."""
    n = indptr.shape[0] - 1
    lang = np.empty(n, np.uint64)
    for i in range(n):
        s = order[i]
        h = _mix(np.uint64(fbits[s]) ^ _SEED)
        for k in range(indptr[s], indptr[s + 1]):
            a = perm[k]
            h = _arc_hash(h, ilabel[a], olabel[a], wbits[a], lang[nextstate[a]])
        lang[s] = h & hash_mask
    return lang


def workspace_sizes(num_states):
    """Lengths of the ``table`` (uint64) and ``ids`` (int64) workspaces of
    :func:`acyclic_classes`: a hash table of twice as many slots as states
    (a power of two), two slots' worth of words each, and two ids a state."""
    size = 1
    while size < 2 * num_states:
        size *= 2
    return 2 * size, 2 * num_states


@njit(cache=True)
def _number_hashes(lang, table, ids, first):
    """Dense ids of the distinct values of ``lang`` into ``ids``, numbered by
    first occurrence, and the first state of every id into ``first``;
    returns their number. O(V) expected."""
    n = lang.shape[0]
    size = table.shape[0] // 2
    mask = np.uint64(size - 1)
    # open addressing, linear probing; slot i holds (hash, id + 1) side by
    # side so that a probe touches one cache line
    for i in range(table.shape[0]):
        table[i] = 0
    count = 0
    for s in range(n):
        h = lang[s]
        slot = _mix(h) & mask
        while True:
            stored = np.int64(table[2 * slot + 1])
            if stored == 0:
                table[2 * slot] = h
                table[2 * slot + 1] = np.uint64(count + 1)
                ids[s] = count
                first[count] = s
                count += 1
                break
            if table[2 * slot] == h:
                ids[s] = stored - 1
                break
            slot = (slot + np.uint64(1)) & mask
    return count


@njit(cache=True)
def _same_signature(r, s, indptr, perm, ilabel, olabel, wbits, nextstate, fbits, cls):
    """Whether states ``r`` and ``s`` have the same final weight and the same
    arcs into the same classes (arcs compared in the order ``perm``)."""
    if fbits[r] != fbits[s]:
        return False
    if indptr[r + 1] - indptr[r] != indptr[s + 1] - indptr[s]:
        return False
    offset = indptr[s] - indptr[r]
    for k in range(indptr[r], indptr[r + 1]):
        a = perm[k]
        b = perm[k + offset]
        if (ilabel[a] != ilabel[b] or olabel[a] != olabel[b] or wbits[a] != wbits[b]
                or cls[nextstate[a]] != cls[nextstate[b]]):
            return False
    return True


@njit(cache=True)
def _hash_consed_classes(indptr, perm, ilabel, olabel, wbits, nextstate, fbits, order,
                         table, cls):
    """The exact pass: states in ``order`` join the class of an earlier state
    with the same signature (hash hits confirmed by comparison) or open a
    new one."""
    n = indptr.shape[0] - 1
    size = table.shape[0] // 2
    mask = np.uint64(size - 1)
    for i in range(table.shape[0]):           # (hash, representative state + 1)
        table[i] = 0
    count = 0
    for i in range(n):
        s = order[i]
        h = _mix(np.uint64(fbits[s]) ^ _SEED)
        for k in range(indptr[s], indptr[s + 1]):
            a = perm[k]
            h = _arc_hash(h, ilabel[a], olabel[a], wbits[a], np.uint64(cls[nextstate[a]]))
        slot = h & mask
        while True:
            r = np.int64(table[2 * slot + 1]) - 1
            if r < 0:
                table[2 * slot] = h
                table[2 * slot + 1] = np.uint64(s + 1)
                cls[s] = count
                count += 1
                break
            if table[2 * slot] == h and _same_signature(r, s, indptr, perm, ilabel, olabel,
                                                        wbits, nextstate, fbits, cls):
                cls[s] = cls[r]
                break
            slot = (slot + np.uint64(1)) & mask
    return count


@njit(cache=True)
def acyclic_classes(indptr, perm, ilabel, olabel, wbits, nextstate, fbits, order, hash_mask,
                    table, ids):
    """Class of every state of an acyclic machine: states are equivalent
    when they have the same final weight bits ``fbits`` and the same arcs
    ``(ilabel, olabel, weight bits, class of destination)``, compared in the
    order ``perm`` (every state's arcs sorted canonically, e.g. by input
    label for a deterministic machine); ``order`` lists the states
    destinations first (:func:`reverse_topological_order`). ``hash_mask``
    is all ones except in tests that force collisions. ``table`` and
    ``ids`` are workspaces (:func:`workspace_sizes`) allocated by numpy,
    which gives them transparent huge pages: the random probes cost half as
    much. Returns
    ``(classes, count, exact_pass)``, ``exact_pass`` telling whether a hash
    collision sent the work to the exact pass. O(V + E) expected."""
    lang = language_hashes(indptr, perm, ilabel, olabel, wbits, nextstate, fbits, order,
                           hash_mask)
    n = indptr.shape[0] - 1
    cls = ids[:n]
    first = ids[n:2 * n]
    count = _number_hashes(lang, table, cls, first)
    for s in range(n):
        r = first[cls[s]]
        if r != s and not _same_signature(r, s, indptr, perm, ilabel, olabel, wbits,
                                          nextstate, fbits, cls):
            count = _hash_consed_classes(indptr, perm, ilabel, olabel, wbits,
                                         nextstate, fbits, order, table, cls)
            return cls, count, True
    return cls, count, False
