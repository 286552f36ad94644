"""OpenFst's binary symbol-table format (``SymbolTable::Write`` / ``Read``).

The same layout appears stand-alone (``fstsymbols --save_isymbols`` with a
binary table, ``pynini.SymbolTable.write``) and embedded after an FST header
whose flags say the machine carries input/output symbols. All integers are
little-endian; a *string* is an int32 byte length followed by that many UTF-8
bytes (no terminator)::

    int32   magic            2125658996 (0x7EB2FB74)
    string  name
    int64   available_key    one more than the largest key
    int64   num_symbols
    num_symbols times:
        string  symbol
        int64   key

OpenFst writes the entries in increasing key order (its dense prefix, then
its key-sorted map), which is what :func:`write_symbol_table_binary` does, so
the bytes match pynini's. Reading checks every length against the bytes that
remain before allocating, and rejects negative or duplicate keys, duplicate
symbols and non-UTF-8 symbols with :class:`~kleene.errors.FstIOError` naming
the byte offset.
"""

from __future__ import annotations

import os
import struct

from ..core.symbols import SymbolTable
from ..errors import FstIOError

SYMBOL_TABLE_MAGIC = 2125658996

_I32 = struct.Struct("<i")
_I64 = struct.Struct("<q")
# Smallest possible entry: an empty symbol (4-byte length) and its 8-byte key.
_MIN_ENTRY_BYTES = 12


def _read_i32(data, offset: int, source: str, what: str) -> int:
    if offset + 4 > len(data):
        raise FstIOError(f"truncated symbol table: no room for the {what} (int32)",
                         path=source, offset=offset)
    return _I32.unpack_from(data, offset)[0]


def _read_i64(data, offset: int, source: str, what: str) -> int:
    if offset + 8 > len(data):
        raise FstIOError(f"truncated symbol table: no room for the {what} (int64)",
                         path=source, offset=offset)
    return _I64.unpack_from(data, offset)[0]


def read_string(data, offset: int, source: str, what: str) -> tuple[str, int]:
    """Reads one OpenFst string (int32 length + UTF-8 bytes); returns it and the
    offset just past it. Shared with the FST header reader."""
    length = _read_i32(data, offset, source, f"length of the {what}")
    if length < 0:
        raise FstIOError(f"negative length {length} for the {what}", path=source, offset=offset)
    start = offset + 4
    if start + length > len(data):
        raise FstIOError(f"the {what} claims {length} bytes but only "
                         f"{len(data) - start} remain", path=source, offset=offset)
    raw = bytes(data[start:start + length])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FstIOError(f"the {what} is not UTF-8 ({exc.reason})", path=source,
                         offset=start + exc.start) from None
    return text, start + length


def encode_string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return _I32.pack(len(raw)) + raw


def read_symbol_table_binary(data: "bytes | memoryview", offset: int = 0, *,
                             source: str = "<bytes>") -> tuple[SymbolTable, int]:
    """Parses one binary symbol table starting at ``offset``.

    Returns ``(table, offset just past it)``. Raises
    :class:`~kleene.errors.FstIOError` naming ``source`` and the byte offset on
    malformed input. O(total bytes of the table).
    """
    data = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    magic = _read_i32(data, offset, source, "magic number")
    if magic != SYMBOL_TABLE_MAGIC:
        raise FstIOError(f"bad symbol table magic number {magic} "
                         f"(expected {SYMBOL_TABLE_MAGIC})", path=source, offset=offset)
    name, pos = read_string(data, offset + 4, source, "symbol table name")
    available = _read_i64(data, pos, source, "available key")
    pos += 8
    count_at = pos
    count = _read_i64(data, pos, source, "number of symbols")
    pos += 8
    if count < 0 or count * _MIN_ENTRY_BYTES > len(data) - pos:
        raise FstIOError(f"symbol table {name!r} claims {count} symbols, which cannot "
                         f"fit in the {len(data) - pos} bytes that remain",
                         path=source, offset=count_at)
    table = SymbolTable(name)
    for _ in range(count):
        entry_at = pos
        symbol, pos = read_string(data, pos, source, "symbol")
        key = _read_i64(data, pos, source, "symbol key")
        if key < 0:
            raise FstIOError(f"negative key {key} for symbol {symbol!r}",
                             path=source, offset=pos)
        if table.member(symbol) or table.member(key):
            raise FstIOError(f"duplicate symbol {symbol!r} or key {key} in symbol "
                             f"table {name!r}", path=source, offset=entry_at)
        table.add_symbol(symbol, key)
        pos += 8
    if available < table.available_key():
        raise FstIOError(f"symbol table {name!r} declares available key {available} "
                         f"below its largest key + 1 = {table.available_key()}",
                         path=source, offset=count_at - 8)
    return table, pos


def write_symbol_table_binary(table: SymbolTable) -> bytes:
    """The OpenFst binary encoding of ``table`` (entries in increasing key
    order, as OpenFst writes them). O(number of symbols)."""
    parts = [_I32.pack(SYMBOL_TABLE_MAGIC), encode_string(table.name),
             _I64.pack(table.available_key()), _I64.pack(len(table))]
    for key, symbol in sorted(table.items()):
        parts.append(encode_string(symbol))
        parts.append(_I64.pack(key))
    return b"".join(parts)


def read_symbol_table_binary_file(path: "str | os.PathLike") -> SymbolTable:
    """Reads a stand-alone binary symbol table file (trailing bytes are an
    error)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read symbol table: {exc.strerror}", path=str(path)) from exc
    table, end = read_symbol_table_binary(data, 0, source=str(path))
    if end != len(data):
        raise FstIOError(f"{len(data) - end} unexpected bytes after the symbol table",
                         path=str(path), offset=end)
    return table


def write_symbol_table_binary_file(table: SymbolTable, path: "str | os.PathLike") -> None:
    """Writes ``table`` as a stand-alone binary symbol table file."""
    data = write_symbol_table_binary(table)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FstIOError(f"cannot write symbol table: {exc.strerror}", path=str(path)) from exc


def is_symbol_table_binary(data: bytes) -> bool:
    """Whether ``data`` starts with the binary symbol table magic number."""
    return len(data) >= 4 and _I32.unpack_from(data, 0)[0] == SYMBOL_TABLE_MAGIC


__all__ = ["read_symbol_table_binary", "write_symbol_table_binary",
           "read_symbol_table_binary_file", "write_symbol_table_binary_file",
           "is_symbol_table_binary", "SYMBOL_TABLE_MAGIC"]
