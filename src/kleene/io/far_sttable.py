"""OpenFst's FAR containers, byte-compatible with pynini/OpenFst:
``sttable`` (what ``pynini.Far(..., far_type="default")`` writes) and
``stlist``.

Layout (established by writing archives with pynini and reading the bytes;
little-endian; a *string* is an int32 byte length followed by the bytes)::

    sttable
        int32   magic           2125656924 (0x7EB2F35C)
        int32   version         1
        entries, in increasing key order (bytewise, i.e. code point order):
            string  key         non-empty
            FST                 OpenFst binary (see :mod:`kleene.io.binary`)
        int64   n               the index: a vector of n entry positions
        n x int64               byte offset of each entry's key
        int64   n               again, so a reader can find the index from the end

    stlist
        int32   magic           5656924 (0x0056515C)
        int32   version         1
        entries as above (string key + binary FST), then
        string  ""              an empty key ends the list (no index)

OpenFst's writers reject an empty key and a key smaller than the previous
one (pynini logs the error and silently drops the entry); equal keys are
accepted. An sttable reader finds an entry by binary search over the index;
an stlist has no index, so finding an entry means parsing every machine
before it (OpenFst does not support ``Find`` on stlists at all).

This module only parses and encodes the containers; every function raises
:class:`~kleene.errors.FstIOError` naming the source and the absolute byte
offset of the problem.
"""

from __future__ import annotations

import struct

import numpy as np

from ..core.fst import Fst
from ..errors import FstIOError
from .binary import (
    FLAG_HAS_ISYMBOLS,
    FLAG_HAS_OSYMBOLS,
    FLAG_IS_ALIGNED,
    _align,
    _const_arc_dtype,
    _const_state_dtype,
    _read_header,
    _weight_dtype,
    read_binary,
    write_binary,
)
from .far_batch import (
    EntryTable,
    _decode_keys,
    _Fallback,
    encode_vector_entries,
    read_vector_ranges,
    scan_stlist,
)
from .symbols_binary import encode_string, read_string, read_symbol_table_binary

STTABLE_MAGIC = 2125656924
STLIST_MAGIC = 5656924
FAR_FILE_VERSION = 1
_I32 = struct.Struct("<i")
_I64 = struct.Struct("<q")
_HEAD = struct.Struct("<ii")  # magic, version
_MIN_ENTRY = 4 + 1 + 4  # key length + one key byte + an FST magic number


def sniff_far_type(data) -> str | None:
    """``"sttable"``, ``"stlist"`` or None, from the first four bytes."""
    if len(data) < 4:
        return None
    magic = _I32.unpack_from(data, 0)[0]
    return {STTABLE_MAGIC: "sttable", STLIST_MAGIC: "stlist"}.get(magic)


def _check_head(data, expected_magic: int, kind: str, source: str) -> None:
    if len(data) < _HEAD.size:
        raise FstIOError(f"truncated {kind} archive: {len(data)} bytes, too short for the "
                         "magic number and version", path=source, offset=0)
    magic, version = _HEAD.unpack_from(data, 0)
    if magic != expected_magic:
        raise FstIOError(f"not an OpenFst {kind} archive: magic number {magic}, expected "
                         f"{expected_magic}", path=source, offset=0)
    if version != FAR_FILE_VERSION:
        raise FstIOError(f"unsupported {kind} version {version} (expected "
                         f"{FAR_FILE_VERSION})", path=source, offset=4)


def _read_key(data, offset: int, source: str, previous: str | None) -> tuple[str, int]:
    key, end = read_string(data, offset, source, "entry key")
    if not key:
        raise FstIOError("empty entry key", path=source, offset=offset)
    if previous is not None and key < previous:
        raise FstIOError(f"entry key {key!r} is out of order (after {previous!r}); "
                         "archive keys must be sorted", path=source, offset=offset)
    return key, end


def read_sttable_index(data, source: str) -> list[tuple[str, int, int]]:
    """The entries of an sttable archive as ``(key, fst_start, fst_end)``
    byte ranges, in file order. Reads the index and each key, not the
    machines: O(number of entries + total key length)."""
    return list(sttable_entries(data, source))


def sttable_entries(data, source: str) -> EntryTable | list[tuple[str, int, int]]:
    """:func:`read_sttable_index` as an :class:`EntryTable` when the index is
    well-formed (a list otherwise)."""
    _check_head(data, STTABLE_MAGIC, "sttable", source)
    size = len(data)
    if size < _HEAD.size + 16:
        raise FstIOError("truncated sttable archive: no index at the end", path=source,
                         offset=size)
    count_at = size - 8
    count = _I64.unpack_from(data, count_at)[0]
    most = (size - _HEAD.size - 16) // (8 + _MIN_ENTRY)
    if not 0 <= count <= most:
        raise FstIOError(f"index declares {count} entries, but the {size} bytes of the "
                         f"archive hold at most {most}", path=source, offset=count_at)
    index_at = count_at - 8 * count - 8
    if _I64.unpack_from(data, index_at)[0] != count:
        raise FstIOError(f"index size {_I64.unpack_from(data, index_at)[0]} does not match "
                         f"the entry count {count} at the end of the file", path=source,
                         offset=index_at)
    positions = np.frombuffer(data, "<i8", count, index_at + 8)
    fast = _index_fast(data, positions, index_at)
    if fast is not None:
        return fast
    positions = positions.tolist()
    entries = []
    previous = ""
    expected = _HEAD.size
    unpack_i32 = _I32.unpack_from
    for i, pos in enumerate(positions):
        # The first entry starts right after the header; each later one after
        # the previous entry's FST began, and all before the index.
        in_order = pos == expected if i == 0 else expected < pos
        end = positions[i + 1] if i + 1 < count else index_at
        length = unpack_i32(data, pos)[0] if in_order and pos + 4 <= index_at else -1
        fst_at = pos + 4 + length
        key = None
        if in_order and pos < index_at and 0 < length and fst_at < end:
            try:
                key = data[pos + 4:fst_at].decode("utf-8")
            except UnicodeDecodeError:
                pass
        if key is None or key < previous:
            # Something is wrong with this entry: let the checking code say what.
            if not (in_order and pos < index_at):
                raise FstIOError(f"index entry {i}: position {pos} is not inside the entry "
                                 f"area [{expected}, {index_at}) in order", path=source,
                                 offset=index_at + 8 + 8 * i)
            key, fst_at = _read_key(data, pos, source, previous or None)
            if fst_at >= end:
                raise FstIOError(f"entry {key!r}: key runs into the next entry",
                                 path=source, offset=pos)
        entries.append((key, fst_at, end))
        previous, expected = key, fst_at
    if count == 0 and index_at != _HEAD.size:
        raise FstIOError(f"{index_at - _HEAD.size} bytes of entries but an empty index",
                         path=source, offset=_HEAD.size)
    return entries


def _index_fast(data, positions: np.ndarray, index_at: int):
    """The entries of a well-formed index, checked by one kernel pass (keys
    only decoded here), as an :class:`EntryTable`; None when anything is
    off, for the checking loop of :func:`read_sttable_index` to report."""
    from ..kernels.far import OK, sttable_keys
    if not positions.shape[0]:
        return None
    buf = np.frombuffer(data, np.uint8)
    status, _bad, key_start, fst_start, fst_end = sttable_keys(
        buf, positions.astype(np.int64), _HEAD.size, index_at)
    if status != OK:
        return None
    try:
        keys = _decode_keys(data, buf, key_start, fst_start)
    except UnicodeDecodeError:
        return None
    return EntryTable(keys, fst_start.tolist(), fst_end.tolist())


def read_entry_fst(data, start: int, end: int, key: str, source: str, *,
                   base: int = 0) -> Fst:
    """Parses the binary FST of one entry, occupying ``data[start:end]``;
    errors name ``source`` and the offset ``base + start + offset in the FST``
    (``base``: where ``data`` itself starts in the archive)."""
    tag = "<far entry>"  # contains no ": ", so the message is what follows the first one
    try:
        return read_binary(memoryview(data)[start:end], source=tag)
    except FstIOError as exc:
        message = str(exc).split(": ", 1)[1] if ": " in str(exc) else str(exc)
        offset = base + start + (exc.offset or 0)
        raise FstIOError(f"entry {key!r}: {message}", path=source, offset=offset) from None


def read_entries(data, entries: list[tuple[str, int, int]], source: str) -> list[Fst]:
    """The machines of ``entries`` (``(key, fst_start, fst_end)`` in file
    order, offsets into ``data``): all at once through the batch reader of
    :mod:`.far_batch` when they are well-formed vector machines, else one by
    one with :func:`read_entry_fst`, which raises the precise error of the
    first bad entry. O(total size of the entries)."""
    if not entries:
        return []
    lo, hi = entries[0][1], entries[-1][2]
    if isinstance(entries, EntryTable):
        first, last = entries.starts, entries.ends
    else:
        first, last = [e[1] for e in entries], [e[2] for e in entries]
    if isinstance(data, bytes):
        chunk, lo = data, 0
    else:
        chunk = bytes(data[lo:hi])  # a copy: nothing keeps a file mapping exported
        first, last = [a - lo for a in first], [b - lo for b in last]
    try:
        return read_vector_ranges(chunk, first, last)
    except _Fallback:
        return [read_entry_fst(chunk, a - lo, b - lo, key, source, base=lo)
                for key, a, b in entries]


def stlist_entries(data, source: str) -> list[tuple[str, int, int]]:
    """``(key, fst_start, fst_end)`` of every entry of an stlist archive.
    Walks headers and bodies without building machines; falls back to
    parsing every machine (:func:`iter_stlist`), which raises the precise
    error, when anything is unusual."""
    _check_head(data, STLIST_MAGIC, "stlist", source)
    try:
        return scan_stlist(data, _HEAD.size)
    except _Fallback:
        return [(k, a, b) for k, a, b, _ in iter_stlist(data, source)]


def entry_arc_type(data, start: int, key: str, source: str) -> str:
    """The arc type named in the header of the FST at ``data[start:]``,
    without parsing the machine."""
    from .binary import FST_MAGIC
    if start + 4 > len(data) or _I32.unpack_from(data, start)[0] != FST_MAGIC:
        raise FstIOError(f"entry {key!r}: not an OpenFst binary FST (bad magic number)",
                         path=source, offset=start)
    _, pos = read_string(data, start + 4, source, "FST type")
    arc_type, _ = read_string(data, pos, source, "arc type")
    return arc_type


def binary_fst_size(data, start: int, fst: Fst, source: str) -> int:
    """Number of bytes the binary FST at ``data[start:]`` occupies, given the
    machine :func:`read_entry_fst` parsed from it (an stlist has no index, so
    this is how the next entry is found)."""
    view = memoryview(data)[start:]
    h = _read_header(view, source)
    pos = h.end
    if h.flags & FLAG_HAS_ISYMBOLS:
        _, pos = read_symbol_table_binary(view, pos, source=source)
    if h.flags & FLAG_HAS_OSYMBOLS:
        _, pos = read_symbol_table_binary(view, pos, source=source)
    sr = h.semiring
    if h.fst_type == "vector":
        wsize = _weight_dtype(sr).itemsize
        return pos + fst.num_states * (wsize + 8) + fst.num_arcs * (12 + wsize)
    aligned = bool(h.flags & FLAG_IS_ALIGNED)
    states_at = _align(pos, aligned)
    arcs_at = _align(states_at + h.num_states * _const_state_dtype(sr).itemsize, aligned)
    return arcs_at + h.num_arcs * _const_arc_dtype(sr).itemsize


def iter_stlist(data, source: str):
    """Yields ``(key, fst_start, fst_end, fst)`` for each entry of an stlist
    archive, parsing each machine once (the list has no index)."""
    _check_head(data, STLIST_MAGIC, "stlist", source)
    pos = _HEAD.size
    previous = None
    while True:
        if pos + 4 > len(data):
            raise FstIOError("truncated stlist archive: the list does not end with an "
                             "empty key", path=source, offset=pos)
        if _I32.unpack_from(data, pos)[0] == 0:
            return
        key, fst_at = _read_key(data, pos, source, previous)
        fst = read_entry_fst(data, fst_at, len(data), key, source)
        end = fst_at + binary_fst_size(data, fst_at, fst, source)
        yield key, fst_at, end, fst
        previous, pos = key, end


# -- writing --------------------------------------------------------------------

def far_head(far_type: str) -> bytes:
    magic = STTABLE_MAGIC if far_type == "sttable" else STLIST_MAGIC
    return _HEAD.pack(magic, FAR_FILE_VERSION)


def encode_entries(keys: list[str], fsts: list[Fst], symbols: list[tuple[int, bytes]],
                   fst_type: str = "vector") -> tuple:
    """The entries of several machines of one semiring, laid out one after
    another: ``(bytes-like, list of entry sizes)``, the same bytes as
    :func:`encode_entry` for each; ``symbols[i]`` is machine i's (header
    flags, encoded tables). Vector machines go through the batch writer of
    :mod:`.far_batch`. O(total size)."""
    if fst_type == "vector" and fsts:
        return encode_vector_entries(keys, fsts, symbols, fsts[0].semiring)
    parts = [encode_entry(key, fst, fst_type) for key, fst in zip(keys, fsts)]
    return b"".join(parts), [len(p) for p in parts]


def encode_entry(key: str, fst: Fst, fst_type: str = "vector") -> bytes:
    """One entry: the key as an OpenFst string, then the binary machine."""
    return encode_string(key) + write_binary(fst, fst_type=fst_type)


def sttable_trailer(positions: list[int]) -> bytes:
    count = _I64.pack(len(positions))
    return count + np.asarray(positions, "<i8").tobytes() + count


STLIST_TRAILER = encode_string("")


__all__ = ["STTABLE_MAGIC", "STLIST_MAGIC", "sniff_far_type", "read_sttable_index",
           "read_entry_fst", "read_entries", "stlist_entries", "entry_arc_type",
           "iter_stlist", "far_head", "encode_entry", "encode_entries", "sttable_trailer",
           "STLIST_TRAILER"]
