"""Random path generation (OpenFst ``RandGen``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError, FstOpError
from ..kernels import randgen as _k
from .shortest_distance import shortest_distance

#: Longest walk tried when ``max_length`` is not given (a safety bound: walks
#: longer than this are rejected and retried).
DEFAULT_MAX_WALK = 100_000
#: Rejected walks allowed per requested path (plus 10,000) before giving up.
MAX_ATTEMPTS_PER_PATH = 1000


def randgen(fst: Fst, *, npath: int = 1, seed: int = 0,
            select: Literal["uniform", "log_prob"] = "uniform",
            max_length: int | None = None, weighted: bool = False,
            remove_total_weight: bool = False, return_arc_map: bool = False):
    """Samples ``npath`` random successful paths and returns them as a tree.

    Each path is a random walk from the start state: at every state one
    option is drawn among the state's arcs and, if the state is final,
    stopping there. ``select="uniform"`` draws uniformly among the options;
    ``select="log_prob"`` proportionally to ``exp(-weight)`` (arc or final
    weight as a -log probability, for tropical and log machines; proportional
    to the weight itself for real and boolean ones), as OpenFst's selectors.
    Walks that enter a state from which no final state can be reached, or
    that would exceed ``max_length`` arcs, are rejected and redrawn (OpenFst
    drops them), so the result follows the walk distribution conditioned on
    success and always holds ``npath`` samples.

    The output merges the sampled arc sequences into a prefix tree rooted at
    state 0 (identical samples share one path): arcs copy the input labels;
    with ``weighted=False`` all weights are one; with ``weighted=True`` each
    path's weight encodes the fraction of samples that took it (-log of it in
    tropical/log, the fraction in real), and ``remove_total_weight`` then
    divides the total weight out (e.g. in tropical the most frequent path
    gets weight 0). The numbers are reproducible per ``seed`` (a numpy
    ``Generator`` seeds the kernel's splitmix64 stream); they differ from
    OpenFst's, which uses another generator.

    Preconditions: the machine has a successful path (raises
    :class:`FstOpError` otherwise, and when more than ``1000 npath + 10000``
    walks are rejected).

    Complexity: O(V + E) to find the useful states, then O(total sampled
    walk length × out-degree).

    With ``return_arc_map=True`` returns ``(fst, arc_map)``, ``arc_map[k]``
    being the input arc that output arc ``k`` copies the labels of.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"randgen expects a kleene.Fst, not {type(fst).__name__}")
    if select not in ("uniform", "log_prob"):
        raise FstArgError(f"select must be 'uniform' or 'log_prob', not {select!r}")
    npath = int(npath)
    if npath < 1:
        raise FstArgError(f"npath must be positive, got {npath}")
    if max_length is not None and int(max_length) < 0:
        raise FstArgError(f"max_length must be non-negative, got {max_length}")
    sr = fst.semiring
    if fst.start < 0:
        raise FstOpError("randgen: the machine has no start state, so no successful path "
                         "to sample")
    # states that can reach a final state (boolean reachability to the finals)
    from ..semirings import boolean
    reach = fst.replace(weight=np.ones(fst.num_arcs), semiring=boolean,
                        final=(fst.final != sr.zero).astype(np.float32), props=fst.props)
    useful = shortest_distance(reach, reverse=True) > 0
    if not useful[fst.start]:
        raise FstOpError("randgen: the machine has no successful path (no final state is "
                         "reachable from the start); nothing to sample")
    limit = DEFAULT_MAX_WALK if max_length is None else int(max_length)
    rng_seed = int(np.random.default_rng(seed).integers(0, 2**63 - 1))
    status, arcs, offsets = _k.sample_paths(
        fst.indptr, fst.nextstate, fst.weight, fst.final, fst.start, useful, sr.code,
        select == "log_prob", npath, limit, MAX_ATTEMPTS_PER_PATH * npath + 10_000, rng_seed)
    if status != _k.OK:
        raise FstOpError(
            f"randgen: only {offsets.shape[0] - 1} of {npath} walks succeeded in "
            f"{MAX_ATTEMPTS_PER_PATH * npath + 10_000} tries: walks end in states that "
            f"reach no final state, or exceed max_length={limit}, too often. Raise "
            f"max_length, connect the machine, or make successful paths more likely")
    nodes, src, dst, arc_of, through, stops = _k.build_tree(arcs, offsets)
    out, arc_map = _tree(fst, nodes, src, dst, arc_of, through, stops, weighted,
                         remove_total_weight)
    return (out, arc_map) if return_arc_map else out


def _fraction_weight(sr, num, den):
    frac = np.asarray(num, np.float64) / np.asarray(den, np.float64)
    if sr.name in ("tropical", "log"):
        with np.errstate(divide="ignore"):
            return (-np.log(frac)).astype(sr.dtype)
    if sr.name == "real":
        return frac.astype(sr.dtype)
    return np.where(frac > 0, 1.0, 0.0).astype(sr.dtype)


def _tree(fst, nodes, src, dst, arc_of, through, stops, weighted, remove_total_weight):
    sr = fst.semiring
    order = np.argsort(src, kind="stable")
    src, dst, arc_of = src[order], dst[order], arc_of[order]
    indptr = np.zeros(nodes + 1, INDPTR_DTYPE)
    np.cumsum(np.bincount(src, minlength=nodes), out=indptr[1:])
    if weighted:
        weight = _fraction_weight(sr, through[dst], through[src])
        final = np.where(stops > 0, _fraction_weight(sr, stops, through), sr.zero)
        final = final.astype(sr.dtype)
        if remove_total_weight:
            total = _total(sr, through, stops, dst, src, weight, final)
            lo, hi = int(indptr[0]), int(indptr[1])
            weight[lo:hi] = sr.divide(weight[lo:hi], total)
            if final[0] != sr.zero:
                final[0] = sr.divide(final[0], total)
    else:
        weight = np.full(src.shape[0], sr.one, sr.dtype)
        final = np.where(stops > 0, sr.one, sr.zero).astype(sr.dtype)
    props = (Props().set(Prop.ACYCLIC, True).set(Prop.TOP_SORTED, True)
             .set(Prop.ACCESSIBLE, True).set(Prop.COACCESSIBLE, True))
    out = Fst(indptr, fst.ilabel[arc_of].astype(LABEL_DTYPE),
              fst.olabel[arc_of].astype(LABEL_DTYPE), dst.astype(STATE_DTYPE),
              np.ascontiguousarray(weight), np.ascontiguousarray(final), 0, sr,
              fst.isymbols, fst.osymbols, props, check=False)
    return out, arc_of.astype(np.int64)


def _total(sr, through, stops, dst, src, weight, final):
    """⊕-sum of the tree's path weights."""
    tree = Fst(np.concatenate([[0], np.cumsum(np.bincount(src, minlength=final.shape[0]))]),
               np.zeros(src.shape[0]), np.zeros(src.shape[0]), dst, weight.copy(),
               final.copy(), 0, sr)
    return shortest_distance(tree, reverse=True)[0]
