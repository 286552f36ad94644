"""Symbol tables: a bijection between string symbols and integer keys.

Compatible with OpenFst's ``SymbolTable``: keys are non-negative integers,
``available_key`` is one more than the largest key added, and the text format
(``fstcompile --isymbols``) is one ``symbol<TAB>key`` line per entry.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator

from ..errors import FstArgError, FstIOError, FstSymbolError

NO_SYMBOL = -1


class SymbolTable:
    """A mutable symbol table.

    ``find`` maps a symbol to its key or a key to its symbol (-1 / ``""`` when
    absent, as OpenFst does); ``key(sym)`` and ``symbol(key)`` raise
    :class:`~kleene.errors.FstSymbolError` instead. Iteration yields
    ``(key, symbol)`` pairs in insertion order.
    """

    __slots__ = ("name", "_sym2key", "_key2sym", "_available")

    def __init__(self, name: str = "", symbols: Iterable[str] | None = None):
        self.name = name
        self._sym2key: dict[str, int] = {}
        self._key2sym: dict[int, str] = {}
        self._available = 0
        if symbols is not None:
            for s in symbols:
                self.add_symbol(s)

    # -- editing -----------------------------------------------------------
    def add_symbol(self, symbol: str, key: int | None = None) -> int:
        """Adds ``symbol`` (at ``key`` or the next available key); returns its
        key. Adding an existing symbol returns the key it already has."""
        if not isinstance(symbol, str):
            raise FstArgError(f"symbols are strings, not {type(symbol).__name__}")
        existing = self._sym2key.get(symbol)
        if existing is not None:
            return existing
        if key is None:
            key = self._available
        key = int(key)
        if key < 0:
            raise FstArgError(f"symbol keys must be non-negative, got {key}")
        if key in self._key2sym:
            raise FstArgError(
                f"key {key} already holds symbol {self._key2sym[key]!r}; "
                f"cannot also give it to {symbol!r}")
        self._sym2key[symbol] = key
        self._key2sym[key] = symbol
        if key >= self._available:
            self._available = key + 1
        return key

    def add_table(self, other: "SymbolTable") -> None:
        """Adds every symbol of ``other`` not yet present (new keys)."""
        for _, sym in other:
            self.add_symbol(sym)

    def remove_symbol(self, key: int) -> None:
        sym = self._key2sym.pop(int(key), None)
        if sym is not None:
            del self._sym2key[sym]

    # -- look-ups ----------------------------------------------------------
    def find(self, key_or_symbol: "int | str"):
        """Key of a symbol (-1 if absent) or symbol of a key ("" if absent)."""
        if isinstance(key_or_symbol, str):
            return self._sym2key.get(key_or_symbol, NO_SYMBOL)
        return self._key2sym.get(int(key_or_symbol), "")

    def key(self, symbol: str) -> int:
        try:
            return self._sym2key[symbol]
        except KeyError:
            raise FstSymbolError(
                f"symbol {symbol!r} is not in symbol table {self.name!r}") from None

    def symbol(self, key: int) -> str:
        try:
            return self._key2sym[int(key)]
        except KeyError:
            raise FstSymbolError(
                f"key {key} is not in symbol table {self.name!r}") from None

    def member(self, key_or_symbol: "int | str") -> bool:
        if isinstance(key_or_symbol, str):
            return key_or_symbol in self._sym2key
        return int(key_or_symbol) in self._key2sym

    __contains__ = member

    def available_key(self) -> int:
        return self._available

    def num_symbols(self) -> int:
        return len(self._sym2key)

    def __len__(self) -> int:
        return len(self._sym2key)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(self._key2sym.items())

    def items(self):
        return list(self._key2sym.items())

    def copy(self) -> "SymbolTable":
        new = SymbolTable(self.name)
        new._sym2key = dict(self._sym2key)
        new._key2sym = dict(self._key2sym)
        new._available = self._available
        return new

    def __eq__(self, other) -> bool:
        if not isinstance(other, SymbolTable):
            return NotImplemented
        return self._key2sym == other._key2sym

    def __hash__(self):
        return id(self)

    def __repr__(self) -> str:
        return f"<SymbolTable {self.name!r} with {len(self)} symbols>"

    # -- text format -------------------------------------------------------
    @classmethod
    def read_text(cls, path: "str | os.PathLike", name: str | None = None) -> "SymbolTable":
        """Reads OpenFst's text format: ``symbol key`` per line, separated by
        tabs or spaces. Raises :class:`FstIOError` naming the bad line."""
        try:
            with open(path, "r", encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise FstIOError(f"cannot read symbol table: {exc.strerror}", path=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise FstIOError(f"symbol table is not UTF-8 text ({exc.reason})",
                             path=str(path), offset=exc.start) from exc
        return cls.from_text(text, name=os.path.basename(str(path)) if name is None else name,
                             source=str(path))

    @classmethod
    def from_text(cls, text: str, name: str = "", source: str = "<string>") -> "SymbolTable":
        table = cls(name)
        for lineno, line in enumerate(text.splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise FstIOError(f"expected 'symbol key', got {line!r}",
                                 path=source, line=lineno)
            sym, key_text = fields
            try:
                key = int(key_text)
            except ValueError:
                raise FstIOError(f"key {key_text!r} is not an integer",
                                 path=source, line=lineno) from None
            if key < 0:
                raise FstIOError(f"negative key {key}", path=source, line=lineno)
            if sym in table._sym2key or key in table._key2sym:
                raise FstIOError(f"duplicate symbol or key in {line!r}",
                                 path=source, line=lineno)
            table.add_symbol(sym, key)
        return table

    def to_text(self) -> str:
        return "".join(f"{sym}\t{key}\n" for key, sym in self._key2sym.items())

    def write_text(self, path: "str | os.PathLike") -> None:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self.to_text())
        except OSError as exc:
            raise FstIOError(f"cannot write symbol table: {exc.strerror}", path=str(path)) from exc
