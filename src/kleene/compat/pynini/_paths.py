"""pynini's ``StringPathIterator``: the paths of an acyclic machine as
strings, by explicit stepping (``done``/``next``/``istring``/...) or by the
generators ``istrings()``, ``ostrings()``, ``weights()`` and ``items()``.

Paths come in pynini's order (see :func:`kleene.paths`); the iterator reads
them from kleene's lazy path walker, so a machine with many paths is not
expanded up front by the generators.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...algorithms.paths import paths as _paths
from ...grammar.symbols import generated_name
from . import _tokens
from ._weight import Weight, weight_type_of


class StringPathIterator:
    """Iterates the ``(input, output, weight)`` paths of an acyclic machine
    (``Fst.paths()``). Raises :class:`~kleene.errors.FstOpError` for a cyclic
    machine."""

    def __init__(self, fst, input_token_type=None, output_token_type=None) -> None:
        self._machine = _tokens.machine(fst)
        self._itype = _tokens.token_type(input_token_type)
        self._otype = _tokens.token_type(output_token_type)
        self._weight_type = weight_type_of(self._machine.semiring)
        self.reset()

    def _walk(self) -> Iterator[tuple[str, str, float]]:
        return _paths(self._machine, input_token_type=self._itype,
                      output_token_type=self._otype, generated=generated_name)

    def reset(self) -> None:
        self._iter = self._walk()
        self._current = next(self._iter, None)

    def done(self) -> bool:
        return self._current is None

    def error(self) -> bool:
        return False

    def next(self) -> None:
        if self._current is not None:
            self._current = next(self._iter, None)

    def _item(self) -> tuple[str, str, float]:
        if self._current is None:
            raise IndexError("the path iterator is exhausted")
        return self._current

    def istring(self) -> str:
        return self._item()[0]

    def ostring(self) -> str:
        return self._item()[1]

    def weight(self) -> Weight:
        return Weight._of(self._weight_type, self._item()[2])

    def ilabels(self) -> list[int]:
        from ...core.strings import encode_labels
        return [int(x) for x in encode_labels(self.istring(), self._itype)] \
            if self._itype in ("byte", "utf8") else self._labels(0)

    def olabels(self) -> list[int]:
        from ...core.strings import encode_labels
        return [int(x) for x in encode_labels(self.ostring(), self._otype)] \
            if self._otype in ("byte", "utf8") else self._labels(1)

    def _labels(self, side: int) -> list[int]:
        table = self._itype if side == 0 else self._otype
        text = self._item()[side]
        return [table.find(tok) for tok in text.split()] if text else []

    def items(self) -> Iterator[tuple[str, str, Weight]]:
        wt = self._weight_type
        for i, o, w in self._walk():
            yield i, o, Weight._of(wt, w)

    def istrings(self) -> Iterator[str]:
        for i, _, _ in self._walk():
            yield i

    def ostrings(self) -> Iterator[str]:
        for _, o, _ in self._walk():
            yield o

    def weights(self) -> Iterator[Weight]:
        wt = self._weight_type
        for _, _, w in self._walk():
            yield Weight._of(wt, w)

    def __repr__(self) -> str:
        return f"<StringPathIterator (kleene) at 0x{id(self):x}>"
