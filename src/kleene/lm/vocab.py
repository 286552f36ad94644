"""Word vocabularies: word <-> integer id, with ids usable as FST labels.

Id 0 is always ``<eps>`` (Kaldi ``words.txt`` style), then ``<s>`` = 1,
``</s>`` = 2, ``<unk>`` = 3, then the words in the order they were added.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..core.symbols import SymbolTable
from .errors import LmArgError

SPECIAL_WORDS = ("<eps>", "<s>", "</s>", "<unk>")


class Vocabulary:
    """A growing word <-> id map whose first four ids are fixed.

    ``id(word)`` maps unknown words to ``UNK``; ``add(word)`` gives a new word
    the next id (or returns the id it already has). Look-ups are dict-based,
    O(1) per word.
    """

    EPS = 0
    BOS = 1
    EOS = 2
    UNK = 3

    __slots__ = ("_words", "_index")

    def __init__(self, words: Iterable[str] = ()):
        self._words: list[str] = list(SPECIAL_WORDS)
        self._index: dict[str, int] = {w: i for i, w in enumerate(self._words)}
        for w in words:
            self.add(w)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> "Vocabulary":
        """A vocabulary holding the special words and then ``words`` (duplicates
        and special words are skipped)."""
        return cls(words)

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._words == other._words

    def __hash__(self) -> int:  # frozen dataclasses holding a vocab hash it
        return hash(tuple(self._words))

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words)"

    def add(self, word: str) -> int:
        """Adds ``word`` if new; returns its id."""
        if not isinstance(word, str):
            raise LmArgError(f"words are strings, not {type(word).__name__}")
        if not word or any(c.isspace() for c in word):
            raise LmArgError(f"a word must be non-empty without whitespace, got {word!r}")
        i = self._index.get(word)
        if i is None:
            i = len(self._words)
            self._words.append(word)
            self._index[word] = i
        return i

    def id(self, word: str) -> int:
        """Id of ``word``; ``UNK`` (3) when unknown."""
        return self._index.get(word, self.UNK)

    def word(self, id: int) -> str:
        """The word with this id (``IndexError``-derived error when out of range)."""
        i = int(id)
        if i < 0 or i >= len(self._words):
            from ..errors import FstIndexError
            raise FstIndexError(f"word id {i} out of range [0, {len(self._words)})")
        return self._words[i]

    def ids(self, words: Iterable[str]) -> np.ndarray:
        """int32 array of ids (unknown words -> ``UNK``)."""
        get = self._index.get
        unk = self.UNK
        return np.fromiter((get(w, unk) for w in words), dtype=np.int32)

    @property
    def words(self) -> list[str]:
        """All words, index = id (a copy)."""
        return list(self._words)

    def to_symbol_table(self, name: str = "words") -> SymbolTable:
        """A :class:`~kleene.SymbolTable` with the same word <-> key map."""
        return SymbolTable(name, self._words)

    @classmethod
    def from_symbol_table(cls, table: SymbolTable) -> "Vocabulary":
        """Inverse of :meth:`to_symbol_table` (keys must be 0..n-1 with the
        four special words first)."""
        words = [table.find(k) for k in range(table.available_key())]
        if tuple(words[:4]) != SPECIAL_WORDS or "" in words:
            raise LmArgError("the symbol table must hold <eps>, <s>, </s>, <unk> at "
                             "keys 0..3 and dense keys after them")
        return cls(words[4:])
