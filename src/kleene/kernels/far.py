"""Kernels for reading and writing many small machines at once (FAR
archives), so that the per-machine cost is a few array slices instead of a
dozen numpy calls and kernel dispatches.

``scan_vector_bodies`` walks the interleaved state headers of every
VectorFst body of a batch (see :mod:`kleene.kernels.binary`);
``batch_properties`` computes kleene's structural properties and the
extra facts OpenFst's property word needs for every machine of a batch
packed into one set of CSR arrays.
"""

import numpy as np
from numba import njit

from .binary import _read_int64
from .properties import cycle_properties, local_properties, reach_properties
from .semiring import is_zero, one

OK = 0
BAD_BODY = 1        # truncated state, negative or oversized arc count
TOO_MANY_STATES = 2  # more states than the output arrays were sized for

# Extra per-machine facts for OpenFst's property word (bits of ``extra``).
WEIGHTED = 1        # some arc or final weight is neither zero nor one
ARCS_NOT_ONE = 2    # some arc weight differs from one
NOT_STRING = 4      # certainly not a string machine


@njit(cache=True)
def scan_vector_bodies(buf, body_start, body_end, declared_states, weight_size,
                       record_size, state_offset, arc_count, num_states):
    """Walks the bodies ``buf[body_start[i]:body_end[i]]``; a declared state
    count of -1 reads states until the body's end. Fills ``state_offset`` and
    ``arc_count`` (all machines' states, concatenated) and ``num_states[i]``.
    Returns ``(status, index of the first bad machine)``; on a bad body the
    caller re-reads that machine with the checking reader for the message."""
    header_size = weight_size + 8
    g = 0
    for i in range(body_start.shape[0]):
        pos = body_start[i]
        end = body_end[i]
        declared = declared_states[i]
        s = 0
        while declared < 0 or s < declared:
            if declared < 0 and pos == end:
                break
            if pos + header_size > end:
                return BAD_BODY, i
            if g >= state_offset.shape[0]:
                return TOO_MANY_STATES, i
            narcs = _read_int64(buf, pos + weight_size)
            if narcs < 0 or narcs > (end - pos - header_size) // record_size:
                return BAD_BODY, i
            state_offset[g] = pos
            arc_count[g] = narcs
            pos += header_size + narcs * record_size
            s += 1
            g += 1
        num_states[i] = s
    return OK, -1


@njit(cache=True)
def batch_properties(indptr, ilabel, olabel, nextstate, weight, final, state_first,
                     start, code, props, extra):
    """For machine ``i`` (global states ``state_first[i]..state_first[i+1]``,
    arcs ``indptr[s0]..indptr[s1]``, ``nextstate`` local to the machine):
    ``props[i]`` = every kleene property bit that holds (all of them known),
    ``extra[i]`` = the ``WEIGHTED`` / ``ARCS_NOT_ONE`` / ``NOT_STRING`` bits.
    O(V + E) over the batch."""
    w_one = one(code)
    for i in range(start.shape[0]):
        s0 = state_first[i]
        s1 = state_first[i + 1]
        e0 = indptr[s0]
        e1 = indptr[s1]
        lip = indptr[s0:s1 + 1] - e0
        il = ilabel[e0:e1]
        ol = olabel[e0:e1]
        ns = nextstate[e0:e1]
        w = weight[e0:e1]
        fin = final[s0:s1]
        p = local_properties(lip, il, ol, ns, w, fin, code)
        p |= cycle_properties(lip, ns, start[i])
        p |= reach_properties(lip, ns, fin, start[i], code)
        props[i] = p
        x = 0
        nfinal = 0
        for s in range(s1 - s0):
            f = fin[s]
            if not is_zero(code, f):
                nfinal += 1
                if f != w_one:
                    x |= WEIGHTED
            if lip[s + 1] - lip[s] > 1:
                x |= NOT_STRING
            for a in range(lip[s], lip[s + 1]):
                if w[a] != w_one:
                    x |= ARCS_NOT_ONE
                    if not is_zero(code, w[a]):
                        x |= WEIGHTED
                if ns[a] != s + 1:
                    x |= NOT_STRING
        if nfinal > 1:
            x |= NOT_STRING
        extra[i] = x
