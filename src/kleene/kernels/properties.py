"""Structural properties in three independent O(V + E) passes, so a caller
that needs one property pays only for its group:

- ``local_properties``: label, weight, sortedness, determinism and
  "every arc goes forward" (top-sorted) bits, from one scan of the arcs;
- ``cycle_properties``: acyclicity, by an iterative three-colour DFS;
- ``reach_properties``: accessibility and co-accessibility (``kernels.graph``).
"""

import numpy as np
from numba import njit

from ..core.property_bits import (ACCEPTOR, ACCESSIBLE, ACYCLIC, COACCESSIBLE,
                                  I_DETERMINISTIC, ILABEL_SORTED, NO_EPSILONS,
                                  NO_IEPSILONS, NO_OEPSILONS, O_DETERMINISTIC,
                                  OLABEL_SORTED, TOP_SORTED, UNWEIGHTED)
from .graph import accessible_states, coaccessible_states
from .semiring import is_zero, one

LOCAL_GROUP = (ACCEPTOR | NO_EPSILONS | NO_IEPSILONS | NO_OEPSILONS | ILABEL_SORTED
               | OLABEL_SORTED | I_DETERMINISTIC | O_DETERMINISTIC | TOP_SORTED
               | UNWEIGHTED)


@njit(cache=True)
def _has_duplicate(labels, lo, hi, sorted_run):
    """Whether ``labels[lo:hi]`` repeats a value (adjacent check when sorted)."""
    if sorted_run:
        for a in range(lo + 1, hi):
            if labels[a] == labels[a - 1]:
                return True
        return False
    if hi - lo <= 16:
        for a in range(lo + 1, hi):
            for b in range(lo, a):
                if labels[a] == labels[b]:
                    return True
        return False
    s = np.sort(labels[lo:hi])
    for i in range(1, s.shape[0]):
        if s[i] == s[i - 1]:
            return True
    return False


@njit(cache=True)
def local_properties(indptr, ilabel, olabel, nextstate, weight, final, code):
    """Bits of ``LOCAL_GROUP`` that hold. ``TOP_SORTED`` here means every arc
    goes to a higher-numbered state, which also implies acyclicity."""
    n = final.shape[0]
    props = LOCAL_GROUP
    w_one = one(code)
    for s in range(n):
        f = final[s]
        if not (is_zero(code, f) or f == w_one):
            props &= ~UNWEIGHTED
        lo = indptr[s]
        hi = indptr[s + 1]
        i_sorted = True
        o_sorted = True
        for a in range(lo, hi):
            il = ilabel[a]
            ol = olabel[a]
            if il != ol:
                props &= ~ACCEPTOR
            if il == 0:
                props &= ~NO_IEPSILONS
                if ol == 0:
                    props &= ~NO_EPSILONS
            if ol == 0:
                props &= ~NO_OEPSILONS
            if a > lo:
                if ilabel[a - 1] > il:
                    i_sorted = False
                if olabel[a - 1] > ol:
                    o_sorted = False
            if weight[a] != w_one:
                props &= ~UNWEIGHTED
            if nextstate[a] <= s:
                props &= ~TOP_SORTED
        if not i_sorted:
            props &= ~ILABEL_SORTED
        if not o_sorted:
            props &= ~OLABEL_SORTED
        if hi - lo > 1:
            if props & I_DETERMINISTIC and _has_duplicate(ilabel, lo, hi, i_sorted):
                props &= ~I_DETERMINISTIC
            if props & O_DETERMINISTIC and _has_duplicate(olabel, lo, hi, o_sorted):
                props &= ~O_DETERMINISTIC
    return props


@njit(cache=True)
def cycle_properties(indptr, nextstate, start):
    """``ACYCLIC`` when no cycle exists anywhere in the machine (every state
    is searched, the start state first), else 0."""
    n = indptr.shape[0] - 1
    color = np.zeros(n, np.int8)  # 0 unseen, 1 on the DFS stack, 2 finished
    stack_state = np.empty(n, np.int64)
    stack_arc = np.empty(n, np.int64)
    for root_i in range(n + 1):
        root = start if root_i == 0 else root_i - 1
        if root < 0 or root >= n or color[root] != 0:
            continue
        depth = 0
        stack_state[0] = root
        stack_arc[0] = indptr[root]
        color[root] = 1
        while depth >= 0:
            s = stack_state[depth]
            a = stack_arc[depth]
            if a < indptr[s + 1]:
                stack_arc[depth] = a + 1
                t = nextstate[a]
                if color[t] == 1:
                    return 0
                if color[t] == 0:
                    color[t] = 1
                    depth += 1
                    stack_state[depth] = t
                    stack_arc[depth] = indptr[t]
            else:
                color[s] = 2
                depth -= 1
    return ACYCLIC


@njit(cache=True)
def reach_properties(indptr, nextstate, final, start, code):
    """``ACCESSIBLE`` / ``COACCESSIBLE`` bits that hold."""
    props = ACCESSIBLE | COACCESSIBLE
    if not accessible_states(indptr, nextstate, start).all():
        props &= ~ACCESSIBLE
    if not coaccessible_states(indptr, nextstate, final, code).all():
        props &= ~COACCESSIBLE
    return props
