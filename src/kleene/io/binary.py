"""OpenFst's binary FST format (``fstcompile`` output, ``pynini.Fst.write``),
read and written byte-compatibly with OpenFst/pynini for the ``vector`` and
``const`` FST types.

Layout (established by writing files with pynini and reading them back;
little-endian; a *string* is an int32 byte length followed by the bytes)::

    header
        int32   magic           2125659606 (0x7EB2FDD6)
        string  fst type        "vector" or "const"
        string  arc type        "standard" (tropical float32), "log", "log64",
                                "tropical64"; kleene also writes "real",
                                "real64", "boolean", "boolean64" for its own
                                semirings (OpenFst cannot read those)
        int32   version         2 for both types (const version 1 = aligned)
        int32   flags           1: input symbols follow, 2: output symbols
                                follow, 4: body is 16-byte aligned (const)
        uint64  properties      OpenFst property bits (only true bits)
        int64   start           -1 when there is no start state
        int64   num states      (vector: -1 when unknown, read until the end)
        int64   num arcs        (pynini's vector writer leaves this 0)
    input symbol table          if flag 1 (see :mod:`.symbols_binary`)
    output symbol table         if flag 2

    vector body, state after state:
        weight  final weight    float32 or float64 (+inf = not final)
        int64   number of arcs
        that many packed arc records:
            int32 ilabel, int32 olabel, weight, int32 nextstate
            (16 bytes with float32 weights, 20 with float64)

    const body (two C arrays, each preceded by zero padding up to a multiple
    of 16 bytes from the start of the data when the aligned flag is set):
        num states records: weight final, uint32 first arc, uint32 num arcs,
                            uint32 input epsilons, uint32 output epsilons
                            (20 bytes, or 24 with float64: weight at 0,
                            counts at 8..24)
        num arcs records:   int32 ilabel, int32 olabel, weight, int32 nextstate
                            (16 bytes, or 24 with float64: weight at 8,
                            nextstate at 16, 4 bytes of padding)

Property bits: the writer computes kleene's properties (one O(V + E) pass,
cached on the machine) and writes the OpenFst bit, positive or negative, for
each one it knows, plus ``kExpanded`` (and ``kMutable`` for vector). Every
bit written is true; OpenFst trusts header bits without checking them, so
writing a false one would mislead it. pynini writes whatever its machine
has cached, which depends on how the machine was built, so bytes match
pynini's exactly except, in general, the 8-byte property field (kleene does
not yet compute kString, kInitialCyclic or kWeightedCycles for cyclic
machines) and, for float64 const files, the 4 padding bytes of each arc,
which OpenFst leaves uninitialised and kleene writes as zeros. The reader
ignores the property field (kleene recomputes on demand).

Reading validates everything against the remaining bytes before allocating
and raises :class:`~kleene.errors.FstIOError` naming the source, byte offset
and problem. The vector body (interleaved state headers and arc records) is
decoded by one numba kernel (:mod:`kleene.kernels.binary`) that walks the
state headers, then copies every field out while checking it; only when
that check fails does :func:`_check_arcs` look for the first bad field to
name it. The const body is ``np.frombuffer``. Writing a vector body is one
kernel pass into a uint32 buffer (every field is 4 or 8 bytes) that goes to
the file as it is.
"""

from __future__ import annotations

import os
import struct
from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..core.properties import Prop
from ..errors import FstArgError, FstIOError
from ..semirings import ALL_SEMIRINGS, Semiring
from .symbols_binary import (
    encode_string,
    read_string,
    read_symbol_table_binary,
    write_symbol_table_binary,
)

FST_MAGIC = 2125659606
FLAG_HAS_ISYMBOLS = 1
FLAG_HAS_OSYMBOLS = 2
FLAG_IS_ALIGNED = 4
VECTOR_VERSION = 2
CONST_VERSION = 2
CONST_ALIGNED_VERSION = 1  # const files of version 1 are always aligned
ALIGNMENT = 16

_ARC_TYPES = {s.arc_type: s for s in ALL_SEMIRINGS}
_I32 = struct.Struct("<i")
_HEADER_TAIL = struct.Struct("<iiQqqq")  # version, flags, props, start, states, arcs

# OpenFst property bits (fst/properties.h).
K_EXPANDED = 1 << 0
K_MUTABLE = 1 << 1
_OPENFST_BITS = (  # kleene property -> (bit when true, bit when false)
    (Prop.ACCEPTOR, 1 << 16, 1 << 17),
    (Prop.I_DETERMINISTIC, 1 << 18, 1 << 19),
    (Prop.O_DETERMINISTIC, 1 << 20, 1 << 21),
    (Prop.NO_EPSILONS, 1 << 23, 1 << 22),
    (Prop.NO_IEPSILONS, 1 << 25, 1 << 24),
    (Prop.NO_OEPSILONS, 1 << 27, 1 << 26),
    (Prop.ILABEL_SORTED, 1 << 28, 1 << 29),
    (Prop.OLABEL_SORTED, 1 << 30, 1 << 31),
    (Prop.TOP_SORTED, 1 << 38, 1 << 39),
    (Prop.ACCESSIBLE, 1 << 40, 1 << 41),
    (Prop.COACCESSIBLE, 1 << 42, 1 << 43),
)
_GRAPH_PROPS = (Prop.TOP_SORTED, Prop.ACCESSIBLE, Prop.COACCESSIBLE)
K_WEIGHTED = 1 << 32
K_UNWEIGHTED = 1 << 33
K_CYCLIC = 1 << 34
K_ACYCLIC = 1 << 35
K_INITIAL_ACYCLIC = 1 << 37
K_NOT_STRING = 1 << 45
K_UNWEIGHTED_CYCLES = 1 << 47


def is_openfst_binary(data: bytes) -> bool:
    """Whether ``data`` starts with OpenFst's binary FST magic number."""
    return len(data) >= 4 and _I32.unpack_from(data, 0)[0] == FST_MAGIC


# -- record layouts -------------------------------------------------------------

def _weight_dtype(sr: Semiring) -> np.dtype:
    return np.dtype("<f8") if sr.bits == 64 else np.dtype("<f4")


def _vector_arc_dtype(sr: Semiring) -> np.dtype:
    return np.dtype([("ilabel", "<i4"), ("olabel", "<i4"), ("weight", _weight_dtype(sr)),
                     ("nextstate", "<i4")])  # packed, as written field by field


def _const_arc_dtype(sr: Semiring) -> np.dtype:
    w = _weight_dtype(sr)
    return np.dtype({"names": ["ilabel", "olabel", "weight", "nextstate"],
                     "formats": ["<i4", "<i4", w, "<i4"],
                     "offsets": [0, 4, 8, 8 + w.itemsize],
                     "itemsize": 16 if w.itemsize == 4 else 24})


def _const_state_dtype(sr: Semiring) -> np.dtype:
    w = _weight_dtype(sr)
    base = w.itemsize  # the uint32 fields start right after a float32, at 8 after a float64
    return np.dtype({"names": ["final", "pos", "narcs", "niepsilons", "noepsilons"],
                     "formats": [w, "<u4", "<u4", "<u4", "<u4"],
                     "offsets": [0, base, base + 4, base + 8, base + 12],
                     "itemsize": base + 16})


# -- reading --------------------------------------------------------------------

class _Header:
    __slots__ = (
        "end",
        "flags",
        "fst_type",
        "num_arcs",
        "num_states",
        "props",
        "semiring",
        "start",
        "version",
    )


def _read_header(data, source: str) -> _Header:
    if len(data) < 4:
        raise FstIOError(f"truncated FST header: {len(data)} bytes, too short for the "
                         "magic number", path=source, offset=0)
    magic = _I32.unpack_from(data, 0)[0]
    if magic != FST_MAGIC:
        raise FstIOError(f"not an OpenFst binary FST: magic number {magic}, expected "
                         f"{FST_MAGIC}", path=source, offset=0)
    h = _Header()
    fst_type_at = 4
    h.fst_type, pos = read_string(data, fst_type_at, source, "FST type")
    arc_type_at = pos
    arc_type, pos = read_string(data, arc_type_at, source, "arc type")
    if h.fst_type not in ("vector", "const"):
        raise FstIOError(f"unknown FST type {h.fst_type!r}; kleene reads 'vector' and "
                         "'const' (convert others with fstconvert)", path=source,
                         offset=fst_type_at)
    sr = _ARC_TYPES.get(arc_type)
    if sr is None:
        raise FstIOError(f"unknown arc type {arc_type!r}; kleene reads "
                         f"{sorted(_ARC_TYPES)}", path=source, offset=arc_type_at)
    h.semiring = sr
    if pos + _HEADER_TAIL.size > len(data):
        raise FstIOError("truncated FST header", path=source, offset=pos)
    (h.version, h.flags, h.props, h.start, h.num_states,
     h.num_arcs) = _HEADER_TAIL.unpack_from(data, pos)
    if h.fst_type == "vector" and h.version != VECTOR_VERSION:
        raise FstIOError(f"unsupported vector FST version {h.version} (expected "
                         f"{VECTOR_VERSION})", path=source, offset=pos)
    if h.fst_type == "const":
        if h.version not in (CONST_ALIGNED_VERSION, CONST_VERSION):
            raise FstIOError(f"unsupported const FST version {h.version}", path=source,
                             offset=pos)
        if h.version == CONST_ALIGNED_VERSION:
            h.flags |= FLAG_IS_ALIGNED
    states_at = pos + 24
    min_states = -1 if h.fst_type == "vector" else 0
    if h.num_states < min_states:
        raise FstIOError(f"negative number of states {h.num_states}", path=source,
                         offset=states_at)
    if h.num_states > np.iinfo(np.int32).max:
        raise FstIOError(f"{h.num_states} states exceed kleene's int32 state ids",
                         path=source, offset=states_at)
    if h.fst_type == "const" and not 0 <= h.num_arcs <= np.iinfo(np.uint32).max:
        raise FstIOError(f"invalid number of arcs {h.num_arcs}", path=source,
                         offset=states_at + 8)
    if h.start < -1 or (h.num_states >= 0 and h.start >= h.num_states):
        raise FstIOError(f"start state {h.start} out of range for {h.num_states} states",
                         path=source, offset=states_at - 8)
    h.end = pos + _HEADER_TAIL.size
    return h


def _read_vector_body(buf: np.ndarray, pos: int, h: _Header, source: str):
    """Decodes the vector body at ``buf[pos:]`` with one kernel
    (:func:`~kleene.kernels.binary.decode_vector_body`). Returns ``(indptr,
    ilabel, olabel, nextstate, weight, final, clean, arc_offset,
    final_offset)``; ``clean`` is False when some arc or final weight is
    invalid (the caller's :func:`_check_arcs` then names the first one)."""
    from ..kernels.binary import (
        BAD_ARCS,
        NEGATIVE_ARC_COUNT,
        OK,
        TRUNCATED_ARCS,
        decode_vector_body,
    )
    sr = h.semiring
    wsize = _weight_dtype(sr).itemsize
    remaining = buf.shape[0] - pos
    bound = remaining // (wsize + 8)
    if h.num_states >= 0:
        if h.num_states > bound:
            raise FstIOError(f"header declares {h.num_states} states, but the "
                             f"{remaining} remaining bytes hold at most {bound}",
                             path=source, offset=pos)
        bound = h.num_states
    (status, bad, n, state_offset, indptr, il, ol, ns, weight_words,
     final_words) = decode_vector_body(buf, pos, h.num_states, wsize, bound)
    if status not in (OK, BAD_ARCS):
        problem = {NEGATIVE_ARC_COUNT: "negative arc count",
                   TRUNCATED_ARCS: "arc count runs past the end of the data"}.get(
                       status, "truncated state (final weight and arc count)")
        raise FstIOError(f"state {n}: {problem}", path=source, offset=int(bad))
    rec = wsize + 12

    def arc_offset(a: int) -> int:
        s = int(np.searchsorted(indptr, a, side="right")) - 1
        return int(state_offset[s]) + wsize + 8 + (a - int(indptr[s])) * rec

    def final_offset(s: int) -> int:
        return int(state_offset[s])

    # (the kernel's words are little-endian, as is every platform numba runs on)
    wdt = np.dtype(sr.dtype)
    return (indptr, il, ol, ns, weight_words.view(wdt), final_words.view(wdt),
            status == OK, arc_offset, final_offset)


def _align(pos: int, aligned: bool) -> int:
    return -(-pos // ALIGNMENT) * ALIGNMENT if aligned else pos


def _read_const_body(buf: np.ndarray, pos: int, h: _Header, source: str):
    sr = h.semiring
    state_dtype = _const_state_dtype(sr)
    arc_dtype = _const_arc_dtype(sr)
    aligned = bool(h.flags & FLAG_IS_ALIGNED)
    n, m = h.num_states, h.num_arcs
    states_at = _align(pos, aligned)
    arcs_at = _align(states_at + n * state_dtype.itemsize, aligned)
    need = arcs_at + m * arc_dtype.itemsize
    if need > buf.shape[0]:
        raise FstIOError(f"header declares {n} states and {m} arcs ({need} bytes in "
                         f"all) but the data has {buf.shape[0]} bytes", path=source,
                         offset=states_at)
    states = np.frombuffer(buf, state_dtype, count=n, offset=states_at)
    arcs = np.frombuffer(buf, arc_dtype, count=m, offset=arcs_at)
    first = states["pos"].astype(np.int64)
    narcs = states["narcs"].astype(np.int64)
    bad = np.flatnonzero(first + narcs > m)
    if bad.size:
        s = int(bad[0])
        raise FstIOError(f"state {s}: arcs {first[s]}..{first[s] + narcs[s]} exceed the "
                         f"{m} arcs of the file", path=source,
                         offset=states_at + s * state_dtype.itemsize + state_dtype.fields["pos"][1])
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(narcs, out=indptr[1:])
    if not np.array_equal(first, indptr[:-1]) or indptr[-1] != m:
        # Arc blocks shared or out of order: gather them into CSR order.
        order = np.repeat(first - indptr[:-1], narcs) + np.arange(indptr[-1])
        arcs = arcs[order]
        arc_index = order
    else:
        arc_index = None

    def arc_offset(a: int) -> int:
        a = int(arc_index[a]) if arc_index is not None else a
        return arcs_at + a * arc_dtype.itemsize

    def final_offset(s: int) -> int:
        return states_at + s * state_dtype.itemsize

    return indptr, arcs, states["final"], arc_offset, final_offset


def _check_arcs(il, ol, ns, w, final, n: int, arc_dtype, arc_offset, final_offset,
                source: str) -> None:
    """Raises on the first arc kleene cannot hold; one pass per check over the
    contiguous arrays, with the offending byte offset."""
    checks = ((il, lambda x: x.min() < 0, lambda x: x < 0, "negative input label", "ilabel"),
              (ol, lambda x: x.min() < 0, lambda x: x < 0, "negative output label", "olabel"),
              (ns, lambda x: x.min() < 0 or x.max() >= n, lambda x: (x < 0) | (x >= n),
               f"destination state out of range [0, {n})", "nextstate"),
              (w, lambda x: np.isnan(x).any(), np.isnan, "NaN weight", "weight"))
    # (not isnan(sum): +inf + -inf would look like a NaN)
    if il.shape[0]:
        for values, quick, bad, problem, field in checks:
            if quick(values):
                a = int(np.argmax(bad(values)))
                raise FstIOError(f"arc {a}: {problem} ({values[a]})", path=source,
                                 offset=arc_offset(a) + arc_dtype.fields[field][1])
    if final.shape[0] and np.isnan(final).any():
        s = int(np.argmax(np.isnan(final)))
        raise FstIOError(f"state {s}: NaN final weight", path=source, offset=final_offset(s))


def read_binary(data: bytes | bytearray | memoryview, *, source: str = "<bytes>") -> Fst:
    """Parses an OpenFst binary FST (``vector`` or ``const``) into a kleene
    :class:`Fst`, keeping state numbering, arc order, weights and embedded
    symbol tables.

    Raises :class:`~kleene.errors.FstIOError` naming ``source``, the byte offset
    and the problem for malformed or truncated data, an unknown FST or arc
    type, or contents kleene cannot represent (negative labels). Trailing
    bytes after the body are ignored, as OpenFst does. O(V + E) time and
    memory; no allocation exceeds the size the data can hold.
    """
    if isinstance(data, memoryview):
        data = data.cast("B") if data.format != "B" else data
    h = _read_header(data, source)
    pos = h.end
    isymbols = osymbols = None
    if h.flags & FLAG_HAS_ISYMBOLS:
        isymbols, pos = read_symbol_table_binary(data, pos, source=source)
    if h.flags & FLAG_HAS_OSYMBOLS:
        osymbols, pos = read_symbol_table_binary(data, pos, source=source)
    buf = np.frombuffer(data, np.uint8)
    if buf.flags.writeable:  # (bytearray) one read-only array type for the kernels
        buf = buf.view()
        buf.setflags(write=False)
    sr = h.semiring
    wdt = np.dtype(sr.dtype)
    if h.fst_type == "vector":
        (indptr, il, ol, ns, w, final, clean, arc_offset,
         final_offset) = _read_vector_body(buf, pos, h, source)
        arc_dtype = _vector_arc_dtype(sr)
    else:
        indptr, arcs, final, arc_offset, final_offset = _read_const_body(buf, pos, h, source)
        il = np.ascontiguousarray(arcs["ilabel"], dtype=np.int32)
        ol = np.ascontiguousarray(arcs["olabel"], dtype=np.int32)
        ns = np.ascontiguousarray(arcs["nextstate"], dtype=np.int32)
        w = np.ascontiguousarray(arcs["weight"], dtype=wdt)
        final = np.array(final, dtype=wdt)  # a copy: frombuffer views are tied to data
        clean, arc_dtype = False, arcs.dtype
    n = indptr.shape[0] - 1
    if h.start >= n:
        raise FstIOError(f"start state {h.start} out of range for {n} states", path=source,
                         offset=h.end - 24)
    if not clean:
        _check_arcs(il, ol, ns, w, final, n, arc_dtype, arc_offset, final_offset, source)
    return Fst(indptr, il, ol, ns, w, final, int(h.start), sr, isymbols, osymbols,
               check=False)


def read_binary_file(path: str | os.PathLike) -> Fst:
    """Reads an OpenFst binary FST file (see :func:`read_binary`)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read FST: {exc.strerror}", path=str(path)) from exc
    return read_binary(data, source=str(path))


# -- writing --------------------------------------------------------------------

def openfst_property_bits(fst: Fst, fst_type: str = "vector") -> int:
    """The OpenFst property bits known to hold for ``fst`` (computes kleene's
    properties once, O(V + E))."""
    props = fst.properties()
    bits = K_EXPANDED | (K_MUTABLE if fst_type == "vector" else 0)
    # Without a start state OpenFst's graph properties are vacuous (its search
    # starts nowhere: a cyclic machine is "acyclic"), so only local ones go out.
    graph = fst.start >= 0 or fst.num_states == 0
    for prop, yes, no in _OPENFST_BITS:
        value = props.get(prop)
        if value is not None and (graph or prop not in _GRAPH_PROPS):
            bits |= yes if value else no
    acyclic = props.get(Prop.ACYCLIC) if graph else None
    if acyclic:
        bits |= K_ACYCLIC | K_INITIAL_ACYCLIC | K_UNWEIGHTED_CYCLES
    elif acyclic is False:
        bits |= K_CYCLIC
    # OpenFst's kWeighted: some arc or final weight is neither zero nor one.
    sr = fst.semiring
    weighted = any(bool(np.any((w != sr.zero) & (w != sr.one))) for w in (fst.weight, fst.final))
    bits |= K_WEIGHTED if weighted else K_UNWEIGHTED
    if not np.any(fst.weight != sr.one):
        bits |= K_UNWEIGHTED_CYCLES
    # Certainly not a string (one path start=0 -> 1 -> ... -> final): a state
    # with two arcs, an arc not to the next state, or two final states.
    degrees = np.diff(fst.indptr)
    if (np.any(degrees > 1) or np.any(fst.nextstate != fst.arc_source + 1)
            or np.count_nonzero(fst.final != sr.zero) > 1):
        bits |= K_NOT_STRING
    return bits


def _header(fst: Fst, fst_type: str, version: int, flags: int, num_states: int,
            num_arcs: int) -> bytes:
    return b"".join([
        _I32.pack(FST_MAGIC), encode_string(fst_type), encode_string(fst.semiring.arc_type),
        _HEADER_TAIL.pack(version, flags, openfst_property_bits(fst, fst_type), fst.start,
                          num_states, num_arcs)])


def _symbol_flags_and_bytes(fst: Fst) -> tuple[int, bytes]:
    flags, parts = 0, []
    if fst.isymbols is not None:
        flags |= FLAG_HAS_ISYMBOLS
        parts.append(write_symbol_table_binary(fst.isymbols))
    if fst.osymbols is not None:
        flags |= FLAG_HAS_OSYMBOLS
        parts.append(write_symbol_table_binary(fst.osymbols))
    return flags, b"".join(parts)


def _fill_arcs(fst: Fst, dtype: np.dtype) -> np.ndarray:
    arcs = np.zeros(fst.num_arcs, dtype)  # zeros: deterministic padding bytes
    arcs["ilabel"] = fst.ilabel
    arcs["olabel"] = fst.olabel
    arcs["weight"] = fst.weight
    arcs["nextstate"] = fst.nextstate
    return arcs


def _vector_body(fst: Fst) -> np.ndarray:
    """The VectorFst body of ``fst`` as one uint32 array (the body's fields
    are all 4 or 8 bytes, see :func:`~kleene.kernels.binary.fill_vector_body`):
    one O(V + E) kernel pass into a buffer the caller writes as it is."""
    from ..kernels.binary import fill_vector_body
    ww = _weight_dtype(fst.semiring).itemsize // 4
    n, m = fst.num_states, fst.num_arcs
    out = np.empty(n * (ww + 2) + m * (ww + 3), np.uint32)
    s, _words = fill_vector_body(fst.indptr, fst.ilabel, fst.olabel, fst.nextstate,
                                 fst.weight.view(np.uint32), fst.final.view(np.uint32), 0,
                                 out)
    if s != n:  # cannot happen: the buffer holds the whole body
        raise RuntimeError(f"vector body encoder stopped at state {s} of {n}")
    return out


def _const_body(fst: Fst, start_offset: int, aligned: bool) -> bytes:
    sr = fst.semiring
    n, m = fst.num_states, fst.num_arcs
    if m > np.iinfo(np.uint32).max:
        raise FstArgError(f"{m} arcs do not fit the const format's uint32 counts; "
                          "write the vector format")
    states = np.zeros(n, _const_state_dtype(sr))
    states["final"] = fst.final
    states["pos"] = fst.indptr[:-1]
    states["narcs"] = np.diff(fst.indptr)
    src = fst.arc_source
    states["niepsilons"] = np.bincount(src[fst.ilabel == 0], minlength=n)
    states["noepsilons"] = np.bincount(src[fst.olabel == 0], minlength=n)
    arcs = _fill_arcs(fst, _const_arc_dtype(sr))
    parts, pos = [], start_offset
    for block in (states, arcs):
        pad = _align(pos, aligned) - pos
        parts.append(b"\0" * pad)
        parts.append(block.tobytes())
        pos += pad + block.nbytes
    return b"".join(parts)


def write_binary(fst: Fst, *, fst_type: Literal["vector", "const"] = "vector",
                 align: bool = False) -> bytes:
    """The OpenFst binary encoding of ``fst`` as a ``vector`` or ``const``
    FST, with its symbol tables embedded.

    Byte-for-byte what pynini writes for the same machine, except possibly
    the header's property bits (kleene writes the bits it knows hold).
    ``align=True`` (const only) pads the arrays to 16 bytes as OpenFst does
    with ``--fst_align``. O(V + E).
    """
    _check_write_args(fst, fst_type, align)
    return b"".join(_encode(fst, fst_type, align))


def _check_write_args(fst, fst_type: str, align: bool) -> None:
    if not isinstance(fst, Fst):
        raise FstArgError(f"write_binary expects a kleene Fst, not {type(fst).__name__}")
    if fst_type not in ("vector", "const"):
        raise FstArgError(f"fst_type must be 'vector' or 'const', not {fst_type!r}")
    if align and fst_type != "const":
        raise FstArgError("align=True applies to the const format only")


def _encode(fst: Fst, fst_type: str, align: bool) -> list:
    """The encoding of ``fst`` as a list of buffers to concatenate or write
    in order (header, symbol tables, body)."""
    flags, symbols = _symbol_flags_and_bytes(fst)
    if fst_type == "vector":
        head = _header(fst, "vector", VECTOR_VERSION, flags, fst.num_states, 0)
        return [head + symbols, _vector_body(fst)]
    flags |= FLAG_IS_ALIGNED if align else 0
    head = _header(fst, "const", CONST_VERSION, flags, fst.num_states, fst.num_arcs)
    return [head + symbols, _const_body(fst, len(head) + len(symbols), align)]


def write_binary_file(fst: Fst, path: str | os.PathLike, *,
                      fst_type: Literal["vector", "const"] = "vector",
                      align: bool = False) -> None:
    """Writes ``fst`` to ``path`` in OpenFst's binary format (see
    :func:`write_binary`)."""
    _check_write_args(fst, fst_type, align)
    parts = _encode(fst, fst_type, align)
    try:
        with open(path, "wb") as fh:
            fh.writelines(parts)  # the body array goes out without a copy to bytes
    except OSError as exc:
        raise FstIOError(f"cannot write FST: {exc.strerror}", path=str(path)) from exc


__all__ = [
    "FST_MAGIC",
    "is_openfst_binary",
    "openfst_property_bits",
    "read_binary",
    "read_binary_file",
    "write_binary",
    "write_binary_file",
]
