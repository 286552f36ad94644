"""CTC through graphs: the CTC topology, per-utterance CTC alignment graphs
and a CTC loss computed as the forward score of a dense intersection.

Label convention (kleene's label 0 is epsilon, so nothing can be numbered 0):

* input labels: dense column ``j`` of the ``(…, V)`` log-probabilities is
  input label ``j + 1``; the blank column ``blank`` is label ``blank + 1``
  (label 1 for the usual ``blank=0``);
* output labels: a token ``c`` (a dense column other than ``blank``) is
  output label ``c + 1`` on the arc that *starts* it; blank frames and the
  frames that repeat the current token output epsilon (0).

So a target sequence ``[c1, c2, …]`` reads as the output string
``[c1 + 1, c2 + 1, …]``, and ``compose(ctc_topology(V), acceptor of
[c1 + 1, c2 + 1, …])`` is a CTC graph for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch

from ..core.fst import Fst
from .errors import TorchInputError
from .forward import forward_score
from .intersect_dense import Implementation, intersect_dense
from .tensor_fst import TensorFst

Reduction = Literal["none", "mean", "sum"]


# ------------------------------------------------------------------ topology
def ctc_topology(vocab_size: int, *, modified: bool = False, blank: int = 0) -> Fst:
    """k2's CTC topology over ``vocab_size`` dense columns as a kleene
    machine (log semiring, all weights 0), in the label convention of the
    module notes.

    * ``modified=False`` (standard): one state per column, state ``j``
      meaning "the last frame was column ``j``", start = the blank state;
      from every state an arc to every state ``j`` reading ``j + 1``, which
      outputs ``j + 1`` unless ``j`` is blank or repeats the source state's
      token. All states are final. ``V`` states, ``V²`` arcs. Two equal
      consecutive tokens need a blank between them.
    * ``modified=True``: the blank state is a hub with a self-loop for every
      column (a one-frame token, or a blank); ``hub → c`` starts a run of
      ``c`` of two or more frames, which continues on ``c``'s self-loop and
      returns to the hub on its last frame (both outputting epsilon). Only
      the hub is final. ``V`` states, ``4V - 3`` arcs, and no blank is needed
      between equal tokens.

    O(V²) (standard) or O(V) (modified) time and memory.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise TorchInputError(f"ctc_topology: vocab_size must be a positive int, got {vocab_size!r}")
    blank = _blank_id("ctc_topology", blank, vocab_size)
    cols = np.arange(vocab_size, dtype=np.int64)
    if not modified:
        src = np.repeat(cols, vocab_size)
        dst = np.tile(cols, vocab_size)
        ilabel = dst + 1
        olabel = np.where((dst == blank) | (dst == src), 0, dst + 1)
        final = np.zeros(vocab_size)
    else:
        tokens = cols[cols != blank]
        hub = np.full(tokens.shape[0], blank, np.int64)
        src = np.concatenate([np.full(vocab_size, blank, np.int64), hub, tokens, tokens])
        dst = np.concatenate([np.full(vocab_size, blank, np.int64), tokens, tokens, hub])
        ilabel = np.concatenate([cols, tokens, tokens, tokens]) + 1
        olabel = np.concatenate([np.where(cols == blank, 0, cols + 1), tokens + 1,
                                 np.zeros(2 * tokens.shape[0], np.int64)])
        final = np.full(vocab_size, np.inf)
        final[blank] = 0.0
    return Fst.from_arrays(vocab_size, src=src, ilabel=ilabel, olabel=olabel,
                           weight=np.zeros(src.shape[0]), nextstate=dst, final=final,
                           start=blank, semiring="log")


def _blank_id(fn: str, blank, classes: int | None) -> int:
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)):
        raise TorchInputError(f"{fn}: blank must be an int, got {type(blank).__name__}")
    blank = int(blank)
    if classes is None:
        if blank < 0:
            raise TorchInputError(f"{fn}: blank must be >= 0, got {blank}")
        return blank
    if not -classes <= blank < classes:
        raise TorchInputError(f"{fn}: blank={blank} is outside the vocabulary of {classes} classes")
    return blank % classes


# --------------------------------------------------------------- ctc graphs
def _flat_targets(fn: str, targets, lengths) -> tuple[np.ndarray, np.ndarray]:
    """Normalizes the accepted target forms to (concatenated labels, lengths)."""
    if isinstance(targets, torch.Tensor):
        if targets.dtype not in (torch.int32, torch.int64):
            raise TorchInputError(f"{fn}: targets must be int32 or int64, got {targets.dtype}")
        tg = targets.detach().cpu().numpy().astype(np.int64)
        if lengths is None:
            if tg.ndim == 1:
                return tg, np.array([tg.shape[0]], np.int64)
            if tg.ndim == 2:
                return tg.reshape(-1), np.full(tg.shape[0], tg.shape[1], np.int64)
            raise TorchInputError(f"{fn}: targets must have 1 or 2 dimensions, got shape "
                                  f"{tuple(tg.shape)}")
        lens = _int_vector(fn, "target_lengths", lengths)
        if tg.ndim == 2:
            if tg.shape[0] != lens.shape[0]:
                raise TorchInputError(f"{fn}: targets has {tg.shape[0]} rows but target_lengths "
                                      f"has {lens.shape[0]} entries")
            if lens.size and (lens.min() < 0 or lens.max() > tg.shape[1]):
                raise TorchInputError(f"{fn}: target_lengths must lie in [0, {tg.shape[1]}] "
                                      f"(targets' columns), got {lens.tolist()}")
            return tg[np.arange(tg.shape[1]) < lens[:, None]], lens
        if tg.ndim == 1:
            if lens.size and lens.min() < 0:
                raise TorchInputError(f"{fn}: target_lengths must be >= 0, got {lens.tolist()}")
            if int(lens.sum()) != tg.shape[0]:
                raise TorchInputError(f"{fn}: 1-D (concatenated) targets has {tg.shape[0]} labels "
                                      f"but target_lengths sum to {int(lens.sum())}")
            return tg, lens
        raise TorchInputError(f"{fn}: targets must have 1 or 2 dimensions, got shape "
                              f"{tuple(tg.shape)}")
    if isinstance(targets, Sequence) and not isinstance(targets, (str, bytes)):
        rows = []
        for row in targets:
            arr = np.asarray(row)
            if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
                raise TorchInputError(f"{fn}: targets must be a list of lists of ints")
            rows.append(arr.astype(np.int64))
        lens = np.array([r.shape[0] for r in rows], np.int64)
        flat = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        return flat, lens
    raise TorchInputError(f"{fn}: targets must be a tensor or a list of lists of ints, got "
                          f"{type(targets).__name__}")


def _int_vector(fn: str, name: str, value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        if value.dtype not in (torch.int32, torch.int64):
            raise TorchInputError(f"{fn}: {name} must be int32 or int64, got {value.dtype}")
        arr = value.detach().cpu().numpy()
    else:
        arr = np.asarray(value)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TorchInputError(f"{fn}: {name} must hold ints")
    if arr.ndim != 1:
        raise TorchInputError(f"{fn}: {name} must be 1-D, got shape {tuple(arr.shape)}")
    return arr.astype(np.int64)


def _linear_ctc_graphs(labels: np.ndarray, lens: np.ndarray, blank: int, modified: bool,
                       dtype, device) -> TensorFst:
    """The CTC alignment graphs of a batch, vectorized over all states.

    Sequence ``b`` with ``U`` labels gets states ``0..2U``: even state
    ``2i`` = "i labels done, last frame blank (or none)", odd ``2i+1`` =
    "inside label i+1". Arcs: blank self-loops on even states; even → odd
    reads label i+1 (outputs it); odd self-loop repeats it (epsilon out);
    odd → next even reads blank; odd → next odd reads label i+2 when it
    differs from label i+1 (always, if ``modified``). Final: ``2U`` and
    ``2U - 1``."""
    batch = lens.shape[0]
    num_states = 2 * lens + 1
    state_off = np.concatenate([[0], np.cumsum(num_states)]).astype(np.int64)
    label_off = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    total = int(state_off[-1])
    owner = np.repeat(np.arange(batch), num_states)
    k = np.arange(total, dtype=np.int64) - state_off[owner]
    i, odd = k // 2, (k % 2) == 1
    u = lens[owner]
    padded = np.concatenate([labels, [-1]])
    n = labels.shape[0]
    has_cur, has_next = i < u, i + 1 < u
    cur = np.where(has_cur, padded[np.minimum(label_off[owner] + i, n)], -1)
    nxt = np.where(has_next, padded[np.minimum(label_off[owner] + i + 1, n)], -1)
    states = np.arange(total, dtype=np.int64)
    bl = blank + 1
    # three arc slots per state, flattened in state order (CSR order)
    il = np.stack([np.where(odd, cur + 1, bl), np.where(odd, bl, cur + 1), nxt + 1], 1)
    ol = np.stack([np.zeros(total, np.int64), np.where(odd, 0, cur + 1), nxt + 1], 1)
    dst = np.stack([states, states + 1, states + 2], 1)
    ok = np.stack([np.ones(total, bool), odd | has_cur,
                   odd & has_next & (modified | (nxt != cur))], 1)
    src = np.repeat(states, 3).reshape(total, 3)
    keep = ok.reshape(-1)
    src, dst = src.reshape(-1)[keep], dst.reshape(-1)[keep]
    il, ol = il.reshape(-1)[keep], ol.reshape(-1)[keep]
    arc_counts = np.bincount(owner[src], minlength=batch) if src.size else np.zeros(batch, int)
    arc_off = np.concatenate([[0], np.cumsum(arc_counts)]).astype(np.int64)
    is_final = (k == 2 * u) | ((k == 2 * u - 1) & (u > 0))
    final = torch.as_tensor(np.where(is_final, 0.0, -np.inf), dtype=dtype, device=device)
    scores = torch.zeros(src.shape[0], dtype=dtype, device=device)
    return TensorFst(src, dst, il, ol, scores, final, state_off[:-1], state_off, arc_off,
                     check=False)


def ctc_graph(targets, *, lengths=None, blank: int = 0, modified: bool = False,
              device=None, dtype: torch.dtype = torch.float32) -> TensorFst:
    """A batch of linear CTC alignment graphs, one per target sequence.

    ``targets`` is a list of lists of token ids (dense columns), a 1-D
    tensor (one sequence), a ``(B, S)`` tensor (all ``S`` columns used
    unless ``lengths`` gives each row's length) or, with ``lengths``, a 1-D
    tensor of the concatenated sequences (``F.ctc_loss``'s two forms). No
    token may equal ``blank``.

    The graph of ``U`` tokens has ``2U + 1`` states and at most ``5U + 1``
    arcs: blank is optional before, between and after tokens, each token
    spans one or more frames, and a blank is mandatory between two equal
    consecutive tokens unless ``modified=True`` (k2's modified CTC, which
    equals ``compose(ctc_topology(V, modified=True), targets)``). Labels
    follow the module notes (input = column + 1, output = token + 1 on a
    token's first frame, else 0); scores are 0 in ``dtype`` on ``device``.
    Equivalent to ``compose(ctc_topology(V, modified=modified), acceptor)``
    (same paths, so the same :func:`intersect_dense` forward scores).
    O(total tokens).
    """
    blank = _blank_id("ctc_graph", blank, None)
    labels, lens = _flat_targets("ctc_graph", targets, lengths)
    if labels.size and labels.min() < 0:
        raise TorchInputError(f"ctc_graph: targets must be >= 0, got {int(labels.min())}")
    if labels.size and np.any(labels == blank):
        raise TorchInputError(f"ctc_graph: targets contain the blank id {blank}")
    if lens.size == 0:
        raise TorchInputError("ctc_graph: targets needs at least one sequence")
    return _linear_ctc_graphs(labels, lens, blank, bool(modified), dtype, device)


# ---------------------------------------------------------------------- loss
def ctc_loss(log_probs: torch.Tensor, targets, input_lengths, target_lengths,
             blank: int = 0, reduction: Reduction = "mean", zero_infinity: bool = False, *,
             graphs: TensorFst | None = None, modified: bool = False,
             implementation: Implementation = "auto") -> torch.Tensor:
    """The CTC loss computed through graphs; a drop-in for
    :func:`torch.nn.functional.ctc_loss` (same arguments, order, layouts
    and reductions).

    ``loss[b] = -forward_score(intersect_dense(G, log_probs[:, b], ...))[b]``
    where ``G`` is ``ctc_graph(targets)`` by default, or the user's
    ``graphs`` (a :class:`TensorFst` of batch 1 or ``B`` whose input labels
    are dense columns + 1, or 0 for epsilon arcs that read no frame, e.g.
    ``compose(ctc_topology(V), lexicon_graph)`` converted with
    ``TensorFst.from_fsts``; then ``targets`` may be ``None`` and
    ``target_lengths`` is only used by ``reduction="mean"``).

    * ``log_probs``: ``(T, B, V)`` (or ``(T, V)`` for one sequence), usually
      log-softmax outputs; float32 or float64.
    * ``targets``: ``(B, S)`` padded or 1-D concatenated token ids, as in
      PyTorch; ``input_lengths``/``target_lengths``: ``(B,)`` ints (tensors
      or sequences).
    * ``reduction``: ``"none"`` (``(B,)``), ``"sum"``, or ``"mean"``
      (each loss divided by its target length, clamped to 1, then averaged;
      without ``target_lengths`` just averaged).
    * ``zero_infinity``: impossible alignments (``inf`` loss) give 0 and no
      gradient.
    * ``modified``: use k2's modified CTC graphs (no blank needed between
      equal tokens); ignored with ``graphs``.

    Gradients are exact derivatives with respect to ``log_probs``
    (``-posterior`` of each frame/label). PyTorch's own ``ctc_loss``
    instead returns ``exp(log_probs) - posterior``, the value that is
    correct after a ``log_softmax``; through ``log_softmax`` both give the
    same gradient with respect to the logits.

    Complexity: O(Σ_b T_b · U_b) time and memory for the default graphs
    (the lattice holds at most ``5U + 1`` arcs per frame).
    """
    fn = "ctc_loss"
    if not isinstance(log_probs, torch.Tensor):
        raise TorchInputError(f"{fn}: log_probs must be a torch.Tensor, got "
                              f"{type(log_probs).__name__}")
    if not torch.is_floating_point(log_probs):
        raise TorchInputError(f"{fn}: log_probs must be float32 or float64, got {log_probs.dtype}")
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
    if log_probs.dim() != 3:
        raise TorchInputError(f"{fn}: log_probs must have shape (T, B, V) or (T, V), got "
                              f"{tuple(log_probs.shape)}")
    frames, batch, classes = log_probs.shape
    if reduction not in ("none", "mean", "sum"):
        raise TorchInputError(f"{fn}: reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    blank = _blank_id(fn, blank, classes)
    device, dtype = log_probs.device, log_probs.dtype
    if unbatched and isinstance(targets, torch.Tensor) and targets.dim() == 1 \
            and graphs is None and _is_scalar_like(target_lengths):
        targets = targets.unsqueeze(0)
    in_lens = _int_vector(fn, "input_lengths", _as_batch(input_lengths, unbatched))
    if in_lens.shape != (batch,):
        raise TorchInputError(f"{fn}: input_lengths must have {batch} entries (log_probs' B), "
                              f"got {in_lens.shape[0]}")
    if batch and (in_lens.min() < 0 or in_lens.max() > frames):
        raise TorchInputError(f"{fn}: input_lengths must lie in [0, {frames}] (log_probs' T), "
                              f"got {in_lens.tolist()}")
    tgt_lens = None
    if target_lengths is not None:
        tgt_lens = _int_vector(fn, "target_lengths", _as_batch(target_lengths, unbatched))
        if tgt_lens.shape != (batch,):
            raise TorchInputError(f"{fn}: target_lengths must have {batch} entries "
                                  f"(log_probs' B), got {tgt_lens.shape[0]}")
    if graphs is None:
        if tgt_lens is None or targets is None:
            raise TorchInputError(f"{fn}: targets and target_lengths are required without graphs")
        if not isinstance(targets, torch.Tensor):
            raise TorchInputError(f"{fn}: targets must be a torch.Tensor, got "
                                  f"{type(targets).__name__}")
        labels, lens = _flat_targets(fn, targets, tgt_lens)
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise TorchInputError(f"{fn}: targets must lie in [0, {classes}) (log_probs' V), got "
                                  f"values in [{int(labels.min())}, {int(labels.max())}]")
        if labels.size and np.any(labels == blank):
            raise TorchInputError(f"{fn}: targets contain the blank id {blank}")
        graphs = _linear_ctc_graphs(labels, lens, blank, bool(modified), dtype, device)
    elif not isinstance(graphs, TensorFst):
        raise TorchInputError(f"{fn}: graphs must be a TensorFst, got {type(graphs).__name__}")
    lattice = intersect_dense(graphs, log_probs.transpose(0, 1),
                              torch.as_tensor(in_lens, device=device),
                              implementation=implementation)
    loss = -forward_score(lattice, implementation=implementation)
    if zero_infinity:
        loss = torch.where(torch.isinf(loss), torch.zeros((), dtype=loss.dtype, device=device),
                           loss)
    if reduction == "none":
        return loss[0] if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    if tgt_lens is not None:
        loss = loss / torch.as_tensor(np.maximum(tgt_lens, 1), dtype=loss.dtype, device=device)
    return loss.mean()


def _is_scalar_like(value) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dim() == 0
    return isinstance(value, (int, np.integer))


def _as_batch(value, unbatched: bool):
    """A scalar length (unbatched call) as a one-entry vector."""
    if unbatched and _is_scalar_like(value):
        return [int(value)]
    return value
