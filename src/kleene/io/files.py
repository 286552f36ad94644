"""Reading and writing machines in any supported format, chosen by name or
sniffed: :func:`read` and :func:`write` (``Fst.write`` delegates here).

Formats: ``binary`` (OpenFst's, what ``fstcompile`` and pynini write),
``text`` (OpenFst text), ``att`` (AT&T / HFST / foma), ``native`` (kleene's
``.npz``) and, for writing only, ``dot`` (Graphviz; rendered when the path
ends in .svg/.png/.pdf).

``format="auto"`` when reading looks at the bytes first: OpenFst's magic
number means binary, a zip header means native; otherwise the file is text,
AT&T when the extension is ``.att`` or when the labels of its first arc
line are not integers (and no symbol tables were given), OpenFst text
otherwise. When writing, ``auto`` goes by extension: ``.npz`` native,
``.txt``/``.text`` text, ``.att`` att, ``.dot``/``.gv``/``.svg``/``.png``/
``.pdf`` dot, anything else (``.fst``, ``-``) binary. The path ``"-"``
means standard input / output.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstIOError
from ..semirings import get_semiring
from . import native as _native

ReadFormat = Literal["auto", "binary", "text", "att", "native"]
WriteFormat = Literal["auto", "binary", "text", "att", "native", "dot"]
_READ_FORMATS = ("auto", "binary", "text", "att", "native")
_WRITE_FORMATS = ("auto", "binary", "text", "att", "native", "dot")
_DOT_EXTENSIONS = (".dot", ".gv", ".svg", ".png", ".pdf")


def _name(path) -> str:
    return "<stdin>" if path == "-" else str(path)


def _read_bytes(path) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise FstIOError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc


def _write_bytes(path, data: bytes) -> None:
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FstIOError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc


def _extension(path) -> str:
    name = os.fspath(path).lower() if path != "-" else ""
    return os.path.splitext(name)[1]


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FstIOError(f"not an FST file: neither OpenFst binary, kleene native nor "
                         f"UTF-8 text ({exc.reason})", path=source, offset=exc.start) from None


def _looks_like_att(text: str) -> bool:
    """Whether the first arc line has non-integer labels."""
    for line in text.split("\n", 200)[:200]:
        cols = line.split()
        if len(cols) >= 3:
            labels = cols[2:4] if len(cols) >= 4 else cols[2:3]
            return not all(c.lstrip("+-").isdigit() and c.isascii() for c in labels)
    return False


def _sniff(data: bytes, path, isymbols) -> str:
    from .binary import is_openfst_binary
    if is_openfst_binary(data):
        return "binary"
    if _native.is_native(data):
        return "native"
    ext = _extension(path)
    if ext == ".att":
        return "att"
    if ext in (".txt", ".text") or isymbols is not None:
        return "text"
    return "att" if _looks_like_att(_decode(data, _name(path))) else "text"


def _reject_far(data: bytes, source: str) -> None:
    from .far import far_type_of
    kind = far_type_of(data)
    if kind is not None:
        raise FstIOError(f"this is a FAR archive ({kind}) of several machines, not one "
                         "machine; read it with kleene.read_far(path) or kleene.FarReader",
                         path=source, offset=0)


def _check_semiring(fst: Fst, semiring, source: str) -> Fst:
    if semiring is not None and get_semiring(semiring) != fst.semiring:
        raise FstIOError(f"the file holds a {fst.semiring} machine, not "
                         f"{get_semiring(semiring)}; convert it after reading",
                         path=source)
    return fst


def read(path: "str | os.PathLike", *, format: ReadFormat = "auto", semiring=None,
         acceptor: bool = False, isymbols: SymbolTable | None = None,
         osymbols: SymbolTable | None = None) -> Fst:
    """Reads a machine from ``path`` (``"-"``: standard input).

    ``format="auto"`` sniffs it (see the module docstring). ``semiring``
    (default tropical) applies to text formats; for binary and native files,
    which record their semiring, a different ``semiring`` raises
    :class:`FstIOError`. ``acceptor``, ``isymbols`` and ``osymbols`` apply to
    the text formats. Missing files, permission problems and malformed
    content raise :class:`FstIOError` naming the path. Complexity: O(size).
    """
    if format not in _READ_FORMATS:
        raise FstArgError(f"unknown format {format!r}; expected one of {_READ_FORMATS}")
    source = _name(path)
    data = _read_bytes(path)
    _reject_far(data, source)
    if format == "auto":
        format = _sniff(data, path, isymbols)
    if format == "binary":
        from .binary import read_binary
        return _check_semiring(read_binary(data, source=source), semiring, source)
    if format == "native":
        return _check_semiring(_native.native_from_bytes(data, source=source),
                               semiring, source)
    text = _decode(data, source)
    sr = semiring if semiring is not None else "tropical"
    if format == "att":
        from .att import read_att
        return read_att(text, semiring=sr, isymbols=isymbols, osymbols=osymbols,
                        acceptor=acceptor, source=source)
    from .text import compile_text
    return compile_text(text, semiring=sr, acceptor=acceptor, isymbols=isymbols,
                        osymbols=osymbols, source=source)


def _write_format(path) -> str:
    ext = _extension(path)
    name = os.fspath(path).lower() if path != "-" else ""
    if ext == ".npz":
        return "native"
    if ext in (".txt", ".text") or name.endswith(".fst.txt"):
        return "text"
    if ext == ".att":
        return "att"
    if ext in _DOT_EXTENSIONS:
        return "dot"
    return "binary"


def write(fst: Fst, path: "str | os.PathLike", *, format: WriteFormat = "auto",
          fst_type: Literal["vector", "const"] = "vector") -> None:
    """Writes ``fst`` to ``path`` (``"-"``: standard output) in ``format``
    (``auto``: by extension, see the module docstring). ``fst_type`` picks
    OpenFst's ``vector`` or ``const`` layout for the binary format. Raises
    :class:`FstIOError` naming the path when it cannot be written.
    Complexity: O(V + E).
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"write expects a kleene Fst, not {type(fst).__name__}")
    if format not in _WRITE_FORMATS:
        raise FstArgError(f"unknown format {format!r}; expected one of {_WRITE_FORMATS}")
    if fst_type not in ("vector", "const"):
        raise FstArgError(f"fst_type must be 'vector' or 'const', not {fst_type!r}")
    if format == "auto":
        format = _write_format(path)
    if format == "binary":
        from .binary import write_binary
        data = write_binary(fst, fst_type=fst_type)
    elif format == "native":
        data = _native.native_bytes(fst)
    elif format == "text":
        from .text import print_fst
        data = print_fst(fst).encode("utf-8")
    elif format == "att":
        from .att import write_att
        data = write_att(fst).encode("utf-8")
    else:
        from .dot import RENDERED_FORMATS, draw, render
        source = draw(fst)
        ext = _extension(path).lstrip(".")
        data = render(source, ext) if ext in RENDERED_FORMATS else source.encode("utf-8")
    _write_bytes(path, data)


__all__ = ["read", "write"]
