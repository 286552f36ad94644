"""Graphviz drawing, in the format of OpenFst's ``fstdraw``.

:func:`draw` returns dot source identical to ``fstdraw``'s (and pynini's
``Fst.draw``): states as circles, final states as double circles labelled
``state/final-weight``, the start state bold and listed first, arcs
labelled ``in:out/weight`` (``label/weight`` in acceptor mode), weights
equal to the semiring one left out. One deliberate difference: quotes and
backslashes in the title are escaped (fstdraw writes them raw, which
Graphviz rejects). Given a path ending in ``.svg``, ``.png``
or ``.pdf`` it renders through the ``graphviz`` Python package and the
``dot`` program. :func:`repr_svg` serves Jupyter's rich display.
"""

from __future__ import annotations

import os
import shutil
from typing import Literal

import numpy as np

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstArgError, FstIOError
from .text import _label_texts, format_weight

RENDERED_FORMATS = ("svg", "png", "pdf")
#: machines larger than this (states + arcs) are not drawn for Jupyter
REPR_SVG_LIMIT = 2000
_INSTALL_HINT = ("install Graphviz (the 'dot' program, e.g. apt-get install graphviz) "
                 "and the Python package (pip install graphviz)")


def _escape(label: str) -> str:
    return label.replace("\\", "\\\\").replace('"', '\\"')


def _number(value: float) -> str:
    """A size or spacing as a C++ stream prints it (``%g``)."""
    return "%g" % float(value)


def _weight_text(value: float, precision: int, float_format: str) -> str:
    if not np.isfinite(value):
        return format_weight(value)
    return "%.*{}".format(float_format) % (precision, float(value))


def draw(fst: Fst, path: "str | os.PathLike | None" = None, *, title: str = "",
         acceptor: bool | None = None, isymbols: SymbolTable | None = None,
         osymbols: SymbolTable | None = None, width: float = 8.5,
         height: float = 11.0, portrait: bool = False, vertical: bool = False,
         ranksep: float = 0.4, nodesep: float = 0.25, fontsize: int = 14,
         precision: int = 5, float_format: Literal["g", "e", "f"] = "g",
         show_weight_one: bool = False, missing_sym: str | None = None) -> str:
    """Graphviz dot source for the machine, as ``fstdraw`` writes it.

    Options mirror ``fstdraw``/pynini's ``draw`` (``acceptor=None`` means
    False). When ``path`` is given the source is written there, or, when
    ``path`` ends in ``.svg``/``.png``/``.pdf``, rendered to that format
    (needs the ``graphviz`` package and the ``dot`` program; raises
    :class:`FstArgError` with an install hint otherwise). A machine without
    a start state draws as the empty string. Complexity: O(V + E).
    """
    if float_format not in ("g", "e", "f"):
        raise FstArgError(f"float_format must be 'g', 'e' or 'f', not {float_format!r}")
    source = _dot_source(fst, title=title, acceptor=acceptor, isymbols=isymbols,
                         osymbols=osymbols, width=width, height=height,
                         portrait=portrait, vertical=vertical, ranksep=ranksep,
                         nodesep=nodesep, fontsize=fontsize, precision=precision,
                         float_format=float_format, show_weight_one=show_weight_one,
                         missing_sym=missing_sym)
    if path is not None:
        ext = os.fspath(path).rsplit(".", 1)[-1].lower() if "." in os.fspath(path) else ""
        if ext in RENDERED_FORMATS:
            data = render(source, ext)
            _write_bytes(path, data)
        else:
            _write_bytes(path, source.encode("utf-8"))
    return source


def _write_bytes(path, data: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FstIOError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc


def _dot_source(fst: Fst, *, title, acceptor, isymbols, osymbols, width, height,
                portrait, vertical, ranksep, nodesep, fontsize, precision,
                float_format, show_weight_one, missing_sym) -> str:
    if fst.start < 0:
        return ""
    sr = fst.semiring
    accept = bool(acceptor) and fst.is_acceptor()
    isyms = isymbols if isymbols is not None else fst.isymbols
    osyms = osymbols if osymbols is not None else fst.osymbols
    fontsize = int(fontsize)

    def weight_suffix(w: float) -> str:
        if w == sr.one and not show_weight_one:
            return ""
        return "/" + _weight_text(w, precision, float_format)

    head = ["digraph FST {\n", f"rankdir = {'BT' if vertical else 'LR'};\n",
            f'size = "{_number(width)},{_number(height)}";\n']
    if title:
        head.append(f'label = "{_escape(title)}";\n')
    head += ["center = 1;\n",
             f"orientation = {'Portrait' if portrait else 'Landscape'};\n",
             f'ranksep = "{_number(ranksep)}";\n', f'nodesep = "{_number(nodesep)}";\n']

    ilab = _label_texts(fst.ilabel, isyms, missing_sym, "input")
    olab = ilab if accept else _label_texts(fst.olabel, osyms, missing_sym, "output")
    src = fst.arc_source.tolist()
    dst = fst.nextstate.tolist()
    weights = fst.weight.tolist()
    arc_lines = []
    for s, d, i, o, w in zip(src, dst, ilab, olab, weights):
        label = i if accept else f"{i}:{o}"
        arc_lines.append(f'\t{s} -> {d} [label = "{_escape(label + weight_suffix(w))}", '
                         f"fontsize = {fontsize}];\n")

    body = []
    indptr = fst.indptr.tolist()
    finals = fst.final.tolist()
    order = [fst.start] + [s for s in range(fst.num_states) if s != fst.start]
    for s in order:
        f = finals[s]
        final = f != sr.zero
        label = f"{s}{weight_suffix(f)}" if final else str(s)
        shape = "doublecircle" if final else "circle"
        style = "bold" if s == fst.start else "solid"
        body.append(f'{s} [label = "{_escape(label)}", shape = {shape}, style = {style}, '
                    f"fontsize = {fontsize}]\n")
        body.extend(arc_lines[indptr[s]:indptr[s + 1]])
    return "".join(head + body + ["}\n"])


def _graphviz():
    try:
        import graphviz
    except ImportError as exc:
        raise FstArgError(f"rendering needs the graphviz Python package: {_INSTALL_HINT}") from exc
    return graphviz


def render(source: str, fmt: Literal["svg", "png", "pdf"] = "svg") -> bytes:
    """Renders dot source with Graphviz's ``dot`` program."""
    if fmt not in RENDERED_FORMATS:
        raise FstArgError(f"cannot render to {fmt!r}; expected one of {RENDERED_FORMATS}")
    graphviz = _graphviz()
    if shutil.which("dot") is None:
        raise FstArgError(f"the Graphviz 'dot' program is not on PATH: {_INSTALL_HINT}")
    try:
        return graphviz.Source(source).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise FstArgError(f"the Graphviz 'dot' program cannot be run: {_INSTALL_HINT}") from exc
    except graphviz.CalledProcessError as exc:
        raise FstIOError(f"dot failed to render: {exc}") from exc


def repr_svg(fst: Fst) -> str | None:
    """SVG for Jupyter, or None (so Jupyter falls back to text) when Graphviz
    is unavailable, the machine has no start state, or it has more than
    :data:`REPR_SVG_LIMIT` states plus arcs."""
    if fst.start < 0 or fst.num_states + fst.num_arcs > REPR_SVG_LIMIT:
        return None
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return None
    if shutil.which("dot") is None:
        return None
    try:
        return render(draw(fst, missing_sym="?"), "svg").decode("utf-8")
    except Exception:  # display must never raise inside Jupyter
        return None


__all__ = ["draw", "render", "repr_svg"]
