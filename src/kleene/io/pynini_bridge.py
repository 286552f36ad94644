"""Arc-for-arc conversion between kleene and pynini (OpenFst) machines.

pynini is optional: these functions import it on call and raise
:class:`~kleene.errors.FstArgError` with an install hint when it is absent.
State numbering, arc order and weights are preserved exactly.

Both directions go through OpenFst's binary format (:mod:`kleene.io.binary`):
kleene writes the bytes and pynini parses them in C++ (``Fst.read_from_string``),
or pynini serialises (``write_to_string``) and kleene parses them with numpy,
which is orders of magnitude faster than adding arcs one by one from Python.
The arc-by-arc code remains as the fallback for arc types the binary code
does not handle.
"""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.symbols import SymbolTable
from ..errors import FstArgError
from ..semirings import get_semiring

_ARC_TYPE_TO_SEMIRING = {"standard": "tropical", "log": "log", "log64": "log64"}


def _pynini():
    try:
        import pynini
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise FstArgError("pynini is not installed: pip install pynini "
                          "(Linux x86-64 wheels) to convert to/from pynini") from exc
    return pynini


def _symbols_to_pynini(pynini, table: SymbolTable | None):
    if table is None:
        return None
    out = pynini.SymbolTable(table.name)
    for key, sym in table:
        out.add_symbol(sym, key)
    return out


def _symbols_from_pynini(table) -> SymbolTable | None:
    if table is None:
        return None
    out = SymbolTable(table.name())
    for key, sym in table:
        out.add_symbol(sym, key)
    return out


def to_pynini(fst: Fst):
    """A ``pynini.Fst`` with the same states, arcs (in order), weights and
    symbol tables. O(V + E), through the binary format.

    Only semirings OpenFst ships as arc types convert: tropical (float32,
    ``standard``), log (``log``) and log64 (``log64``).
    """
    pynini = _pynini()
    sr = fst.semiring
    arc_type = {("tropical", 32): "standard", ("log", 32): "log",
                ("log", 64): "log64"}.get((sr.name, sr.bits))
    if arc_type is None:
        raise FstArgError(f"pynini has no arc type for the {sr} semiring; "
                          "convert to tropical or log first")
    from .binary import write_binary
    return pynini.Fst.read_from_string(write_binary(fst, fst_type="vector"))


def _to_pynini_arc_by_arc(fst: Fst, arc_type: str):
    """The slow reference path: builds the pynini machine arc by arc."""
    pynini = _pynini()
    sr = fst.semiring
    out = pynini.Fst(arc_type=arc_type)
    weight_type = out.weight_type()
    n = fst.num_states
    if n:
        out.add_states(n)
    if fst.start >= 0:
        out.set_start(fst.start)
    zero = sr.zero
    for s, f in enumerate(fst.final.tolist()):
        if f != zero:
            out.set_final(s, pynini.Weight(weight_type, f))
    src = fst.arc_source.tolist()
    for s, i, o, w, t in zip(src, fst.ilabel.tolist(), fst.olabel.tolist(),
                             fst.weight.tolist(), fst.nextstate.tolist()):
        out.add_arc(s, pynini.Arc(i, o, pynini.Weight(weight_type, w), t))
    if fst.isymbols is not None:
        out.set_input_symbols(_symbols_to_pynini(pynini, fst.isymbols))
    if fst.osymbols is not None:
        out.set_output_symbols(_symbols_to_pynini(pynini, fst.osymbols))
    return out


def _weight_value(w) -> float:
    text = str(w)
    return float("inf") if text == "Infinity" else float(text)


def from_pynini(pfst) -> Fst:
    """A kleene :class:`Fst` equal, arc for arc, to the ``pynini.Fst`` (or
    ``pywrapfst.Fst``, vector or const), symbol tables included. O(V + E),
    through the binary format."""
    _pynini()
    arc_type = pfst.arc_type()
    name = _ARC_TYPE_TO_SEMIRING.get(arc_type)
    if name is None:
        raise FstArgError(f"unsupported pynini arc type {arc_type!r}")
    if pfst.fst_type() in ("vector", "const"):
        from .binary import read_binary
        return read_binary(pfst.write_to_string(), source="<pynini.Fst>")
    return _from_pynini_arc_by_arc(pfst, name)


def _from_pynini_arc_by_arc(pfst, name: str) -> Fst:
    """The slow reference path: reads the pynini machine arc by arc."""
    sr = get_semiring(name)
    n = pfst.num_states()
    final = np.full(n, sr.zero, dtype=sr.dtype)
    src, il, ol, w, dst = [], [], [], [], []
    for s in range(n):
        final[s] = _weight_value(pfst.final(s))
        for arc in pfst.arcs(s):
            src.append(s)
            il.append(arc.ilabel)
            ol.append(arc.olabel)
            w.append(_weight_value(arc.weight))
            dst.append(arc.nextstate)
    counts = np.bincount(np.asarray(src, dtype=np.int64), minlength=n)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    start = pfst.start()
    return Fst(indptr, np.asarray(il), np.asarray(ol), np.asarray(dst),
               np.asarray(w, dtype=sr.dtype), final, start if start >= 0 else -1, sr,
               _symbols_from_pynini(pfst.input_symbols()),
               _symbols_from_pynini(pfst.output_symbols()))
