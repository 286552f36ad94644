"""kleene's native FAR container: every machine of the archive packed into
one set of CSR arrays, in a zip of uncompressed ``.npy`` members.

Layout (version 2; a zip archive, every member ``ZIP_STORED``)::

    kleene-far          the text "kleene-far 2" (first member, so the format is
                        recognised from the file's first bytes)
    manifest.json       {"format": "kleene-far", "format_version": 2,
                         "semiring": "tropical" | null, "dtype": "float32" | null,
                         "keys": ["a", ...],
                         "isymbols": null | [0 | null, ...],   (one per entry)
                         "osymbols": null | [0 | null, ...],
                         "tables": [{"name": ..., "keys": [...], "symbols": [...]}]}
    start.npy           int64[n]      start state of each entry (-1: none)
    state_offset.npy    int64[n + 1]  entry i owns global states
                                      state_offset[i] .. state_offset[i + 1]
    indptr.npy          int64[S + 1]  global CSR over all S states: arcs of
                                      global state s are indptr[s] .. indptr[s+1]
    ilabel.npy olabel.npy nextstate.npy   int32[E]  (nextstate local to its entry)
    weight.npy          float[E]      final.npy  float[S]

Entries are in key order; symbol tables are stored once and referenced by
index (``null`` for a side: no entry has a table there). Version 1 (read,
no longer written) listed the entries as ``"entries": [{"key": "a",
"isymbols": 0 | null, "osymbols": null}, ...]``: one JSON object per
machine made opening an archive of 10k machines cost ~7 ms of parsing,
three times the parallel lists. Nothing is unpickled (``.npy`` headers are parsed, object dtypes
refused). Reading maps the file and slices one entry's arrays out of it, so
a lookup costs O(log n + size of that machine); reading everything is a
handful of array copies, not one file parse per entry.
"""

from __future__ import annotations

import io
import itertools
import json
import mmap
import operator
import struct
import tokenize
import zipfile

import numpy as np

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstIOError, KleeneError
from ..semirings import Semiring, get_semiring

MARKER = "kleene-far"
_INDPTR = operator.attrgetter("indptr")
_KEY = operator.itemgetter("key")
MANIFEST = "manifest.json"
VERSION = 2
READ_VERSIONS = (1, 2)
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # zip local file header, 30 bytes
_LOCAL_MAGIC = 0x04034B50
_INT_ARRAYS = {"start": "<i8", "state_offset": "<i8", "indptr": "<i8",
               "ilabel": "<i4", "olabel": "<i4", "nextstate": "<i4"}
_FLOAT_ARRAYS = ("weight", "final")
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
              KeyError, NotImplementedError, RuntimeError, OverflowError, struct.error,
              UnicodeDecodeError, MemoryError, TypeError,
              SyntaxError, tokenize.TokenError)  # a mangled .npy header dict


# -- writing --------------------------------------------------------------------

def _table_json(table: SymbolTable) -> dict:
    items = table.items()
    return {"name": table.name, "keys": [k for k, _ in items],
            "symbols": [s for _, s in items]}


class NativePacker:
    """Collects machines for a native archive; :meth:`write` packs them.
    Holds references to the (immutable) machines until then."""

    def __init__(self):
        self.keys: list[str] = []
        self.fsts: list[Fst] = []

    def add(self, key: str, fst: Fst) -> None:
        self.keys.append(key)
        self.fsts.append(fst)

    def extend(self, keys: list[str], fsts: list[Fst]) -> None:
        self.keys.extend(keys)
        self.fsts.extend(fsts)

    def write(self, fileobj, semiring: Semiring | None) -> None:
        from .far_batch import concat
        tables, table_index, by_id = [], {}, {}

        def table_ref(table):
            if table is None:
                return None
            ident = by_id.get(id(table))
            if ident is None:
                content = _table_json(table)
                signature = json.dumps(content, ensure_ascii=False)
                if signature not in table_index:
                    table_index[signature] = len(tables)
                    tables.append(content)
                ident = by_id[id(table)] = table_index[signature]
            return ident

        keys, fsts = self.keys, self.fsts

        def refs(side):
            tables_of = list(map(operator.attrgetter(side), fsts))
            if tables_of.count(None) == len(tables_of):  # (the usual: one C pass)
                return tables_of
            return [table_ref(t) for t in tables_of]

        irefs, orefs = refs("isymbols"), refs("osymbols")
        manifest_text = json.dumps(
            {"format": MARKER, "format_version": VERSION,
             "semiring": semiring.name if semiring else None,
             "dtype": np.dtype(semiring.dtype).name if semiring else None,
             "keys": keys,
             "isymbols": None if irefs.count(None) == len(irefs) else irefs,
             "osymbols": None if orefs.count(None) == len(orefs) else orefs,
             "tables": tables}, ensure_ascii=False)
        wdt = np.dtype(semiring.dtype) if semiring else np.dtype("float32")
        finals = [f.final for f in fsts]
        counts = np.array(list(map(len, finals)), np.int64).reshape(len(fsts))
        state_offset = np.zeros(len(fsts) + 1, np.int64)
        np.cumsum(counts, out=state_offset[1:])
        indptr = np.zeros(int(state_offset[-1]) + 1, np.int64)
        if fsts:
            # Every machine's out-degrees at once: the differences of the
            # concatenated indptrs, less the one across each boundary.
            steps = np.diff(concat(list(map(_INDPTR, fsts)), np.int64,
                                   int(state_offset[-1]) + len(fsts)))
            keep = np.ones(steps.shape[0], bool)
            keep[state_offset[1:-1] + np.arange(len(fsts) - 1)] = False
            np.cumsum(steps[keep], out=indptr[1:])

        arcs = int(indptr[-1])

        def cat(name, dtype):
            return concat(list(map(operator.attrgetter(name), fsts)), dtype, arcs)

        arrays = {"start": np.array([f.start for f in fsts], np.int64).reshape(len(fsts)),
                  "state_offset": state_offset, "indptr": indptr,
                  "ilabel": cat("ilabel", "<i4"), "olabel": cat("olabel", "<i4"),
                  "nextstate": cat("nextstate", "<i4"), "weight": cat("weight", wdt),
                  "final": concat(finals, wdt, int(state_offset[-1]))}
        with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr(MARKER, f"{MARKER} {VERSION}\n")
            zf.writestr(MANIFEST, manifest_text)
            for name, array in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(array),
                                          allow_pickle=False)
                zf.writestr(f"{name}.npy", buf.getvalue())


# -- reading --------------------------------------------------------------------

class NativeArchive:
    """Random access to the entries of a native archive opened on ``fileobj``
    (a binary file; kept open by the caller)."""

    def __init__(self, fileobj, source: str):
        self.source = source
        self._map = None
        # load()'s bounds as Python ints, made on the first lookup: a list
        # lookup each instead of numpy scalar reads (a tiny machine's lookup
        # costs a few microseconds)
        self._bounds = None
        try:
            self._zip = zipfile.ZipFile(fileobj)
            manifest = json.loads(self._member_bytes(MANIFEST).decode("utf-8"))
            self._map = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)
            self._parse_manifest(manifest)
            self._arrays = {name: self._array(name) for name in
                            list(_INT_ARRAYS) + list(_FLOAT_ARRAYS)}
        except FstIOError:
            self.close()
            raise
        except ZIP_ERRORS as exc:
            self.close()
            raise FstIOError(f"malformed kleene native FAR ({type(exc).__name__}: {exc})",
                             path=source) from None
        self._check_layout()

    def _fail(self, message: str, offset: int | None = None):
        raise FstIOError(f"malformed kleene native FAR: {message}", path=self.source,
                         offset=offset)

    def _stored_info(self, name: str) -> zipfile.ZipInfo:
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            self._fail(f"no member {name!r}")
        # Stored members only: what is read can never exceed the file's size.
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            self._fail(f"member {name!r} is compressed; kleene writes members "
                       "uncompressed (rewrite it with write_far)", info.header_offset)
        return info

    def _member_bytes(self, name: str) -> bytes:
        return self._zip.read(self._stored_info(name))

    def _parse_manifest(self, manifest) -> None:
        if not isinstance(manifest, dict) or manifest.get("format") != MARKER:
            self._fail("manifest.json is not a kleene-far manifest")
        version = manifest.get("format_version")
        if version not in READ_VERSIONS or type(version) is not int:
            raise FstIOError(f"native FAR version {version!r} is not supported (this "
                             f"kleene reads versions {READ_VERSIONS}); upgrade kleene",
                             path=self.source)
        tables = manifest.get("tables")
        if not isinstance(tables, list):
            self._fail("no table list in the manifest")
        self.tables = [self._table(i, t) for i, t in enumerate(tables)]
        if version == 1:
            entries = manifest.get("entries")
            if not isinstance(entries, list):
                self._fail("no entry list in the manifest")
            if not self._entries_fast(entries, len(tables)):
                self._entries_checked(entries, len(tables))
        else:
            self._entry_lists(manifest.get("keys"), manifest.get("isymbols"),
                              manifest.get("osymbols"), len(tables))
        self.semiring = None
        self._wdt = None
        if self.keys:
            try:
                self.semiring = get_semiring(manifest.get("semiring"), manifest.get("dtype"))
            except (KleeneError, TypeError, ValueError) as exc:
                self._fail(f"semiring {manifest.get('semiring')!r} ({exc})")
            self._wdt = np.dtype(self.semiring.dtype)

    def _entry_lists(self, keys, irefs, orefs, num_tables: int) -> None:
        """Version 2's parallel lists: checked with C-level passes, the
        offending item found only when something is wrong."""
        if not isinstance(keys, list):
            self._fail("no key list in the manifest")
        if set(map(type, keys)) - {str} or "" in keys:
            bad = next(i for i, k in enumerate(keys) if type(k) is not str or not k)
            self._fail(f"manifest key {bad}: {keys[bad]!r} is not a non-empty string")
        if keys != sorted(keys):
            bad = next(i for i in range(1, len(keys)) if keys[i] < keys[i - 1])
            self._fail(f"entry key {keys[bad]!r} is out of order (after "
                       f"{keys[bad - 1]!r}); archive keys must be sorted")
        refs = []
        for side, values in (("isymbols", irefs), ("osymbols", orefs)):
            if values is None:
                refs.append(None)
                continue
            if not isinstance(values, list) or len(values) != len(keys):
                self._fail(f"manifest {side}: not null or a list of one reference per key")
            try:
                kinds = {(type(r), r) for r in values}
                ok = all(r is None or (t is int and 0 <= r < num_tables) for t, r in kinds)
            except TypeError:  # an unhashable item: not a reference
                ok = False
            if not ok:
                bad = next(i for i, r in enumerate(values) if not (
                    r is None or (type(r) is int and 0 <= r < num_tables)))
                self._fail(f"manifest {side}[{bad}]: {values[bad]!r} is not a symbol "
                           f"table index below {num_tables} or null")
            refs.append(values)
        self.keys = keys
        self.has_symbols = refs != [None, None]
        if self.has_symbols:
            none = [None] * len(keys)
            self.symbols = list(zip(refs[0] or none, refs[1] or none))
        else:
            self.symbols = None

    def _entries_fast(self, entries: list, num_tables: int) -> bool:
        """Reads the manifest's entries with a few C-level passes when they are
        well-formed (non-empty string keys in order, table references in
        range); False otherwise, for :meth:`_entries_checked` to report."""
        if set(map(type, entries)) - {dict}:
            return False
        try:
            keys = list(map(_KEY, entries))
        except KeyError:
            return False
        irefs = list(map(dict.get, entries, itertools.repeat("isymbols")))
        orefs = list(map(dict.get, entries, itertools.repeat("osymbols")))
        if set(map(type, keys)) - {str} or "" in keys or keys != sorted(keys):
            return False
        for refs in (irefs, orefs):
            if refs.count(None) != len(refs):
                try:
                    values = {(type(r), r) for r in refs}
                except TypeError:  # an unhashable reference: not an index
                    return False
                if not all(r is None or (t is int and 0 <= r < num_tables) for t, r in values):
                    return False
        self.keys = keys
        self.has_symbols = irefs.count(None) + orefs.count(None) != 2 * len(entries)
        self.symbols = list(zip(irefs, orefs)) if self.has_symbols else None
        return True

    def _entries_checked(self, entries: list, num_tables: int) -> None:
        tables = range(num_tables)
        self.keys, self.symbols, previous = [], [], None
        self.has_symbols = True
        for i, entry in enumerate(entries):
            ok = isinstance(entry, dict) and isinstance(entry.get("key"), str) and entry["key"]
            refs = [entry.get(side) if ok else None for side in ("isymbols", "osymbols")]
            if not ok or not all(r is None or (type(r) is int and 0 <= r < len(tables))
                                 for r in refs):
                self._fail(f"manifest entry {i}")
            if previous is not None and entry["key"] < previous:
                self._fail(f"entry key {entry['key']!r} is out of order (after "
                           f"{previous!r}); archive keys must be sorted")
            self.keys.append(entry["key"])
            self.symbols.append(refs)
            previous = entry["key"]

    def _table(self, i: int, content) -> SymbolTable:
        ok = (isinstance(content, dict) and isinstance(content.get("name"), str)
              and isinstance(content.get("keys"), list)
              and isinstance(content.get("symbols"), list)
              and len(content["keys"]) == len(content["symbols"]))
        if not ok:
            self._fail(f"symbol table {i}")
        table = SymbolTable(content["name"])
        for key, sym in zip(content["keys"], content["symbols"]):
            if (type(key) is not int or not isinstance(sym, str) or key < 0
                    or table.member(sym) or table.member(key)):
                self._fail(f"symbol table {i}: bad or repeated entry {sym!r} {key!r}")
            table.add_symbol(sym, key)
        return table

    def _array(self, name: str) -> np.ndarray:
        """A read-only view of member ``name.npy`` inside the file mapping."""
        info = self._stored_info(f"{name}.npy")
        at = info.header_offset
        if at + _LOCAL_HEADER.size > len(self._map):
            self._fail(f"member {name}.npy: local header past the end", at)
        fields = _LOCAL_HEADER.unpack_from(self._map, at)
        if fields[0] != _LOCAL_MAGIC:
            self._fail(f"member {name}.npy: bad local header", at)
        data_at = at + _LOCAL_HEADER.size + fields[9] + fields[10]
        end = data_at + info.file_size
        if end > len(self._map):
            self._fail(f"member {name}.npy runs past the end of the file", data_at)
        head = io.BytesIO(self._map[data_at:min(end, data_at + 65536 + 16)])
        version = np.lib.format.read_magic(head)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(head)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(head)
        expected = _INT_ARRAYS.get(name)
        if expected is not None:
            good_dtype = dtype == np.dtype(expected)
        else:
            good_dtype = self.semiring is None or dtype == np.dtype(self.semiring.dtype)
            good_dtype = good_dtype and dtype.kind == "f"
        body = data_at + head.tell()
        if not good_dtype or len(shape) != 1 or body + shape[0] * dtype.itemsize != end:
            self._fail(f"member {name}.npy has shape {shape} and dtype {dtype}", data_at)
        return np.frombuffer(self._map, dtype, shape[0], body)

    def _check_layout(self) -> None:
        a, n = self._arrays, len(self.keys)
        so, ip = a["state_offset"], a["indptr"]
        states, arcs = a["final"].shape[0], a["ilabel"].shape[0]
        ok = (a["start"].shape[0] == n and so.shape[0] == n + 1 and so[0] == 0
              and so[-1] == states and np.all(np.diff(so) >= 0)
              and ip.shape[0] == states + 1 and ip[0] == 0 and ip[-1] == arcs
              and np.all(np.diff(ip) >= 0)
              and a["olabel"].shape[0] == a["nextstate"].shape[0] == a["weight"].shape[0]
              == arcs)
        if not ok:
            self._fail("the packed arrays do not fit together (sizes or offsets)")
        # Validate every machine at once (vectorised), so load() can skip the
        # per-machine checks: O(S + E) when the archive is opened.
        counts = np.diff(so)
        entry_of_state = np.repeat(np.arange(n), counts)
        entry_of_arc = np.repeat(entry_of_state, np.diff(ip))
        start = a["start"]
        problems = (
            (arcs and min(a["ilabel"].min(), a["olabel"].min()) < 0, "a negative label"),
            (arcs and bool(np.any(a["nextstate"] < 0)
                           | np.any(a["nextstate"] >= counts[entry_of_arc])),
             "an arc to a state outside its machine"),
            (bool(np.isnan(a["weight"]).any() or np.isnan(a["final"]).any()), "a NaN weight"),
            (bool(np.any((start < -1) | (start >= counts))), "a start state out of range"))
        for bad, what in problems:
            if bad:
                self._fail(f"the packed arrays hold {what}")

    def load_range(self, lo: int, hi: int) -> list[Fst]:
        """Entries ``lo .. hi - 1`` as machines: one copy of each of their
        packed arrays, then views of those per machine. O(their size)."""
        from .far_batch import frozen, trusted_fst
        a = self._arrays
        so = a["state_offset"][lo:hi + 1]
        m = hi - lo
        if m <= 0:
            return []
        s_lo, s_hi = int(so[0]), int(so[-1])
        ip = a["indptr"]
        e_lo, e_hi = int(ip[s_lo]), int(ip[s_hi])
        counts = np.diff(so)
        # Machine j's rebased indptr is local[so[j] - s_lo + j : so[j + 1] - s_lo + j + 1]:
        # position p of it holds global state p - j + s_lo.
        owner = np.repeat(np.arange(m), counts + 1)
        local = ip[np.arange(s_hi - s_lo + m) - owner + s_lo] - np.repeat(ip[so[:-1]], counts + 1)
        wdt = np.dtype(self.semiring.dtype)
        il = a["ilabel"][e_lo:e_hi].astype(np.int32)
        ol = a["olabel"][e_lo:e_hi].astype(np.int32)
        ns = a["nextstate"][e_lo:e_hi].astype(np.int32)
        w = a["weight"][e_lo:e_hi].astype(wdt)
        final = a["final"][s_lo:s_hi].astype(wdt)
        frozen(local, il, ol, ns, w, final)
        sf = (so - s_lo).tolist()
        af = (ip[so] - e_lo).tolist()
        starts = a["start"][lo:hi].tolist()
        sr = self.semiring
        out = []
        append = out.append
        symbols = self.symbols if self.has_symbols else None
        for j in range(m):
            s0, s1, e0, e1 = sf[j], sf[j + 1], af[j], af[j + 1]
            isyms = osyms = None
            if symbols is not None:
                ri, ro = symbols[lo + j]
                isyms = None if ri is None else self.tables[ri].copy()
                osyms = None if ro is None else self.tables[ro].copy()
            append(trusted_fst(local[s0 + j:s1 + j + 1], il[e0:e1], ol[e0:e1], ns[e0:e1],
                               w[e0:e1], final[s0:s1], starts[j], sr, isyms, osyms))
        return out

    def load(self, i: int) -> Fst:
        """Entry ``i`` as a machine (copies of its slices). O(its size)."""
        from .far_batch import frozen, trusted_fst
        a = self._arrays
        if self._bounds is None:  # made on the first lookup: O(n)
            so = a["state_offset"]
            self._bounds = (so.tolist(), a["indptr"][so].tolist(), a["start"].tolist())
        states, arcs, starts = self._bounds
        s0, s1, e0, e1 = states[i], states[i + 1], arcs[i], arcs[i + 1]
        ip = a["indptr"][s0:s1 + 1]
        isyms = osyms = None
        if self.has_symbols:
            # A copy per machine: symbol tables are mutable and stored once per archive.
            ri, ro = self.symbols[i]
            isyms = None if ri is None else self.tables[ri].copy()
            osyms = None if ro is None else self.tables[ro].copy()
        wdt = self._wdt
        # Copies in canonical dtypes; validated for the whole archive on open.
        arrays = (ip - e0, a["ilabel"][e0:e1].astype(np.int32),
                  a["olabel"][e0:e1].astype(np.int32), a["nextstate"][e0:e1].astype(np.int32),
                  a["weight"][e0:e1].astype(wdt), a["final"][s0:s1].astype(wdt))
        frozen(*arrays)
        return trusted_fst(*arrays, starts[i], self.semiring, isyms, osyms)

    def close(self) -> None:
        self._arrays = {}
        for resource in (getattr(self, "_zip", None), self._map):
            if resource is not None:
                try:
                    resource.close()
                except BufferError:  # a view is still alive; the GC will close it
                    pass
        self._zip = self._map = None


__all__ = ["NativePacker", "NativeArchive", "MARKER", "ZIP_ERRORS"]
