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
from .properties import (
    ACCESSIBLE,
    ACYCLIC,
    COACCESSIBLE,
    TOP_SORTED,
    cycle_properties,
    local_properties,
    reach_properties,
)
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
    O(V + E) over the batch.

    A machine whose arcs all go to higher-numbered states (``TOP_SORTED``,
    e.g. a string or a trie) is acyclic, and its accessible / coaccessible
    states follow from one forward and one backward sweep over shared
    scratch arrays; other machines go through the general kernels of
    :mod:`kleene.kernels.properties` (same bits, more allocations)."""
    w_one = one(code)
    most = 0
    for i in range(start.shape[0]):
        most = max(most, state_first[i + 1] - state_first[i])
    reach = np.zeros(most, np.bool_)
    co = np.zeros(most, np.bool_)
    for i in range(start.shape[0]):
        s0 = state_first[i]
        s1 = state_first[i + 1]
        n = s1 - s0
        # Views with global arc numbers: indptr[s0 + s] indexes the batch arrays.
        gip = indptr[s0:s1 + 1]
        fin = final[s0:s1]
        p = local_properties(gip, ilabel, olabel, nextstate, weight, fin, code)
        if p & TOP_SORTED:
            p |= ACYCLIC
            st = start[i]
            for s in range(n):
                reach[s] = s == st
            all_reached = True
            for s in range(n):  # arcs only go up: one forward sweep
                if reach[s]:
                    for a in range(gip[s], gip[s + 1]):
                        reach[nextstate[a]] = True
                else:
                    all_reached = False
            all_co = True
            for s in range(n - 1, -1, -1):  # and one backward sweep
                c = not is_zero(code, fin[s])
                if not c:
                    for a in range(gip[s], gip[s + 1]):
                        if co[nextstate[a]]:
                            c = True
                            break
                co[s] = c
                if not c:
                    all_co = False
            if all_reached:
                p |= ACCESSIBLE
            if all_co:
                p |= COACCESSIBLE
        else:
            e0 = indptr[s0]
            lip = indptr[s0:s1 + 1] - e0
            ns = nextstate[e0:indptr[s1]]
            p |= cycle_properties(lip, ns, start[i])
            p |= reach_properties(lip, ns, fin, start[i], code)
        props[i] = p
        x = 0
        nfinal = 0
        for s in range(n):
            f = fin[s]
            if not is_zero(code, f):
                nfinal += 1
                if f != w_one:
                    x |= WEIGHTED
            if gip[s + 1] - gip[s] > 1:
                x |= NOT_STRING
            for a in range(gip[s], gip[s + 1]):
                if weight[a] != w_one:
                    x |= ARCS_NOT_ONE
                    if not is_zero(code, weight[a]):
                        x |= WEIGHTED
                if nextstate[a] != s + 1:
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


# -- container walks (keys and headers), so Python only decodes the keys ---------

NOT_SIMPLE = 2      # well-formed perhaps, but not for the fast path (symbol tables...)


@njit(cache=True)
def _key_less(buf, a0, a1, b0, b1):
    """Whether bytes ``buf[a0:a1]`` sort before ``buf[b0:b1]`` (bytewise,
    which is code point order for UTF-8)."""
    n = min(a1 - a0, b1 - b0)
    for k in range(n):
        x = buf[a0 + k]
        y = buf[b0 + k]
        if x != y:
            return x < y
    return a1 - a0 < b1 - b0


@njit(cache=True)
def sttable_keys(buf, positions, first, index_at):
    """Checks an sttable index (``positions`` of the entries, ``first``: where
    the first entry must start, ``index_at``: where the index starts) the way
    the checking reader does: entries in order inside the entry area, each key
    non-empty, ending before the next entry, and keys in nondecreasing
    bytewise order. Returns ``(status, bad entry, key_start, fst_start,
    fst_end)``; ``BAD_BODY`` sends the caller to the checking reader."""
    n = positions.shape[0]
    key_start = np.empty(n, np.int64)
    fst_start = np.empty(n, np.int64)
    fst_end = np.empty(n, np.int64)
    expected = first
    prev0 = 0
    prev1 = 0
    for i in range(n):
        pos = positions[i]
        in_order = pos == expected if i == 0 else expected < pos
        end = positions[i + 1] if i + 1 < n else index_at
        if not in_order or pos + 4 > index_at:
            return BAD_BODY, i, key_start, fst_start, fst_end
        length = _int32_at(buf, pos)
        fst_at = pos + 4 + length
        if length <= 0 or fst_at >= end or _key_less(buf, pos + 4, fst_at, prev0, prev1):
            return BAD_BODY, i, key_start, fst_start, fst_end
        key_start[i] = pos + 4
        fst_start[i] = fst_at
        fst_end[i] = end
        prev0 = pos + 4
        prev1 = fst_at
        expected = fst_at
    return OK, -1, key_start, fst_start, fst_end


@njit(cache=True)
def _prefix_at(buf, at, prefix):
    if at + prefix.shape[0] > buf.shape[0]:
        return False
    for k in range(prefix.shape[0]):
        if buf[at + k] != prefix[k]:
            return False
    return True


@njit(cache=True)
def vector_headers(buf, fst_start, fst_end, prefix):
    """Parses the header of each VectorFst ``buf[fst_start[i]:fst_end[i]]``
    whose fixed prefix (magic, "vector", arc type, version) is ``prefix``:
    ``(status, bad entry, start, declared states, body start)``. An entry
    with another prefix, a header past its end, counts out of range or
    embedded symbol tables gives ``NOT_SIMPLE`` (the caller's general path)."""
    k = fst_start.shape[0]
    start = np.empty(k, np.int64)
    declared = np.empty(k, np.int64)
    body = np.empty(k, np.int64)
    plen = prefix.shape[0]
    for i in range(k):
        at = fst_start[i]
        pos = at + plen + 36  # flags int32, properties uint64, start, states, arcs int64
        if pos > fst_end[i] or not _prefix_at(buf, at, prefix):
            return NOT_SIMPLE, i, start, declared, body
        flags = _int32_at(buf, at + plen)
        s = _read_int64(buf, at + plen + 12)
        n = _read_int64(buf, at + plen + 20)
        if flags & 3 or n < -1 or n > 2147483647 or s < -1:
            return NOT_SIMPLE, i, start, declared, body
        start[i] = s
        declared[i] = n
        body[i] = pos
    return OK, -1, start, declared, body


@njit(cache=True)
def stlist_walk(buf, first, prefix, weight_size, record_size):
    """Walks an stlist's entries from byte ``first`` to the empty key that
    ends it: ``(status, count, key_start, fst_start, fst_end)``. Every entry
    must be a VectorFst with the header ``prefix``, no symbol tables and a
    declared state count, keys nondecreasing bytewise; anything else gives
    ``NOT_SIMPLE`` (the caller's general, checking path)."""
    size = buf.shape[0]
    plen = prefix.shape[0]
    most = (size - first) // (5 + plen + 36) + 1
    key_start = np.empty(most, np.int64)
    fst_start = np.empty(most, np.int64)
    fst_end = np.empty(most, np.int64)
    header_size = weight_size + 8
    pos = first
    count = 0
    prev0 = 0
    prev1 = 0
    while True:
        if pos + 4 > size:
            return NOT_SIMPLE, count, key_start, fst_start, fst_end
        length = _int32_at(buf, pos)
        if length == 0:
            return OK, count, key_start, fst_start, fst_end
        at = pos + 4 + length
        if length < 0 or at > size or count >= most:
            return NOT_SIMPLE, count, key_start, fst_start, fst_end
        if count and _key_less(buf, pos + 4, at, prev0, prev1):
            return NOT_SIMPLE, count, key_start, fst_start, fst_end
        p = at + plen + 36
        if p > size or not _prefix_at(buf, at, prefix):
            return NOT_SIMPLE, count, key_start, fst_start, fst_end
        flags = _int32_at(buf, at + plen)
        s = _read_int64(buf, at + plen + 12)
        n = _read_int64(buf, at + plen + 20)
        if flags & 3 or n < 0 or n >= 65536 or s < -1:
            return NOT_SIMPLE, count, key_start, fst_start, fst_end
        for _ in range(n):
            if p + header_size > size:
                return NOT_SIMPLE, count, key_start, fst_start, fst_end
            narcs = _read_int64(buf, p + weight_size)
            if narcs < 0 or narcs > (size - p - header_size) // record_size:
                return NOT_SIMPLE, count, key_start, fst_start, fst_end
            p += header_size + narcs * record_size
        key_start[count] = pos + 4
        fst_start[count] = at
        fst_end[count] = p
        prev0 = pos + 4
        prev1 = at
        count += 1
        pos = p


@njit(cache=True)
def _put(out, pos, value, width):
    """Writes the low ``width`` bytes of ``value`` little-endian at ``out[pos:]``."""
    for b in range(width):
        out[pos + b] = (value >> (8 * b)) & 255


@njit(cache=True)
def assemble_entries(keys, key_first, prefix, flags, words, start, state_first, indptr,
                     il8, ol8, ns8, w8, fin8, weight_size, tables, table_first):
    """Lays out FAR entries of VectorFst machines one after another. Entry i:
    its key as an OpenFst string (int32 length, bytes ``keys[key_first[i]:
    key_first[i+1]]``), the header (``prefix``, then int32 ``flags[i]``,
    uint64 ``words[i]``, int64 ``start[i]``, int64 state count, int64 0), its
    encoded symbol tables, then each state's final weight, int64 arc count
    and arc records (int32 ilabel, int32 olabel, weight, int32 nextstate).
    States ``state_first[i]..state_first[i+1]`` own arcs ``indptr[s]..
    indptr[s+1]``; the ``*8`` arrays are the little-endian bytes of the
    labels (4 per arc), weights (``weight_size`` per arc) and final weights
    (``weight_size`` per state). Returns ``(bytes, entry sizes)``."""
    k = key_first.shape[0] - 1
    plen = prefix.shape[0]
    rec = 12 + weight_size
    hsize = 8 + weight_size
    size = np.empty(k, np.int64)
    total = 0
    for i in range(k):
        s0 = state_first[i]
        s1 = state_first[i + 1]
        size[i] = (4 + key_first[i + 1] - key_first[i] + plen + 36
                   + table_first[i + 1] - table_first[i]
                   + (s1 - s0) * hsize + (indptr[s1] - indptr[s0]) * rec)
        total += size[i]
    out = np.empty(total, np.uint8)
    pos = 0
    for i in range(k):
        _put(out, pos, key_first[i + 1] - key_first[i], 4)
        pos += 4
        for j in range(key_first[i], key_first[i + 1]):
            out[pos] = keys[j]
            pos += 1
        for j in range(plen):
            out[pos + j] = prefix[j]
        pos += plen
        s0 = state_first[i]
        s1 = state_first[i + 1]
        _put(out, pos, flags[i], 4)
        _put(out, pos + 4, words[i], 8)
        _put(out, pos + 12, start[i], 8)
        _put(out, pos + 20, s1 - s0, 8)
        _put(out, pos + 28, 0, 8)
        pos += 36
        for j in range(table_first[i], table_first[i + 1]):
            out[pos] = tables[j]
            pos += 1
        for s in range(s0, s1):
            for b in range(weight_size):
                out[pos + b] = fin8[s * weight_size + b]
            _put(out, pos + weight_size, indptr[s + 1] - indptr[s], 8)
            pos += hsize
            for a in range(indptr[s], indptr[s + 1]):
                for b in range(4):
                    out[pos + b] = il8[4 * a + b]
                    out[pos + 4 + b] = ol8[4 * a + b]
                for b in range(weight_size):
                    out[pos + 8 + b] = w8[a * weight_size + b]
                for b in range(4):
                    out[pos + 8 + weight_size + b] = ns8[4 * a + b]
                pos += rec
    return out, size


@njit(cache=True)
def decode_one(buf, at, end, prefix, weight_size, record_size):
    """:func:`vector_headers` then :func:`decode_vector_bodies` for the one
    VectorFst at ``buf[at:end]`` (a single dispatch, for lookups). Returns
    ``(status, start, local_indptr, ilabel, olabel, nextstate, weight_bytes,
    final_bytes)``; status ``NOT_SIMPLE`` or ``BAD_BODY`` sends the caller to
    the general reader."""
    first = np.full(1, at, np.int64)
    last = np.full(1, end, np.int64)
    status, _bad, start, declared, body = vector_headers(buf, first, last, prefix)
    if status != OK:
        e32 = np.empty(0, np.int32)
        return (status, -1, np.empty(0, np.int64), e32, e32.copy(), e32.copy(),
                np.empty(0, np.uint8), np.empty(0, np.uint8))
    status, _bad, _n, local, il, ol, ns, w8, f8 = decode_vector_bodies(
        buf, body, last, declared, start, weight_size, record_size)
    return status, start[0], local, il, ol, ns, w8, f8
