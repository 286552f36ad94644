"""Viterbi (best-path) decoding of a batch of acyclic machines.

:func:`viterbi` returns each machine's best path score (differentiable: it
is the sum of the path's arc scores and final score, so its gradient is the
indicator of the path, as for ``forward_score(semiring="tropical")``) and
the path's arcs in order; :func:`best_path` returns the paths themselves as
a :class:`TensorFst` of linear machines whose scores and attributes are
gathered from the input (autograd flows back to ``fsts.scores``).

Ties are broken as in :mod:`kleene.torch.forward`: the lowest-numbered arc
among those reaching a state's best score, the lowest-numbered final state
among those reaching the machine's best total.
"""

from __future__ import annotations

import numpy as np
import torch

from .forward import Implementation, _batch_index, _check, _Pass, _topology
from .tensor_fst import TensorFst


def _paths(fsts: TensorFst, implementation: str, what: str):
    """``(arcs, best_final)``: the best path's global arc indices sorted by
    machine then path order (numpy), and each machine's best final state
    (-1 without a successful path)."""
    _, implementation = _check(what, fsts, "tropical", implementation)
    run = _Pass(fsts, fsts.scores, fsts.final_scores, True, implementation)
    arc_on, _ = run.posteriors()
    best_final = run.best_final
    if isinstance(best_final, torch.Tensor):
        best_final = best_final.cpu().numpy()
    arcs = np.flatnonzero(arc_on.cpu().numpy() > 0.5)
    topo = _topology(fsts)
    # along one path the source levels rise strictly; machines own
    # contiguous arc ranges, so sorting by (machine, level) orders each path
    owner = np.searchsorted(fsts.arc_offsets_np, arcs, side="right") - 1
    arcs = arcs[np.lexsort((topo["level"][topo["src"][arcs]], owner))]
    return arcs, owner, np.asarray(best_final, dtype=np.int64)


def viterbi(fsts: TensorFst, *, implementation: Implementation = "auto"
            ) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Each machine's best (highest-scoring) successful path.

    Returns ``(best_scores, arcs)``: ``best_scores`` ``(B,)`` is the path's
    score (arc scores plus final score; ``-inf`` without a successful path),
    differentiable in ``fsts.scores`` and ``fsts.final_scores`` and equal to
    ``forward_score(fsts, semiring="tropical")`` up to rounding; ``arcs`` is
    a list of ``B`` int64 tensors (on ``fsts.device``) holding the path's
    arc indices in path order, as *global* indices into the batch's arc
    arrays (so ``fsts.ilabel[arcs[b]]`` is machine ``b``'s best input
    string, with ε labels); empty for a machine without a successful path.

    Preconditions: acyclic machines (:class:`TorchInputError` otherwise).

    Complexity: O(V + E) (one tropical forward pass and a walk back), plus
    O(P log P) to order the P path arcs. The path arcs are collected on the
    host (one device-to-host copy of an ``(E,)`` mask per call).
    """
    arcs, owner, best_final = _paths(fsts, implementation, "viterbi")
    dev = fsts.device
    idx = torch.as_tensor(arcs, device=dev)
    arc_batch, _ = _batch_index(fsts)
    scores = fsts.scores
    batch = fsts.batch_size
    path_sum = torch.zeros(batch, dtype=scores.dtype, device=dev).index_add(
        0, arc_batch[idx], scores[idx])
    has = torch.as_tensor(best_final >= 0, device=dev)
    fin = fsts.final_scores[torch.as_tensor(np.maximum(best_final, 0), device=dev)] \
        if fsts.num_states else torch.zeros(batch, dtype=scores.dtype, device=dev)
    best = torch.where(has, path_sum + fin.to(scores.dtype),
                       torch.full((), float("-inf"), dtype=scores.dtype, device=dev))
    counts = np.bincount(owner, minlength=batch).tolist()
    return best, list(torch.split(idx, counts))


def best_path(fsts: TensorFst, *, implementation: Implementation = "auto") -> TensorFst:
    """The best path of each machine as a linear machine (states ``0..k``,
    start 0, final state ``k``), batched like ``fsts``: labels, scores,
    final score and per-arc ``attrs`` are gathered from the input arcs
    (scores keep their autograd history). A machine without a successful
    path becomes the empty machine (no states, start -1).

    Same preconditions, tie-breaking and complexity as :func:`viterbi`."""
    arcs, owner, best_final = _paths(fsts, implementation, "best_path")
    dev = fsts.device
    batch = fsts.batch_size
    num_arcs = np.bincount(owner, minlength=batch)
    num_states = np.where(best_final >= 0, num_arcs + 1, 0)
    state_offsets = np.concatenate([[0], np.cumsum(num_states)])
    arc_offsets = np.concatenate([[0], np.cumsum(num_arcs)])
    # arc j of machine b goes from state offset_b + j to offset_b + j + 1
    local = np.arange(arcs.shape[0]) - arc_offsets[owner]
    src = state_offsets[owner] + local
    idx = torch.as_tensor(arcs, device=dev)
    finals = np.flatnonzero(best_final >= 0)
    final_scores = torch.full((int(state_offsets[-1]),), float("-inf"),
                              dtype=fsts.final_scores.dtype, device=dev)
    last = torch.as_tensor(state_offsets[finals + 1] - 1, device=dev)
    final_scores = final_scores.index_put(
        (last,), fsts.final_scores[torch.as_tensor(best_final[finals], device=dev)])
    start = np.where(best_final >= 0, state_offsets[:-1], -1)
    return TensorFst(src, src + 1, fsts.ilabel[idx], fsts.olabel[idx], fsts.scores[idx],
                     final_scores, start, state_offsets, arc_offsets,
                     {k: v[idx] for k, v in fsts.attrs.items()}, check=False)
