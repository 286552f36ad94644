"""Dense intersection: a batch of graphs × a batch of frame-level
log-probability matrices → a batch of lattices (k2's ``intersect_dense``).

Semantics. Sequence ``b`` has ``lengths[b]`` frames of scores
``log_probs[b, t, :]`` over ``V`` classes. A graph arc with input label
``k >= 1`` consumes exactly one frame: taken at frame ``t`` it scores
``graph_score + log_probs[b, t, k - 1]`` (kleene's label 0 is epsilon, so
dense column ``j`` is label ``j + 1``). An epsilon-input arc (label 0)
consumes no frame and scores its graph score alone; the graph's epsilon arcs
must not form a cycle. A lattice path consumes exactly ``lengths[b]`` frames,
starts in the graph's start state and ends in a final state, whose final
score it adds. The lattice states are the pairs ``(t, q)`` (frames consumed,
graph state) on such paths; every other pair is trimmed. The forward score of
lattice ``b`` is therefore the log-sum, over all paths of the graph with
``lengths[b]`` labelled arcs, of their total score.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from ..kernels.dense_intersect import dense_lattice
from .errors import TorchInputError
from .forward import _batch_index, backward_scores, forward_scores
from .forward import _owners as _host_owners
from .tensor_fst import TensorFst

Implementation = Literal["auto", "numba", "torch"]

_FN = "intersect_dense"


def _check(graphs, log_probs, lengths) -> tuple[int, int, int]:
    if not isinstance(graphs, TensorFst):
        raise TorchInputError(f"{_FN}: graphs must be a TensorFst, got {type(graphs).__name__}")
    if not isinstance(log_probs, torch.Tensor):
        raise TorchInputError(
            f"{_FN}: log_probs must be a torch.Tensor, got {type(log_probs).__name__}")
    if log_probs.dim() != 3:
        raise TorchInputError(
            f"{_FN}: log_probs must have shape (B, T, V), got {tuple(log_probs.shape)}")
    if not torch.is_floating_point(log_probs):
        raise TorchInputError(f"{_FN}: log_probs must be floating point, got {log_probs.dtype}")
    batch, frames, classes = log_probs.shape
    if not isinstance(lengths, torch.Tensor):
        raise TorchInputError(f"{_FN}: lengths must be a torch.Tensor, got {type(lengths).__name__}")
    if lengths.dtype not in (torch.int32, torch.int64):
        raise TorchInputError(f"{_FN}: lengths must be int32 or int64, got {lengths.dtype}")
    if lengths.shape != (batch,):
        raise TorchInputError(
            f"{_FN}: lengths must have shape ({batch},) like log_probs' batch, got "
            f"{tuple(lengths.shape)}")
    cpu_lengths = lengths.cpu()
    if batch and (int(cpu_lengths.min()) < 0 or int(cpu_lengths.max()) > frames):
        raise TorchInputError(
            f"{_FN}: lengths must lie in [0, {frames}] (log_probs' T), got {cpu_lengths.tolist()}")
    if graphs.batch_size not in (1, batch):
        raise TorchInputError(
            f"{_FN}: graphs has batch size {graphs.batch_size}; it must be 1 (shared by every "
            f"sequence) or log_probs' batch size {batch}")
    if graphs.device != log_probs.device:
        raise TorchInputError(
            f"{_FN}: graphs is on {graphs.device}, log_probs on {log_probs.device}")
    if graphs.num_arcs:
        low, high = int(graphs.ilabel.min()), int(graphs.ilabel.max())
        if low < 0:
            raise TorchInputError(f"{_FN}: graphs has a negative input label ({low})")
        if high > classes:
            raise TorchInputError(
                f"{_FN}: graphs uses input label {high} (dense column {high - 1}), but "
                f"log_probs has only V={classes} columns")
    return batch, frames, classes


def _owners(offsets: np.ndarray, device) -> torch.Tensor:
    """Which batch entry each item of a ragged ``offsets`` layout belongs to
    (built on the CPU, where the offsets live)."""
    return torch.from_numpy(_host_owners(offsets)).to(device)


def _epsilon_order(graphs: TensorFst) -> tuple[np.ndarray, np.ndarray, int]:
    """``(is_eps, rank, depth)``: which arcs have input label 0, a state
    order in which every epsilon arc goes to a higher rank (states sorted by
    their epsilon level, then id: the identity without epsilon arcs) and
    the number of arcs on the longest epsilon path. Kahn's peeling, one
    vectorized step per level; cached on ``graphs``. Raises
    :class:`TorchInputError` for an epsilon cycle."""
    key = ("labels", "intersect_dense", "epsilon_order")  # (see TensorFst._cache)
    cached = graphs._cache.get(key)
    if cached is not None:
        return cached
    is_eps = (graphs.ilabel == 0).cpu().numpy()
    num_states = graphs.num_states
    level = np.zeros(num_states, np.int64)
    depth = 0
    if is_eps.any():
        src = graphs.src.cpu().numpy()[is_eps]
        dst = graphs.dst.cpu().numpy()[is_eps]
        indeg = np.bincount(dst, minlength=num_states)
        frontier = np.flatnonzero(indeg == 0)
        done = frontier.shape[0]
        order = np.argsort(src, kind="stable")
        src, dst = src[order], dst[order]
        indptr = _csr_indptr(src, num_states)
        while frontier.size:
            starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            # the epsilon arcs leaving the frontier: its CSR ranges, concatenated
            arcs = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(
                counts.sum())
            heads = dst[arcs]
            np.subtract.at(indeg, heads, 1)
            nxt = np.unique(heads[indeg[heads] == 0])
            if nxt.size:
                depth += 1
                level[nxt] = depth
            done += nxt.shape[0]
            frontier = nxt
        if done != num_states:
            raise TorchInputError(
                f"{_FN}: graphs has a cycle of epsilon-input arcs, so some frame would have "
                "infinitely many paths; remove it (kleene.rmepsilon) first")
    rank = np.empty(num_states, np.int64)
    rank[np.lexsort((np.arange(num_states), level))] = np.arange(num_states)
    graphs._cache[key] = (is_eps, rank, depth)
    return is_eps, rank, depth


def _csr_indptr(src: np.ndarray, num_states: int) -> np.ndarray:
    counts = np.bincount(src, minlength=num_states) if src.size else np.zeros(num_states,
                                                                             np.int64)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _topology_numba(graphs: TensorFst, lengths: torch.Tensor, batch: int):
    src = graphs.src.cpu().numpy()
    indptr = _csr_indptr(src, graphs.num_states)
    final_ok = (graphs.final_scores.detach() > -torch.inf).cpu().numpy()
    graph_of = (np.zeros(batch, np.int64) if graphs.batch_size == 1
                else np.arange(batch, dtype=np.int64))
    contiguous = lambda t: np.ascontiguousarray(t.cpu().numpy(), dtype=np.int64)
    is_eps, rank, _ = _epsilon_order(graphs)
    out = dense_lattice(indptr, contiguous(graphs.dst), np.ascontiguousarray(is_eps), rank,
                        np.ascontiguousarray(final_ok), contiguous(graphs.start), graph_of,
                        contiguous(lengths))
    device = graphs.device
    as_t = lambda a: torch.from_numpy(a).to(device)
    (state_graph, state_frame, state_offsets, arc_src, arc_dst, arc_graph, arc_frame,
     arc_offsets, start) = out
    return (as_t(state_graph), as_t(state_frame), state_offsets, as_t(arc_src), as_t(arc_dst),
            as_t(arc_graph), as_t(arc_frame), arc_offsets, as_t(start))


def _topology_torch(graphs: TensorFst, lengths: torch.Tensor, batch: int, frames: int):
    """The same topology as the numba kernel, with device-agnostic tensor ops:
    per-frame reachability as (T+1, S) masks over one copy of each sequence's
    graph, one scatter per frame and direction (plus one per epsilon level).
    O(T·D·(S + E)) time and O(T·(S + E)) memory for the copies' S states and
    E arcs and epsilon paths of at most D arcs."""
    is_eps_np, rank_np, depth = _epsilon_order(graphs)
    device = graphs.device
    lengths = lengths.to(device=device, dtype=torch.int64)
    state_off, arc_off = graphs.state_offsets, graphs.arc_offsets
    # the copies' layout is small integer bookkeeping: done on the CPU
    graph_of_np = np.zeros(batch, np.int64) if graphs.batch_size == 1 else np.arange(batch)
    seq_soff_np = np.concatenate(
        [[0], np.cumsum(np.diff(graphs.state_offsets_np)[graph_of_np])]).astype(np.int64)
    seq_aoff_np = np.concatenate(
        [[0], np.cumsum(np.diff(graphs.arc_offsets_np)[graph_of_np])]).astype(np.int64)
    num_s, num_e = int(seq_soff_np[-1]), int(seq_aoff_np[-1])
    graph_of = torch.from_numpy(graph_of_np).to(device)
    seq_soff = torch.from_numpy(seq_soff_np).to(device)
    seq_aoff = torch.from_numpy(seq_aoff_np).to(device)
    st_b, arc_b = _owners(seq_soff_np, device), _owners(seq_aoff_np, device)
    # copy index -> index in graphs; arcs of a copy point at the copy's states
    st_graph = state_off[graph_of][st_b] + torch.arange(num_s, device=device) - seq_soff[st_b]
    e_graph = arc_off[graph_of][arc_b] + torch.arange(num_e, device=device) - seq_aoff[arc_b]
    shift = seq_soff[arc_b] - state_off[graph_of][arc_b]
    x_src, x_dst = graphs.src[e_graph] + shift, graphs.dst[e_graph] + shift
    g_start = graphs.start[graph_of]
    x_start = torch.where(g_start >= 0, g_start - state_off[graph_of] + seq_soff[:-1], -1)
    fin = (graphs.final_scores.detach() > -torch.inf)[st_graph]
    st_len = lengths[st_b]

    eps = torch.from_numpy(is_eps_np).to(device)[e_graph]
    lab_src, lab_dst = x_src[~eps], x_dst[~eps]
    eps_src, eps_dst = x_src[eps], x_dst[eps]
    zeros = torch.zeros(num_s, dtype=torch.uint8, device=device)

    def push(mask, src, dst):  # states reached from mask over the arcs src -> dst
        return zeros.scatter_reduce(0, dst, mask[src].to(torch.uint8), "amax").bool()

    def eps_forward(mask):  # close a frame's states under epsilon arcs
        for _ in range(depth):
            mask = mask | push(mask, eps_src, eps_dst)
        return mask

    def eps_backward(mask):  # states reaching mask within a frame
        for _ in range(depth):
            mask = mask | push(mask, eps_dst, eps_src)
        return mask

    fwd = torch.zeros(frames + 1, num_s, dtype=torch.bool, device=device)
    has = x_start >= 0
    fwd[0, x_start[has]] = True
    fwd[0] = eps_forward(fwd[0])
    for t in range(frames):
        fwd[t + 1] = eps_forward(push(fwd[t], lab_src, lab_dst))
    bwd = torch.zeros_like(fwd)
    bwd[frames] = eps_backward(fin & (st_len == frames))
    for t in range(frames - 1, -1, -1):
        reach = push(bwd[t + 1], lab_dst, lab_src)
        bwd[t] = eps_backward(torch.where(st_len == t, fin, reach & (t < st_len)))
    # a labelled arc at frame t: source alive at t, destination alive at t+1
    # (bwd is false past a sequence's length, so no arc runs past it); an
    # epsilon arc: both ends alive at t
    state_ok = fwd & bwd
    arc_ok = state_ok[:, x_src] & torch.where(eps, bwd[:, x_dst],
                                              torch.cat([bwd[1:], bwd[:1] & False])[:, x_dst])

    # number states by (b, t, rank) and arcs by (source state, arc)
    rank = torch.from_numpy(rank_np).to(device)[st_graph]
    t_s, s_x = torch.nonzero(state_ok, as_tuple=True)
    order = torch.argsort((st_b[s_x] * (frames + 1) + t_s) * max(graphs.num_states, 1)
                          + rank[s_x])
    t_s, s_x = t_s[order], s_x[order]
    ids = torch.full((frames + 1, num_s), -1, dtype=torch.int64, device=device)
    ids[t_s, s_x] = torch.arange(t_s.shape[0], device=device)
    t_a, e_x = torch.nonzero(arc_ok, as_tuple=True)
    arc_src = ids[t_a, x_src[e_x]]
    order = torch.argsort(arc_src * max(num_e, 1) + e_x)
    t_a, e_x, arc_src = t_a[order], e_x[order], arc_src[order]
    arc_dst = ids[t_a + (~eps[e_x]).long(), x_dst[e_x]]
    state_counts = torch.bincount(st_b[s_x], minlength=batch)
    arc_counts = torch.bincount(arc_b[e_x], minlength=batch)
    state_offsets = np.concatenate([[0], np.cumsum(state_counts.cpu().numpy())]).astype(np.int64)
    arc_offsets = np.concatenate([[0], np.cumsum(arc_counts.cpu().numpy())]).astype(np.int64)
    start = torch.where(state_counts > 0, torch.from_numpy(state_offsets[:-1]).to(device), -1)
    return (st_graph[s_x], t_s, state_offsets, arc_src, arc_dst, e_graph[e_x], t_a,
            arc_offsets, start)


def _prune(lattice: TensorFst, beam: float, implementation: str) -> TensorFst:
    """Keeps the arcs (and states) on some path whose score is within
    ``beam`` of its lattice's best path (Viterbi forward + backward scores,
    detached). Every arc on such a path passes the same test, so what is
    kept is again trimmed; numbering order, hence sortedness, is kept."""
    if lattice.num_states == 0:
        return lattice
    alpha = forward_scores(lattice, semiring="tropical", implementation=implementation)
    beta = backward_scores(lattice, semiring="tropical", implementation=implementation)
    alpha, beta = alpha.double(), beta.double()
    device = lattice.device
    arc_b, state_b = _batch_index(lattice)
    best = torch.full((lattice.batch_size,), -torch.inf, dtype=torch.float64, device=device)
    has = lattice.start >= 0
    best[has] = beta[lattice.start[has]]
    # a little slack so that rounding never drops the best path itself
    limit = best - beam - 1e-9 * (1.0 + best.abs())
    keep_state = (alpha + beta) >= limit[state_b]
    through = alpha[lattice.src] + lattice.scores.detach().double() + beta[lattice.dst]
    keep_arc = (through >= limit[arc_b]) & keep_state[lattice.src] & keep_state[lattice.dst]
    new_id = torch.cumsum(keep_state.long(), 0) - 1
    states = torch.nonzero(keep_state).flatten()
    arcs = torch.nonzero(keep_arc).flatten()
    batch = lattice.batch_size
    state_counts = torch.bincount(state_b[states], minlength=batch).cpu().numpy()
    arc_counts = torch.bincount(arc_b[arcs], minlength=batch).cpu().numpy()
    state_offsets = np.concatenate([[0], np.cumsum(state_counts)]).astype(np.int64)
    arc_offsets = np.concatenate([[0], np.cumsum(arc_counts)]).astype(np.int64)
    start = torch.where(has & keep_state[lattice.start.clamp(min=0)],
                        new_id[lattice.start.clamp(min=0)], -1)
    return TensorFst(new_id[lattice.src[arcs]], new_id[lattice.dst[arcs]], lattice.ilabel[arcs],
                     lattice.olabel[arcs], lattice.scores[arcs], lattice.final_scores[states],
                     start, state_offsets, arc_offsets,
                     {key: value[arcs] for key, value in lattice.attrs.items()}, check=False)


def intersect_dense(graphs: TensorFst, log_probs: torch.Tensor, lengths: torch.Tensor, *,
                    output_beam: float | None = None,
                    implementation: Implementation = "auto") -> TensorFst:
    """Intersects graphs with dense log-probability sequences into lattices.

    Arguments:

    * ``graphs``: a :class:`TensorFst` of batch 1 (shared by every sequence)
      or ``B``; input labels in ``[0, V]``, 0 (epsilon) reading no frame.
      Graphs may be cyclic, but their epsilon arcs must not form a cycle.
    * ``log_probs``: ``(B, T, V)`` float tensor; column ``j`` scores label
      ``j + 1``. Usually log-softmax outputs, but any scores work.
    * ``lengths``: ``(B,)`` int tensor, ``0 <= lengths[b] <= T``.
    * ``output_beam``: if given (``>= 0``), keep only the arcs on some path
      whose score is within ``output_beam`` of the lattice's best path
      (k2's ``output_beam``; Viterbi scores, detached); ``None`` keeps all.
    * ``implementation``: ``"numba"`` computes the lattice topology with a
      CPU kernel (sparse frontiers), ``"torch"`` with device-agnostic tensor
      ops (dense ``(T+1) × states`` masks), ``"auto"`` picks numba for CPU
      tensors and torch otherwise. Both give the same lattice.

    Returns a :class:`TensorFst` batch of ``B`` acyclic lattices (see the
    module notes for the semantics). Lattice states are numbered by
    ``(frame, graph state)`` (within a frame, in an order where epsilon arcs
    go up: graph state order for an epsilon-free graph), which is a
    topological order; arcs are sorted by (source state, graph arc). A
    labelled arc goes from frame ``t`` to ``t + 1``, an epsilon arc stays in
    its frame. A lattice arc keeps its graph arc's ``ilabel``/``olabel``; its
    score is ``graphs.scores[a] + log_probs[b, t, ilabel - 1]`` (no dense
    term for epsilon) and the final score of ``(lengths[b], q)`` is
    ``graphs.final_scores[q]``, all built by indexing, so gradients flow back
    to ``graphs`` and ``log_probs``. ``attrs`` gains ``frame`` (``t``, the
    frames read before the arc) and ``graph_arc`` (the arc's index in
    ``graphs``' arc arrays) and carries ``graphs.attrs`` along. A sequence
    with no complete path gets an empty lattice (no states, ``start = -1``).

    Complexity: time O(sum over b of the graph arcs leaving the
    forward-reachable (t, q) pairs) and memory O(S + lattice) with numba;
    time O(T · D · B · (S + E)) and memory O(T · B · (S + E)) with torch
    (dense masks, T·(D + 1) Python steps each way), for graphs of ``S``
    states, ``E`` arcs and epsilon paths of at most ``D`` arcs. This is an
    exact intersection: for large decoding graphs prune the result with
    ``output_beam`` (the full lattice is still built first).

    Host synchronizations (device tensors): the checks read ``lengths`` and
    the label range, the lattice's offsets are counted on the host, and the
    torch implementation takes a few ``nonzero`` calls; none per frame.
    """
    batch, frames, _ = _check(graphs, log_probs, lengths)
    if output_beam is not None and (isinstance(output_beam, bool) or not isinstance(
            output_beam, (int, float)) or not output_beam >= 0):
        raise TorchInputError(
            f"{_FN}: output_beam must be None or a number >= 0, got {output_beam!r}")
    if implementation not in ("auto", "numba", "torch"):
        raise TorchInputError(
            f"{_FN}: implementation must be 'auto', 'numba' or 'torch', got {implementation!r}")
    use_numba = implementation == "numba" or (implementation == "auto"
                                              and log_probs.device.type == "cpu")
    if use_numba:
        topo = _topology_numba(graphs, lengths, batch)
    else:
        topo = _topology_torch(graphs, lengths, batch, frames)
    (state_graph, state_frame, state_offsets, arc_src, arc_dst, arc_graph, arc_frame,
     arc_offsets, start) = topo
    device, dtype = log_probs.device, log_probs.dtype
    arc_b = _owners(arc_offsets, device)
    state_b = _owners(state_offsets, device)
    ilabel = graphs.ilabel[arc_graph]
    zero = torch.zeros((), dtype=dtype, device=device)
    if log_probs.numel():
        # (epsilon arcs read no frame: any valid index, masked below; indexing
        # the three dimensions reads a non-contiguous log_probs in place)
        frame = arc_frame.clamp(max=frames - 1)
        dense = log_probs[arc_b, frame, (ilabel - 1).clamp(min=0)]
        if _epsilon_order(graphs)[2]:  # (cached)
            dense = torch.where(ilabel > 0, dense, zero)
    else:  # no frames at all: only epsilon arcs (the empty sum is 0 and keeps the
        dense = log_probs.sum().expand(ilabel.shape)  # result linked to log_probs' graph)
    scores = graphs.scores.to(dtype)[arc_graph] + dense
    at_end = state_frame == lengths.to(device=device, dtype=torch.int64)[state_b]
    final_scores = torch.where(at_end, graphs.final_scores.to(dtype)[state_graph],
                               torch.full((), -torch.inf, dtype=dtype, device=device))
    attrs = {key: value[arc_graph] for key, value in graphs.attrs.items()}
    attrs["frame"] = arc_frame
    attrs["graph_arc"] = arc_graph
    lattice = TensorFst(arc_src, arc_dst, ilabel, graphs.olabel[arc_graph], scores,
                        final_scores, start, state_offsets, arc_offsets, attrs, check=False)
    if output_beam is not None:
        lattice = _prune(lattice, float(output_beam), "numba" if use_numba else "torch")
    return lattice
