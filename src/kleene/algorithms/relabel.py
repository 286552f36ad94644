"""Relabeling by label pairs or by symbol tables (OpenFst's ``Relabel``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.fst import LABEL_DTYPE, Fst
from ..core.properties import Prop
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstSymbolError

# Properties that do not depend on labels.
_LABEL_FREE = int(Prop.ACYCLIC | Prop.TOP_SORTED | Prop.ACCESSIBLE | Prop.COACCESSIBLE
                  | Prop.UNWEIGHTED)


def _pairs_map(pairs, labels: np.ndarray, side: str) -> np.ndarray:
    """Maps ``labels`` through ``(old, new)`` pairs; unmentioned labels keep
    their value. A label mentioned twice takes its last pair (as OpenFst's
    ``std::map`` insertion does)."""
    mapping = {}
    for pair in pairs:
        try:
            old, new = (int(x) for x in pair)
        except (TypeError, ValueError):
            raise FstArgError(f"relabel: {side} pairs must be (old, new) integer pairs, "
                              f"got {pair!r}") from None
        if old < 0 or new < 0:
            raise FstArgError(f"relabel: labels must be non-negative, got {side} pair "
                              f"({old}, {new})")
        mapping[old] = new
    if not mapping or labels.size == 0:
        return labels.copy()
    old = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
    new = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
    size = max(int(labels.max()), int(old.max())) + 1
    lookup = np.arange(size, dtype=np.int64)
    lookup[old] = new
    return lookup[labels].astype(LABEL_DTYPE)


def _table_map(old_table: SymbolTable | None, new_table: SymbolTable,
               labels: np.ndarray, side: str) -> np.ndarray:
    """Maps every label through its symbol in ``old_table`` to that symbol's
    key in ``new_table``."""
    if not isinstance(new_table, SymbolTable):
        raise FstArgError(f"relabel: {side} symbols must be a SymbolTable, "
                          f"not {type(new_table).__name__}")
    if old_table is None:
        raise FstArgError(f"relabel: the machine has no {side} symbol table to map "
                          f"from; attach one or relabel with {side[0]}pairs")
    used = np.unique(labels)
    new_keys = np.empty(used.shape[0], dtype=np.int64)
    for j, label in enumerate(used.tolist()):
        symbol = old_table.find(label)
        if symbol == "":
            if label == 0:  # epsilon without a table entry stays epsilon
                new_keys[j] = 0
                continue
            raise FstSymbolError(f"relabel: {side} label {label} is not in the old "
                                 f"{side} symbol table {old_table.name!r}")
        key = new_table.find(symbol)
        if key < 0:
            raise FstSymbolError(f"relabel: {side} symbol {symbol!r} (label {label}) is "
                                 f"not in the new {side} symbol table "
                                 f"{new_table.name!r}; add it to that table")
        new_keys[j] = key
    return new_keys[np.searchsorted(used, labels)].astype(LABEL_DTYPE)


def relabel(fst: Fst, *, ipairs: Iterable[tuple[int, int]] | None = None,
            opairs: Iterable[tuple[int, int]] | None = None,
            isymbols: SymbolTable | None = None,
            osymbols: SymbolTable | None = None) -> Fst:
    """Replaces arc labels.

    - ``ipairs`` / ``opairs``: ``(old, new)`` label pairs; labels that no pair
      mentions keep their value (OpenFst's ``Relabel`` with pairs, i.e.
      ``pynini``'s ``relabel_pairs``). Symbol tables are kept.
    - ``isymbols`` / ``osymbols``: new symbol tables; each label is mapped
      through its symbol in the machine's current table to that symbol's key
      in the new table, and the new table is attached (``relabel_tables``
      with ``attach_new_*symbols=True``). Epsilon (0) stays 0 when the old
      table has no entry for it.

    Errors: :class:`FstArgError` for malformed pairs, negative labels, pairs and
    a table given for the same side, or a table relabeling of a side that has
    no symbol table; :class:`FstSymbolError` naming the label or symbol when a
    label on an arc is missing from the old table or its symbol from the new
    one. Unlike OpenFst, only labels that occur on arcs are checked (OpenFst
    also rejects unused symbols of the old table that the new one lacks).

    States and arc order are unchanged, so the arc map would be the
    identity: none is returned.

    Preconditions: none.

    Complexity: O(V + E + P) with P the number of pairs (a lookup array
    indexed by label), plus O(U log U) for the U distinct labels in a
    table relabeling.
    """
    if ipairs is not None and isymbols is not None:
        raise FstArgError("relabel: give either ipairs or isymbols, not both")
    if opairs is not None and osymbols is not None:
        raise FstArgError("relabel: give either opairs or osymbols, not both")
    ilabel, olabel = fst.ilabel, fst.olabel
    in_table, out_table = fst.isymbols, fst.osymbols
    if ipairs is not None:
        ilabel = _pairs_map(ipairs, fst.ilabel, "input")
    elif isymbols is not None:
        ilabel = _table_map(fst.isymbols, isymbols, fst.ilabel, "input")
        in_table = isymbols
    if opairs is not None:
        olabel = _pairs_map(opairs, fst.olabel, "output")
    elif osymbols is not None:
        olabel = _table_map(fst.osymbols, osymbols, fst.olabel, "output")
        out_table = osymbols
    changed = ipairs is not None or isymbols is not None or opairs is not None \
        or osymbols is not None
    props = fst.props.keep(_LABEL_FREE) if changed else fst.props
    # the arrays are read-only: what does not change is shared
    return Fst(fst.indptr, ilabel, olabel, fst.nextstate, fst.weight, fst.final,
               fst.start, fst.semiring, in_table, out_table, props, check=False)
