"""pynini's ``Far``: FAR archives opened for reading (``mode="r"``: keyed
access and OpenFst-style stepping) or writing (``mode="w"``: ``far[key] =
fst`` / ``add``, keys in increasing order), over :mod:`kleene.io.far`."""

from __future__ import annotations

import os

from ...errors import FstArgError
from ...io.binary import is_openfst_binary, read_binary_file
from ...io.far import FarReader, FarWriter
from ._fst import Fst, wrap
from ._tokens import machine
from ._weight import semiring_of_arc_type

_FAR_TYPES = {"default": "sttable", "sttable": "sttable", "stlist": "stlist"}


def _open_reader(filename):
    """A FAR reader; a plain OpenFst binary file reads as a one-entry archive
    keyed by its file name, as OpenFst's ``FarReader`` does (far type
    ``"fst"``)."""
    path = os.fspath(filename)
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
    except OSError:
        head = b""  # FarReader raises the explanatory error
    if len(head) == 4 and is_openfst_binary(head):
        return _FstFileReader(path)
    return FarReader(filename)


class _FstFileReader:
    """One FST file seen as an archive with one entry (key: the path)."""

    far_type = "fst"

    def __init__(self, path: str) -> None:
        self._path = path
        self._fst = read_binary_file(path)
        self._position = 0
        self._closed = False

    def find(self, key: str) -> bool:
        self._position = 0 if key == self._path else 1
        return key == self._path

    def __getitem__(self, key: str):
        if key != self._path:
            raise KeyError(key)
        return self._fst

    def done(self) -> bool:
        return self._position > 0

    def next(self) -> None:
        self._position += 1

    def reset(self) -> None:
        self._position = 0

    def get_key(self) -> str:
        return self._path

    def get_fst(self):
        return self._fst

    @property
    def arc_type(self) -> str:
        return self._fst.semiring.arc_type

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True


class Far:
    """``Far(filename, mode="r", arc_type="standard", far_type="default")``."""

    def __init__(self, filename, mode: str = "r", arc_type: str = "standard",
                 far_type: str = "default") -> None:
        if mode not in ("r", "w"):
            raise FstArgError(f"FAR mode must be 'r' or 'w', not {mode!r}")
        if far_type not in _FAR_TYPES:
            raise FstArgError(f"unknown FAR type {far_type!r}; expected one of "
                              f"{sorted(_FAR_TYPES)}")
        self._name = os.fspath(filename)
        self._mode = mode
        self._arc_type = arc_type
        self._semiring = semiring_of_arc_type(arc_type)
        if mode == "r":
            self._reader = _open_reader(filename)
            self._writer = None
            self._far_type = self._reader.far_type
        else:
            self._reader = None
            self._writer = FarWriter(filename, far_type=_FAR_TYPES[far_type])
            self._far_type = _FAR_TYPES[far_type]

    # -- reading ------------------------------------------------------------------
    def _r(self) -> FarReader:
        if self._reader is None:
            raise FstArgError(f"FAR {self._name!r} is open for writing, not reading")
        return self._reader

    def __getitem__(self, key: str) -> Fst:
        """The machine under ``key``; like pynini, this also moves the
        cursor there (``get_key()`` is then ``key``)."""
        reader = self._r()
        if not reader.find(key):
            reader[key]  # raises the reader's KeyError, which lists what to do
        return wrap(reader.get_fst())

    def find(self, key: str) -> bool:
        return self._r().find(key)

    def get_fst(self) -> Fst:
        return wrap(self._r().get_fst())

    def get_key(self) -> str:
        return self._r().get_key()

    def done(self) -> bool:
        return self._r().done()

    def next(self) -> None:
        self._r().next()

    def reset(self) -> None:
        self._r().reset()

    def __iter__(self):
        return self

    def __next__(self) -> tuple[str, Fst]:
        reader = self._r()
        if reader.done():
            raise StopIteration
        item = (reader.get_key(), wrap(reader.get_fst()))
        reader.next()
        return item

    # -- writing ------------------------------------------------------------------
    def add(self, key: str, fst) -> None:
        if self._writer is None:
            raise FstArgError(f"FAR {self._name!r} is open for reading, not writing")
        self._writer.add(key, machine(fst, self._semiring))

    __setitem__ = add

    # -- state ----------------------------------------------------------------------
    def arc_type(self) -> str:
        """The archive's arc type when reading (that of its machines), the
        requested one when writing."""
        if self._reader is not None and not self._reader.closed:
            return self._reader.arc_type or self._arc_type
        return self._arc_type

    def far_type(self) -> str:
        return "closed" if self.closed() else self._far_type

    def mode(self) -> str:
        return self._mode

    def name(self) -> str:
        return self._name

    def error(self) -> bool:
        return False

    def closed(self) -> bool:
        if self._writer is not None:
            return self._writer._closed
        return self._reader.closed  # a property of both reader kinds

    def close(self) -> None:
        if self._writer is not None:
            if not self._writer._closed:
                self._writer.close()
        else:
            self._reader.close()

    def __enter__(self) -> Far:  # noqa: PYI034 (returns self)
        return self

    def __exit__(self, exc, value, tb) -> None:
        if exc is not None and self._writer is not None:
            self._writer.abort()
        else:
            self.close()

    def __repr__(self) -> str:
        return f"<{self.far_type()} Far {self._name!r}, mode {self._mode!r} (kleene)>"
