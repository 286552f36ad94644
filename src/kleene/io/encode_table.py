"""Reading and writing encode mappers in OpenFst's binary ``EncodeTable``
format, the ``codex`` file of ``fstencode`` / ``fstencode --decode`` and of
``pynini.EncodeMapper.write``/``read``.

Layout (little-endian)::

    int32   magic 2128178506
    string  arc type (int32 length + bytes), e.g. "standard"
    uint8   flags: 1 labels encoded, 2 weights encoded,
                   4 an input symbol table follows, 8 an output table follows
    int64   number of tuples K
    K x     int32 ilabel, int32 olabel, weight (float32; float64 for 64-bit
            arc types) -- tuple k is label k + 1; final weights have
            ilabel -1 (and olabel -1 when labels are encoded)
    [input symbol table] [output symbol table]   (OpenFst binary tables)
"""

from __future__ import annotations

import struct

import numpy as np

from ..errors import FstIOError

ENCODE_MAGIC = 2128178506
FLAG_LABELS = 1
FLAG_WEIGHTS = 2
FLAG_HAS_ISYMBOLS = 4
FLAG_HAS_OSYMBOLS = 8
FINAL_LABEL = -1  # ilabel of a final weight's tuple (OpenFst's kNoLabel)


def _tuple_dtype(semiring) -> np.dtype:
    weight = "<f8" if semiring.bits == 64 else "<f4"
    return np.dtype([("ilabel", "<i4"), ("olabel", "<i4"), ("weight", weight)])


def encode_table_bytes(mapper) -> bytes:
    """The OpenFst binary form of a kleene ``EncodeMapper``."""
    from .symbols_binary import encode_string, write_symbol_table_binary
    if mapper.semiring is None:
        raise FstIOError("the encode mapper has not encoded any machine yet, so its "
                         "arc type is unknown; encode a machine with it first")
    ilabel, olabel, weight = mapper.table()
    flags = (FLAG_LABELS if mapper.encode_labels else 0) | (
        FLAG_WEIGHTS if mapper.encode_weights else 0)
    if mapper.isymbols is not None:
        flags |= FLAG_HAS_ISYMBOLS
    if mapper.osymbols is not None:
        flags |= FLAG_HAS_OSYMBOLS
    rows = np.empty(ilabel.shape[0], _tuple_dtype(mapper.semiring))
    # OpenFst keeps the final pseudo-arc's olabel (-1) even when labels are
    # not encoded; kleene's mapper keys it with olabel 0 then
    olabel = np.where(ilabel == FINAL_LABEL, FINAL_LABEL, olabel)
    rows["ilabel"], rows["olabel"], rows["weight"] = ilabel, olabel, weight
    parts = [struct.pack("<i", ENCODE_MAGIC), encode_string(mapper.semiring.arc_type),
             struct.pack("<Bq", flags, ilabel.shape[0]), rows.tobytes()]
    if mapper.isymbols is not None:
        parts.append(write_symbol_table_binary(mapper.isymbols))
    if mapper.osymbols is not None:
        parts.append(write_symbol_table_binary(mapper.osymbols))
    return b"".join(parts)


def parse_encode_table(data: bytes, source: str = "<bytes>"):
    """A kleene ``EncodeMapper`` holding the tuples of an OpenFst encode
    table, numbered as in the file. Raises :class:`FstIOError` naming the
    byte offset on malformed input."""
    from ..algorithms.encode import EncodeMapper
    from .symbols_binary import read_string, read_symbol_table_binary
    from ..semirings import semiring_for_arc_type
    if len(data) < 4 or struct.unpack_from("<i", data, 0)[0] != ENCODE_MAGIC:
        raise FstIOError("not an OpenFst encode table (bad magic number); write one "
                         "with 'kleene encode' or fstencode", path=source, offset=0)
    arc_type, pos = read_string(data, 4, source, "arc type")
    try:
        semiring = semiring_for_arc_type(arc_type)
    except ValueError:
        raise FstIOError(f"unknown arc type {arc_type!r} in the encode table",
                         path=source, offset=4) from None
    if pos + 9 > len(data):
        raise FstIOError("truncated encode table header", path=source, offset=pos)
    flags, size = struct.unpack_from("<Bq", data, pos)
    pos += 9
    dtype = _tuple_dtype(semiring)
    if size < 0 or size * dtype.itemsize > len(data) - pos:
        raise FstIOError(f"the encode table claims {size} tuples, which do not fit in "
                         f"the {len(data) - pos} bytes that remain", path=source,
                         offset=pos - 8)
    rows = np.frombuffer(data, dtype, count=size, offset=pos)
    pos += size * dtype.itemsize
    isymbols = osymbols = None
    if flags & FLAG_HAS_ISYMBOLS:
        isymbols, pos = read_symbol_table_binary(data, pos, source=source)
    if flags & FLAG_HAS_OSYMBOLS:
        osymbols, pos = read_symbol_table_binary(data, pos, source=source)
    if pos != len(data):
        raise FstIOError(f"{len(data) - pos} unexpected bytes after the encode table",
                         path=source, offset=pos)
    ilabel = rows["ilabel"].astype(np.int64)
    olabel = rows["olabel"].astype(np.int64)
    encode_labels = bool(flags & FLAG_LABELS)
    if not encode_labels:
        olabel[ilabel == FINAL_LABEL] = 0  # kleene's key for a final weight
    try:
        mapper = EncodeMapper.from_table(
            ilabel, olabel, rows["weight"].astype(np.float64), semiring=semiring,
            encode_labels=encode_labels, encode_weights=bool(flags & FLAG_WEIGHTS),
            isymbols=isymbols, osymbols=osymbols)
    except ValueError as exc:
        raise FstIOError(str(exc), path=source) from None
    return mapper


def write_encode_table(mapper, path: str) -> None:
    data = encode_table_bytes(mapper)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FstIOError(f"cannot write the encode table: {exc.strerror}", path=path) from exc


def read_encode_table(path: str):
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read the encode table: {exc.strerror}", path=path) from exc
    return parse_encode_table(data, source=path)
