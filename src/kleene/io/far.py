"""FAR archives: named collections of machines.

Three container formats, all read by :class:`FarReader` / :func:`read_far`
(the format is sniffed from the first bytes) and written by
:class:`FarWriter` / :func:`write_far`:

``sttable``
    OpenFst's default FAR (``pynini.Far(path, "w")``, ``farcreate``): the
    entries, then an index of their positions, so one entry is found by a
    binary search without reading the others. Byte-compatible with pynini;
    see :mod:`kleene.io.far_sttable` for the layout.
``stlist``
    OpenFst's list FAR: the same entries, no index (finding a key parses
    the machines before it).
``native``
    kleene's own, pickle-free: a zip of uncompressed ``.npy`` members holding
    all machines packed into one set of CSR arrays, plus a JSON manifest
    (keys, semiring, symbol tables); see :mod:`kleene.io.far_native`. Much
    faster than one file per machine, and any zip tool can inspect it.

Keys are non-empty strings kept in increasing order (code point order, which
is OpenFst's bytewise order of the UTF-8 keys). OpenFst's writers reject an
out-of-order key (pynini logs an error and drops the entry): :class:`FarWriter`
raises :class:`~kleene.errors.FstArgError` instead, and :func:`write_far`
sorts the keys itself. Equal keys are allowed in a stream, as in OpenFst;
:func:`read_far`, which returns a dict, refuses an archive that repeats one.
All machines of an archive must share one semiring (OpenFst's arc type).

Every malformed file raises :class:`~kleene.errors.FstIOError` naming the
file and, for the OpenFst formats, the byte offset.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import mmap
import os
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter, itemgetter
from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..errors import FstArgError, FstIndexError, FstIOError, FstSymbolError
from ..semirings import ALL_SEMIRINGS, Semiring
from . import far_sttable as st
from .far_batch import NO_TABLES, SymbolBytesCache, read_vector_entry
from .far_native import MARKER as NATIVE_MARKER, NativeArchive, NativePacker

_ISYMBOLS = attrgetter("isymbols")
_SEMIRING = attrgetter("semiring")
_OSYMBOLS = attrgetter("osymbols")
_ILABEL = attrgetter("ilabel")
FarType = Literal["sttable", "stlist", "native"]
FAR_TYPES = ("sttable", "stlist", "native")
_ZIP_LOCAL_MAGIC = b"PK\x03\x04"
_READ_BATCH = 4096          # entries parsed together when iterating
_READ_WHOLE_BYTES = 1 << 26  # sttable archives up to this size are read, not mapped
_WRITE_BATCH = 2048         # entries (or ...
_WRITE_BATCH_ARCS = 1 << 20  # ... arcs) held before they are encoded together


def far_type_of(data: "bytes | bytearray | memoryview | mmap.mmap") -> str | None:
    """The FAR format of a file starting with ``data`` (``"sttable"``,
    ``"stlist"``, ``"native"``), or None when it is not an archive."""
    kind = st.sniff_far_type(data)
    if kind is not None:
        return kind
    marker = NATIVE_MARKER.encode()
    # A zip local file header is 30 bytes, then the first member's name.
    if bytes(data[:4]) == _ZIP_LOCAL_MAGIC and bytes(data[30:30 + len(marker)]) == marker:
        return "native"
    return None


def is_far(data) -> bool:
    """Whether ``data`` (the first bytes of a file suffice) starts a FAR archive."""
    return far_type_of(data) is not None


def _semiring_for_arc_type(arc_type: str, source: str, offset: int | None) -> Semiring:
    for sr in ALL_SEMIRINGS:
        if sr.arc_type == arc_type:
            return sr
    raise FstIOError(f"unknown arc type {arc_type!r}", path=source, offset=offset)


# -- reading --------------------------------------------------------------------

class FarReader:
    """Reads a FAR archive (sttable, stlist or native, sniffed).

    Iterating yields ``(key, fst)`` pairs in key order, always from the first
    entry (unlike pynini, whose iteration continues from its cursor).
    ``reader[key]`` loads one machine through the index (sttable, native) in
    O(log n + size of that machine), without reading the others; an stlist
    is scanned once on first lookup. ``keys()``, ``len()``, ``in``, and
    pynini's cursor methods ``find`` / ``get_key`` / ``get_fst`` / ``next``
    / ``done`` / ``reset`` work for every format. Use it as a context
    manager or call :meth:`close`.

    Opening costs O(number of entries) for sttable and native (keys only).
    """

    def __init__(self, path: "str | os.PathLike"):
        self.path = os.fspath(path)
        self._closed = False
        self._file = None
        self._data = None       # bytes or mmap of the OpenFst formats
        self._buf = None        # _data as a uint8 array, when it is bytes
        self._native = None
        self._entries = None    # [(key, locator...)] in file order
        self._keys = None
        self._pos = 0
        self._arc_type = None
        try:
            self._file = open(self.path, "rb")
            size = os.fstat(self._file.fileno()).st_size
            head = self._file.read(64)
        except OSError as exc:
            self._release()
            raise FstIOError(f"cannot read FAR: {exc.strerror or exc}", path=self.path) from exc
        kind = far_type_of(head)
        if kind is None:
            self._release()
            raise FstIOError("not a FAR archive (neither OpenFst sttable/stlist nor kleene "
                             "native); read single machines with kleene.read",
                             path=self.path, offset=0)
        self.far_type: str = kind
        try:
            if kind == "sttable":
                self._data = self._map(size)
                self._entries = st.sttable_entries(self._data, self.path)
            elif kind == "stlist":
                self._file.seek(0)
                self._data = self._file.read()
            else:
                self._native = NativeArchive(self._file, self.path)
                count = range(len(self._native.keys))  # entry i is (key, i, i)
                self._entries = st.EntryTable(self._native.keys, count, count)
                if self._native.semiring is not None:
                    self._arc_type = self._native.semiring.arc_type
        except BaseException:
            self._release()
            raise

    def _map(self, size: int):
        if size == 0:
            return b""
        if size <= _READ_WHOLE_BYTES:
            # Small archives: one read() beats page faults on a fresh mapping.
            self._file.seek(0)
            return self._file.read()
        try:
            return mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # not mappable (a pipe, a special file)
            self._file.seek(0)
            return self._file.read()

    # -- entries --------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise FstArgError(f"the FAR {self.path!r} is closed")

    def _index(self) -> list:
        if self._entries is None:  # an stlist: one scan finds every entry
            self._entries = st.stlist_entries(self._data, self.path)
        return self._entries

    def _load(self, i: int) -> Fst:
        if self.far_type == "native":
            return self._native.load(i)
        entry = self._index()[i]
        if isinstance(self._data, bytes):  # one kernel call for a plain machine
            if self._buf is None:
                self._buf = np.frombuffer(self._data, np.uint8)
            fst = read_vector_entry(self._data, self._buf, entry[1], entry[2])
            if fst is not None:
                return fst
        return st.read_entries(self._data, [entry], self.path)[0]

    def keys(self) -> list[str]:
        """The keys in file (= sorted) order."""
        self._check_open()
        if self._keys is None:
            index = self._index()
            self._keys = index.keys if isinstance(index, st.EntryTable) else \
                [e[0] for e in index]
        return list(self._keys)

    def __len__(self) -> int:
        self._check_open()
        return len(self._index())

    def __iter__(self) -> Iterator[tuple[str, Fst]]:
        self._check_open()
        for keys, fsts in self._batches():
            yield from zip(keys, fsts)

    def _batches(self) -> Iterator[tuple[list[str], list[Fst]]]:
        """(keys, machines) of consecutive runs of entries, in file order.
        Batches of machines are read at once (see far_batch): the cost per
        machine is a few slices, and memory stays bounded."""
        entries = self._index()
        table = isinstance(entries, st.EntryTable)
        for lo in range(0, len(entries), _READ_BATCH):
            hi = min(lo + _READ_BATCH, len(entries))
            if table:  # no tuple per entry
                batch = st.EntryTable(entries.keys[lo:hi], entries.starts[lo:hi],
                                      entries.ends[lo:hi])
                keys = batch.keys
            else:
                batch = entries[lo:hi]
                keys = [e[0] for e in batch]
            if self.far_type == "native":
                yield keys, self._native.load_range(lo, hi)
            else:
                yield keys, st.read_entries(self._data, batch, self.path)

    def items(self) -> Iterator[tuple[str, Fst]]:
        """Same as iterating: ``(key, fst)`` pairs in key order."""
        return iter(self)

    def _first_index(self, key: str) -> int:
        if not isinstance(key, str):
            raise FstArgError(f"FAR keys are strings, not {type(key).__name__}")
        if self._keys is None:
            self.keys()
        return bisect.bisect_left(self._keys, key)

    def __contains__(self, key) -> bool:
        if not isinstance(key, str):
            return False
        i = self._first_index(key)
        return i < len(self._keys) and self._keys[i] == key

    def __getitem__(self, key: str) -> Fst:
        """The machine stored under ``key`` (the first one when the archive
        repeats the key). O(log n + its size)."""
        self._check_open()
        i = self._first_index(key)
        if i == len(self._keys) or self._keys[i] != key:
            raise FstSymbolError(f"no entry {key!r} in the FAR {self.path!r}; its keys are "
                                 "listed by FarReader.keys() or 'kleene farinfo'")
        return self._load(i)

    def get(self, key: str, default=None):
        """``reader[key]``, or ``default`` when the key is absent."""
        return self[key] if key in self else default

    @property
    def arc_type(self) -> str | None:
        """OpenFst arc type of the archive (that of its first machine; None
        for an empty archive)."""
        self._check_open()
        if self._arc_type is None and self.far_type != "native" and len(self):
            key, start, _ = self._index()[0]
            self._arc_type = st.entry_arc_type(self._data, start, key, self.path)
        return self._arc_type

    @property
    def semiring(self) -> Semiring | None:
        """The semiring of the archive's machines (None when empty)."""
        arc_type = self.arc_type
        return None if arc_type is None else _semiring_for_arc_type(arc_type, self.path, None)

    # -- pynini's cursor --------------------------------------------------------
    def find(self, key: str) -> bool:
        """Moves the cursor to the first entry whose key is >= ``key``;
        returns whether that key equals ``key``. When every key is smaller,
        the cursor stays on the last entry (OpenFst's sttable reader does
        the same), so ``done()`` is true only for an empty archive."""
        self._check_open()
        i = self._first_index(key)
        self._pos = min(i, max(len(self._keys) - 1, 0))
        return i < len(self._keys) and self._keys[i] == key

    def done(self) -> bool:
        """Whether the cursor is past the last entry."""
        self._check_open()
        return self._pos >= len(self._index())

    def _current(self) -> int:
        if self.done():
            raise FstIndexError(f"the cursor of the FAR {self.path!r} is past its last "
                                "entry; call reset() or find(key)")
        return self._pos

    def get_key(self) -> str:
        """The key at the cursor."""
        return self._index()[self._current()][0]

    def get_fst(self) -> Fst:
        """The machine at the cursor."""
        return self._load(self._current())

    def next(self) -> None:
        """Advances the cursor by one entry."""
        self._pos = self._current() + 1

    def reset(self) -> None:
        """Moves the cursor back to the first entry."""
        self._check_open()
        self._pos = 0

    # -- lifetime ---------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def _release(self) -> None:
        for resource in (self._native, self._data, self._file):
            close = getattr(resource, "close", None)
            if close is not None:
                try:
                    close()
                except BufferError:  # a view of the mapping is still alive somewhere
                    pass
        self._native = self._data = self._file = self._buf = None

    def close(self) -> None:
        """Releases the file; later calls raise :class:`FstArgError`."""
        if not self._closed:
            self._closed = True
            self._release()

    def __enter__(self) -> "FarReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.far_type}"
        return f"<FarReader {self.path!r} ({state})>"


@contextlib.contextmanager
def _gc_paused():
    """Pauses the cyclic garbage collector while a whole archive is read or
    written: the thousands of machines (and their arrays' owners) made or
    queued hold no reference cycles, yet each allocation burst would make
    the collector walk the caller's whole heap again (10-25 ms per 10k
    machines in a process holding 100k objects). Left alone when the caller
    has already disabled it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_far(path: "str | os.PathLike") -> dict[str, Fst]:
    """Reads every machine of a FAR archive (OpenFst sttable or stlist, as
    pynini writes them, or kleene native) into a dict ordered by key.

    Raises :class:`FstIOError` naming the file (and byte offset) for a
    malformed archive, and when a key repeats (iterate :class:`FarReader`
    to see every entry of such an archive). O(total size).
    """
    out: dict[str, Fst] = {}
    with _gc_paused(), FarReader(path) as reader:
        reader._check_open()
        for keys, fsts in reader._batches():
            size = len(out)
            out.update(zip(keys, fsts))
            if len(out) != size + len(keys):  # a key repeats: name the first one
                seen: set[str] = set()
                every_key = reader.keys()
                key = next(k for k in every_key if k in seen or seen.add(k))
                raise FstIOError(f"the archive repeats the key {key!r}; a dict cannot hold "
                                 "both entries: iterate kleene.FarReader instead",
                                 path=os.fspath(path))
    return out


# -- writing --------------------------------------------------------------------

class FarWriter:
    """Writes a FAR archive entry by entry: ``writer.add(key, fst)`` or
    ``writer[key] = fst``, keys in increasing order (code point order; equal
    keys allowed, as in OpenFst).

    ``far_type``: ``"sttable"`` (OpenFst's default, readable by pynini and
    ``farextract``), ``"stlist"`` or ``"native"``. ``fst_type`` picks the
    OpenFst binary layout of each machine (``"vector"``, what pynini writes,
    or ``"const"``). Every machine must have the semiring of the first.

    The archive is written to a temporary file next to ``path`` and moved
    into place by :meth:`close` (or leaving the ``with`` block normally); if
    the block raises, or the writer is dropped unclosed, nothing is left
    behind. Machines are encoded in batches (up to 2048 entries or 2^20
    arcs, then all at once: see :mod:`kleene.io.far_batch`), so memory is
    one batch plus 8 bytes per entry (native: the machines are kept until
    :meth:`close` packs them). Symbol tables are encoded when a machine is
    added, so later edits to a (mutable) table do not leak into entries
    already added.
    """

    def __init__(self, path: "str | os.PathLike", *, far_type: FarType = "sttable",
                 fst_type: Literal["vector", "const"] = "vector"):
        if far_type not in FAR_TYPES:
            raise FstArgError(f"far_type must be one of {FAR_TYPES}, not {far_type!r}")
        if fst_type not in ("vector", "const"):
            raise FstArgError(f"fst_type must be 'vector' or 'const', not {fst_type!r}")
        self.path = os.fspath(path)
        self.far_type = far_type
        self.fst_type = fst_type
        self.semiring: Semiring | None = None
        self._last_key: str | None = None
        self._positions: list[int] = []
        self._keys: list[str] = []
        self._closed = False
        self._tmp = f"{self.path}.{os.getpid()}.{id(self):x}.tmp"
        try:
            self._file = open(self._tmp, "wb")
        except OSError as exc:
            self._closed = True
            raise FstIOError(f"cannot write FAR: {exc.strerror or exc}", path=self.path) from exc
        self._packer = NativePacker() if far_type == "native" else None
        # Entries waiting to be encoded together (parallel lists: no tuple
        # per entry for the garbage collector to track).
        self._pending_keys: list[str] = []
        self._pending_fsts: list[Fst] = []
        self._pending_tables: list[tuple[int, bytes]] = []
        self._pending_arcs = 0
        self._symbols = SymbolBytesCache()
        try:
            if self._packer is None:
                self._file.write(st.far_head(far_type))
                self._offset = 8
        except OSError as exc:
            self.abort()
            raise FstIOError(f"cannot write FAR: {exc.strerror or exc}", path=self.path) from exc

    def add(self, key: str, fst: Fst) -> None:
        """Appends ``fst`` under ``key`` (>= every key added so far).
        O(size of the machine)."""
        if self._closed:
            raise FstArgError(f"the FAR writer for {self.path!r} is closed")
        if not isinstance(key, str) or not key:
            raise FstArgError(f"FAR keys are non-empty strings, not {key!r}")
        if not isinstance(fst, Fst):
            raise FstArgError(f"entry {key!r}: expected a kleene Fst, not "
                              f"{type(fst).__name__}")
        if self._last_key is not None and key < self._last_key:
            raise FstArgError(f"key {key!r} comes after {self._last_key!r}: FAR keys must be "
                              "added in increasing order (write_far sorts them for you)")
        if self.semiring is None:
            self.semiring = fst.semiring
        elif fst.semiring != self.semiring:
            raise FstArgError(f"entry {key!r} is a {fst.semiring} machine but the archive "
                              f"holds {self.semiring} machines; convert it first")
        try:
            if self._packer is not None:
                self._packer.add(key, fst)
            else:
                self._queue(key, fst)
        except OSError as exc:
            raise FstIOError(f"cannot write FAR: {exc.strerror or exc}", path=self.path) from exc
        self._keys.append(key)
        self._last_key = key

    __setitem__ = add

    def _extend(self, keys: list[str], fsts: list) -> None:
        """``add(keys[i], fsts[i])`` for every i, with the checks done in
        C-level passes over the whole lists; when any entry would fail one,
        every entry goes through :meth:`add`, which raises its error."""
        semiring = self.semiring if self.semiring is not None else \
            (fsts[0].semiring if fsts and isinstance(fsts[0], Fst) else None)
        # C-level passes (map, list.count, sorted on sorted input): a generator
        # per check cost ~1 ms per 10k machines each
        ok = (not self._closed and all(keys)
              and set(map(type, fsts)) <= {Fst}
              and list(map(_SEMIRING, fsts)).count(semiring) == len(fsts)
              and keys == sorted(keys)
              and (self._last_key is None or not keys or keys[0] >= self._last_key))
        if not ok:
            for key, fst in zip(keys, fsts):
                self.add(key, fst)
            return
        if not keys:
            return
        self.semiring = semiring
        try:
            if self._packer is not None:
                self._packer.extend(keys, fsts)
            elif (not self._pending_keys and list(map(_ISYMBOLS, fsts)).count(None) == len(fsts)
                  and list(map(_OSYMBOLS, fsts)).count(None) == len(fsts)):
                self._extend_plain(keys, fsts)
            else:
                for key, fst in zip(keys, fsts):
                    self._queue(key, fst)
        except OSError as exc:
            raise FstIOError(f"cannot write FAR: {exc.strerror or exc}", path=self.path) from exc
        self._keys.extend(keys)
        self._last_key = keys[-1]

    def _queue(self, key: str, fst: Fst) -> None:
        """Queues one checked machine of an OpenFst archive, flushing the
        batch at its limits."""
        # Symbol tables are mutable: encode them now, as they are.
        self._pending_tables.append(
            NO_TABLES if fst.isymbols is None and fst.osymbols is None
            else self._symbols.flags_and_bytes(fst))
        self._pending_keys.append(key)
        self._pending_fsts.append(fst)
        self._pending_arcs += fst.ilabel.shape[0]
        if (len(self._pending_keys) >= _WRITE_BATCH
                or self._pending_arcs >= _WRITE_BATCH_ARCS):
            self._flush()

    def _extend_plain(self, keys: list[str], fsts: list[Fst]) -> None:
        """Queues machines without symbol tables (nothing pending before),
        flushing at the batch limits of :meth:`add`, found by a search over
        the running arc count instead of a test per entry."""
        n = len(fsts)
        arcs = np.cumsum(np.array(list(map(len, map(_ILABEL, fsts))), np.int64))
        lo = 0
        while lo < n:
            before = int(arcs[lo - 1]) if lo else 0
            # Entries up to the one that reaches the arc limit, at most a full batch.
            reach = int(np.searchsorted(arcs, before + _WRITE_BATCH_ARCS, side="left"))
            hi = min(lo + _WRITE_BATCH, reach + 1, n)
            self._pending_keys = keys[lo:hi]
            self._pending_fsts = fsts[lo:hi]
            self._pending_tables = [NO_TABLES] * (hi - lo)
            self._pending_arcs = int(arcs[hi - 1]) - before
            if hi - lo >= _WRITE_BATCH or self._pending_arcs >= _WRITE_BATCH_ARCS:
                self._flush()
            lo = hi

    def _flush(self) -> None:
        """Encodes the pending machines together and appends them."""
        keys, fsts, tables = self._pending_keys, self._pending_fsts, self._pending_tables
        self._pending_keys, self._pending_fsts, self._pending_tables = [], [], []
        self._pending_arcs = 0
        if not keys:
            return
        data, sizes = st.encode_entries(keys, fsts, tables, self.fst_type)
        self._file.write(data)
        positions = self._positions
        offset = self._offset
        for size in sizes:
            positions.append(offset)
            offset += size
        self._offset = offset

    def __len__(self) -> int:
        return len(self._keys)

    def close(self) -> None:
        """Finishes the archive (index or manifest) and moves it to ``path``."""
        if self._closed:
            return
        try:
            self._flush()
            if self._packer is not None:
                self._packer.write(self._file, self.semiring)
            elif self.far_type == "sttable":
                self._file.write(st.sttable_trailer(self._positions))
            else:
                self._file.write(st.STLIST_TRAILER)
            self._file.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise FstIOError(f"cannot write FAR: {exc.strerror or exc}", path=self.path) from exc
        self._closed = True

    def abort(self) -> None:
        """Discards the archive being written (nothing is left at ``path``)."""
        if self._closed:
            return
        self._closed = True
        self._packer = None
        self._pending_keys, self._pending_fsts, self._pending_tables = [], [], []
        try:
            self._file.close()
        except (OSError, ValueError):
            pass
        try:
            os.remove(self._tmp)
        except OSError:
            pass

    def __enter__(self) -> "FarWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self):
        try:
            self.abort()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"<FarWriter {self.path!r} ({self.far_type}, {len(self)} entries)>"


def write_far(path: "str | os.PathLike",
              machines: "Mapping[str, Fst] | Iterable[tuple[str, Fst]]", *,
              far_type: FarType = "sttable",
              fst_type: Literal["vector", "const"] = "vector") -> None:
    """Writes ``machines`` (a mapping or ``(key, fst)`` pairs) to a FAR
    archive at ``path``, keys sorted. ``far_type="sttable"`` (default) is
    what pynini and OpenFst's far tools read; ``"stlist"`` OpenFst's list
    format; ``"native"`` kleene's zip of ``.npz`` machines.

    Raises :class:`FstArgError` for a repeated or empty key or mixed
    semirings (nothing is written then), :class:`FstIOError` when the file
    cannot be written. O(total size + n log n) for n entries.
    """
    if isinstance(machines, Mapping) and set(map(type, machines)) <= {str}:
        # No (key, fst) tuple per entry: sorted keys, then the machines.
        keys = sorted(machines)
        fsts = [machines[key] for key in keys]
    else:
        items = list(machines.items() if isinstance(machines, Mapping) else machines)
        if not all(type(item) is tuple and len(item) == 2 and type(item[0]) is str
                   for item in items):
            for item in items:
                if not (isinstance(item, tuple) and len(item) == 2
                        and isinstance(item[0], str)):
                    raise FstArgError(f"write_far expects a mapping or (key, fst) pairs with "
                                      f"string keys; got {item!r:.80}")
        items.sort(key=itemgetter(0))
        keys = [key for key, _ in items]
        fsts = [fst for _, fst in items]
    if len(set(keys)) != len(keys):
        for a, b in itertools.pairwise(keys):
            if a == b:
                raise FstArgError(f"key {a!r} appears twice; FAR keys passed to write_far "
                                  "must be unique (FarWriter accepts repeats)")
    with _gc_paused(), FarWriter(path, far_type=far_type, fst_type=fst_type) as writer:
        writer._extend(keys, fsts)


__all__ = ["read_far", "write_far", "FarReader", "FarWriter", "is_far", "far_type_of",
           "FAR_TYPES"]
