"""Randomized equivalence test (OpenFst ``RandEquivalent``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import NO_STATE, Fst
from ..core.properties import Prop
from ..errors import FstArgError, FstOpError
from ..kernels import randequivalent as _k
from ..semirings import DEFAULT_DELTA
from .connect import connect
from .randgen import randgen
from .shortest_distance import distances

#: product states explored per sampled string pair before giving up
MAX_PRODUCT_STATES = 1_000_000


def _sampled_pairs(tree: Fst) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (input, output) label strings, epsilons dropped, of the successful
    paths of randgen's prefix tree."""
    out = []
    stack = [(tree.start, [], [])]
    while stack:
        s, ins, outs = stack.pop()
        if tree.is_final(s):
            out.append((np.asarray(ins, np.int64), np.asarray(outs, np.int64)))
        lo, hi = int(tree.indptr[s]), int(tree.indptr[s + 1])
        for a in range(lo, hi):
            i, o = int(tree.ilabel[a]), int(tree.olabel[a])
            stack.append((int(tree.nextstate[a]), ins + [i] if i else ins,
                          outs + [o] if o else outs))
    return out


def pair_weight(fst: Fst, x: np.ndarray, y: np.ndarray, *,
                max_states: int = MAX_PRODUCT_STATES):
    """The ⊕-sum of the weights of the paths of ``fst`` with input labels
    ``x`` and output labels ``y`` (epsilons skipped), as a float, or ``None``
    where OpenFst gives up: the restricted machine has a cycle and the
    semiring is not idempotent. Cycles are otherwise summed by
    shortest-distance (raises :class:`FstOpError` where that diverges)."""
    sr = fst.semiring
    if fst.start == NO_STATE:
        return float(sr.zero)
    src, dst, w, fin, n, status = _k.string_pair_product(
        fst.indptr, fst.ilabel, fst.olabel, fst.nextstate, fst.weight.astype(np.float64),
        fst.final.astype(np.float64), fst.start, x, y, sr.code, max_states)
    if status == _k.TOO_BIG:
        raise FstOpError(f"randequivalent: more than {max_states} states match one sampled "
                         "string pair (epsilon loops?); raise MAX_PRODUCT_STATES")
    zeros = np.zeros(src.shape[0], np.int64)
    prod = Fst.from_arrays(int(n), src, zeros, zeros, w, dst, final=fin, start=0,
                           semiring=sr.with_dtype(np.float64))
    if not sr.idempotent and not prod.has(Prop.ACYCLIC):
        return None
    return float(distances(prod, reverse=True, delta=1e-9 if sr.bits == 64 else 1e-6)[0])


def randequivalent(a: Fst, b: Fst, *, npath: int = 1, delta: float = DEFAULT_DELTA,
                   seed: int = 0, select: Literal["uniform", "log_prob"] = "uniform",
                   max_length: int | None = None) -> bool:
    """Whether ``a`` and ``b`` agree on ``npath`` random (input, output)
    string pairs: each pair is sampled from ``a`` or ``b`` (chosen by a fair
    coin per path, as OpenFst alternates at random) with :func:`~kleene.randgen`,
    and its total weight (the ⊕-sum over all paths with those strings) must
    be equal within ``delta`` in both machines.

    A sample whose restricted machine has a cycle in a non-idempotent
    semiring is skipped, as OpenFst skips it. A machine with no successful
    path contributes no samples. False answers are certain; true answers
    are probabilistic. Random numbers come from numpy's generator seeded
    with ``seed`` (they differ from OpenFst's).

    Preconditions: the same semiring; any machines (epsilons, cycles,
    nondeterminism allowed).

    Complexity: ``npath`` random walks plus, per sample, the product of the
    machine with the sampled strings, O(|x| |y| (V + E)) at worst.
    """
    for x in (a, b):
        if not isinstance(x, Fst):
            raise FstArgError(f"randequivalent expects kleene.Fst arguments, "
                              f"not {type(x).__name__}")
    if (a.semiring.name, a.semiring.dtype) != (b.semiring.name, b.semiring.dtype):
        raise FstArgError(f"randequivalent: the machines have different semirings "
                          f"({a.semiring} and {b.semiring})")
    if npath < 0:
        raise FstArgError(f"randequivalent: npath must be >= 0, got {npath}")
    rng = np.random.default_rng(seed)
    from_a = int(rng.binomial(npath, 0.5))
    samples = []
    for fst, count in ((a, from_a), (b, npath - from_a)):
        if count == 0:
            continue
        if connect(fst).num_states == 0:
            continue
        tree = randgen(fst, npath=count, seed=int(rng.integers(2**31)), select=select,
                       max_length=max_length)
        samples.extend(_sampled_pairs(tree))
    for x, y in samples:
        wa = pair_weight(a, x, y)
        wb = pair_weight(b, x, y)
        if wa is None or wb is None:
            continue
        if not (wa == wb or abs(wa - wb) <= delta):
            return False
    return True
