"""Machines from strings: :func:`accep`, :func:`cross`, :func:`string_map`,
:func:`string_file` and :func:`escape`, as in pynini.

Strings use the bracket syntax of :mod:`kleene.core.strings`; bracketed names
such as ``[BOS]`` or ``[TOKEN]`` become generated symbols
(:mod:`kleene.grammar.symbols`).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Mapping
from typing import Union

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..core.strings import TokenType
from ..core.strings import accep as _core_accep
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstIOError
from ..kernels.string_map import string_map_trie
from ..semirings import Semiring, get_semiring
from .coerce import FstLike, string_pair_machine, text_labels, to_fst
from .symbols import generated_label

WeightLike = Union[float, int, str, None]


# -- accep --------------------------------------------------------------------
def accep(text: str, *, weight: WeightLike = None, token_type: TokenType = "byte",
          semiring: str | Semiring = "tropical") -> Fst:
    """The linear acceptor of ``text`` with final weight ``weight`` (None:
    one), as ``pynini.accep``: bracketed names become generated symbols.

    Preconditions: ``text`` is a str that encodes in ``token_type``
    (:class:`FstArgError` / :class:`~kleene.errors.FstSymbolError` otherwise).
    Complexity: O(len(text)).
    """
    if not isinstance(text, str):
        raise FstArgError(f"accep: text must be a str, not {type(text).__name__}")
    if token_type == "byte" or token_type == "utf8":
        labels = text_labels(text, token_type)
        return string_pair_machine(labels, labels, get_semiring(semiring),
                                   _weight_value(weight), nonzero=True)
    return _core_accep(text, token_type=token_type, weight=_weight_value(weight),
                       semiring=semiring, generated=generated_label)


# -- cross --------------------------------------------------------------------
def _label_list(text: str, token_type: TokenType = "byte") -> list[int]:
    """The labels of ``text`` as a list (string_map's trie works on lists):
    plain byte text is read straight from its UTF-8 bytes."""
    if token_type == "byte" and text.isascii() and _plain(text):
        return list(text.encode())
    return text_labels(text, token_type).tolist()


def _plain(text: str) -> bool:
    """No NUL, bracket or backslash: nothing for the string parser to do."""
    return not ("[" in text or "]" in text or "\\" in text or "\0" in text)


def _semiring_of(*values) -> Semiring:
    """The semiring of the first machine among ``values`` (tropical if none)."""
    for value in values:
        if isinstance(value, Fst):
            return value.semiring
    return get_semiring("tropical")


def _weight_value(weight: WeightLike):
    """A user weight as a float (strings are parsed, as pynini does)."""
    if weight is None:
        return None
    if weight.__class__ is float:
        return weight
    if isinstance(weight, bool) or not isinstance(weight, (int, float, str, np.floating,
                                                          np.integer)):
        raise FstArgError(f"weight must be a number or a numeric string, not "
                          f"{type(weight).__name__}")
    try:
        return float(weight)
    except ValueError:
        raise FstArgError(f"weight {weight!r} is not a number") from None


def cross(upper: FstLike, lower: FstLike, *, weight: WeightLike = None) -> Fst:
    """The cross-product transducer ``upper × lower``: it maps every string
    of ``upper`` to every string of ``lower``, as ``pynini.cross`` does. A
    transducer given as ``upper`` acts as its input projection, one given
    as ``lower`` as its output projection. ``weight`` (None: one) is
    ⊗-multiplied onto every final weight.

    Two strings give the aligned string transducer (labels paired position
    by position, ε-padded at the shorter end), isomorphic to pynini's.
    Otherwise the result is the composition of ``upper`` with outputs
    replaced by ε and ``lower`` with inputs replaced by ε, both ε-removed,
    under the match filter (ε:ε moves pair up, so labels are aligned as far
    as possible), which is the machine pynini builds.

    Preconditions: both sides in one semiring (a string takes the other
    side's). Complexity: O(|upper| + |lower|) for strings; in general the
    composition's O(V_u V_l) states and O((E_u + V_u)(E_l + V_l)) arcs.
    """
    sr = _semiring_of(upper, lower)
    weight = _weight_value(weight)
    if isinstance(upper, str) and isinstance(lower, str):
        return string_pair_machine(text_labels(upper), text_labels(lower), sr, weight,
                                   nonzero=True)
    from ..algorithms.compose import compose
    up = to_fst(upper, semiring=sr)
    low = to_fst(lower, semiring=sr)
    up_eps = Fst(up.indptr, up.ilabel, np.zeros_like(up.olabel), up.nextstate, up.weight,
                 up.final, up.start, sr, up.isymbols, None, Props(), check=False)
    low_eps = Fst(low.indptr, np.zeros_like(low.ilabel), low.olabel, low.nextstate,
                  low.weight, low.final, low.start, sr, None, low.osymbols, Props(),
                  check=False)
    # ε:ε arcs (ε arcs of the inputs, and the side dropped) are removed first,
    # so every remaining label takes part in the pairing; parallel arcs that
    # became equal are merged, as in pynini.
    result = compose(_without_epsilons(up_eps), _without_epsilons(low_eps),
                     compose_filter="match")
    if weight is None:
        return result
    return _times_finals(result, weight)


def _without_epsilons(fst: Fst) -> Fst:
    """``fst`` ε-removed, as pynini's cross does to both sides; ε-removal
    also merges parallel arcs with equal labels and destination (⊕), so it
    is skipped only where it changes nothing: no ε:ε arc and at most one
    arc per state."""
    if (np.any((fst.ilabel == 0) & (fst.olabel == 0))
            or (fst.num_arcs > 1 and np.diff(fst.indptr).max() > 1)):
        from ..algorithms.rmepsilon import rmepsilon
        return rmepsilon(fst)
    return fst


def _times_finals(fst: Fst, weight) -> Fst:
    """``fst`` with every final weight ⊗-multiplied by ``weight``."""
    sr = fst.semiring
    w = sr.coerce(weight)
    final = fst.final.copy()
    is_final = final != sr.zero
    final[is_final] = sr.times(final[is_final], w)
    return fst.replace(final=final)


# -- string_map ---------------------------------------------------------------
Line = Union[str, tuple, list]


def _parse_lines(lines) -> list[tuple[str, str, WeightLike]]:
    """(input, output, weight) triples from string_map's accepted forms."""
    if isinstance(lines, (str, bytes)):
        raise FstArgError("string_map: lines must be an iterable of strings or tuples "
                          "(or a dict), not a single string")
    if isinstance(lines, Mapping):
        items = []
        for key, value in lines.items():
            if isinstance(value, (tuple, list)):
                items.append((key, *value))
            else:
                items.append((key, value))
        lines = items
    elif not isinstance(lines, Iterable):
        raise FstArgError(f"string_map: lines must be iterable, not {type(lines).__name__}")
    triples = []
    for number, line in enumerate(lines):
        if isinstance(line, str):
            triples.append((line, line, None))
            continue
        if not isinstance(line, (tuple, list)) or not 1 <= len(line) <= 3:
            raise FstArgError(f"string_map: entry {number} ({line!r}) must be a string or "
                              f"a tuple (input[, output[, weight]])")
        if not all(isinstance(x, str) for x in line[:2]):
            raise FstArgError(f"string_map: entry {number} ({line!r}): input and output "
                              f"must be strings")
        if len(line) == 1:
            triples.append((line[0], line[0], None))
        elif len(line) == 2:
            triples.append((line[0], line[1], None))
        else:
            triples.append((line[0], line[1], _weight_value(line[2])))
    return triples


def _compile_entries(entries: list, sr: Semiring, isymbols, osymbols) -> Fst:
    """The prefix-tree transducer of ``entries`` (lists of input labels,
    output labels and a weight), with pynini's shape.

    States form a trie over the inputs. An input arc carries the next
    output label when every entry through it still has one and they all
    agree on it (pynini's pushing of outputs towards the start); otherwise
    ε. Where an entry's input ends, its remaining output is spelled by ε:o
    arcs forming a trie of outputs, whose leaf carries the entry's weight
    as its final weight (duplicates are ⊕-summed). Built by
    :func:`kleene.kernels.string_map.string_map_trie`: O(total length +
    N log N comparisons) for N entries.
    """
    if not entries:  # pynini: the machine with no states
        return Fst.empty(sr).replace(isymbols=isymbols, osymbols=osymbols)
    ilens = np.fromiter((len(e[0]) for e in entries), np.int64, len(entries))
    olens = np.fromiter((len(e[1]) for e in entries), np.int64, len(entries))
    ioff = np.zeros(len(entries) + 1, np.int64)
    ooff = np.zeros(len(entries) + 1, np.int64)
    np.cumsum(ilens, out=ioff[1:])
    np.cumsum(olens, out=ooff[1:])
    ilab = np.fromiter(itertools.chain.from_iterable(e[0] for e in entries), np.int32,
                       int(ioff[-1]))
    olab = np.fromiter(itertools.chain.from_iterable(e[1] for e in entries), np.int32,
                       int(ooff[-1]))
    weight = np.fromiter((e[2] for e in entries), sr.dtype, len(entries))
    num_states, src, ilabels, olabels, dests, final = string_map_trie(
        ilab, ioff, olab, ooff, weight, np.dtype(sr.dtype).type(sr.zero), sr.code)
    return _from_arc_lists(num_states, src, ilabels, olabels, dests, final, sr,
                           isymbols, osymbols)


def _from_arc_lists(num_states, src, ilabels, olabels, dests, final, sr,
                    isymbols, osymbols) -> Fst:
    """A machine from arc lists (arcs of one state keep their order)."""
    src = np.asarray(src, dtype=np.int64)
    order = np.argsort(src, kind="stable")
    counts = np.bincount(src, minlength=num_states)
    indptr = np.zeros(num_states + 1, dtype=INDPTR_DTYPE)
    np.cumsum(counts, out=indptr[1:])
    m = src.shape[0]
    return Fst(indptr, np.asarray(ilabels, dtype=LABEL_DTYPE)[order],
               np.asarray(olabels, dtype=LABEL_DTYPE)[order],
               np.asarray(dests, dtype=STATE_DTYPE)[order],
               np.full(m, sr.one, dtype=sr.dtype), final, 0, sr, isymbols, osymbols,
               _TRIE_PROPS, check=False)


# A prefix tree numbered breadth-first from its root: every state is
# reachable and every arc goes to a higher-numbered state.
_TRIE_BITS = int(Prop.ACYCLIC | Prop.TOP_SORTED | Prop.ACCESSIBLE)
_TRIE_PROPS = Props(_TRIE_BITS, _TRIE_BITS)


def string_map(lines, *, input_token_type: TokenType = "byte",
               output_token_type: TokenType = "byte",
               semiring: str | Semiring = "tropical") -> Fst:
    """The transducer of a finite string-to-string map, as
    ``pynini.string_map``.

    ``lines`` is an iterable whose items are a string ``s`` (maps ``s`` to
    itself), a 1-tuple ``(s,)``, a pair ``(input, output)`` or a triple
    ``(input, output, weight)``; or a dict ``{input: output}`` or
    ``{input: (output, weight)}``. Weights are numbers or numeric strings
    and may be negative; an entry listed twice has its weights ⊕-summed.
    (Deviation: pynini iterates a dict's keys only and builds the acceptor
    of the keys; kleene maps each key to its value.)

    The result is a prefix tree over the inputs (see
    :func:`_compile_entries`), of the same shape as pynini's: not
    optimized, weights on final states. Symbol-table token types are
    attached as the machine's tables.

    Preconditions: well-formed entries (:class:`FstArgError` naming the
    entry otherwise). Complexity: O(total length of the entries) time and
    size.
    """
    sr = get_semiring(semiring)
    one = sr.one_value()
    entries = []
    for inp, out, w in _parse_lines(lines):
        entries.append((_label_list(inp, input_token_type),
                        _label_list(out, output_token_type),
                        one if w is None else sr.coerce(w)))
    return _compile_entries(entries, sr, _table(input_token_type),
                            _table(output_token_type))


def _table(token_type) -> SymbolTable | None:
    return token_type if isinstance(token_type, SymbolTable) else None


def string_file(path: str | os.PathLike, *, input_token_type: TokenType = "byte",
                output_token_type: TokenType = "byte",
                semiring: str | Semiring = "tropical") -> Fst:
    """:func:`string_map` of a tab-separated file, as ``pynini.string_file``:
    each non-blank line is ``input``, ``input<TAB>output`` or
    ``input<TAB>output<TAB>weight`` (weights are floats, may be negative).

    Raises :class:`FstIOError` naming the file and line for a line with
    more than three columns, a bad weight or text that does not encode, and
    when the file cannot be read. Complexity: O(file size).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise FstIOError(f"string_file: cannot read {os.fspath(path)!r}: {exc}") from None
    sr = get_semiring(semiring)
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        columns = line.split("\t")
        where = f"{os.fspath(path)}:{number}"
        if len(columns) > 3:
            raise FstIOError(f"{where}: expected 1 to 3 tab-separated columns (input, "
                             f"output, weight), found {len(columns)}: {line!r}")
        inp = columns[0]
        out = columns[1] if len(columns) > 1 else inp
        try:
            w = sr.coerce(_weight_value(columns[2])) if len(columns) == 3 else sr.one
            entries.append((_label_list(inp, input_token_type),
                            _label_list(out, output_token_type), w))
        except (FstArgError, LookupError) as exc:
            raise FstIOError(f"{where}: {exc}") from None
    return _compile_entries(entries, sr, _table(input_token_type),
                            _table(output_token_type))


# -- escape -------------------------------------------------------------------
_TO_ESCAPE = re.compile(r"([\[\]\\])")


def escape(text: str) -> str:
    """``text`` with ``[``, ``]`` and ``\\`` backslash-escaped, so that
    :func:`accep` reads it literally (``pynini.escape``). O(len(text))."""
    if not isinstance(text, str):
        raise FstArgError(f"escape: text must be a str, not {type(text).__name__}")
    return _TO_ESCAPE.sub(r"\\\1", text)


__all__ = ["accep", "cross", "escape", "string_file", "string_map"]
