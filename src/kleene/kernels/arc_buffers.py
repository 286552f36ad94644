"""Output arc buffers shared by the kernels that assemble a machine in one
pass (union, concat, closure, connect): five parallel arrays ``(ilabel,
olabel, weight, nextstate, arc_map)`` passed around as one tuple, and the
two ways of writing into them. Inlined, so they cost nothing at run time."""

import numpy as np
from numba import njit


@njit(inline="always")
def new_arcs(m, weight_like):
    """Uninitialised buffers for ``m`` arcs, weights of ``weight_like``'s dtype."""
    return (np.empty(m, np.int32), np.empty(m, np.int32), np.empty(m, weight_like.dtype),
            np.empty(m, np.int32), np.empty(m, np.int64))


@njit(inline="always")
def put_arc(out, pos, ilabel, olabel, weight, nextstate, origin):
    """Writes one arc at ``pos``; returns the next position."""
    out[0][pos] = ilabel
    out[1][pos] = olabel
    out[2][pos] = weight
    out[3][pos] = nextstate
    out[4][pos] = origin
    return pos + 1


@njit(inline="always")
def copy_arcs(out, pos, indptr, ilabel, olabel, weight, nextstate, origin, state, shift):
    """Appends ``state``'s arcs, destinations shifted by ``shift`` and arc
    map entries taken from ``origin``; returns the next position."""
    for k in range(indptr[state], indptr[state + 1]):
        pos = put_arc(out, pos, ilabel[k], olabel[k], weight[k], nextstate[k] + shift,
                      origin[k])
    return pos
