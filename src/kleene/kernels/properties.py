"""Computes every structural property of a machine in one O(V + E) pass."""

import numpy as np
from numba import njit

from ..core.property_bits import (ACCEPTOR, ACCESSIBLE, ACYCLIC, ALL, COACCESSIBLE,
                                  I_DETERMINISTIC, ILABEL_SORTED, NO_EPSILONS,
                                  NO_IEPSILONS, NO_OEPSILONS, O_DETERMINISTIC,
                                  OLABEL_SORTED, TOP_SORTED, UNWEIGHTED)
from .semiring import is_zero, one


@njit(cache=True)
def _unique_sorted(values):
    """True when the (small) array has no repeated value."""
    if values.size < 2:
        return True
    s = np.sort(values)
    for i in range(1, s.size):
        if s[i] == s[i - 1]:
            return False
    return True


@njit(cache=True)
def compute_properties(indptr, ilabel, olabel, nextstate, weight, final, start, code):
    """Returns the bitmask of the properties that hold (see the constants)."""
    n = final.shape[0]
    props = ALL
    w_one = one(code)
    for s in range(n):
        lo = indptr[s]
        hi = indptr[s + 1]
        f = final[s]
        if not (is_zero(code, f) or f == w_one):
            props &= ~UNWEIGHTED
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
                    props &= ~ILABEL_SORTED
                if olabel[a - 1] > ol:
                    props &= ~OLABEL_SORTED
            if weight[a] != w_one:
                props &= ~UNWEIGHTED
            if nextstate[a] <= s:
                props &= ~TOP_SORTED
        if hi - lo > 1:
            if props & I_DETERMINISTIC:
                if not _unique_sorted(ilabel[lo:hi]):
                    props &= ~I_DETERMINISTIC
            if props & O_DETERMINISTIC:
                if not _unique_sorted(olabel[lo:hi]):
                    props &= ~O_DETERMINISTIC

    # cycles: iterative three-colour DFS over every state (start first)
    color = np.zeros(n, np.int8)  # 0 white, 1 on stack, 2 done
    stack_state = np.empty(n, np.int64)
    stack_arc = np.empty(n, np.int64)
    acyclic = True
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
                    acyclic = False
                elif color[t] == 0:
                    color[t] = 1
                    depth += 1
                    stack_state[depth] = t
                    stack_arc[depth] = indptr[t]
            else:
                color[s] = 2
                depth -= 1
    if not acyclic:
        props &= ~(ACYCLIC | TOP_SORTED)

    # accessibility from the start state
    if n > 0:
        seen = np.zeros(n, np.bool_)
        count = 0
        if 0 <= start < n:
            queue = np.empty(n, np.int64)
            queue[0] = start
            seen[start] = True
            head = 0
            tail = 1
            while head < tail:
                s = queue[head]
                head += 1
                for a in range(indptr[s], indptr[s + 1]):
                    t = nextstate[a]
                    if not seen[t]:
                        seen[t] = True
                        queue[tail] = t
                        tail += 1
            count = tail
        if count < n:
            props &= ~ACCESSIBLE
        # co-accessibility: reverse reachability from final states
        rev_count = np.zeros(n + 1, np.int64)
        for a in range(nextstate.shape[0]):
            rev_count[nextstate[a] + 1] += 1
        for s in range(n):
            rev_count[s + 1] += rev_count[s]
        rev_src = np.empty(nextstate.shape[0], np.int64)
        fill = rev_count[:-1].copy()
        for s in range(n):
            for a in range(indptr[s], indptr[s + 1]):
                t = nextstate[a]
                rev_src[fill[t]] = s
                fill[t] += 1
        co = np.zeros(n, np.bool_)
        queue = np.empty(n, np.int64)
        tail = 0
        for s in range(n):
            if not is_zero(code, final[s]):
                co[s] = True
                queue[tail] = s
                tail += 1
        head = 0
        while head < tail:
            t = queue[head]
            head += 1
            for k in range(rev_count[t], rev_count[t + 1]):
                s = rev_src[k]
                if not co[s]:
                    co[s] = True
                    queue[tail] = s
                    tail += 1
        if tail < n:
            props &= ~COACCESSIBLE
    return props
