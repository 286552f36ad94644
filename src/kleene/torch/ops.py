"""Differentiable kleene operations on :class:`TensorFst` batches.

Each operation runs the kleene algorithm on every machine's topology with
``return_arc_map=True`` and builds the output batch from the result: the
topology (states, arcs, labels) is kleene's, and every output score is a
sum of *input* scores gathered through the arc map, so autograd flows back
to the inputs (k2's idea). For ``compose``/``intersect`` an output arc made
from arc ``i`` of ``a`` and arc ``j`` of ``b`` scores ``a.scores[i] +
b.scores[j]`` (a side that stayed in place, map entry -1, adds 0).

Final weights. kleene's arc maps say where arcs come from, not final
weights, and several constructions move final weights onto new ε arcs
(``concat``, ``closure``, ``reverse``'s super-initial arcs) or multiply
two of them (``compose``). Their provenance is recovered by a *probe run*:
the operation is run once, in the tropical64 semiring, on a copy of each
machine whose arc weights are 0 and whose final weight at state ``q`` is
the integer code ``q + 1`` (for the two inputs of a composition, codes in
mixed radix so that a sum of two codes decodes uniquely; non-final states
stay non-final). Every output weight of that run is then the sum of the
codes of the input final weights it contains, which is decoded exactly
(the codes are integers below 2^53). A new final state or ε arc weighted
"one" gets score 0, a non-final state ``-inf``. Operations whose result
*depends* on the weights (``prune``, ``shortest_path``) run on the real
weights (``-scores`` in tropical64) instead; there every output arc is an
input arc and every output state an input state, found through the arc
map.

Operations that ⊕-sum paths into new weights (``rmepsilon``, ``push``,
``determinize``, ``minimize``, ``optimize``...) have no arc map that can
express their scores and are not offered (:func:`apply_op` raises
``NotImplementedError`` for them).

Per-arc ``attrs`` follow the arc map: an output arc takes the attribute of
the input arc it comes from (for compose, ``a``'s when both sides have the
attribute and an arc); arcs with no source get 0 (floating and boolean
attributes) or -1 (integer ones).

Batching: the inputs of an n-ary operation must have equal batch sizes, or
size 1 (broadcast). The result lives on the first input's device, in the
promoted score dtype. Complexity: the kleene operation's, once per machine
(a Python loop over the batch: these are graph-construction operations,
not per-step training kernels), plus O(output size) gathers.
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.fst import INDPTR_DTYPE, Fst
from ..semirings import tropical64
from .errors import TorchInputError
from .tensor_fst import TensorFst

_SUM_OPS = {"rmepsilon", "push", "determinize", "minimize", "optimize", "epsnormalize",
            "disambiguate", "synchronize", "shortest_distance", "replace", "randgen"}
_EXACT = float(2 ** 53)


class _Numpy:
    """A TensorFst's topology and detached scores as numpy arrays."""

    def __init__(self, fsts: TensorFst):
        self.fsts = fsts
        self.src = fsts.src.detach().cpu().numpy()
        self.dst = fsts.dst.detach().cpu().numpy()
        self.ilabel = fsts.ilabel.detach().cpu().numpy()
        self.olabel = fsts.olabel.detach().cpu().numpy()
        self.start = fsts.start.detach().cpu().numpy()
        self.is_final = (fsts.final_scores.detach() != float("-inf")).cpu().numpy()
        self._scores = None

    def scores(self):
        if self._scores is None:
            self._scores = (_host_float64(self.fsts.scores), _host_float64(self.fsts.final_scores))
        return self._scores

    def machine(self, b: int, weight: np.ndarray | None, final: np.ndarray) -> Fst:
        """Machine ``b`` as a tropical64 kleene Fst with the given arc weights
        (zeros when None) and final weights (both local to ``b``)."""
        offs, arcs = self.fsts.state_offsets_np, self.fsts.arc_offsets_np
        s0, s1, a0, a1 = offs[b], offs[b + 1], arcs[b], arcs[b + 1]
        n = int(s1 - s0)
        indptr = np.zeros(n + 1, INDPTR_DTYPE)
        np.cumsum(np.bincount(self.src[a0:a1] - s0, minlength=n), out=indptr[1:])
        if weight is None:
            weight = np.zeros(int(a1 - a0))
        start = int(self.start[b] - s0) if self.start[b] >= 0 else -1
        return Fst(indptr, self.ilabel[a0:a1], self.olabel[a0:a1], self.dst[a0:a1] - s0,
                   weight, final, start, tropical64)


def _host_float64(t: torch.Tensor) -> np.ndarray:
    """A detached float64 host copy of ``t``."""
    return t.detach().cpu().double().numpy()


def _columns(arc_map, arc_counts: list[int]) -> list[np.ndarray]:
    """One local arc index column per input (-1: no arc of that input)."""
    if isinstance(arc_map, tuple):
        if len(arc_map) != len(arc_counts):
            raise TorchInputError(f"apply_op: the operation returned {len(arc_map)} arc maps "
                                  f"for {len(arc_counts)} inputs")
        return [np.asarray(m, np.int64) for m in arc_map]
    arc_map = np.asarray(arc_map, np.int64)
    cols, lo = [], 0
    for count in arc_counts:
        inside = (arc_map >= lo) & (arc_map < lo + count)
        cols.append(np.where(inside, arc_map - lo, -1))
        lo += count
    return cols


def _decode(values: np.ndarray, radix: list[int], sizes: list[int], combine: bool):
    """Input final states whose codes sum to ``values`` (see the module
    notes): one local state column per input, -1 where none."""
    finite = np.isfinite(values)
    codes = np.where(finite, values, 0.0)
    if np.any(codes != np.round(codes)) or np.any(codes >= _EXACT) or np.any(codes < 0):
        raise RuntimeError("apply_op: the probe run gave a weight that is not a sum of "
                           "final-weight codes; the operation changes weights in a way an "
                           "arc map cannot express")
    codes = codes.astype(np.int64)
    cols = []
    if combine:
        for r, n in zip(radix, sizes):
            cols.append((codes // r) % (n + 1) - 1)
        return cols
    offset = 0
    for n in sizes:
        inside = (codes > offset) & (codes <= offset + n)
        cols.append(np.where(inside, codes - offset - 1, -1))
        offset += n
    return cols


def _gather(values: torch.Tensor, index: np.ndarray, fill) -> torch.Tensor:
    """``values[index]`` with ``fill`` where ``index == -1`` (differentiable)."""
    pad = torch.full((1, *values.shape[1:]), fill, dtype=values.dtype, device=values.device)
    padded = torch.cat([values, pad])
    idx = torch.as_tensor(np.where(index >= 0, index, values.shape[0]), device=values.device)
    return padded[idx]


def _attr_fill(t: torch.Tensor):
    return 0 if (torch.is_floating_point(t) or t.dtype == torch.bool) else -1


def apply_op(op, *fsts: TensorFst, weights: str = "probe", combine_finals: bool = False,
             **kwargs) -> TensorFst:
    """Applies a kleene operation ``op(*machines, return_arc_map=True,
    **kwargs) -> (fst, arc_map)`` to each machine (or tuple of machines)
    of the batch(es) and returns the differentiable result (see the module
    notes). ``arc_map`` is one array over the inputs' arcs concatenated in
    argument order, or a tuple of one array per input (compose).

    ``weights="probe"`` (operations whose topology does not depend on the
    weights) recovers final-weight provenance by the probe run;
    ``weights="scores"`` (weight-dependent operations, unary, every output
    arc an input arc) runs on the real weights. ``combine_finals`` marks
    operations that multiply final weights of different inputs (compose).

    Raises ``NotImplementedError`` for operations that ⊕-sum weights.
    """
    name = getattr(op, "__name__", str(op))
    if name in _SUM_OPS:
        raise NotImplementedError(
            f"{name}: the result's weights are sums over paths, which no arc map expresses; "
            "it has no differentiable TensorFst version")
    if not fsts:
        raise TorchInputError(f"{name}: needs at least one TensorFst")
    for i, f in enumerate(fsts):
        if not isinstance(f, TensorFst):
            raise TorchInputError(f"{name}: argument {i} must be a TensorFst, got "
                                  f"{type(f).__name__}")
    if weights not in ("probe", "scores"):
        raise TorchInputError(f"{name}: weights must be 'probe' or 'scores', got {weights!r}")
    if weights == "scores" and len(fsts) != 1:
        raise TorchInputError(f"{name}: weights='scores' supports unary operations only")
    sizes = {f.batch_size for f in fsts} - {1}
    if len(sizes) > 1:
        raise TorchInputError(f"{name}: batch sizes {[f.batch_size for f in fsts]} differ "
                              "(each must be equal or 1)")
    batch = sizes.pop() if sizes else 1
    views = [_Numpy(f) for f in fsts]
    device = fsts[0].device
    dtype = fsts[0].scores.dtype
    for f in fsts[1:]:
        dtype = torch.promote_types(dtype, f.scores.dtype)

    outs, arc_cols, arcfin_cols, fin_cols = [], [], [], []
    for b in range(batch):
        which = [b if f.batch_size > 1 else 0 for f in fsts]
        n_states = [int(np.diff(f.state_offsets_np)[w]) for f, w in zip(fsts, which)]
        n_arcs = [int(np.diff(f.arc_offsets_np)[w]) for f, w in zip(fsts, which)]
        if weights == "scores":
            scores, finals = views[0].scores()
            f, w = fsts[0], which[0]
            a0, a1 = f.arc_offsets_np[w], f.arc_offsets_np[w + 1]
            s0, s1 = f.state_offsets_np[w], f.state_offsets_np[w + 1]
            machines = [views[0].machine(w, -scores[a0:a1], -finals[s0:s1])]
        else:
            radix, r = [], 1
            for n in n_states:
                radix.append(r)
                r *= (n + 1) if combine_finals else 1
            if combine_finals and r >= _EXACT:
                raise TorchInputError(f"{name}: machines too large for exact final-weight "
                                      "provenance codes")
            offset, machines = 0, []
            for v, w, n, rad in zip(views, which, n_states, radix):
                s0 = v.fsts.state_offsets_np[w]
                code = ((np.arange(n) + 1) * rad if combine_finals
                        else np.arange(n) + 1.0 + offset)
                final = np.where(v.is_final[s0:s0 + n], code.astype(np.float64), np.inf)
                machines.append(v.machine(w, None, final))
                offset += n
        out, arc_map = op(*machines, return_arc_map=True, **kwargs)
        cols = _columns(arc_map, n_arcs)
        if weights == "scores":
            arcfin = [np.full(out.num_arcs, -1, np.int64)]
            fin = [_state_correspondence(out, machines[0], cols[0], name)]
        else:
            arcfin = _decode(out.weight.astype(np.float64), radix, n_states, combine_finals)
            fin = _decode(out.final.astype(np.float64), radix, n_states, combine_finals)
        nonfinal = ~np.isfinite(out.final)
        # local -> global indices into each input's arrays
        for i, (f, w) in enumerate(zip(fsts, which)):
            ao, so = f.arc_offsets_np[w], f.state_offsets_np[w]
            cols[i] = np.where(cols[i] >= 0, cols[i] + ao, -1)
            arcfin[i] = np.where(arcfin[i] >= 0, arcfin[i] + so, -1)
            fin[i] = np.where((fin[i] >= 0) & ~nonfinal, fin[i] + so, -1)
        outs.append((out, nonfinal))
        arc_cols.append(cols)
        arcfin_cols.append(arcfin)
        fin_cols.append(fin)

    num_states = np.array([o.num_states for o, _ in outs], np.int64)
    num_arcs = np.array([o.num_arcs for o, _ in outs], np.int64)
    state_offsets = np.concatenate([[0], np.cumsum(num_states)])
    arc_offsets = np.concatenate([[0], np.cumsum(num_arcs)])
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int64)
    src = cat([o.arc_source.astype(np.int64) + so for (o, _), so in zip(outs, state_offsets)])
    dst = cat([o.nextstate.astype(np.int64) + so for (o, _), so in zip(outs, state_offsets)])
    ilabel = cat([o.ilabel.astype(np.int64) for o, _ in outs])
    olabel = cat([o.olabel.astype(np.int64) for o, _ in outs])
    start = np.array([o.start + so if o.start >= 0 else -1
                      for (o, _), so in zip(outs, state_offsets)], np.int64)
    nonfinal = cat([nf for _, nf in outs]).astype(bool)

    scores = torch.zeros(int(arc_offsets[-1]), dtype=dtype, device=device)
    final_scores = torch.zeros(int(state_offsets[-1]), dtype=dtype, device=device)
    for i, f in enumerate(fsts):
        arc_idx = cat([c[i] for c in arc_cols])
        arcfin_idx = cat([c[i] for c in arcfin_cols])
        fin_idx = cat([c[i] for c in fin_cols])
        fs = f.final_scores.to(device=device, dtype=dtype)
        scores = scores + _gather(f.scores.to(device=device, dtype=dtype), arc_idx, 0)
        if np.any(arcfin_idx >= 0):
            scores = scores + _gather(fs, arcfin_idx, 0)
        final_scores = final_scores + _gather(fs, fin_idx, 0)
    final_scores = final_scores.masked_fill(torch.as_tensor(nonfinal, device=device),
                                            float("-inf"))
    attrs = {}
    for i in range(len(fsts) - 1, -1, -1):   # the first input wins
        arc_idx = cat([c[i] for c in arc_cols])
        for key, value in fsts[i].attrs.items():
            value = value.to(device)
            got = _gather(value, arc_idx, _attr_fill(value))
            if key in attrs:
                if attrs[key].shape[1:] != got.shape[1:]:
                    raise TorchInputError(f"{name}: attribute {key!r} has different shapes "
                                          "in the inputs")
                mask = torch.as_tensor(arc_idx >= 0, device=device)
                mask = mask.reshape(-1, *([1] * (got.dim() - 1)))
                got = torch.where(mask, got, attrs[key].to(got.dtype))
            attrs[key] = got
    return TensorFst(src, dst, ilabel, olabel, scores, final_scores, start, state_offsets,
                     arc_offsets, attrs, check=False)


def _state_correspondence(out: Fst, fst: Fst, arc_map: np.ndarray, name: str) -> np.ndarray:
    """For operations whose output states are input states (prune,
    shortest_path): the input state of each output state, through the start
    and the arc map; -1 where unknown."""
    if np.any(arc_map < 0):
        raise RuntimeError(f"{name}: weights='scores' needs every output arc to be an "
                           "input arc")
    corr = np.full(out.num_states, -1, np.int64)
    if out.start >= 0:
        corr[out.start] = fst.start
    corr[out.nextstate] = fst.nextstate[arc_map]
    finals = np.flatnonzero(np.isfinite(out.final))
    if np.any(corr[finals] < 0) or np.any(out.final[finals] != fst.final[corr[finals]]):
        raise RuntimeError(f"{name}: cannot tell which input state each final output "
                           "state is")
    return corr


# ------------------------------------------------------------ operations
def _no_phi(name: str, kwargs: dict) -> None:
    if kwargs.get("phi_label") is not None:
        raise NotImplementedError(
            f"{name}: with phi_label the weights of the φ arcs followed are not in kleene's "
            "arc map, so their scores could not receive gradients; compose the machines "
            "without failure arcs (σ and ρ matchers are supported)")


def compose(a: TensorFst, b: TensorFst, **kwargs) -> TensorFst:
    """``a ∘ b`` machine by machine (:func:`kleene.compose`, same keyword
    options, e.g. ``compose_filter``, ``connect``, σ/ρ matchers; φ raises
    ``NotImplementedError``). Output arc score = ``a``'s arc score + ``b``'s
    (0 for a side that stays); output final score = the two final scores'
    sum."""
    from ..algorithms.compose import compose as op
    _no_phi("compose", kwargs)
    return apply_op(op, a, b, combine_finals=True, **kwargs)


def intersect(a: TensorFst, b: TensorFst, **kwargs) -> TensorFst:
    """The intersection of acceptors (:func:`kleene.intersect`), as
    :func:`compose`."""
    from ..algorithms.intersect import intersect as op
    _no_phi("intersect", kwargs)
    return apply_op(op, a, b, combine_finals=True, **kwargs)


def connect(fsts: TensorFst) -> TensorFst:
    """Removes states not on a successful path (:func:`kleene.connect`);
    a ``-inf`` arc score does not make an arc useless."""
    from ..algorithms.connect import connect as op
    return apply_op(op, fsts)


def arcsort(fsts: TensorFst, *, sort_type: str = "ilabel") -> TensorFst:
    """Stable sort of each state's arcs (:func:`kleene.arcsort`)."""
    from ..algorithms.arcsort import arcsort as op
    return apply_op(op, fsts, sort_type=sort_type)


def topsort(fsts: TensorFst) -> TensorFst:
    """Topological renumbering (:func:`kleene.topsort`; cyclic machines
    raise ``FstOpError``)."""
    from ..algorithms.topsort import topsort as op
    return apply_op(op, fsts)


def union(*fsts: TensorFst) -> TensorFst:
    """Machine-wise union of two or more batches (:func:`kleene.union`)."""
    from ..algorithms.union import union as op
    return apply_op(op, *fsts)


def concat(*fsts: TensorFst) -> TensorFst:
    """Machine-wise concatenation (:func:`kleene.concat`): the new ε arcs
    score the final scores they replace."""
    from ..algorithms.concat import concat as op
    return apply_op(op, *fsts)


def closure(fsts: TensorFst, lower: int = 0, upper: int | None = None, *,
            closure_type: str | None = None) -> TensorFst:
    """Kleene closure or bounded repetition (:func:`kleene.closure`); loop
    arcs score the final score they come from. ``fst*`` and ``fst+`` are
    cyclic (no forward score), bounded repetitions are not."""
    from ..algorithms.closure import closure as op
    return apply_op(op, fsts, lower=lower, upper=upper, closure_type=closure_type)


def reverse(fsts: TensorFst, *, require_superinitial: bool = True) -> TensorFst:
    """The reversed machines (:func:`kleene.reverse`): super-initial ε arcs
    score the final scores, so forward scores are preserved."""
    from ..algorithms.reverse import reverse as op
    return apply_op(op, fsts, require_superinitial=require_superinitial)


def prune(fsts: TensorFst, *, weight: float | None = None, nstate: int | None = None,
          **kwargs) -> TensorFst:
    """Keeps the arcs and states on paths within ``weight`` of the best
    (tropical reading of the detached scores, :func:`kleene.prune`); the
    kept arcs keep their (differentiable) scores."""
    from ..algorithms.prune import prune as op
    return apply_op(op, fsts, weights="scores", weight=weight, nstate=nstate, **kwargs)


def shortest_path(fsts: TensorFst, *, nshortest: int = 1, **kwargs) -> TensorFst:
    """The ``nshortest`` best paths as machines (:func:`kleene.shortest_path`
    on the detached scores read as tropical costs), scores gathered from the
    input arcs."""
    from ..algorithms.shortest_path import shortest_path as op
    return apply_op(op, fsts, weights="scores", nshortest=nshortest, **kwargs)


def invert(fsts: TensorFst) -> TensorFst:
    """Swaps input and output labels (scores and attributes unchanged)."""
    out = TensorFst(fsts.src, fsts.dst, fsts.olabel, fsts.ilabel, fsts.scores,
                    fsts.final_scores, fsts.start, fsts.state_offsets_np, fsts.arc_offsets_np,
                    fsts.attrs, check=False)
    out._cache = fsts._topology_cache()  # (label analyses are not reused)
    return out


def project(fsts: TensorFst, *, project_type: str = "input") -> TensorFst:
    """Copies the input (``"input"``) or output (``"output"``) labels onto
    the other tape."""
    if project_type not in ("input", "output"):
        raise TorchInputError(f"project: project_type must be 'input' or 'output', got "
                              f"{project_type!r}")
    labels = fsts.ilabel if project_type == "input" else fsts.olabel
    out = TensorFst(fsts.src, fsts.dst, labels, labels, fsts.scores, fsts.final_scores,
                    fsts.start, fsts.state_offsets_np, fsts.arc_offsets_np, fsts.attrs,
                    check=False)
    out._cache = fsts._topology_cache()  # (label analyses are not reused)
    return out
