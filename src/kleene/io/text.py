"""OpenFst's text format, byte-compatible with ``fstcompile`` / ``fstprint``.

One line per arc or final state, columns separated by tabs or spaces::

    src  dst  ilabel  olabel  [weight]     transducer arc
    src  dst  label   [weight]             acceptor arc (``acceptor=True``)
    state  [weight]                        final state

Labels are integers, or symbols when symbol tables are given. Weights are
decimal numbers or ``Infinity``; a missing weight is the semiring one. The
source state of the first line is the start state. States keep the numbers
they are given (``fstcompile --keep_state_numbering``); every state up to the
largest number mentioned exists.

Differences from ``fstcompile`` (all deliberate): states are never renumbered;
symbol tables passed to :func:`compile_text` are attached to the result by
default (``keep_isymbols=True``); labels must fit in int32 and be
non-negative; a ``max_states`` limit guards against a typo such as
``99999999`` allocating a huge machine.

Printing follows ``fstprint``: the start state's lines first, then the other
states in order; a state's arcs, then its final weight; weights with C++'s
default stream precision (6 significant digits, ``%g``), ``Infinity`` for
+inf; weights equal to the semiring one omitted unless ``show_weight_one``.
A state with no arcs that is not final prints as ``state<TAB>Infinity``
(the zero weight), so the text keeps every state. A machine with no start
state prints as the empty string.

Speed: printing and the common all-numeric (or symbol) input are handled by
numba kernels in :mod:`kleene.kernels.text` over UTF-8 bytes; weights the
kernels cannot decide exactly (``%g`` rounding ties, unusual number
spellings) go through Python's ``%g`` / ``float()``, and any malformed line
sends the whole text to the line-by-line parser, which names the line.
"""

from __future__ import annotations

import math
import os
import re
from typing import Callable

import numpy as np

from ..core.fst import Fst
from ..core.builder import FstBuilder
from ..core.symbols import SymbolTable
from ..errors import FstIOError, FstSymbolError
from ..semirings import Semiring, get_semiring

MAX_LABEL = 2**31 - 1
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
# characters float() may see in a weight token; excludes '_' and non-ASCII
# digits, which Python accepts but C's strtod (OpenFst) does not
_WEIGHT_RE = re.compile(r"[0-9A-Za-z.+\-]+", re.ASCII)
_DEFAULT_MIN_STATE_LIMIT = 1 << 20


# -- weights -------------------------------------------------------------------
def format_weight(value: float, precision: int = 6) -> str:
    """One weight the way OpenFst streams it: ``%g`` with ``precision``
    significant digits, ``Infinity`` / ``-Infinity``, ``BadNumber`` for NaN."""
    value = float(value)
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "BadNumber"
    return "%.*g" % (precision, value)


def format_weights(values: np.ndarray, precision: int = 6) -> list[str]:
    """:func:`format_weight` of every element."""
    values = np.ascontiguousarray(values)
    if values.size == 0:
        return []
    if precision != 6:
        return _format_weights_python(values, precision)
    records, lengths = _weight_records(values.ravel())
    blob = records.tobytes()
    width = records.shape[1]
    return [blob[k * width:k * width + n].decode("ascii")
            for k, n in enumerate(lengths.tolist())]


def _format_weights_python(values: np.ndarray, precision: int) -> list[str]:
    # each distinct bit pattern is formatted once
    bits = values.view(np.uint32 if values.dtype == np.float32 else np.uint64)
    uniq_bits, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
    texts = [format_weight(v, precision) for v in values[first].tolist()]
    return np.asarray(texts, dtype=object)[inverse.ravel()].tolist()


def _weight_records(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value's ``%g`` text as a fixed-width uint8 record plus its length.
    The kernel leaves rounding ties (and near ties) to Python's ``%g``."""
    from ..kernels.text import WEIGHT_WIDTH, format_weight_records
    records = np.empty((values.shape[0], WEIGHT_WIDTH), np.uint8)
    lengths = np.empty(values.shape[0], np.int64)
    # one compiled specialization: float32 weights are exact as float64
    # (signalling NaNs raise "invalid" on the cast; they print BadNumber)
    with np.errstate(invalid="ignore"):
        doubles = values.astype(np.float64, copy=False)
    if format_weight_records(doubles, records, lengths):
        todo = np.flatnonzero(lengths == 0)
        uniq, inverse = np.unique(values[todo], return_inverse=True)
        texts = [format_weight(v).encode("ascii") for v in uniq.tolist()]
        uniq_records = np.zeros((len(texts), records.shape[1]), np.uint8)
        for k, text in enumerate(texts):
            uniq_records[k, :len(text)] = np.frombuffer(text, np.uint8)
        inverse = inverse.ravel()
        records[todo] = uniq_records[inverse]
        lengths[todo] = np.array([len(t) for t in texts], np.int64)[inverse]
    return records, lengths


def parse_weight(token: str) -> float | None:
    """A weight token as a float (``Infinity`` allowed), or None if the token
    is not a number. NaN is returned as NaN for the caller to reject."""
    if not _WEIGHT_RE.fullmatch(token):
        return None
    try:
        return float(token)
    except ValueError:
        return None


# -- printing ------------------------------------------------------------------
def _label_texts(labels: np.ndarray, table: SymbolTable | None,
                 missing_sym: str | None, side: str) -> list[str]:
    if labels.size == 0:
        return []
    uniq, inverse = np.unique(labels, return_inverse=True)
    if table is None:
        texts = [str(k) for k in uniq.tolist()]
    else:
        texts = []
        for k in uniq.tolist():
            sym = table.find(k)
            if sym == "" and not table.member(k):
                if missing_sym is None:
                    raise FstSymbolError(
                        f"{side} label {k} is not in symbol table {table.name!r}; "
                        "add it, print without symbols, or pass missing_sym=")
                sym = missing_sym
            texts.append(sym)
    return np.asarray(texts, dtype=object)[inverse.ravel()].tolist()


def _label_column(labels: np.ndarray, table: SymbolTable | None,
                  missing_sym: str | None, side: str):
    """What the print kernel needs for one label column: the labels and an
    empty table (integers print as numbers), or each label's index into the
    UTF-8 texts of its distinct symbols plus their offsets."""
    if table is None or labels.size == 0:
        return labels, np.zeros(0, np.uint8), np.zeros(0, np.int64), 10
    uniq, inverse = np.unique(labels, return_inverse=True)
    texts = [t.encode("utf-8", "surrogatepass")
             for t in _label_texts(uniq, table, missing_sym, side)]
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    blob = np.frombuffer(b"".join(texts), np.uint8)
    # int32 like the label arrays, so the print kernel has one specialization
    return inverse.ravel().astype(np.int32), blob, offsets, max(map(len, texts))


def _digits(n: int) -> int:
    return len(str(max(n, 0)))


def print_fst(fst: Fst, *, acceptor: bool | None = None,
              isymbols: SymbolTable | None = None, osymbols: SymbolTable | None = None,
              show_weight_one: bool = False, missing_sym: str | None = None) -> str:
    """The machine in OpenFst text format, exactly as ``fstprint`` writes it.

    ``acceptor=True`` prints one label column when the machine is an acceptor
    (``None`` means ``False``, fstprint's default). Labels print as symbols
    from ``isymbols``/``osymbols`` or, when those are None, the machine's own
    tables; a label missing from its table raises
    :class:`~kleene.errors.FstSymbolError` unless ``missing_sym`` gives a
    replacement text. Complexity: O(V + E) plus the sort of distinct labels
    (only with symbol tables); the lines are written by a numba kernel.
    """
    from ..kernels.text import WEIGHT_WIDTH, print_lines
    if fst.start < 0:
        return ""
    sr = fst.semiring
    accept = bool(acceptor) and fst.is_acceptor()
    isyms = isymbols if isymbols is not None else fst.isymbols
    osyms = osymbols if osymbols is not None else fst.osymbols

    ilabel, itexts, ioffsets, iwidth = _label_column(fst.ilabel, isyms, missing_sym, "input")
    if accept:
        olabel, otexts, ooffsets, owidth = ilabel, itexts, ioffsets, 0
    else:
        olabel, otexts, ooffsets, owidth = _label_column(fst.olabel, osyms, missing_sym,
                                                         "output")
    weight_records, weight_lengths = _weight_records(fst.weight)
    if show_weight_one:
        weight_omitted = np.zeros(fst.num_arcs, np.bool_)
    else:
        weight_omitted = fst.weight == sr.one
    # fstprint also prints a state with no arcs that is not final (with the
    # zero weight), so that the text keeps every state
    final = fst.final
    listed = (final != sr.zero) | (np.diff(fst.indptr) == 0)
    final_kind = np.where(listed, 2, 0).astype(np.int8)
    if not show_weight_one:
        final_kind[listed & (final == sr.one)] = 1
    final_records, final_lengths = _weight_records(final)

    state_width = _digits(fst.num_states - 1) + 1
    arc_width = 2 * state_width + iwidth + 1 + owidth + 1 + WEIGHT_WIDTH + 1
    out = np.empty(fst.num_arcs * arc_width + fst.num_states * (state_width + WEIGHT_WIDTH + 1),
                   np.uint8)
    size = print_lines(fst.indptr, fst.nextstate, ilabel, olabel, weight_omitted,
                       weight_records, weight_lengths, final_kind, final_records,
                       final_lengths, fst.start, not accept, itexts, ioffsets, otexts,
                       ooffsets, out)
    return str(memoryview(out)[:size], "utf-8", "surrogatepass")


# -- compiling -----------------------------------------------------------------
class _Columns:
    """Parsed columns of a text file, before they become a machine."""

    __slots__ = ("start", "src", "dst", "ilabel", "olabel", "weight",
                 "final_state", "final_weight", "max_state")

    def __init__(self, start, src, dst, ilabel, olabel, weight, final_state,
                 final_weight, max_state):
        self.start = start
        self.src, self.dst = src, dst
        self.ilabel, self.olabel, self.weight = ilabel, olabel, weight
        self.final_state, self.final_weight = final_state, final_weight
        self.max_state = max_state


def _arc_columns(acceptor: bool) -> tuple[int, ...]:
    return (3, 4) if acceptor else (4, 5)


def _tokens(line: str) -> list[str]:
    return [t for t in line.replace("\t", " ").replace("\r", " ").split(" ") if t]


LabelLookup = Callable[[str], "int | None"]


def _symbol_lookup(table: SymbolTable) -> LabelLookup:
    def lookup(token: str):
        key = table.find(token)
        return None if key < 0 else key
    return lookup


def _int_lookup(token: str):
    if not _INT_RE.fullmatch(token):
        return None
    return int(token)


def _parse_lines_slow(lines: list[str], *, acceptor: bool, ilookup: LabelLookup,
                      olookup: LabelLookup, isym_name: str | None,
                      osym_name: str | None, state_limit: int, source: str,
                      semiring: Semiring) -> _Columns:
    """Line-by-line reference parser: validates everything and raises
    :class:`FstIOError` naming the line of the first problem."""
    arc_cols = _arc_columns(acceptor)
    one = semiring.one
    start = -1
    max_state = -1
    src, dst, il, ol, wt, fs, fw = [], [], [], [], [], [], []

    def state(token: str, lineno: int, what: str) -> int:
        if not _INT_RE.fullmatch(token):
            raise FstIOError(f"{what} {token!r} is not an integer", path=source, line=lineno)
        s = int(token)
        if s < 0:
            raise FstIOError(f"negative {what} {s}", path=source, line=lineno)
        if s >= state_limit:
            raise FstIOError(f"{what} {s} exceeds the limit of {state_limit} states; "
                             "pass max_states= to allow more", path=source, line=lineno)
        return s

    def label(token: str, lineno: int, lookup: LabelLookup, table_name, what) -> int:
        key = lookup(token)
        if key is None:
            if table_name is not None:
                raise FstIOError(f"{what} symbol {token!r} is not in symbol table "
                                 f"{table_name!r}", path=source, line=lineno)
            raise FstIOError(f"{what} {token!r} is not an integer (pass symbol "
                             "tables to read symbols)", path=source, line=lineno)
        if key < 0:
            raise FstIOError(f"negative {what} {key}", path=source, line=lineno)
        if key > MAX_LABEL:
            raise FstIOError(f"{what} {key} does not fit in 32 bits", path=source, line=lineno)
        return key

    def weight(token: str, lineno: int) -> float:
        w = parse_weight(token)
        if w is None:
            raise FstIOError(f"bad weight {token!r}", path=source, line=lineno)
        if math.isnan(w):
            raise FstIOError("NaN is not a weight", path=source, line=lineno)
        return w

    for lineno, line in enumerate(lines, 1):
        cols = _tokens(line)
        n = len(cols)
        if n == 0:
            continue
        if n in arc_cols:
            s = state(cols[0], lineno, "source state")
            d = state(cols[1], lineno, "destination state")
            i = label(cols[2], lineno, ilookup, isym_name, "input label" if not acceptor else "label")
            if acceptor:
                o = i
            else:
                o = label(cols[3], lineno, olookup, osym_name, "output label")
            w = weight(cols[-1], lineno) if n == arc_cols[1] else one
            src.append(s); dst.append(d); il.append(i); ol.append(o); wt.append(w)
            max_state = max(max_state, s, d)
        elif n <= 2:
            s = state(cols[0], lineno, "final state")
            fs.append(s)
            fw.append(weight(cols[1], lineno) if n == 2 else one)
            max_state = max(max_state, s)
        else:
            expected = "3 or 4" if acceptor else "4 or 5"
            hint = "" if acceptor or n != 3 else " (pass acceptor=True for 3-column arcs)"
            raise FstIOError(f"expected {expected} columns for an arc or 1-2 for a final "
                             f"state, got {n}{hint}", path=source, line=lineno)
        if start < 0:
            start = s
    with np.errstate(over="ignore"):
        return _Columns(start, np.asarray(src, np.int64), np.asarray(dst, np.int64),
                        np.asarray(il, np.int64), np.asarray(ol, np.int64),
                        np.asarray(wt, np.float64), np.asarray(fs, np.int64),
                        np.asarray(fw, np.float64), max_state)


class _FastPathFailed(Exception):
    """The fast parser met something only the line parser reports well."""


def _token_strings(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The byte ranges ``data[starts[k]:ends[k]]`` as a numpy bytes array."""
    lens = ends - starts
    width = int(lens.max())
    offsets = np.arange(width)
    inside = offsets[None, :] < lens[:, None]
    pos = np.where(inside, starts[:, None] + offsets[None, :], 0)
    buf = np.where(inside, data[pos], 0).astype(np.uint8)
    return np.ascontiguousarray(buf).view(f"S{width}").ravel()


def _find(table: SymbolTable, token: bytes) -> int:
    try:
        return table.find(token.decode("utf-8"))
    except UnicodeDecodeError:
        return -1


def _symbols(data: np.ndarray, starts: np.ndarray, ends: np.ndarray,
             table: SymbolTable) -> np.ndarray:
    if starts.size == 0:
        return np.zeros(0, np.int64)
    if int((ends - starts).max()) > _MAX_FAST_SYMBOL:
        raise _FastPathFailed
    tokens = _token_strings(data, starts, ends)
    uniq, inverse = np.unique(tokens, return_inverse=True)
    keys = np.fromiter((_find(table, u) for u in uniq.tolist()), np.int64, uniq.shape[0])
    if keys.min() < 0:
        raise _FastPathFailed
    return keys[inverse.ravel()]


def _resolve_deferred(data: np.ndarray, weights: np.ndarray, status: np.ndarray,
                      bounds: np.ndarray) -> None:
    """Parses the weight tokens the kernel left to ``float()``."""
    for k in np.flatnonzero(status).tolist():
        lo, hi = bounds[k].tolist()
        w = parse_weight(data[lo:hi].tobytes().decode("utf-8"))
        if w is None or math.isnan(w):
            raise _FastPathFailed
        weights[k] = w


_MAX_FAST_SYMBOL = 256


def _parse_lines_fast(text: str, *, acceptor: bool, isymbols, osymbols,
                      state_limit: int, semiring: Semiring) -> _Columns:
    """One numba pass over the bytes for well-formed input; raises
    _FastPathFailed on anything unusual so that the line parser can report
    it."""
    from ..kernels.text import OK, scan_numeric_text
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: leave to the line parser
        raise _FastPathFailed from None
    data = np.frombuffer(raw, np.uint8)
    rows = raw.count(b"\n") + 1
    src, dst, il, ol, fs = (np.empty(rows, np.int64) for _ in range(5))
    weight, final_weight = np.empty(rows), np.empty(rows)
    weight_status, final_status = np.empty(rows, np.uint8), np.empty(rows, np.uint8)
    bounds = np.empty((rows, 6), np.int64)
    symbols = isymbols is not None or osymbols is not None
    if symbols and raw.find(0) >= 0:
        raise _FastPathFailed  # NUL is the padding of numpy bytes (symbol tokens)
    status, narcs, nfinals, start, max_state = scan_numeric_text(
        data, acceptor, symbols, state_limit, MAX_LABEL, float(semiring.one),
        src, dst, il, ol, weight, weight_status, fs, final_weight, final_status, bounds)
    if status != OK:
        raise _FastPathFailed
    src, dst, il, ol = src[:narcs], dst[:narcs], il[:narcs], ol[:narcs]
    weight, fs, final_weight = weight[:narcs], fs[:nfinals], final_weight[:nfinals]
    _resolve_deferred(data, weight, weight_status[:narcs], bounds[:narcs, 2:4])
    _resolve_deferred(data, final_weight, final_status[:nfinals], bounds[:nfinals, 4:6])
    if symbols:
        il, ol = _symbol_labels(data, il, ol, bounds[:narcs, :2], acceptor,
                                isymbols, osymbols)
    return _Columns(start, src, dst, il, ol, weight, fs, final_weight, max_state)


def _symbol_labels(data, istarts, ostarts, ends, acceptor, isymbols, osymbols):
    """Label ids of the symbol columns."""
    if isymbols is None or (osymbols is None and not acceptor):
        raise _FastPathFailed  # one numeric, one symbol column: rare, line parser
    il = _symbols(data, istarts, ends[:, 0], isymbols)
    ol = il if acceptor else _symbols(data, ostarts, ends[:, 1], osymbols)
    if il.size and (il.max() > MAX_LABEL or ol.max() > MAX_LABEL):
        raise _FastPathFailed
    return il, ol


def _build(cols: _Columns, semiring: Semiring, isymbols, osymbols) -> Fst:
    b = FstBuilder(semiring, isymbols=isymbols, osymbols=osymbols)
    if cols.max_state < 0:
        return b.freeze()
    b.add_states(cols.max_state + 1)
    b.set_start(cols.start)
    with np.errstate(over="ignore"):
        b.add_arcs(cols.src, cols.ilabel, cols.olabel,
                   cols.weight.astype(semiring.dtype), cols.dst)
        if cols.final_state.size:
            # a state listed twice keeps its last final weight (as SetFinal)
            rev = cols.final_state[::-1]
            states, idx = np.unique(rev, return_index=True)
            b.set_finals(states, cols.final_weight[::-1][idx].astype(semiring.dtype))
    return b.freeze()


def compile_text(text: str, *, semiring: "str | Semiring" = "tropical",
                 acceptor: bool = False, isymbols: SymbolTable | None = None,
                 osymbols: SymbolTable | None = None, keep_isymbols: bool = True,
                 keep_osymbols: bool = True, source: str = "<string>",
                 max_states: int | None = None) -> Fst:
    """Compiles OpenFst text (see the module docstring) into a machine.

    With symbol tables, labels are read as symbols (an unknown symbol raises
    :class:`FstIOError` naming the line and the symbol); in acceptor mode
    ``osymbols`` defaults to ``isymbols``. The tables are attached to the
    result unless ``keep_isymbols``/``keep_osymbols`` are false. Every
    malformed line raises :class:`FstIOError` naming ``source``, the line
    number and the problem. ``max_states`` (default: the larger of 2**20 and
    4 per line) bounds the largest state number. Complexity: O(L) for L
    lines; well-formed input is parsed column-wise with numpy.
    """
    if not isinstance(text, str):
        raise FstIOError(f"expected text (str), got {type(text).__name__}", path=source)
    sr = get_semiring(semiring)
    if acceptor and osymbols is None:
        osymbols = isymbols
    lines = text.split("\n")
    limit = max_states if max_states is not None else max(_DEFAULT_MIN_STATE_LIMIT,
                                                           4 * len(lines))
    try:
        cols = _parse_lines_fast(text, acceptor=acceptor, isymbols=isymbols,
                                 osymbols=osymbols, state_limit=limit, semiring=sr)
    except _FastPathFailed:
        cols = _parse_lines_slow(
            lines, acceptor=acceptor,
            ilookup=_symbol_lookup(isymbols) if isymbols is not None else _int_lookup,
            olookup=_symbol_lookup(osymbols) if osymbols is not None else _int_lookup,
            isym_name=isymbols.name if isymbols is not None else None,
            osym_name=osymbols.name if osymbols is not None else None,
            state_limit=limit, source=source, semiring=sr)
    return _build(cols, sr, isymbols if keep_isymbols else None,
                  osymbols if keep_osymbols else None)


# -- files ---------------------------------------------------------------------
def read_text_file(path: "str | os.PathLike") -> str:
    """The UTF-8 text of ``path``; every failure is an :class:`FstIOError`."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FstIOError(f"not UTF-8 text ({exc.reason})", path=str(path),
                         offset=exc.start) from None


def write_text_file(path: "str | os.PathLike", text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise FstIOError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc


def read_text(path: "str | os.PathLike", **options) -> Fst:
    """Reads an OpenFst text file; ``options`` as for :func:`compile_text`."""
    options.setdefault("source", str(path))
    return compile_text(read_text_file(path), **options)


def write_text(fst: Fst, path: "str | os.PathLike", **options) -> None:
    """Writes ``fst`` as OpenFst text; ``options`` as for :func:`print_fst`."""
    write_text_file(path, print_fst(fst, **options))


__all__ = ["compile_text", "print_fst", "read_text", "write_text", "format_weight",
           "format_weights", "parse_weight"]
