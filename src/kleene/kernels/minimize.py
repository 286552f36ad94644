"""Partition refinement for :mod:`kleene.algorithms.minimize`.

``coarsest_partition`` is Valmari and Lehtinen's O(E log V) refinement for
deterministic automata with partial transition functions ("Fast brief
practical DFA minimization", Valmari 2012): two refinable partitions, one of
states into blocks and one of transitions into "cords" (transitions with the
same label into the same block), refine each other; each new block is the
smaller half of a split, which gives the log factor.

``bisimulation`` is the naive signature refinement (Moore's algorithm
generalised to nondeterministic automata): a state's signature is its block
and the set of (label, target block) pairs it has; rounds repeat until no
block splits. O(R (V + E log E)) for R rounds (R <= V, usually small).
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _mark(e, elems, loc, sets, first, marked, touched, ntouched):
    """Moves element ``e`` into the marked front of its set."""
    s = sets[e]
    i = loc[e]
    j = first[s] + marked[s]
    elems[i] = elems[j]
    loc[elems[i]] = i
    elems[j] = e
    loc[e] = j
    if marked[s] == 0:
        touched[ntouched] = s
        ntouched += 1
    marked[s] += 1
    return ntouched


@njit(cache=True)
def _split(elems, sets, first, past, marked, touched, ntouched, nsets):
    """Splits every touched set into its marked and unmarked parts; the
    smaller part becomes the new set ``nsets`` (then ``nsets + 1``, ...)."""
    while ntouched > 0:
        ntouched -= 1
        s = touched[ntouched]
        j = first[s] + marked[s]
        if j == past[s]:
            marked[s] = 0
            continue
        if marked[s] <= past[s] - j:
            first[nsets] = first[s]
            past[nsets] = j
            first[s] = j
        else:
            past[nsets] = past[s]
            first[nsets] = j
            past[s] = j
        for i in range(first[nsets], past[nsets]):
            sets[elems[i]] = nsets
        marked[s] = 0
        marked[nsets] = 0
        nsets += 1
    return nsets


def partition_workspace_size(num_states, num_arcs):
    """Length of the ``workspace`` array :func:`coarsest_partition` needs."""
    return 8 * (num_states + 1) + 8 * (num_arcs + 1)


@njit(cache=True)
def coarsest_partition(num_states, tail, label, head, initial_block, num_initial,
                       states_by_block, arcs_by_label, workspace):
    """Block of every state in the coarsest partition that refines
    ``initial_block`` and is stable for the deterministic transitions
    ``tail --label--> head`` (labels are any integer codes).
    ``states_by_block`` and ``arcs_by_label`` are the stable argsorts of
    ``initial_block`` and ``label`` (numpy's: sorting inside the kernel
    would triple its compile time).

    ``workspace`` (zeros, length :func:`partition_workspace_size`, int32
    when states and arcs fit) holds every working array: allocated by numpy, it
    gets transparent huge pages, which halves the cost of the random
    accesses this algorithm is made of. Returns ``(blocks, count)``,
    ``blocks`` a view into ``workspace``.

    Precondition: no two transitions share ``(tail, label)``. O(E log V)."""
    n = num_states
    m = tail.shape[0]
    ws = workspace
    p = 0
    b_elems = ws[p:p + n]
    p += n + 1
    b_loc = ws[p:p + n]
    p += n + 1
    b_sets = ws[p:p + n]
    p += n + 1
    b_first = ws[p:p + n + 1]
    p += n + 1
    b_past = ws[p:p + n + 1]
    p += n + 1
    b_marked = ws[p:p + n + 1]
    p += n + 1
    b_touched = ws[p:p + n + 1]
    p += n + 1
    in_ptr = ws[p:p + n + 1]
    p += n + 1
    c_elems = ws[p:p + m]
    p += m + 1
    c_loc = ws[p:p + m]
    p += m + 1
    c_sets = ws[p:p + m]
    p += m + 1
    c_first = ws[p:p + m + 1]
    p += m + 1
    c_past = ws[p:p + m + 1]
    p += m + 1
    c_marked = ws[p:p + m + 1]
    p += m + 1
    c_touched = ws[p:p + m + 1]
    p += m + 1
    incoming = ws[p:p + m]
    # state partition, initialised to the given blocks
    for i in range(n):
        b_elems[i] = states_by_block[i]
    for i in range(n):
        b_loc[b_elems[i]] = i
    for i in range(n):
        b_sets[i] = initial_block[i]
    for i in range(n):
        blk = b_sets[b_elems[i]]
        if i == 0 or b_sets[b_elems[i - 1]] != blk:
            b_first[blk] = i
        b_past[blk] = i + 1
    b_count = num_initial
    # transition partition: one cord per label
    for i in range(m):
        c_elems[i] = arcs_by_label[i]
    c_count = 0
    for i in range(m):
        t = c_elems[i]
        if i == 0 or label[c_elems[i - 1]] != label[t]:
            if i > 0:
                c_past[c_count] = i
                c_count += 1
            c_first[c_count] = i
        c_sets[t] = c_count
        c_loc[t] = i
    if m > 0:
        c_past[c_count] = m
        c_count += 1
    # incoming transitions of every state (in_ptr[s + 1] is first a count,
    # then the fill position of state s, then the end of its run)
    for t in range(m):
        in_ptr[head[t] + 1] += 1
    for s in range(n):
        in_ptr[s + 1] += in_ptr[s]
    for t in range(m):
        incoming[in_ptr[head[t]]] = t
        in_ptr[head[t]] += 1
    for s in range(n, 0, -1):
        in_ptr[s] = in_ptr[s - 1]
    in_ptr[0] = 0
    # Block 0 never splits cords: the first cords (all transitions of a
    # label) stand in for it, which is what makes partial automata work.
    b = 1
    c = 0
    while c < c_count:
        nt = 0
        for i in range(c_first[c], c_past[c]):
            nt = _mark(tail[c_elems[i]], b_elems, b_loc, b_sets, b_first, b_marked,
                       b_touched, nt)
        b_count = _split(b_elems, b_sets, b_first, b_past, b_marked, b_touched, nt,
                         b_count)
        c += 1
        while b < b_count:
            nt = 0
            for i in range(b_first[b], b_past[b]):
                s = b_elems[i]
                for k in range(in_ptr[s], in_ptr[s + 1]):
                    nt = _mark(incoming[k], c_elems, c_loc, c_sets, c_first, c_marked,
                               c_touched, nt)
            c_count = _split(c_elems, c_sets, c_first, c_past, c_marked, c_touched, nt,
                             c_count)
            b += 1
    return b_sets, b_count


@njit(cache=True)
def _mix(x):
    """splitmix64 finaliser: a well-spread 64-bit hash of ``x``."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def bisimulation(num_states, tail, label, head, initial_block, max_rounds):
    """Block of every state in the coarsest forward bisimulation refining
    ``initial_block`` (nondeterministic transitions allowed). Signatures are
    64-bit hashes of (block, set of (label, target block)), summed over the
    distinct pairs so that the set's order does not matter. Returns
    ``(blocks, count, rounds)``; ``rounds == max_rounds`` means unfinished."""
    n = num_states
    m = tail.shape[0]
    block = initial_block.astype(np.int64).copy()
    count = 0
    for s in range(n):
        count = max(count, block[s] + 1)
    # arcs grouped by tail, duplicates of (label, target block) removed per round
    order = np.argsort(tail, kind="mergesort")
    for rounds in range(max_rounds):
        sig = np.zeros(n, np.uint64)
        for s in range(n):
            sig[s] = _mix(np.uint64(block[s]) + np.uint64(0x9E3779B97F4A7C15))
        pair = np.empty(m, np.uint64)
        for k in range(m):
            t = order[k]
            pair[k] = _mix((np.uint64(label[t]) << np.uint64(32)) ^ np.uint64(block[head[t]]))
        # sum the hashes of distinct pairs per state (sort each state's run)
        k = 0
        while k < m:
            s = tail[order[k]]
            e = k
            while e < m and tail[order[e]] == s:
                e += 1
            run = np.sort(pair[k:e])
            for r in range(run.shape[0]):
                if r == 0 or run[r] != run[r - 1]:
                    sig[s] += _mix(run[r] + np.uint64(1))
            k = e
        perm = np.argsort(sig, kind="mergesort")
        new_block = np.empty(n, np.int64)
        new_count = 0
        for i in range(n):
            if i == 0 or sig[perm[i]] != sig[perm[i - 1]]:
                new_count += 1
            new_block[perm[i]] = new_count - 1
        block = new_block
        if new_count == count:
            return block, count, rounds + 1
        count = new_count
    return block, count, max_rounds


@njit(cache=True)
def deterministic_quotient(indptr, perm, nextstate, blocks, count):
    """The quotient of a deterministic machine by a stable partition
    ``blocks`` (members of a block have the same labels into the same
    blocks, so one member's arcs stand for the block). Blocks are numbered
    by their smallest member; each keeps the arcs of that member in the
    order ``perm``. Returns ``(state_of, out_indptr, arc_of, out_next)``:
    the new state of every old state, the CSR of the quotient, and for every
    quotient arc the input arc it copies and its destination. O(V + E)."""
    n = indptr.shape[0] - 1
    new_of_block = np.full(count, -1, np.int64)
    rep = np.empty(count, np.int64)
    state_of = np.empty(n, np.int64)
    q = 0
    for s in range(n):
        b = blocks[s]
        if new_of_block[b] < 0:
            new_of_block[b] = q
            rep[q] = s
            q += 1
        state_of[s] = new_of_block[b]
    out_indptr = np.zeros(count + 1, np.int64)
    for q in range(count):
        r = rep[q]
        out_indptr[q + 1] = out_indptr[q] + indptr[r + 1] - indptr[r]
    m = out_indptr[count]
    arc_of = np.empty(m, np.int64)
    out_next = np.empty(m, np.int32)
    k = 0
    for q in range(count):
        r = rep[q]
        for i in range(indptr[r], indptr[r + 1]):
            a = perm[i]
            arc_of[k] = a
            out_next[k] = state_of[nextstate[a]]
            k += 1
    return state_of, out_indptr, arc_of, out_next
