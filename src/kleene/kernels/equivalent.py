"""Union-find pairing of states for :mod:`kleene.algorithms.equivalent`
(Hopcroft and Karp's equivalence test for deterministic automata)."""

import numpy as np
from numba import njit


@njit(cache=True)
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:        # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(cache=True)
def same_language(indptr1, ilabel1, nextstate1, weight1, final1, start1,
                  indptr2, ilabel2, nextstate2, weight2, final2, start2, zero, delta):
    """Whether two trimmed deterministic epsilon-free acceptors with pushed
    weights accept the same weighted language (weights within ``delta``).
    Arcs of every state must be sorted by label. States of the second
    machine are numbered after the first's in one union-find forest.
    O(E α(V))."""
    n1 = final1.shape[0]
    n2 = final2.shape[0]
    parent = np.arange(n1 + n2, dtype=np.int64)
    stack1 = np.empty(n1 + n2, np.int64)
    stack2 = np.empty(n1 + n2, np.int64)
    top = 0
    parent[start1] = n1 + start2
    stack1[0] = start1
    stack2[0] = start2
    top = 1
    while top > 0:
        top -= 1
        p = stack1[top]
        q = stack2[top]
        fp = final1[p]
        fq = final2[q]
        if (fp == zero) != (fq == zero):
            return False
        if fp != zero and not (fp == fq or abs(fp - fq) <= delta):
            return False
        lo1, hi1 = indptr1[p], indptr1[p + 1]
        lo2, hi2 = indptr2[q], indptr2[q + 1]
        if hi1 - lo1 != hi2 - lo2:
            return False            # trimmed: a label only one side has leads to success
        for k in range(hi1 - lo1):
            a1 = lo1 + k
            a2 = lo2 + k
            if ilabel1[a1] != ilabel2[a2]:
                return False
            w1 = weight1[a1]
            w2 = weight2[a2]
            if not (w1 == w2 or abs(w1 - w2) <= delta):
                return False
            r1 = _find(parent, nextstate1[a1])
            r2 = _find(parent, n1 + nextstate2[a2])
            if r1 != r2:
                parent[r1] = r2
                stack1[top] = nextstate1[a1]
                stack2[top] = nextstate2[a2]
                top += 1
    return True
