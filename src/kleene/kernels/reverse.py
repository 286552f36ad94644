"""Graph helper for ``reverse``: does a state lie on a cycle?"""

import numpy as np
from numba import njit


@njit(cache=True)
def on_cycle(indptr, nextstate, state):
    """True when ``state`` can reach itself through one or more arcs. O(V + E)."""
    n = indptr.shape[0] - 1
    seen = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)
    top = 0
    for a in range(indptr[state], indptr[state + 1]):
        t = nextstate[a]
        if t == state:
            return True
        if not seen[t]:
            seen[t] = True
            stack[top] = t
            top += 1
    while top > 0:
        top -= 1
        s = stack[top]
        for a in range(indptr[s], indptr[s + 1]):
            t = nextstate[a]
            if t == state:
                return True
            if not seen[t]:
                seen[t] = True
                stack[top] = t
                top += 1
    return False
