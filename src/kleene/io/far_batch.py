"""Reading and writing the OpenFst binary machines of a FAR archive in
batches, so that an archive of many small machines costs a few vectorised
passes plus one ``Fst`` per machine, instead of a full
:func:`~kleene.io.binary.read_binary` / ``write_binary`` per machine
(whose dozen numpy calls and kernel dispatches dominated: ~0.5 ms per
small machine, 25x pynini).

Reading (:func:`read_vector_entries`): one kernel checks every entry's
header against the first entry's fixed prefix (magic, ``"vector"``, arc
type, version) and reads its start and state count (entries with symbol
tables go through a Python loop that parses each distinct table once); one
kernel decodes and validates every body; each machine is then six slices of
the batch's read-only arrays, wrapped by :func:`trusted_fst` (no
``Fst.__init__`` per machine: its six ``setflags`` calls were most of the
cost). :func:`read_vector_entry` does the same for one lookup. This is only
a fast path: anything unexpected (a ``const`` machine, a malformed header
or body, a bad label) makes the caller re-read the batch with the checking
per-machine reader, which raises the precise
:class:`~kleene.errors.FstIOError` (file, byte offset, problem).

Writing (:func:`encode_vector_entries`): the machines' arrays are joined
into one CSR (``bytearray.join``: tiny arrays cost ~0.1 us each, a third of
``np.concatenate``'s), one kernel computes every machine's properties (the
same ones :func:`~kleene.io.binary.openfst_property_bits` writes), and one
kernel writes every entry (key, header, symbol tables, state and arc
records) into one buffer. Bytes are identical to ``write_binary``'s.
"""

from __future__ import annotations

import itertools
import operator
import struct

import numpy as np

from ..core.fst import Fst
from ..errors import FstIOError
from ..semirings import Semiring
from . import binary as _b
from .symbols_binary import (
    encode_string,
    read_symbol_table_binary,
    write_symbol_table_binary,
)

_I32 = struct.Struct("<i")
_TAIL = struct.Struct("<iQqqq")  # flags, props, start, states, arcs (after version)
_INT32_MAX = np.iinfo(np.int32).max
NO_TABLES = _NO_TABLES = (0, b"")  # (flags, encoded tables) of a machine without tables


class _Fallback(Exception):
    """The fast path declines the batch; re-read it with the checking reader."""


# -- cheap machines from trusted arrays --------------------------------------------

# ``Fst(..., check=False)`` without the per-array ``setflags`` calls: the
# batch's arrays are already read-only views in the canonical dtypes
trusted_fst = Fst._from_frozen_arrays


def frozen(*arrays) -> None:
    """Makes ``arrays`` read-only (their slices then are too)."""
    for a in arrays:
        a.setflags(write=False)


# -- the OpenFst property word, vectorised -------------------------------------

def property_words(props: np.ndarray, extra: np.ndarray, graph: np.ndarray,
                   fst_type: str) -> np.ndarray:
    """OpenFst property words for machines whose kleene properties are all
    known (``props``), with the ``extra`` facts of
    :func:`kleene.kernels.far.batch_properties`; ``graph``: whether the graph
    properties may be written (the machine has a start state or no state).
    Same bits as :func:`~kleene.io.binary.openfst_property_bits`."""
    from ..kernels.far import ARCS_NOT_ONE, NOT_STRING, WEIGHTED
    props = props.astype(np.int64)
    words = np.full(props.shape, _b.K_EXPANDED | (_b.K_MUTABLE if fst_type == "vector"
                                                  else 0), np.int64)
    graph_props = {int(p) for p in _b._GRAPH_PROPS}
    for prop, yes, no in _b._OPENFST_BITS:
        bits = np.where(props & int(prop), yes, no)
        words |= np.where(graph, bits, 0) if int(prop) in graph_props else bits
    acyclic = (props & int(_b.Prop.ACYCLIC)) != 0
    words |= np.where(graph, np.where(acyclic, _b.K_ACYCLIC | _b.K_INITIAL_ACYCLIC
                                      | _b.K_UNWEIGHTED_CYCLES, _b.K_CYCLIC), 0)
    words |= np.where(extra & WEIGHTED, _b.K_WEIGHTED, _b.K_UNWEIGHTED)
    words |= np.where(extra & ARCS_NOT_ONE, 0, _b.K_UNWEIGHTED_CYCLES)
    words |= np.where(extra & NOT_STRING, _b.K_NOT_STRING, 0)
    return words


# -- writing ----------------------------------------------------------------------

_DTYPE = operator.attrgetter("dtype")


def concat(arrays: list, dtype, total: int | None = None) -> np.ndarray:
    """The 1-D ``arrays`` end to end, as a new writable array of ``dtype``.
    When they share one dtype and are contiguous, ``bytearray.join`` copies
    them: ~3x faster than ``np.concatenate`` for
    thousands of tiny arrays, whose per-array overhead dominates. ``total``:
    their summed length when the caller knows it (saves a pass)."""
    if not arrays:
        return np.zeros(0, dtype)
    first = arrays[0].dtype
    if len(set(map(_DTYPE, arrays))) == 1:  # (a C-level pass: ~4x the genexpr's speed)
        try:
            joined = np.frombuffer(bytearray().join(arrays), first)
        except (BufferError, TypeError, ValueError):  # a non-contiguous view
            pass
        else:
            if joined.shape[0] == (sum(map(len, arrays)) if total is None
                                   else total):  # every one 1-D
                return joined.astype(dtype, copy=False)
    return np.concatenate(arrays).astype(dtype, copy=False)


_concat = concat


def encode_vector_entries(keys: list[str], fsts: list[Fst], symbols: list[tuple[int, bytes]],
                          semiring: Semiring) -> tuple:
    """The FAR entries (key string + OpenFst ``vector`` binary) of machines
    sharing ``semiring``, laid out one after another: ``(uint8 array, list
    of entry sizes)``;
    ``symbols[i]`` = (header flags, encoded symbol tables) of machine i.
    O(total states + arcs) in a handful of vectorised passes."""
    from ..kernels.far import assemble_entries, batch_properties
    k = len(fsts)
    finals = [f.final for f in fsts]
    ilabels = [f.ilabel for f in fsts]
    n = np.array(list(map(len, finals)), np.int64)
    state_first = np.zeros(k + 1, np.int64)
    np.cumsum(n, out=state_first[1:])
    # Global indptr: every machine's indptr shifted by the arcs before it,
    # each machine's leading 0 dropped except the first machine's.
    m = np.array(list(map(len, ilabels)), np.int64)
    arc_first = np.zeros(k + 1, np.int64)
    np.cumsum(m, out=arc_first[1:])
    total_states, total_arcs = int(state_first[-1]), int(arc_first[-1])
    cat = _concat([f.indptr for f in fsts], np.int64, total_states + k) \
        + np.repeat(arc_first[:-1], n + 1)
    keep = np.ones(cat.shape[0], bool)
    keep[(state_first[1:-1] + np.arange(1, k))] = False
    indptr = cat[keep] if k else np.zeros(1, np.int64)
    wdt = _b._weight_dtype(semiring)
    il = _concat(ilabels, np.int32, total_arcs)
    ol = _concat([f.olabel for f in fsts], np.int32, total_arcs)
    ns = _concat([f.nextstate for f in fsts], np.int32, total_arcs)
    w = _concat([f.weight for f in fsts], wdt, total_arcs)
    fin = _concat(finals, wdt, total_states)
    start = np.array([f.start for f in fsts], np.int64).reshape(k)
    props = np.zeros(k, np.int64)
    extra = np.zeros(k, np.int64)
    batch_properties(indptr, il, ol, ns, w, fin, state_first, start, semiring.code,
                     props, extra)
    words = property_words(props, extra, (start >= 0) | (n == 0), "vector")

    # Each entry: key, header, tables, then state records (final weight, arc
    # count) each followed by its arc records, laid out by one kernel pass.
    prefix = (_I32.pack(_b.FST_MAGIC) + encode_string("vector")
              + encode_string(semiring.arc_type) + _I32.pack(_b.VECTOR_VERSION))
    joined = "".join(keys)
    key_bytes = joined.encode("utf-8")
    key_first = np.zeros(k + 1, np.int64)
    if len(key_bytes) == len(joined):  # ASCII: a key's bytes are its characters
        np.cumsum(np.array(list(map(len, keys)), np.int64).reshape(k), out=key_first[1:])
    else:
        raw = [key.encode("utf-8") for key in keys]
        np.cumsum(np.array(list(map(len, raw)), np.int64).reshape(k), out=key_first[1:])
    table_first = np.zeros(k + 1, np.int64)
    if symbols.count(_NO_TABLES) == k:  # (compared by identity first: cheap)
        flags = np.zeros(k, np.int64)
        tables = b""
    else:
        table_bytes = [t for _, t in symbols]
        np.cumsum(np.array(list(map(len, table_bytes)), np.int64).reshape(k),
                  out=table_first[1:])
        flags = np.array([f for f, _ in symbols], np.int64).reshape(k)
        tables = b"".join(table_bytes)

    def le_bytes(a, dtype):
        return np.ascontiguousarray(a, dtype).view(np.uint8)

    data, sizes = assemble_entries(
        np.frombuffer(key_bytes, np.uint8), key_first, np.frombuffer(prefix, np.uint8), flags,
        words.astype(np.int64), start, state_first, indptr,
        le_bytes(il, "<i4"), le_bytes(ol, "<i4"), le_bytes(ns, "<i4"), le_bytes(w, wdt),
        le_bytes(fin, wdt), wdt.itemsize,
        np.frombuffer(tables, np.uint8), table_first)
    return data, sizes.tolist()


class SymbolBytesCache:
    """Encoded symbol tables of the machines being written, reused while a
    table is unchanged: tables are mutable, so a cached encoding is used only
    when the table's name and items still equal the snapshot it was made
    from (one C-level comparison instead of re-encoding every symbol)."""

    def __init__(self, size: int = 8):
        self._size = size
        self._entries: dict[int, tuple] = {}

    def encode(self, table) -> bytes:
        hit = self._entries.get(id(table))
        items = table.items()
        if hit is not None and hit[0] is table and hit[1] == table.name and hit[2] == items:
            return hit[3]
        data = write_symbol_table_binary(table)
        if len(self._entries) >= self._size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[id(table)] = (table, table.name, items, data)
        return data

    def flags_and_bytes(self, fst: Fst) -> tuple[int, bytes]:
        flags, parts = 0, []
        if fst.isymbols is not None:
            flags |= _b.FLAG_HAS_ISYMBOLS
            parts.append(self.encode(fst.isymbols))
        if fst.osymbols is not None:
            flags |= _b.FLAG_HAS_OSYMBOLS
            parts.append(self.encode(fst.osymbols))
        return flags, b"".join(parts)


# -- reading ----------------------------------------------------------------------

class _TableCache:
    """Parsed symbol tables by their exact bytes (archives usually repeat one
    table in every entry); each machine gets its own copy."""

    def __init__(self, data: bytes):
        self.data = data
        self.last: list = []  # [(raw bytes, table)] most recent first

    def read(self, pos: int) -> tuple:
        data = self.data
        for raw, table in self.last:
            if data[pos:pos + len(raw)] == raw:
                return table.copy(), pos + len(raw)
        try:
            table, end = read_symbol_table_binary(data, pos, source="<far entry>")
        except FstIOError:
            raise _Fallback from None
        self.last.insert(0, (data[pos:end], table))
        del self.last[4:]
        return table.copy(), end


_VECTOR_TYPE = encode_string("vector")
_PREFIXES: dict[bytes, Semiring] = {}  # header prefix -> semiring, once validated
_LAYOUTS: dict[Semiring, tuple] = {}


def _layout(sr: Semiring) -> tuple:
    """(weight size, file weight dtype, arc record dtype, semiring dtype)."""
    layout = _LAYOUTS.get(sr)
    if layout is None:
        wdt = _b._weight_dtype(sr)
        layout = _LAYOUTS[sr] = (wdt.itemsize, wdt, _b._vector_arc_dtype(sr),
                                 np.dtype(sr.dtype))
    return layout


def _vector_prefix(data: bytes, at: int) -> tuple[bytes, Semiring]:
    """The fixed header prefix (magic, "vector", arc type, version) of the
    machine at ``data[at:]`` and its semiring; :class:`_Fallback` when it is
    not a valid vector header."""
    if data[at + 4:at + 14] != _VECTOR_TYPE or at + 18 > len(data):
        raise _Fallback
    prefix = data[at:at + 22 + _I32.unpack_from(data, at + 14)[0]]
    sr = _PREFIXES.get(prefix)
    if sr is None:
        try:
            h = _b._read_header(data[at:at + len(prefix) + _TAIL.size], "<far entry>")
        except FstIOError:
            raise _Fallback from None
        if h.fst_type != "vector" or len(_PREFIXES) > 64:
            raise _Fallback
        sr = _PREFIXES[prefix] = h.semiring
    return prefix, sr


def _windows(data: bytes, width: int) -> np.ndarray:
    """Read-only (len - width + 1, width) byte view, one row per offset."""
    rows = max(len(data) - width + 1, 0)
    return np.ndarray((rows, width), np.uint8, buffer=data, strides=(1, 1))


def _headers(data: bytes, entries: list[tuple[int, int]], prefix: bytes) -> tuple:
    """Headers and embedded symbol tables of every entry, in Python (the
    kernel's path declines symbol tables): ``(starts, declared state counts,
    body starts, symbols)``; :class:`_Fallback` on anything unexpected."""
    k = len(entries)
    prefix_len = len(prefix)
    tables = None
    unpack = _TAIL.unpack_from
    starts = [0] * k
    declared = [0] * k
    body_start = [0] * k
    symbols = [None] * k
    for i, (at, end) in enumerate(entries):
        pos = at + prefix_len + _TAIL.size
        if data[at:at + prefix_len] != prefix or pos > end:
            raise _Fallback
        flags, _props, start, num_states, _arcs = unpack(data, at + prefix_len)
        if flags & 3:
            tables = tables or _TableCache(data)
            isyms = osyms = None
            if flags & _b.FLAG_HAS_ISYMBOLS:
                isyms, pos = tables.read(pos)
            if flags & _b.FLAG_HAS_OSYMBOLS:
                osyms, pos = tables.read(pos)
            if pos > end:
                raise _Fallback
            symbols[i] = (isyms, osyms)
        if num_states < -1 or num_states > _INT32_MAX or start < -1:
            raise _Fallback
        starts[i] = start
        declared[i] = num_states
        body_start[i] = pos
    return starts, declared, body_start, symbols


def read_vector_entries(data: bytes, entries: list[tuple[int, int]]) -> list[Fst]:
    """The machines stored as OpenFst ``vector`` binaries at
    ``data[start:end]`` for each ``(start, end)`` of ``entries``.

    Raises :class:`_Fallback` (never an error of its own) when any entry is
    not a well-formed vector machine of the first entry's arc type: the
    caller then reads the entries one by one with the checking reader."""
    return read_vector_ranges(data, [a for a, _ in entries], [b for _, b in entries])


def read_vector_ranges(data: bytes, first: list[int], last: list[int]) -> list[Fst]:
    """:func:`read_vector_entries` with the ranges as two lists (``first[i]``
    to ``last[i]``), so a caller holding them builds no pair per entry."""
    from ..kernels.far import OK, decode_vector_bodies, vector_headers
    k = len(first)
    if not k:
        return []
    prefix, sr = _vector_prefix(data, first[0])
    buf = np.frombuffer(data, np.uint8)
    ends = np.array(last, np.int64).reshape(k)
    status, _bad, starts_a, declared, body_start = vector_headers(
        buf, np.array(first, np.int64).reshape(k), ends, np.frombuffer(prefix, np.uint8))
    if status == OK:  # no symbol tables: every header parsed by the kernel
        starts = starts_a.tolist()
        symbols = None
    else:
        starts, declared, body_start, symbols = _headers(data, list(zip(first, last)), prefix)
        declared = np.array(declared, np.int64)
        body_start = np.array(body_start, np.int64)
        starts_a = np.array(starts, np.int64)
    wsize, wfile, arc_dtype, wdt = _layout(sr)
    status, _bad, num_states, local, il, ol, ns, wbytes, fbytes = decode_vector_bodies(
        buf, body_start, ends, declared, starts_a, wsize, arc_dtype.itemsize)
    if status != OK:
        raise _Fallback
    w = wbytes.view(wfile).astype(wdt, copy=False)
    final = fbytes.view(wfile).astype(wdt, copy=False)
    frozen(local, il, ol, ns, w, final)
    if k == 1:
        isyms, osyms = (symbols and symbols[0]) or (None, None)
        return [trusted_fst(local, il, ol, ns, w, final, starts[0], sr, isyms, osyms)]
    state_first = np.zeros(k + 1, np.int64)
    np.cumsum(num_states, out=state_first[1:])
    # Machine i's rebased indptr is local[S_i + i : S_{i+1} + i + 1]; its last
    # entry is its arc count, and the counts summed give each first arc.
    arc_first = np.zeros(k + 1, np.int64)
    np.cumsum(local[state_first[1:] + np.arange(k)], out=arc_first[1:])
    sf, af = state_first.tolist(), arc_first.tolist()
    out = []
    append = out.append
    make = trusted_fst
    if symbols is None:
        # Machine i: local[l0:l1] (l0 = s0 + i, l1 = s1 + i + 1), arcs e0:e1.
        lf = (state_first + np.arange(k + 1)).tolist()
        for l0, l1, s0, s1, e0, e1, st in zip(lf, lf[1:], sf, sf[1:], af, af[1:], starts):
            append(make(local[l0:l1], il[e0:e1], ol[e0:e1], ns[e0:e1],
                        w[e0:e1], final[s0:s1], st, sr, None, None))
        return out
    for i in range(k):
        s0, s1, e0, e1 = sf[i], sf[i + 1], af[i], af[i + 1]
        isyms, osyms = symbols[i] or (None, None)
        append(make(local[s0 + i:s1 + i + 1], il[e0:e1], ol[e0:e1], ns[e0:e1], w[e0:e1],
                    final[s0:s1], starts[i], sr, isyms, osyms))
    return out


class EntryTable:
    """The ``(key, fst_start, fst_end)`` entries of an archive held as three
    lists (no tuple per entry until one is asked for): indexing gives a
    tuple, slicing a list of tuples, as the list would."""

    __slots__ = ("ends", "keys", "starts")

    def __init__(self, keys: list[str], starts: list[int], ends: list[int]):
        self.keys, self.starts, self.ends = keys, starts, ends

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(zip(self.keys[i], self.starts[i], self.ends[i]))
        return self.keys[i], self.starts[i], self.ends[i]

    def __iter__(self):
        return zip(self.keys, self.starts, self.ends)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


def _decode_keys(data, buf: np.ndarray, key_start: np.ndarray, key_end: np.ndarray) -> list:
    """The keys ``data[key_start[i]:key_end[i]]`` as strings: all ASCII
    keys are gathered and decoded at once, then sliced (str slices are
    cheaper than a bytes slice and a decode per key)."""
    lengths = key_end - key_start
    total = int(lengths.sum())
    bounds = np.zeros(lengths.shape[0] + 1, np.int64)
    np.cumsum(lengths, out=bounds[1:])
    at = np.repeat(key_start - bounds[:-1], lengths) + np.arange(total, dtype=np.int64)
    raw = buf[at]
    if total and int(raw.max()) >= 128:
        return [data[a:b].decode("utf-8") for a, b in zip(key_start.tolist(),
                                                          key_end.tolist())]
    k = lengths.shape[0]
    if k and not np.any(raw == 0):
        # NUL between the keys, one decode and one C-level split
        joined = np.zeros(total + k - 1, np.uint8)
        joined[np.arange(total, dtype=np.int64) + np.repeat(np.arange(k), lengths)] = raw
        return joined.tobytes().decode("ascii").split("\x00")
    text = raw.tobytes().decode("ascii")
    b = bounds.tolist()
    return [text[i:j] for i, j in itertools.pairwise(b)]


#: header prefix -> (prefix as uint8, weight size, arc record size, file
#: weight dtype, semiring dtype) for :func:`read_vector_entry`
_PREFIX_ARRAYS: dict[bytes, tuple] = {}


def read_vector_entry(data: bytes, buf: np.ndarray, at: int, end: int) -> Fst | None:
    """The machine stored as an OpenFst ``vector`` binary at ``data[at:end]``
    (``buf``: ``data`` as uint8), in one kernel call; None when the fast path
    declines it (symbol tables, anything malformed): the caller then uses
    :func:`read_vector_entries` or the checking reader."""
    from ..kernels.far import OK, decode_one
    try:
        prefix, sr = _vector_prefix(data, at)
    except _Fallback:
        return None
    info = _PREFIX_ARRAYS.get(prefix)
    if info is None:  # (keyed by the prefix: no Semiring hash per lookup)
        wsize, wfile, arc_dtype, wdt = _layout(sr)
        info = _PREFIX_ARRAYS[prefix] = (np.frombuffer(prefix, np.uint8), wsize,
                                         arc_dtype.itemsize, wfile, wdt)
    pre, wsize, arc_size, wfile, wdt = info
    status, start, local, il, ol, ns, wbytes, fbytes = decode_one(
        buf, at, end, pre, wsize, arc_size)
    if status != OK:
        return None
    w = wbytes.view(wfile).astype(wdt, copy=False)
    final = fbytes.view(wfile).astype(wdt, copy=False)
    frozen(local, il, ol, ns, w, final)
    return trusted_fst(local, il, ol, ns, w, final, int(start), sr, None, None)


def scan_stlist(data: bytes, first: int) -> EntryTable | list[tuple[str, int, int]]:
    """``(key, fst_start, fst_end)`` of each entry of an stlist whose entries
    start at ``first``: keys and headers parsed in Python, each body walked
    by the kernel to find where the next entry begins. Raises
    :class:`_Fallback` on anything unexpected (including const machines)."""
    from ..kernels.binary import OK, scan_vector_body
    from ..kernels.far import stlist_walk
    buf = np.frombuffer(data, np.uint8)
    if first + 4 <= len(data) and _I32.unpack_from(data, first)[0] != 0:
        # One kernel walk of every entry; the Python walk below (and the
        # checking reader after it) for anything it declines.
        prefix, sr = _vector_prefix(data, first + 4 + _I32.unpack_from(data, first)[0])
        _, _, arc_dtype, _ = _layout(sr)
        status, count, key_start, fst_start, fst_end = stlist_walk(
            buf, first, np.frombuffer(prefix, np.uint8), arc_dtype.itemsize - 12,
            arc_dtype.itemsize)
        if status == OK:
            if not count:
                return EntryTable([], [], [])
            try:
                keys = _decode_keys(data, buf, key_start[:count], fst_start[:count])
            except UnicodeDecodeError:
                raise _Fallback from None
            return EntryTable(keys, fst_start[:count].tolist(), fst_end[:count].tolist())
    out = []
    pos, size, previous = first, len(data), None
    prefix = None
    one_offset = np.empty(1 << 16, np.int64)
    one_count = np.empty(1 << 16, np.int64)
    unpack_i32 = _I32.unpack_from
    while True:
        if pos + 4 > size:
            raise _Fallback
        length = unpack_i32(data, pos)[0]
        if length == 0:
            return out
        key_end = pos + 4 + length
        if length < 0 or key_end > size:
            raise _Fallback
        try:
            key = data[pos + 4:key_end].decode("utf-8")
        except UnicodeDecodeError:
            raise _Fallback from None
        if previous is not None and key < previous:
            raise _Fallback
        at = key_end
        if prefix is None:
            prefix, sr = _vector_prefix(data, at)
            wsize, _, arc_dtype, _ = _layout(sr)
            rec = arc_dtype.itemsize
        body = at + len(prefix) + _TAIL.size
        if data[at:at + len(prefix)] != prefix or body > size:
            raise _Fallback
        flags, _props, start, num_states, _arcs = _TAIL.unpack_from(data, at + len(prefix))
        for flag in (_b.FLAG_HAS_ISYMBOLS, _b.FLAG_HAS_OSYMBOLS):
            if flags & flag:
                try:
                    _, body = read_symbol_table_binary(data, body, source="<far entry>")
                except FstIOError:
                    raise _Fallback from None
        if not -1 <= num_states < one_offset.shape[0] or start < -1:
            raise _Fallback  # unknown or large state counts: the checking reader
        status, _bad, _n, end = scan_vector_body(buf, body, num_states, wsize, rec,
                                                 one_offset, one_count)
        if status != OK or num_states < 0:
            raise _Fallback
        out.append((key, at, int(end)))
        previous, pos = key, int(end)


__all__ = [
    "SymbolBytesCache",
    "encode_vector_entries",
    "property_words",
    "read_vector_entries",
    "scan_stlist",
]
