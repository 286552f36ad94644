"""Forward scores of a batch of acyclic machines, with autograd.

:func:`forward_score` is the ⊕-sum over every successful path of the path's
score (arc scores plus the final score): ``logsumexp`` in the log semiring,
``max`` in the tropical one. Its gradient with respect to the arc and final
scores is the arc (final) posterior: in the log semiring ``exp(alpha[src] +
score + beta[dst] - total)``, in the tropical one the indicator of the best
path's arcs (ties broken deterministically: a state's best incoming arc is
the lowest-numbered one reaching its maximum, a machine's best final state
the lowest-numbered one reaching the total). :func:`arc_posteriors`,
:func:`forward_scores` and :func:`backward_scores` expose the same
quantities directly.

Two implementations compute the same numbers:

* ``"numba"`` (CPU): one pass over the states in a topological order, in
  float64 whatever the tensors' dtype (:mod:`kleene.kernels.fsa_forward`);
* ``"torch"`` (any device): a loop over topological *levels* (a state's
  level is the length of the longest arc path reaching it), each level one
  batch of vectorized gathers and scatter-reductions over the arcs entering
  it, also in float64 (float32 on MPS). The number of Python steps is the number of
  levels (the longest path), not the number of arcs or machines.

(Equal up to rounding: on CUDA the torch implementation's scatter-adds are
atomic, so log-semiring results can differ in the last float64 bits from
run to run; results are returned in the scores' dtype.)

``implementation="auto"`` picks numba for CPU tensors and torch otherwise;
``"numba"`` on a device tensor copies the scores to the host and the
results back (an explicit round trip, for testing). The topological order
and the level grouping are computed once per topology (O(V + E)) on the
host, from a copy of ``src``/``dst``/``start``, and cached on the
:class:`TensorFst` (shared by :meth:`TensorFst.with_scores` copies). That
first analysis is the torch implementation's only host synchronization;
the level loops launch device work only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ..kernels import fsa_forward as _k
from .errors import TorchInputError
from .tensor_fst import TensorFst

Semiring = Literal["log", "tropical"]
Implementation = Literal["auto", "numba", "torch"]

_SEMIRINGS = ("log", "tropical")
_IMPLEMENTATIONS = ("auto", "numba", "torch")
_NEG_INF = float("-inf")


# ---------------------------------------------------------------- checks
def _check(what: str, fsts, semiring: str, implementation: str) -> tuple[bool, str]:
    """Validates the common arguments; returns ``(tropical, implementation)``
    with ``"auto"`` resolved."""
    if not isinstance(fsts, TensorFst):
        raise TorchInputError(f"{what}: fsts must be a TensorFst, got {type(fsts).__name__}")
    if semiring not in _SEMIRINGS:
        raise TorchInputError(f"{what}: semiring must be one of {_SEMIRINGS}, got {semiring!r}")
    if implementation not in _IMPLEMENTATIONS:
        raise TorchInputError(f"{what}: implementation must be one of {_IMPLEMENTATIONS}, "
                              f"got {implementation!r}")
    if fsts.final_scores.device != fsts.scores.device:
        raise TorchInputError(f"{what}: fsts.scores and fsts.final_scores are on different "
                              f"devices ({fsts.scores.device}, {fsts.final_scores.device})")
    if implementation == "auto":
        implementation = "numba" if fsts.device.type == "cpu" else "torch"
    _topology(fsts, what)  # raises for cyclic machines
    return semiring == "tropical", implementation


# -------------------------------------------------------------- topology
def _topology(fsts: TensorFst, what: str = "forward_score") -> dict:
    """The batch's out-arc CSR, topological order and levels (numpy,
    cached). Raises :class:`TorchInputError` for a cyclic machine."""
    topo = fsts._cache.get("topology")
    if topo is not None:
        return topo
    src = fsts.src.detach().cpu().numpy().astype(np.int64, copy=False)
    dst = fsts.dst.detach().cpu().numpy().astype(np.int64, copy=False)
    indptr = np.zeros(fsts.num_states + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=fsts.num_states), out=indptr[1:])
    status, order, level, culprit = _k.topology(indptr, dst)
    if status == _k.CYCLIC:
        b = int(np.searchsorted(fsts.state_offsets_np, culprit, side="right") - 1)
        local = int(culprit - fsts.state_offsets_np[b])
        raise TorchInputError(
            f"{what}: machine {b} of the batch is cyclic (its state {local} lies on or "
            "after a cycle); forward scores, posteriors and Viterbi need acyclic machines")
    topo = {"src": src, "dst": dst, "indptr": indptr, "order": order, "level": level,
            "start": fsts.start.detach().cpu().numpy().astype(np.int64, copy=False)}
    fsts._cache["topology"] = topo
    return topo


def _owners(offsets: np.ndarray) -> np.ndarray:
    """Machine index of each state (arc) given the B+1 offsets."""
    return np.repeat(np.arange(offsets.shape[0] - 1, dtype=np.int64), np.diff(offsets))


def _split(t: torch.Tensor, sizes: list[int]) -> tuple:
    return tuple(t.split(sizes)) if sizes else ()


def _levels(fsts: TensorFst) -> dict:
    """The level grouping the torch implementation loops over, as tensors on
    ``fsts.device`` (cached per device), pre-split into one view per level:

    * ``here[L]``: the states of level ``L``;
    * ``fwd_src[L-1]``, ``fwd_dst[L-1]``: the arcs entering level ``L``
      (``fwd`` permutes the scores into that order);
    * ``bwd_src[L]``, ``bwd_dst[L]``: the arcs leaving level ``L``, plus one
      virtual arc per state of the level to a virtual state ``S`` (whose
      backward score is 0) that carries the final score (``bwd`` permutes
      ``cat([scores, final_scores])`` into that order)."""
    key = ("levels", str(fsts.device))
    lv = fsts._cache.get(key)
    if lv is not None:
        return lv
    topo = _topology(fsts)
    level, src, dst = topo["level"], topo["src"], topo["dst"]
    num_states = level.shape[0]
    num_levels = int(level.max()) + 1 if num_states else 0
    states = np.argsort(level, kind="stable")
    state_sizes = np.bincount(level, minlength=num_levels).tolist()
    fwd = np.argsort(level[dst], kind="stable")
    fwd_sizes = np.bincount(level[dst], minlength=num_levels)[1:].tolist()
    # arcs, then one virtual final arc per state (source s, index E + s)
    ext_src = np.concatenate([src, np.arange(num_states)])
    ext_dst = np.concatenate([dst, np.full(num_states, num_states)])
    bwd = np.argsort(level[ext_src], kind="stable")
    bwd_sizes = np.bincount(level[ext_src], minlength=num_levels).tolist()
    dev = fsts.device
    as_t = lambda a: torch.as_tensor(a, dtype=torch.int64, device=dev)
    start = topo["start"]
    lv = {
        "num_levels": num_levels,
        "here": _split(as_t(states), state_sizes),
        "fwd": as_t(fwd), "fwd_sizes": fwd_sizes,
        "fwd_src": _split(as_t(src[fwd]), fwd_sizes),
        "fwd_dst": _split(as_t(dst[fwd]), fwd_sizes),
        "bwd": as_t(bwd), "bwd_sizes": bwd_sizes,
        "bwd_src": _split(as_t(ext_src[bwd]), bwd_sizes),
        "bwd_dst": _split(as_t(ext_dst[bwd]), bwd_sizes),
        "starts": as_t(start[start >= 0]),
        "src": as_t(src), "dst": as_t(dst),
    }
    fsts._cache[key] = lv
    return lv


# ------------------------------------------------------ torch implementation
def _scatter_logsumexp(values: torch.Tensor, index: torch.Tensor, size: int) -> torch.Tensor:
    """``out[i] = logsumexp(values[index == i])`` (``-inf`` for empty groups)."""
    m = torch.full((size,), _NEG_INF, dtype=values.dtype, device=values.device)
    m.scatter_reduce_(0, index, values, "amax")
    m_safe = m.clamp(min=torch.finfo(m.dtype).min)
    s = torch.zeros(size, dtype=values.dtype, device=values.device)
    s.index_add_(0, index, torch.exp(values - m_safe[index]))
    return m_safe + torch.log(s)


def _sweep(value, parts, gather_from, scatter_to, here, tropical: bool):
    """One direction of the level loop. ``value`` holds the finished scores
    (alpha or the extended beta) and is updated in place: for each level,
    ``value[t] = ⊕ over the level's arcs e into t of value[gather_from[e]] +
    score[e]`` (⊕ also over ``value[t]``'s own entry in the tropical case,
    which keeps a start's 0). The log case keeps a running max ``mx`` and a
    shifted sum ``sm`` per state (global scratch arrays, so each level costs
    O(its arcs), never O(S)); states whose entry is preset (starts) get
    ``mx = value, sm = 1`` so the preset joins the sum."""
    if tropical:
        for w, g, t in zip(parts, gather_from, scatter_to):
            value.scatter_reduce_(0, t, value.index_select(0, g).add_(w), "amax")
        return value
    lowest = torch.finfo(value.dtype).min
    mx = value.clone()
    sm = torch.where(value == _NEG_INF, 0.0, 1.0).to(value.dtype)
    for w, g, t, h in zip(parts, gather_from, scatter_to, here):
        v = value.index_select(0, g).add_(w)
        mx.scatter_reduce_(0, t, v, "amax")
        # (-inf - lowest = -inf: a state reached by -inf arcs only adds 0)
        sm.index_add_(0, t, v.sub_(mx.index_select(0, t).clamp_(min=lowest)).exp_())
        # (mx = -inf implies sm = 0 there: -inf + log 0 = -inf)
        value.index_copy_(0, h, mx.index_select(0, h).add_(sm.index_select(0, h).log_()))
    return value


def _forward_torch(fsts: TensorFst, scores, final, tropical: bool):
    """Level-by-level forward pass; returns ``(alpha, best_arc, total,
    best_final)`` as tensors (``best_*`` only for tropical, else None).
    A start state with incoming arcs (from states it cannot reach) keeps
    its 0: such arcs always score ``-inf``."""
    lv = _levels(fsts)
    dev, dtype = scores.device, scores.dtype
    num_arcs, num_states, batch = fsts.num_arcs, fsts.num_states, fsts.batch_size
    alpha = torch.full((num_states,), _NEG_INF, dtype=dtype, device=dev)
    alpha[lv["starts"]] = 0.0
    parts = _split(scores[lv["fwd"]], lv["fwd_sizes"])
    _sweep(alpha, parts, lv["fwd_src"], lv["fwd_dst"], lv["here"][1:], tropical)
    state_batch = _batch_index(fsts)[1]
    ends = alpha + final
    if not tropical:
        return alpha, None, _scatter_logsumexp(ends, state_batch, batch), None
    total = torch.full((batch,), _NEG_INF, dtype=dtype, device=dev)
    total.scatter_reduce_(0, state_batch, ends, "amax")
    # best incoming arc: the lowest index reaching alpha[dst] (recomputing
    # alpha[src] + score gives the very floats the sweep compared)
    src, dst = lv["src"], lv["dst"]
    hit = (alpha[src] + scores == alpha[dst]) & (alpha[dst] != _NEG_INF)
    best_arc = torch.full((num_states,), num_arcs, dtype=torch.int64, device=dev)
    best_arc.scatter_reduce_(0, dst, torch.where(hit, torch.arange(num_arcs, device=dev),
                                                 num_arcs), "amin")
    best_arc = torch.where(best_arc == num_arcs, -1, best_arc)
    best_arc[lv["starts"]] = -1
    ids = torch.arange(num_states, device=dev)
    hit = (ends == total[state_batch]) & (ends != _NEG_INF)
    best_final = torch.full((batch,), num_states, dtype=torch.int64, device=dev)
    best_final.scatter_reduce_(0, state_batch, torch.where(hit, ids, num_states), "amin")
    best_final = torch.where(best_final == num_states, -1, best_final)
    return alpha, best_arc, total, best_final


def _backward_torch(fsts: TensorFst, scores, final, tropical: bool):
    """Level-by-level backward pass (levels descending): ``beta``."""
    lv = _levels(fsts)
    num_states = fsts.num_states
    beta = torch.full((num_states + 1,), _NEG_INF, dtype=scores.dtype, device=scores.device)
    beta[num_states] = 0.0      # the virtual state the final arcs enter
    parts = _split(torch.cat([scores, final])[lv["bwd"]], lv["bwd_sizes"])
    _sweep(beta, parts[::-1], lv["bwd_dst"][::-1], lv["bwd_src"][::-1], lv["here"][::-1],
           tropical)
    return beta[:num_states]


def _posteriors_torch(fsts: TensorFst, scores, final, alpha, beta, total):
    arc_batch, state_batch = _batch_index(fsts)
    lv = _levels(fsts)
    arc = alpha[lv["src"]] + scores + beta[lv["dst"]] - total[arc_batch]
    fin = alpha + final - total[state_batch]
    zero = torch.zeros((), dtype=scores.dtype, device=scores.device)
    arc_post = torch.where(torch.isfinite(arc), torch.exp(arc), zero)
    final_post = torch.where(torch.isfinite(fin), torch.exp(fin), zero)
    return arc_post, final_post


def _path_mask_torch(fsts: TensorFst, best_arc, best_final, dtype):
    """0/1 masks of each machine's best path (arcs, final states). The best
    incoming arcs form a forest; a path's states are the ancestors of its
    best final state, marked by pointer doubling: after round k every state
    within 2^(k+1) - 1 steps of a marked one is marked (log2 of the number
    of levels rounds, each O(S))."""
    lv = _levels(fsts)
    dev = best_arc.device
    num_arcs, num_states = fsts.num_arcs, fsts.num_states
    ids = torch.arange(num_states, device=dev)
    parent = torch.where(best_arc >= 0, lv["src"][best_arc.clamp(min=0)], ids) \
        if num_arcs else ids
    final_on = torch.zeros(num_states + 1, dtype=dtype, device=dev)
    final_on.index_fill_(0, torch.where(best_final >= 0, best_final, num_states), 1.0)
    final_on = final_on[:num_states]
    on = final_on.clone()
    jump, reach = parent, 1
    while reach < lv["num_levels"]:
        on.scatter_reduce_(0, jump, on.clone(), "amax")
        jump = jump[jump]
        reach *= 2
    arc_on = torch.zeros(num_arcs + 1, dtype=dtype, device=dev)
    arc_on.scatter_reduce_(0, torch.where(best_arc >= 0, best_arc, num_arcs), on, "amax")
    return arc_on[:num_arcs], final_on


# ------------------------------------------------------ numba implementation
def _as64(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().cpu().numpy(), dtype=np.float64)


def _forward_numba(fsts: TensorFst, scores, final, tropical: bool):
    topo = _topology(fsts)
    return _k.forward(topo["indptr"], topo["dst"], _as64(scores), _as64(final), topo["order"],
                      topo["start"], fsts.state_offsets_np, tropical)


# ------------------------------------------------------------ the engine
def _work_dtype(device: torch.device) -> torch.dtype:
    """The dtype the sweeps run in: float64 as in the numba kernels (so
    both implementations agree and float32 inputs keep float64 accuracy
    over long paths), float32 on MPS, which has no float64."""
    return torch.float32 if device.type == "mps" else torch.float64


class _Pass:
    """One forward pass and what the backward quantities need: holds the
    results of either implementation and computes posteriors (log) or the
    best-path masks (tropical) on demand, as tensors like ``scores``."""

    def __init__(self, fsts: TensorFst, scores, final, tropical: bool, implementation: str,
                 *, run_forward: bool = True):
        self.fsts, self.tropical, self.impl = fsts, tropical, implementation
        self.dtype = scores.dtype   # of every result
        work = _work_dtype(scores.device)
        self.scores, self.final = scores.detach().to(work), final.detach().to(work)
        if not run_forward:  # (only beta_tensor() will be asked for)
            return
        if implementation == "numba":
            self.alpha, self.best_arc, self.total, self.best_final = _forward_numba(
                fsts, self.scores, self.final, tropical)
        else:
            self.alpha, self.best_arc, self.total, self.best_final = _forward_torch(
                fsts, self.scores, self.final, tropical)

    def _tensor(self, a) -> torch.Tensor:
        """A result (numpy array or work-dtype tensor) in the scores' dtype."""
        if isinstance(a, np.ndarray):
            a = torch.from_numpy(a)   # (host memory; not via the default device)
        return a.to(device=self.scores.device, dtype=self.dtype)

    def total_tensor(self) -> torch.Tensor:
        return self._tensor(self.total)

    def alpha_tensor(self) -> torch.Tensor:
        return self._tensor(self.alpha)

    def beta_tensor(self) -> torch.Tensor:
        if self.impl == "torch":
            return self._tensor(_backward_torch(self.fsts, self.scores, self.final,
                                                self.tropical))
        topo = _topology(self.fsts)
        return self._tensor(_k.backward(topo["indptr"], topo["dst"], _as64(self.scores),
                                        _as64(self.final), topo["order"], self.tropical))

    def posteriors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(arc, final)`` posteriors: log-semiring posteriors, or the 0/1
        masks of the best paths in the tropical semiring."""
        fsts = self.fsts
        if self.impl == "torch":
            if self.tropical:
                return _path_mask_torch(fsts, self.best_arc, self.best_final, self.dtype)
            beta = _backward_torch(fsts, self.scores, self.final, False)
            arc, fin = _posteriors_torch(fsts, self.scores, self.final, self.alpha, beta,
                                         self.total)
            return self._tensor(arc), self._tensor(fin)
        topo = _topology(fsts)
        if self.tropical:
            arc, fin = _k.best_path_mask(topo["src"], self.best_arc, self.best_final)
        else:
            scores, final = _as64(self.scores), _as64(self.final)
            beta = _k.backward(topo["indptr"], topo["dst"], scores, final, topo["order"], False)
            arc, fin = _k.posteriors(topo["indptr"], topo["dst"], scores, final, self.alpha,
                                     beta, self.total, fsts.state_offsets_np)
        return self._tensor(arc), self._tensor(fin)


class _ForwardScore(torch.autograd.Function):
    """total = ⊕ over paths; d total / d score = posterior (see module notes)."""

    @staticmethod
    def forward(ctx, scores, final_scores, fsts, tropical, implementation):
        run = _Pass(fsts, scores, final_scores, tropical, implementation)
        ctx.run = run
        # (saved only for autograd's version check: run keeps detached views,
        # and the backward must fail if the scores were edited in place since)
        ctx.save_for_backward(scores, final_scores)
        ctx.final_dtype = final_scores.dtype
        # a copy: the backward reads run.total, which the caller could
        # otherwise edit in place through the result (numba's result even
        # shares the kernel's numpy memory)
        return run.total_tensor().clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_total):
        _ = ctx.saved_tensors  # (raises if the scores changed in place)
        run = ctx.run
        arc_post, final_post = run.posteriors()
        arc_batch, state_batch = _batch_index(run.fsts)
        grad_total = grad_total.to(arc_post.dtype)
        grad_scores = arc_post * grad_total[arc_batch]
        grad_final = (final_post * grad_total[state_batch]).to(ctx.final_dtype)
        return grad_scores, grad_final, None, None, None


def _batch_index(fsts: TensorFst) -> tuple[torch.Tensor, torch.Tensor]:
    """Machine index of every arc and of every state, on ``fsts.device``."""
    key = ("batch_index", str(fsts.device))
    pair = fsts._cache.get(key)
    if pair is None:
        dev = fsts.device
        pair = (torch.as_tensor(_owners(fsts.arc_offsets_np), device=dev),
                torch.as_tensor(_owners(fsts.state_offsets_np), device=dev))
        fsts._cache[key] = pair
    return pair


# ------------------------------------------------------------ public API
def forward_score(fsts: TensorFst, *, semiring: Semiring = "log",
                  implementation: Implementation = "auto") -> torch.Tensor:
    """The total score of each machine: the ⊕-sum over its successful paths
    of (sum of arc scores + final score), ``logsumexp`` for
    ``semiring="log"`` and ``max`` for ``"tropical"``. Returns a ``(B,)``
    tensor in the scores' dtype, ``-inf`` for a machine without a
    successful path (also an empty one, ``start == -1``).

    Differentiable in ``fsts.scores`` and ``fsts.final_scores``: the
    gradient is the arc (final-state) posterior times the incoming
    gradient; in the tropical semiring the indicator of the best path
    (ties: lowest arc index into each state, lowest final state id).
    Machines with a ``-inf`` total get zero gradients, never NaN. Not twice
    differentiable.

    Preconditions: every machine is acyclic (ε arcs are ordinary arcs;
    a cycle anywhere, even off every successful path, raises
    :class:`TorchInputError`); scores are not ``+inf`` or NaN.

    Complexity: O(V + E) per call after an O(V + E) topology analysis
    cached on ``fsts``; the torch implementation takes one Python step per
    topological level (the longest path's length), forward and backward.
    """
    tropical, implementation = _check("forward_score", fsts, semiring, implementation)
    return _ForwardScore.apply(fsts.scores, fsts.final_scores, fsts, tropical, implementation)


def arc_posteriors(fsts: TensorFst, *, semiring: Semiring = "log",
                   implementation: Implementation = "auto", return_final: bool = False):
    """Per-arc posteriors ``(E,)``: in the log semiring the probability
    mass of the successful paths through each arc divided by the machine's
    total, ``exp(alpha[src] + score + beta[dst] - total)``; in the tropical
    semiring 1 on the arcs of the best path (the one :func:`forward_score`'s
    gradient and :func:`~kleene.torch.viterbi.viterbi` pick) and 0
    elsewhere. Machines without a successful path get zeros.

    With ``return_final=True`` returns ``(arc_post, final_post)``, where
    ``final_post[s]`` is the share of the paths ending in state ``s``
    (``exp(alpha[s] + final[s] - total)``), so each machine's final
    posteriors sum to 1. The result is detached (use :func:`forward_score`
    and autograd for a differentiable version): it equals the gradient of
    ``forward_score(fsts).sum()``.

    Preconditions and complexity as :func:`forward_score`.
    """
    tropical, implementation = _check("arc_posteriors", fsts, semiring, implementation)
    arc, fin = _Pass(fsts, fsts.scores, fsts.final_scores, tropical,
                     implementation).posteriors()
    return (arc, fin) if return_final else arc


def forward_scores(fsts: TensorFst, *, semiring: Semiring = "log",
                   implementation: Implementation = "auto") -> torch.Tensor:
    """Per-state forward scores ``alpha`` ``(S,)``: the ⊕-sum over paths
    from the machine's start to each state of their arc scores (0 at the
    start, ``-inf`` where unreachable). Detached. Preconditions and
    complexity as :func:`forward_score`."""
    tropical, implementation = _check("forward_scores", fsts, semiring, implementation)
    return _Pass(fsts, fsts.scores, fsts.final_scores, tropical,
                 implementation).alpha_tensor()


def backward_scores(fsts: TensorFst, *, semiring: Semiring = "log",
                    implementation: Implementation = "auto") -> torch.Tensor:
    """Per-state backward scores ``beta`` ``(S,)``: the ⊕-sum over paths
    from each state to a final state of their arc scores plus the final
    score (``-inf`` where no final state is reachable; ``beta[start]`` is the
    machine's total). Detached. Preconditions and complexity as
    :func:`forward_score`."""
    tropical, implementation = _check("backward_scores", fsts, semiring, implementation)
    return _Pass(fsts, fsts.scores, fsts.final_scores, tropical, implementation,
                 run_forward=False).beta_tensor()
