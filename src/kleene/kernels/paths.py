"""Kernels for :mod:`kleene.algorithms.paths` and :func:`kleene.core.strings.string`:
the walk along a string-shaped machine and resumable path enumeration."""

import numpy as np
from numba import njit

from .semiring import is_zero, times


# string_walk status codes
STRING_OK = 0
STRING_NO_START = 1
STRING_FINAL_HAS_ARCS = 2
STRING_WRONG_DEGREE = 3
STRING_CYCLE = 4


@njit(cache=True)
def string_walk(indptr, olabel, nextstate, final, start, code):
    """Walks a string-shaped machine from ``start``.

    Returns ``(status, state, labels)``: the output labels along the path
    (epsilons included) when ``status`` is ``STRING_OK``, else the offending
    state (see the status codes). O(length).
    """
    n = final.shape[0]
    labels = np.empty(max(n - 1, 0), olabel.dtype)
    if start < 0 or start >= n:
        return STRING_NO_START, -1, labels[:0]
    s = start
    for k in range(n):
        lo = indptr[s]
        hi = indptr[s + 1]
        if not is_zero(code, final[s]):
            if hi > lo:
                return STRING_FINAL_HAS_ARCS, s, labels[:0]
            return STRING_OK, s, labels[:k]
        if hi - lo != 1:
            return STRING_WRONG_DEGREE, s, labels[:0]
        if k == n - 1:
            break
        labels[k] = olabel[lo]
        s = nextstate[lo]
    return STRING_CYCLE, s, labels[:0]


@njit(cache=True)
def enumerate_paths(indptr, nextstate, weight, final, code, live,
                    st_state, st_next, st_weight, st_arc, depth,
                    max_paths, out_arcs, out_offsets, out_weight):
    """Resumable depth-first enumeration of successful paths.

    The DFS stack (``st_*``, ``depth``; ``st_arc[d]`` is the arc from depth
    d - 1 to d) is owned by the caller and updated in place. Each path found
    is written as its arc indices into ``out_arcs`` (path k is
    ``out_arcs[out_offsets[k]:out_offsets[k + 1]]``) with its weight in
    ``out_weight``. Stops after ``max_paths`` paths or when the next path
    might not fit ``out_arcs`` (which must hold at least num_states arcs).
    Arcs into states that are not ``live`` (co-accessible) are skipped.

    Returns ``(num_paths, depth)``; ``depth == -1`` when enumeration is done.
    O(arcs tried + labels written).
    """
    count = 0
    used = 0
    cap = out_arcs.shape[0]
    out_offsets[0] = 0
    while depth >= 0:
        if count == max_paths or used + depth + 1 > cap:
            break
        s = st_state[depth]
        a = st_next[depth]
        if a == indptr[s + 1]:
            depth -= 1
            continue
        st_next[depth] = a + 1
        t = nextstate[a]
        if not live[t]:
            continue
        w = times(code, st_weight[depth], weight[a])
        depth += 1
        st_state[depth] = t
        st_next[depth] = indptr[t]
        st_weight[depth] = w
        st_arc[depth] = a
        if not is_zero(code, final[t]):
            for d in range(1, depth + 1):
                out_arcs[used] = st_arc[d]
                used += 1
            out_weight[count] = times(code, w, final[t])
            count += 1
            out_offsets[count] = used
    return count, depth
