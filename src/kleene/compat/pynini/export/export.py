"""``pynini.export.export.Exporter``: collects named machines and writes
them, keys sorted, to a FAR archive on :meth:`Exporter.close`."""

from __future__ import annotations

import os

from ....errors import FstArgError
from .._far import Far


class Exporter:
    """``Exporter(filename, arc_type="standard", far_type="default")``:
    ``exporter[name] = fst`` registers a machine, :meth:`close` writes the
    archive."""

    def __init__(self, filename, arc_type: str = "standard", far_type: str = "default") -> None:
        self._fsts: dict = {}
        self._filename = os.fspath(filename)
        self._arc_type = arc_type
        self._far_type = far_type
        self._is_open = True

    def __setitem__(self, name: str, fst) -> None:
        if not self._is_open:
            raise FstArgError(f"the exporter for {self._filename!r} is closed")
        self._fsts[name] = fst

    def close(self) -> None:
        """Writes the registered machines to the archive."""
        if not self._is_open:
            raise FstArgError(f"the exporter for {self._filename!r} is already closed")
        with Far(self._filename, "w", arc_type=self._arc_type, far_type=self._far_type) as sink:
            for name in sorted(self._fsts):
                sink[name] = self._fsts[name]
        self._is_open = False
