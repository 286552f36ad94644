"""Vectorised random machines for the benchmarks, and a fast bridge to pynini.

Every generator draws its arrays with numpy (no Python work per arc), builds the
kleene :class:`~kleene.Fst` once, and :func:`to_pynini_fast` turns it into the
identical ``pynini.Fst`` through OpenFst's binary ``vector`` format written
with numpy. The benchmarks therefore never time construction, and both
libraries see exactly the same states, arcs (in the same order) and weights.

The writer lives here, not in ``kleene.io``, so the I/O benchmark measures
kleene's own reader/writer against an independent encoder of the format.
"""

from __future__ import annotations

import functools
import struct

import numpy as np

import kleene
from kleene import Fst

# OpenFst binary header constants (fst/fst.h: FstHeader, kFstMagicNumber).
FST_MAGIC = 2125659606
VECTOR_FST_VERSION = 2
# kExpanded | kMutable: every other property bit is left "unknown" so OpenFst
# never trusts a property we did not compute.
HEADER_PROPERTIES = 0x1 | 0x2

_ARC_TYPE = {("tropical", 32): "standard", ("log", 32): "log", ("log", 64): "log64",
             ("tropical", 64): "tropical64"}


def _weights(rng: np.random.Generator, size: int, dtype) -> np.ndarray:
    # Continuous weights in [0, 4): ties (which make isomorphism ambiguous and
    # shortest paths non-unique) have probability ~0.
    return (rng.random(size) * 4.0).astype(dtype)


def random_fst(num_states: int, num_arcs: int, *, num_labels: int = 64,
               epsilon_fraction: float = 0.1, acyclic: bool = False,
               acceptor: bool = False, final_fraction: float = 0.1,
               semiring: str = "tropical", shuffle: bool = False,
               seed: int = 0) -> Fst:
    """A random transducer: uniform sources, uniform destinations (only to
    higher-numbered states when ``acyclic``), a fraction of epsilon labels,
    random final states (state ``num_states - 1`` is always final).
    ``shuffle`` renumbers the states randomly (an acyclic machine is then no
    longer topologically sorted)."""
    rng = np.random.default_rng(seed)
    sr = kleene.get_semiring(semiring)
    n, m = int(num_states), int(num_arcs)
    if acyclic:
        src = rng.integers(0, n - 1, m)
        # destination uniform in (src, n)
        dst = src + 1 + (rng.random(m) * (n - 1 - src)).astype(np.int64)
    else:
        src = rng.integers(0, n, m)
        dst = rng.integers(0, n, m)
    ilabel = rng.integers(1, num_labels + 1, m)
    ilabel[rng.random(m) < epsilon_fraction] = 0
    if acceptor:
        olabel = ilabel
    else:
        olabel = rng.integers(1, num_labels + 1, m)
        olabel[rng.random(m) < epsilon_fraction] = 0
    final = np.full(n, sr.zero, dtype=sr.dtype)
    is_final = rng.random(n) < final_fraction
    is_final[n - 1] = True
    final[is_final] = _weights(rng, int(is_final.sum()), sr.dtype)
    start = 0
    if shuffle:
        perm = rng.permutation(n)  # old state -> new state
        src, dst, start = perm[src], perm[dst], int(perm[0])
        shuffled = np.empty_like(final)
        shuffled[perm] = final
        final = shuffled
    return Fst.from_arrays(n, src, ilabel, olabel, _weights(rng, m, sr.dtype), dst,
                           final=final, start=start, semiring=sr)


def lattice(num_states: int, num_arcs: int, *, num_labels: int = 1000,
            max_skip: int = 8, semiring: str = "tropical", quantum: float = 0.0,
            seed: int = 0) -> Fst:
    """An ASR-like acyclic lattice in topological order: a backbone
    ``s -> s+1`` keeps every state on a successful path; the remaining arcs
    jump forward by 1..``max_skip`` states. One final state (the last).

    ``quantum > 0`` rounds weights to multiples of it (a power of two keeps
    every path sum exact in float32, so threshold decisions such as prune's
    do not depend on the order of floating-point additions)."""
    rng = np.random.default_rng(seed)
    sr = kleene.get_semiring(semiring)
    n, m = int(num_states), int(num_arcs)
    extra = max(m - (n - 1), 0)
    src_extra = rng.integers(0, n - 1, extra)
    dst_extra = np.minimum(src_extra + rng.integers(1, max_skip + 1, extra), n - 1)
    src = np.concatenate([np.arange(n - 1), src_extra])
    dst = np.concatenate([np.arange(1, n), dst_extra])
    labels = rng.integers(1, num_labels + 1, src.shape[0])
    final = np.full(n, sr.zero, dtype=sr.dtype)
    final[n - 1] = sr.one
    weight = _weights(rng, src.shape[0], sr.dtype)
    if quantum > 0:
        weight = (np.round(weight / quantum) * quantum).astype(sr.dtype)
    return Fst.from_arrays(n, src, labels, labels, weight, dst, final=final, start=0,
                           semiring=sr)


def string_trie(num_strings: int, *, max_len: int = 12, num_labels: int = 26,
                semiring: str = "tropical", seed: int = 0) -> Fst:
    """The prefix tree (trie) of the union of ``num_strings`` random strings:
    an acyclic, deterministic acceptor like a compiled word list. Built
    without a Python loop: sort the strings, find each row's longest common
    prefix with the previous row, and give a new state to every position past
    it."""
    rng = np.random.default_rng(seed)
    sr = kleene.get_semiring(semiring)
    lengths = rng.integers(1, max_len + 1, num_strings)
    mat = rng.integers(1, num_labels + 1, (num_strings, max_len))
    mat[np.arange(max_len)[None, :] >= lengths[:, None]] = 0  # pad
    mat = np.unique(mat, axis=0)  # sorted lexicographically, duplicates gone
    lengths = (mat > 0).sum(axis=1)
    rows = mat.shape[0]
    same = np.zeros_like(mat, dtype=bool)
    same[1:] = mat[1:] == mat[:-1]
    shared = np.cumprod(same, axis=1).astype(bool)  # position inside the common prefix
    new = (~shared) & (mat > 0)
    node = np.full(mat.shape, -1, np.int64)
    node[new] = np.arange(1, int(new.sum()) + 1)  # state 0 is the root
    # A shared position belongs to the same node as the row above: forward fill.
    row_idx = np.where(new | (mat == 0), np.arange(rows)[:, None], 0)
    row_idx = np.maximum.accumulate(row_idx, axis=0)
    node = node[row_idx, np.arange(max_len)[None, :]]
    parent = np.concatenate([np.zeros((rows, 1), np.int64), node[:, :-1]], axis=1)
    src, dst, lab = parent[new], node[new], mat[new]
    n = int(new.sum()) + 1
    final = np.full(n, sr.zero, dtype=sr.dtype)
    final[node[np.arange(rows), lengths - 1]] = sr.one
    return Fst.from_arrays(n, src, lab, lab, _weights(rng, src.shape[0], sr.dtype), dst,
                           final=final, start=0, semiring=sr)


@functools.lru_cache(maxsize=16)
def cached(kind: str, *args, **kwargs) -> tuple:
    """``(kleene_fst, pynini_fst)`` for ``random_fst``/``lattice``/
    ``string_trie`` with these arguments, built once per process."""
    make = {"random": random_fst, "lattice": lattice, "trie": string_trie}[kind]
    fst = make(*args, **kwargs)
    return fst, to_pynini_fast(fst)


def fresh(fst: Fst) -> Fst:
    """The same arrays with no cached properties, so every timed call starts
    from what a newly built machine knows (nothing)."""
    from kleene import Props
    return fst.replace(props=Props())


# -- OpenFst binary encoding ---------------------------------------------------

def _string(s: str) -> bytes:
    b = s.encode()
    return struct.pack("<i", len(b)) + b


def openfst_bytes(fst: Fst) -> bytes:
    """The OpenFst binary (``vector`` fst type) encoding of ``fst``, built with
    numpy: per state, the final weight, an int64 arc count, then the arcs as
    (ilabel int32, olabel int32, weight, nextstate int32). Symbol tables are
    not written."""
    sr = fst.semiring
    arc_type = _ARC_TYPE.get((sr.name, sr.bits))
    if arc_type is None:
        raise ValueError(f"no OpenFst arc type for {sr}")
    n, m = fst.num_states, fst.num_arcs
    header = (struct.pack("<i", FST_MAGIC) + _string("vector") + _string(arc_type)
              + struct.pack("<iiQqqq", VECTOR_FST_VERSION, 0, HEADER_PROPERTIES,
                            fst.start, n, m))
    ww = sr.bits // 32  # weight size in 4-byte words
    arc_words = 3 + ww
    state_words = ww + 2
    words = np.zeros(state_words * n + arc_words * m, np.int32)
    indptr = fst.indptr
    state_at = state_words * np.arange(n, dtype=np.int64) + arc_words * indptr[:-1]
    final_words = fst.final.view(np.int32).reshape(n, ww)
    for k in range(ww):
        words[state_at + k] = final_words[:, k]
    counts = np.diff(indptr)
    words[state_at + ww] = (counts & 0xFFFFFFFF).astype(np.uint32).view(np.int32)
    words[state_at + ww + 1] = (counts >> 32).astype(np.int32)
    arc_at = (state_words * fst.arc_source.astype(np.int64) + state_words
              + arc_words * np.arange(m, dtype=np.int64))
    words[arc_at] = fst.ilabel
    words[arc_at + 1] = fst.olabel
    wwords = fst.weight.view(np.int32).reshape(m, ww)
    for k in range(ww):
        words[arc_at + 2 + k] = wwords[:, k]
    words[arc_at + 2 + ww] = fst.nextstate
    return header + words.tobytes()


def to_pynini_fast(fst: Fst):
    """The identical ``pynini.Fst`` (same state numbering and arc order)."""
    import pynini
    return pynini.Fst.read_from_string(openfst_bytes(fst))


def nbytes(fst: Fst) -> int:
    """Bytes held by the machine's arrays."""
    return sum(a.nbytes for a in (fst.indptr, fst.ilabel, fst.olabel, fst.nextstate,
                                  fst.weight, fst.final))
