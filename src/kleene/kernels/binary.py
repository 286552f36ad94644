"""Kernels for OpenFst's VectorFst binary body, which interleaves per-state
headers (final weight, arc count) with each state's packed arc records, so
the offsets of state ``s`` depend on the arc counts of every earlier state.

``scan_vector_body`` walks the state headers once (O(V)), validating every
count against the bytes that remain; the caller then gathers the arc records
with numpy (a numba byte-copy kernel was no faster and took ~8 s to compile).
Byte buffers are ``uint8`` arrays; multi-byte integers are little-endian.
"""

import numpy as np
from numba import njit

OK = 0
TRUNCATED_STATE = 1    # not enough bytes for a state's final weight + arc count
NEGATIVE_ARC_COUNT = 2
TRUNCATED_ARCS = 3     # the arc count runs past the end of the data


@njit(cache=True)
def _read_int64(buf, pos):
    v = np.int64(0)
    for k in range(8):
        v |= np.int64(buf[pos + k]) << np.int64(8 * k)
    return v


@njit(cache=True)
def scan_vector_body(buf, pos, declared_states, weight_size, record_size, state_offset,
                     arc_count):
    """Walks the state headers starting at byte ``pos``.

    ``declared_states`` is the header's state count, or -1 to read states
    until the data ends. ``state_offset``/``arc_count`` (preallocated, large
    enough) receive each state's byte offset and arc count. Returns
    ``(status, bad_offset, num_states, end_offset)``.
    """
    end = buf.shape[0]
    header_size = weight_size + 8
    s = 0
    while declared_states < 0 or s < declared_states:
        if declared_states < 0 and pos == end:
            break
        if s >= state_offset.shape[0] or pos + header_size > end:
            return TRUNCATED_STATE, pos, s, pos
        narcs = _read_int64(buf, pos + weight_size)
        if narcs < 0:
            return NEGATIVE_ARC_COUNT, pos + weight_size, s, pos
        if narcs > (end - pos - header_size) // record_size:
            return TRUNCATED_ARCS, pos + weight_size, s, pos
        state_offset[s] = pos
        arc_count[s] = narcs
        pos += header_size + narcs * record_size
        s += 1
    return OK, -1, s, pos
