"""The AT&T FSM text format, as read and written by HFST and foma (``att``).

The lines are those of OpenFst's text format (``src dst in out [weight]`` for
an arc, ``state [weight]`` for a final state, the first line's source is the
start state), but labels are always *symbols*. The conventions kleene uses:

* Epsilon is written ``@0@`` (HFST/foma); when reading, ``@0@``,
  ``<eps>`` and ``@_EPSILON_SYMBOL_@`` all mean label 0 unless the symbol
  table given holds them under another key.
* A space inside a symbol is written ``@_SPACE_@`` and a tab ``@_TAB_@``
  (HFST's escapes); they are unescaped when reading.
* Reading without symbol tables builds one table shared by both sides,
  ``<eps>`` = 0 and the other symbols numbered in order of appearance (the
  OpenFst text format plus symbol tables). ``numeric=True`` reads labels as
  integers instead.
* Writing a machine without symbol tables writes integer labels (and
  ``@0@`` for 0), which ``read_att(..., numeric=True)`` reads back.
* States with no arcs that are not final are not written (the AT&T format
  has no line for them; they accept nothing); a machine whose start state is
  such a state is written as the empty text (the empty machine). Several machines separated by
  ``--`` lines are not supported.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstIOError
from ..semirings import Semiring, get_semiring
from . import text as _text

EPSILON_SPELLINGS = ("@0@", "<eps>", "@_EPSILON_SYMBOL_@")
_ESCAPES = (("@_SPACE_@", " "), ("@_TAB_@", "\t"))


def _unescape(token: str) -> str:
    for escaped, raw in _ESCAPES:
        token = token.replace(escaped, raw)
    return token


def _escape(symbol: str) -> str:
    for escaped, raw in _ESCAPES:
        symbol = symbol.replace(raw, escaped)
    return symbol


def _text_and_source(text_or_path, source: str | None) -> tuple[str, str]:
    if isinstance(text_or_path, (os.PathLike, Path)):
        return _text.read_text_file(text_or_path), source or str(text_or_path)
    if not isinstance(text_or_path, str):
        raise FstIOError(f"expected AT&T text or a path, got {type(text_or_path).__name__}")
    if "\n" not in text_or_path and os.path.isfile(text_or_path):
        return _text.read_text_file(text_or_path), source or text_or_path
    return text_or_path, source or "<string>"


def _table_lookup(table: SymbolTable):
    def lookup(token: str):
        key = table.find(_unescape(token))
        if key < 0 and token in EPSILON_SPELLINGS:
            return 0
        return None if key < 0 else key
    return lookup


def _numeric_lookup(token: str):
    if token in EPSILON_SPELLINGS:
        return 0
    return _text._int_lookup(token)


def _growing_lookup(table: SymbolTable):
    def lookup(token: str):
        if token in EPSILON_SPELLINGS:
            return 0
        return table.add_symbol(_unescape(token))
    return lookup


def read_att(text_or_path, *, semiring: "str | Semiring" = "tropical",
             isymbols: SymbolTable | None = None, osymbols: SymbolTable | None = None,
             numeric: bool = False, acceptor: bool = False, source: str | None = None,
             max_states: int | None = None) -> Fst:
    """Reads an AT&T (HFST/foma ``att``) machine from text or a file path.

    ``text_or_path`` is a path when it is a ``PathLike`` or a one-line
    string naming an existing file; otherwise it is the text itself. Symbol
    tables are used as given (an unknown symbol raises :class:`FstIOError`
    naming the line); without them a shared table is built (see the module
    docstring) unless ``numeric``. Malformed lines raise :class:`FstIOError`
    with the line number. Complexity: O(L) Python work for L lines.
    """
    text, source = _text_and_source(text_or_path, source)
    sr = get_semiring(semiring)
    lines = text.split("\n")
    for lineno, line in enumerate(lines, 1):
        if line.strip() == "--":
            raise FstIOError("several machines separated by '--' are not supported; "
                             "split the file", path=source, line=lineno)
    if numeric:
        ilookup = olookup = _numeric_lookup
        iname = oname = None
    elif isymbols is None and osymbols is None:
        shared = SymbolTable("att")
        shared.add_symbol("<eps>", 0)
        ilookup = olookup = _growing_lookup(shared)
        isymbols = osymbols = shared
        iname = oname = None
    else:
        if isymbols is None or osymbols is None:
            isymbols = osymbols = isymbols if isymbols is not None else osymbols
        ilookup, olookup = _table_lookup(isymbols), _table_lookup(osymbols)
        iname, oname = isymbols.name, osymbols.name
    limit = max_states if max_states is not None else max(
        _text._DEFAULT_MIN_STATE_LIMIT, 4 * len(lines))
    cols = _text._parse_lines_slow(lines, acceptor=acceptor, ilookup=ilookup,
                                   olookup=olookup, isym_name=iname, osym_name=oname,
                                   state_limit=limit, source=source, semiring=sr)
    if numeric:
        isymbols = osymbols = None
    return _text._build(cols, sr, isymbols, osymbols)


def _att_table(table: SymbolTable | None, labels, epsilon: str) -> SymbolTable:
    out = SymbolTable(table.name if table is not None else "numeric")
    out.add_symbol(epsilon, 0)
    if table is None:
        for k in sorted(set(labels.tolist()) - {0}):
            out.add_symbol(str(k), k)
        return out
    for key, sym in table:
        if key != 0:
            out.add_symbol(_escape(sym), key)
    return out


def write_att(fst: Fst, path: "str | os.PathLike | None" = None, *,
              isymbols: SymbolTable | None = None, osymbols: SymbolTable | None = None,
              epsilon: str = "@0@", show_weight_one: bool = False) -> str:
    """The machine in AT&T format (see the module docstring); also written to
    ``path`` when given. Labels print as symbols of ``isymbols``/``osymbols``
    or the machine's own tables, integers when there are none. A label
    missing from its table raises :class:`~kleene.errors.FstSymbolError`.
    Complexity: O(V + E).
    """
    isyms = isymbols if isymbols is not None else fst.isymbols
    osyms = osymbols if osymbols is not None else fst.osymbols
    text = _text.print_fst(fst, isymbols=_att_table(isyms, fst.ilabel, epsilon),
                           osymbols=_att_table(osyms, fst.olabel, epsilon),
                           show_weight_one=show_weight_one)
    zero_suffix = "\t" + _text.format_weight(fst.semiring.zero) + "\n"
    final = fst.final
    lines = [ln for ln in text.splitlines(keepends=True)
             if not (ln.count("\t") == 1 and ln.endswith(zero_suffix)
                     and final[int(ln.split("\t", 1)[0])] == fst.semiring.zero)]
    out = "".join(lines)
    if fst.start >= 0 and fst.out_degree(fst.start) == 0 and not fst.is_final(fst.start):
        out = ""  # the start state has no line of its own: accepts nothing anyway
    if path is not None:
        _text.write_text_file(path, out)
    return out


__all__ = ["read_att", "write_att", "EPSILON_SPELLINGS"]
