"""kleene's native file format: the machine's arrays in a numpy ``.npz``.

Loading is a few ``memcpy``s (no parsing) and never unpickles anything
(``allow_pickle=False``). The archive holds::

    format            "kleene-native"        format_version   1
    indptr ilabel olabel nextstate weight final   (the CSR arrays)
    start             int64 scalar
    semiring          name ("tropical", "log", ...)   dtype  "float32"/"float64"
    isymbols_keys / isymbols_text / isymbols_name     (when there is a table;
    osymbols_keys / osymbols_text / osymbols_name      text = symbols joined
                                                       by "\\n", keys aligned)

Every malformed, truncated or inconsistent file raises :class:`FstIOError`.
"""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstIOError, KleeneError
from ..semirings import get_semiring

FORMAT_NAME = "kleene-native"
FORMAT_VERSION = 1
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ARRAYS = ("indptr", "ilabel", "olabel", "nextstate", "weight", "final")


def _table_arrays(prefix: str, table: SymbolTable | None) -> dict:
    if table is None:
        return {}
    items = table.items()
    for _, sym in items:
        if "\n" in sym:
            raise FstIOError(f"symbol {sym!r} contains a newline; the native format "
                             "cannot store it")
    return {f"{prefix}_keys": np.asarray([k for k, _ in items], np.int64),
            f"{prefix}_text": np.asarray("\n".join(s for _, s in items)),
            f"{prefix}_name": np.asarray(table.name)}


def native_bytes(fst: Fst, *, compress: bool = False) -> bytes:
    """The machine as native-format bytes (see the module docstring)."""
    arrays = {name: getattr(fst, name) for name in _ARRAYS}
    arrays.update(format=np.asarray(FORMAT_NAME), format_version=np.asarray(FORMAT_VERSION),
                  start=np.asarray(fst.start, np.int64),
                  semiring=np.asarray(fst.semiring.name),
                  dtype=np.asarray(np.dtype(fst.semiring.dtype).name))
    arrays.update(_table_arrays("isymbols", fst.isymbols))
    arrays.update(_table_arrays("osymbols", fst.osymbols))
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    return buf.getvalue()


def save_native(fst: Fst, path: "str | os.PathLike", *, compress: bool = False) -> None:
    """Writes the machine to ``path`` (the name is used as given: no ``.npz``
    is appended). Complexity: O(V + E) bytes copied."""
    data = native_bytes(fst, compress=compress)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FstIOError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc


def _scalar(archive, name: str, kind: str, source: str):
    if name not in archive.files:
        raise FstIOError(f"not a kleene native file: no {name!r} entry", path=source)
    value = archive[name]
    if value.shape != () or value.dtype.kind not in kind:
        raise FstIOError(f"entry {name!r} is malformed", path=source)
    return value[()]


def _read_table(archive, prefix: str, source: str) -> SymbolTable | None:
    if f"{prefix}_keys" not in archive.files:
        return None
    keys = archive[f"{prefix}_keys"]
    text = str(_scalar(archive, f"{prefix}_text", "U", source))
    name = str(_scalar(archive, f"{prefix}_name", "U", source))
    symbols = text.split("\n") if keys.size else []
    if keys.ndim != 1 or keys.dtype.kind not in "iu" or len(symbols) != keys.shape[0]:
        raise FstIOError(f"symbol table {prefix!r} is malformed", path=source)
    table = SymbolTable(name)
    try:
        for key, sym in zip(keys.tolist(), symbols):
            if table.member(sym) or table.member(key):
                raise FstIOError(f"symbol table {prefix!r} repeats {sym!r} or key {key}",
                                 path=source)
            table.add_symbol(sym, key)
    except KleeneError as exc:
        if isinstance(exc, FstIOError):
            raise
        raise FstIOError(f"symbol table {prefix!r}: {exc}", path=source) from None
    return table


def native_from_bytes(data: bytes, *, source: str = "<bytes>") -> Fst:
    """Reads native-format bytes; see :func:`load_native`."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return _from_archive(archive, source)
    except FstIOError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile,
            zipfile.LargeZipFile, NotImplementedError, RuntimeError, TypeError,
            IndexError, OverflowError, MemoryError) as exc:
        raise FstIOError(f"malformed kleene native file ({type(exc).__name__}: {exc})",
                         path=source) from None


def _from_archive(archive, source: str) -> Fst:
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise FstIOError("not a kleene native file (a bare .npy array)", path=source)
    fmt = str(_scalar(archive, "format", "U", source))
    if fmt != FORMAT_NAME:
        raise FstIOError(f"not a kleene native file (format {fmt!r})", path=source)
    version = int(_scalar(archive, "format_version", "iu", source))
    if version != FORMAT_VERSION:
        raise FstIOError(f"native format version {version} is not supported (this kleene "
                         f"reads version {FORMAT_VERSION}); upgrade kleene", path=source)
    try:
        sr = get_semiring(str(_scalar(archive, "semiring", "U", source)),
                          str(_scalar(archive, "dtype", "U", source)))
    except (KleeneError, TypeError) as exc:
        raise FstIOError(f"bad semiring: {exc}", path=source) from None
    arrays = {}
    for name in _ARRAYS:
        if name not in archive.files:
            raise FstIOError(f"not a kleene native file: no {name!r} array", path=source)
        arr = archive[name]
        expected = "f" if name in ("weight", "final") else "iu"
        if arr.ndim != 1 or arr.dtype.kind not in expected:
            raise FstIOError(f"array {name!r} has shape {arr.shape} and dtype {arr.dtype}",
                             path=source)
        arrays[name] = arr
    for name in ("ilabel", "olabel", "nextstate"):
        arr = arrays[name]
        if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < 0):
            raise FstIOError(f"array {name!r} holds values outside int32", path=source)
    start = int(_scalar(archive, "start", "iu", source))
    isyms = _read_table(archive, "isymbols", source)
    osyms = _read_table(archive, "osymbols", source)
    try:
        return Fst(arrays["indptr"], arrays["ilabel"], arrays["olabel"],
                   arrays["nextstate"], arrays["weight"], arrays["final"], start, sr,
                   isyms, osyms)
    except KleeneError as exc:
        raise FstIOError(f"inconsistent machine: {exc}", path=source) from None


def load_native(path: "str | os.PathLike") -> Fst:
    """Reads a machine saved by :func:`save_native`. Complexity: O(V + E)
    (arrays are validated once)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    return native_from_bytes(data, source=str(path))


def is_native(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive (the ``.npz`` container)."""
    return bytes(data[:4]) in ZIP_MAGIC


__all__ = ["save_native", "load_native", "native_bytes", "native_from_bytes", "is_native"]
