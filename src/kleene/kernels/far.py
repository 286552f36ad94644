"""Kernels for reading and writing many small machines at once (FAR
archives), so that the per-machine cost is a few array slices instead of a
dozen numpy calls and kernel dispatches.

``decode_vector_bodies`` decodes and validates every VectorFst body of a
batch (interleaved state headers and arc records, see
:mod:`kleene.kernels.binary`) in two passes; ``batch_properties`` computes kleene's structural properties and the
extra facts OpenFst's property word needs for every machine of a batch
packed into one set of CSR arrays.
"""

import numpy as np
from numba import njit

from .binary import _read_int64
from .properties import cycle_properties, local_properties, reach_properties
from .semiring import is_zero, one

OK = 0
BAD_BODY = 1        # anything the checking reader would reject

# Extra per-machine facts for OpenFst's property word (bits of ``extra``).
WEIGHTED = 1        # some arc or final weight is neither zero nor one
ARCS_NOT_ONE = 2    # some arc weight differs from one
NOT_STRING = 4      # certainly not a string machine


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


@njit(cache=True)
def _int32_at(buf, pos):
    """The signed little-endian int32 at ``buf[pos:]``, as an int64 (numba
    widens int32 arithmetic, so the sign is applied explicitly)."""
    v = np.int64(0)
    for k in range(4):
        v |= np.int64(buf[pos + k]) << np.int64(8 * k)
    if v >= np.int64(1) << np.int64(31):
        v -= np.int64(1) << np.int64(32)
    return v


@njit(cache=True)
def _is_nan_at(buf, pos, weight_size):
    """Whether the little-endian float32/float64 at ``buf[pos:]`` is a NaN
    (exponent all ones, mantissa not zero), from its bytes."""
    if weight_size == 4:
        u = np.uint32(0)
        for k in range(4):
            u |= np.uint32(buf[pos + k]) << np.uint32(8 * k)
        return (u & np.uint32(0x7FFFFFFF)) > np.uint32(0x7F800000)
    u = np.uint64(0)
    for k in range(8):
        u |= np.uint64(buf[pos + k]) << np.uint64(8 * k)
    return (u & np.uint64(0x7FFFFFFFFFFFFFFF)) > np.uint64(0x7FF0000000000000)


@njit(cache=True)
def _failed(i, num_states):
    e32 = np.empty(0, np.int32)
    return (BAD_BODY, i, num_states, np.empty(0, np.int64), e32, e32.copy(), e32.copy(),
            np.empty(0, np.uint8), np.empty(0, np.uint8))


@njit(cache=True)
def decode_vector_bodies(buf, body_start, body_end, declared_states, start, weight_size,
                         record_size):
    """Decodes and validates every VectorFst body ``buf[body_start[i]:
    body_end[i]]`` (arc records: int32 ilabel, int32 olabel, weight, int32
    nextstate). Returns ``(status, bad machine, num_states, local_indptr,
    ilabel, olabel, nextstate, weight_bytes, final_bytes)``: machine i's
    rebased indptr occupies ``local_indptr[S_i + i : S_{i+1} + i + 1]``
    (``S_i``: states before it); weights stay little-endian bytes for the
    caller to view. Anything the checking reader would reject (truncation,
    negative counts or labels, a destination or start state out of range,
    a NaN) gives status ``BAD_BODY`` and the first bad machine."""
    k = body_start.shape[0]
    header_size = weight_size + 8
    num_states = np.zeros(k, np.int64)
    total_states = 0
    total_arcs = 0
    # Pass 1: walk the state headers, count and bound everything.
    for i in range(k):
        pos = body_start[i]
        end = body_end[i]
        declared = declared_states[i]
        s = 0
        while declared < 0 or s < declared:
            if declared < 0 and pos == end:
                break
            if pos + header_size > end:
                return _failed(i, num_states)
            narcs = _read_int64(buf, pos + weight_size)
            if narcs < 0 or narcs > (end - pos - header_size) // record_size:
                return _failed(i, num_states)
            pos += header_size + narcs * record_size
            total_arcs += narcs
            s += 1
        if start[i] >= s:
            return _failed(i, num_states)
        num_states[i] = s
        total_states += s
    local = np.empty(total_states + k, np.int64)
    ilabel = np.empty(total_arcs, np.int32)
    olabel = np.empty(total_arcs, np.int32)
    nextstate = np.empty(total_arcs, np.int32)
    weights = np.empty(total_arcs * weight_size, np.uint8)
    finals = np.empty(total_states * weight_size, np.uint8)
    # Pass 2: copy the fields out, checking labels, destinations and NaNs.
    g = 0
    a = 0
    for i in range(k):
        pos = body_start[i]
        n = num_states[i]
        local_at = g + i
        first_arc = a
        for s in range(n):
            local[local_at + s] = a - first_arc
            if _is_nan_at(buf, pos, weight_size):
                return _failed(i, num_states)
            for b in range(weight_size):
                finals[g * weight_size + b] = buf[pos + b]
            narcs = _read_int64(buf, pos + weight_size)
            pos += header_size
            for _ in range(narcs):
                il = _int32_at(buf, pos)
                ol = _int32_at(buf, pos + 4)
                ns = _int32_at(buf, pos + 8 + weight_size)
                if il < 0 or ol < 0 or ns < 0 or ns >= n or _is_nan_at(buf, pos + 8,
                                                                       weight_size):
                    return _failed(i, num_states)
                ilabel[a] = il
                olabel[a] = ol
                nextstate[a] = ns
                for b in range(weight_size):
                    weights[a * weight_size + b] = buf[pos + 8 + b]
                pos += record_size
                a += 1
            g += 1
        local[local_at + n] = a - first_arc
    return OK, -1, num_states, local, ilabel, olabel, nextstate, weights, finals
