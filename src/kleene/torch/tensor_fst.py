"""A tensor view of kleene machines: :class:`TensorFst`.

The topology comes from kleene's frozen :class:`~kleene.core.fst.Fst`; the
arc and final scores are PyTorch tensors that may require grad. Several
machines form one batch by concatenation (a ragged batch, the k2 ``FsaVec``
idea): states and arcs of machine ``b`` are the contiguous ranges
``state_offsets[b]:state_offsets[b+1]`` and ``arc_offsets[b]:arc_offsets[b+1]``,
and ``src``/``dst`` hold *global* state ids, so one kernel pass handles the
whole batch.

Scores are log-scores, higher is better (k2's convention): a machine over the
tropical or log semiring, whose weights are costs, gets ``scores = -weight``;
the real (probability) semiring gets ``log(weight)``; boolean gets ``0`` for
``true``. Converting back negates again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ..core.fst import Fst
from .errors import TorchInputError

_COST_SEMIRINGS = ("tropical", "log")


def _weights_to_scores(fst: Fst, values: np.ndarray) -> np.ndarray:
    """Maps semiring weights to log-scores (higher is better)."""
    name = fst.semiring.name
    values = np.asarray(values, dtype=np.float64)
    if name in _COST_SEMIRINGS:
        return -values
    if name == "real":
        with np.errstate(divide="ignore"):
            return np.log(values)
    if name == "boolean":
        return np.where(values != 0, 0.0, -np.inf)
    raise TorchInputError(
        f"TensorFst: the {name!r} semiring has no log-score reading; use a tropical, "
        "log, real or boolean machine")


def _host_int64(values) -> np.ndarray:
    """Offsets as an int64 numpy array (a device tensor is copied once)."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.int64)


def _scores_to_weights(semiring_name: str, scores: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_weights_to_scores` (float64)."""
    if semiring_name in _COST_SEMIRINGS:
        return -scores
    if semiring_name == "real":
        return np.exp(scores)
    if semiring_name == "boolean":
        return (scores > -np.inf).astype(np.float64)
    raise TorchInputError(
        f"TensorFst.to_fsts: the {semiring_name!r} semiring has no log-score reading; use a "
        "tropical, log, real or boolean semiring")


class TensorFst:
    """A batch of ``B`` machines on one device with differentiable scores.

    Attributes (all tensors on :attr:`device`):

    * ``src``, ``dst``, ``ilabel``, ``olabel``: ``(E,)`` int64; arcs sorted
      by ``src`` (CSR order of each machine), machines contiguous.
    * ``scores``: ``(E,)`` float arc log-scores; may require grad.
    * ``final_scores``: ``(S,)`` float, ``-inf`` where a state is not final;
      may require grad.
    * ``start``: ``(B,)`` int64 global start state, ``-1`` for an empty machine.
    * ``state_offsets``, ``arc_offsets``: ``(B+1,)`` int64 (kept on the CPU
      as well, as numpy arrays ``state_offsets_np``/``arc_offsets_np``).
    * ``attrs``: a dict of per-arc attribute tensors whose first dimension is
      ``E``; operations that know where each output arc came from (an
      ``arc_map``) carry them along.

    Construct with :meth:`from_fst` / :meth:`from_fsts`, or directly from
    tensors (the constructor validates shapes in O(1) and ids in O(E) when
    ``check=True``).

    ``_cache`` holds analyses derived from the arcs' topology (``src``,
    ``dst``, ``start``, offsets), shared with copies that keep it
    (:meth:`with_scores`, :meth:`to`); an analysis that also reads the labels
    uses a key starting with ``"labels"``, so that copies with other labels
    (``ops.invert``/``ops.project``) can drop it (:meth:`_topology_cache`).
    """

    __slots__ = (
        "_cache",
        "arc_offsets",
        "arc_offsets_np",
        "attrs",
        "dst",
        "final_scores",
        "ilabel",
        "olabel",
        "scores",
        "src",
        "start",
        "state_offsets",
        "state_offsets_np",
    )

    def __init__(self, src, dst, ilabel, olabel, scores, final_scores, start,
                 state_offsets, arc_offsets, attrs: dict | None = None, *, check: bool = True):
        for name, value in (("scores", scores), ("final_scores", final_scores)):
            if not isinstance(value, torch.Tensor):
                raise TorchInputError(
                    f"TensorFst: {name} must be a torch.Tensor, got {type(value).__name__}")
        device = scores.device
        as_long = lambda t: torch.as_tensor(t, dtype=torch.int64, device=device)
        self.src, self.dst = as_long(src), as_long(dst)
        self.ilabel, self.olabel = as_long(ilabel), as_long(olabel)
        self.scores = scores
        self.final_scores = final_scores
        self.start = as_long(start)
        self.state_offsets_np = _host_int64(state_offsets)
        self.arc_offsets_np = _host_int64(arc_offsets)
        self.state_offsets = torch.as_tensor(self.state_offsets_np, device=device)
        self.arc_offsets = torch.as_tensor(self.arc_offsets_np, device=device)
        self.attrs = dict(attrs or {})
        self._cache: dict = {}
        if check:
            self._validate()

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        if self.scores.dim() != 1 or self.final_scores.dim() != 1:
            raise TorchInputError("TensorFst: scores and final_scores must be 1-D tensors")
        if self.final_scores.device != self.scores.device:
            raise TorchInputError(
                f"TensorFst: scores is on {self.scores.device}, final_scores on "
                f"{self.final_scores.device}")
        num_arcs, num_states = self.scores.shape[0], self.final_scores.shape[0]
        if not (torch.is_floating_point(self.scores) and torch.is_floating_point(self.final_scores)):
            raise TorchInputError("TensorFst: scores and final_scores must be floating point")
        for name in ("src", "dst", "ilabel", "olabel"):
            if getattr(self, name).shape != (num_arcs,):
                raise TorchInputError(
                    f"TensorFst: {name} has shape {tuple(getattr(self, name).shape)}, "
                    f"expected ({num_arcs},) like scores")
        if self.start.dim() != 1:
            raise TorchInputError(
                f"TensorFst: start must be 1-D (one entry per machine), got shape "
                f"{tuple(self.start.shape)}")
        batch = self.start.shape[0]
        if self.state_offsets_np.shape != (batch + 1,) or self.arc_offsets_np.shape != (batch + 1,):
            raise TorchInputError(
                f"TensorFst: start has {batch} entries (B), so state_offsets and arc_offsets "
                f"need B+1 entries, got {self.state_offsets_np.shape[0]} and "
                f"{self.arc_offsets_np.shape[0]}")
        if (self.state_offsets_np[0] != 0 or self.state_offsets_np[-1] != num_states
                or self.arc_offsets_np[0] != 0 or self.arc_offsets_np[-1] != num_arcs
                or np.any(np.diff(self.state_offsets_np) < 0)
                or np.any(np.diff(self.arc_offsets_np) < 0)):
            raise TorchInputError("TensorFst: offsets must rise from 0 to the state/arc counts")
        start = self.start.cpu().numpy()
        lo, hi = self.state_offsets_np[:-1], self.state_offsets_np[1:]
        if np.any((start != -1) & ((start < lo) | (start >= hi))):
            raise TorchInputError(
                "TensorFst: start must hold, per machine, -1 (empty) or a state of its own "
                f"range state_offsets[b]:state_offsets[b+1], got {start.tolist()}")
        if num_arcs:
            src = self.src.cpu().numpy()
            dst = self.dst.cpu().numpy()
            owner = np.repeat(np.arange(batch), np.diff(self.arc_offsets_np))
            lo, hi = self.state_offsets_np[owner], self.state_offsets_np[owner + 1]
            if np.any((src < lo) | (src >= hi) | (dst < lo) | (dst >= hi)):
                raise TorchInputError("TensorFst: an arc leaves its machine's state range")
            if np.any(np.diff(src) < 0):
                raise TorchInputError("TensorFst: arcs must be sorted by source state")
        for key, value in self.attrs.items():
            if not isinstance(value, torch.Tensor) or value.dim() == 0:
                raise TorchInputError(
                    f"TensorFst: attribute {key!r} must be a tensor with one row per arc, got "
                    f"{type(value).__name__}")
            if value.shape[:1] != (num_arcs,):
                raise TorchInputError(f"TensorFst: attribute {key!r} must have {num_arcs} rows")
            if value.device != self.scores.device:
                raise TorchInputError(
                    f"TensorFst: attribute {key!r} is on {value.device}, scores on "
                    f"{self.scores.device}")

    # ----------------------------------------------------------- constructors
    @classmethod
    def from_fst(cls, fst: Fst, *, scores=None, final_scores=None, device=None,
                 dtype: torch.dtype = torch.float32, attrs: dict | None = None) -> TensorFst:
        """One machine as a batch of one. ``scores``/``final_scores`` default
        to the machine's weights read as log-scores (see the module notes)."""
        return cls.from_fsts([fst], scores=scores, final_scores=final_scores, device=device,
                             dtype=dtype, attrs=attrs)

    @classmethod
    def from_fsts(cls, fsts: Sequence[Fst], *, scores=None, final_scores=None, device=None,
                  dtype: torch.dtype = torch.float32, attrs: dict | None = None) -> TensorFst:
        """Concatenates machines into one batch in O(total arcs + states).

        ``scores`` (length = total arcs, in the machines' CSR order) and
        ``final_scores`` (length = total states) replace the weights when
        given; they keep their autograd history."""
        fsts = list(fsts)
        if not fsts:
            raise TorchInputError("TensorFst.from_fsts: needs at least one machine")
        for fst in fsts:
            if not isinstance(fst, Fst):
                raise TorchInputError(
                    f"TensorFst.from_fsts: expected kleene Fst objects, got {type(fst).__name__}")
        num_states = np.array([f.num_states for f in fsts], dtype=np.int64)
        num_arcs = np.array([f.num_arcs for f in fsts], dtype=np.int64)
        state_offsets = np.concatenate([[0], np.cumsum(num_states)])
        arc_offsets = np.concatenate([[0], np.cumsum(num_arcs)])
        src = np.concatenate([f.arc_source.astype(np.int64) + off
                              for f, off in zip(fsts, state_offsets[:-1])])
        dst = np.concatenate([f.nextstate.astype(np.int64) + off
                              for f, off in zip(fsts, state_offsets[:-1])])
        ilabel = np.concatenate([f.ilabel.astype(np.int64) for f in fsts])
        olabel = np.concatenate([f.olabel.astype(np.int64) for f in fsts])
        start = np.array([f.start + off if f.start >= 0 else -1
                          for f, off in zip(fsts, state_offsets[:-1])], dtype=np.int64)
        for name, value in (("scores", scores), ("final_scores", final_scores)):
            if value is not None and not (isinstance(value, torch.Tensor)
                                          and torch.is_floating_point(value)):
                raise TorchInputError(
                    f"TensorFst.from_fsts: {name} must be a floating-point torch.Tensor, got "
                    f"{getattr(value, 'dtype', type(value).__name__)}")
        if scores is None:
            scores = torch.as_tensor(np.concatenate(
                [_weights_to_scores(f, f.weight) for f in fsts]), dtype=dtype, device=device)
        elif scores.shape != (int(arc_offsets[-1]),):
            raise TorchInputError(
                f"TensorFst.from_fsts: scores has shape {tuple(scores.shape)}, "
                f"expected ({int(arc_offsets[-1])},)")
        if final_scores is None:
            final_scores = torch.as_tensor(np.concatenate(
                [_weights_to_scores(f, f.final) for f in fsts]), dtype=scores.dtype,
                device=scores.device)
        elif final_scores.shape != (int(state_offsets[-1]),):
            raise TorchInputError(
                f"TensorFst.from_fsts: final_scores has shape {tuple(final_scores.shape)}, "
                f"expected ({int(state_offsets[-1])},)")
        if final_scores.device != scores.device:
            raise TorchInputError(
                f"TensorFst.from_fsts: final_scores is on {final_scores.device}, scores on "
                f"{scores.device}")
        return cls(src, dst, ilabel, olabel, scores, final_scores, start, state_offsets,
                   arc_offsets, attrs, check=False)

    # ---------------------------------------------------------------- access
    @property
    def batch_size(self) -> int:
        return int(self.start.shape[0])

    @property
    def num_states(self) -> int:
        return int(self.final_scores.shape[0])

    @property
    def num_arcs(self) -> int:
        return int(self.scores.shape[0])

    @property
    def device(self) -> torch.device:
        return self.scores.device

    def with_scores(self, scores, final_scores=None) -> TensorFst:
        """The same topology and attributes with other scores (shapes, dtype
        kind and device checked; use :meth:`to` to change devices)."""
        final_scores = self.final_scores if final_scores is None else final_scores
        for name, value in (("scores", scores), ("final_scores", final_scores)):
            if not (isinstance(value, torch.Tensor) and torch.is_floating_point(value)):
                raise TorchInputError(
                    f"TensorFst.with_scores: {name} must be a floating-point torch.Tensor")
            if value.device != self.src.device:
                raise TorchInputError(
                    f"TensorFst.with_scores: {name} is on {value.device}, the machines on "
                    f"{self.src.device} (move them with .to(device) first)")
        if scores.shape != self.scores.shape or final_scores.shape != self.final_scores.shape:
            raise TorchInputError("TensorFst.with_scores: the new scores must keep the shapes")
        out = TensorFst(self.src, self.dst, self.ilabel, self.olabel, scores, final_scores,
                        self.start, self.state_offsets_np, self.arc_offsets_np, self.attrs,
                        check=False)
        out._cache = self._cache  # topology-derived data (levels, CSR) stays valid
        return out

    def _topology_cache(self) -> dict:
        """The cache entries that stay valid for a machine with the same
        arcs but other labels (a new dict)."""
        return {key: value for key, value in self._cache.items()
                if not (isinstance(key, tuple) and key[:1] == ("labels",))}

    def to(self, device) -> TensorFst:
        """A copy on ``device`` (autograd history is kept). The numpy
        topology analysis (``_cache["topology"]``: topological order and
        levels) is device-independent and shared; per-device entries are
        rebuilt on first use."""
        move = lambda t: t.to(device)
        out = TensorFst(move(self.src), move(self.dst), move(self.ilabel), move(self.olabel),
                        move(self.scores), move(self.final_scores), move(self.start),
                        self.state_offsets_np, self.arc_offsets_np,
                        {k: move(v) for k, v in self.attrs.items()}, check=False)
        if "topology" in self._cache:
            out._cache["topology"] = self._cache["topology"]
        return out

    def to_fsts(self, semiring: str = "log") -> list[Fst]:
        """The machines as kleene Fsts (detached scores), the inverse of
        :meth:`from_fsts`' reading: weights ``-scores`` over a cost semiring
        (``log``, ``tropical``, ``log64``...), ``exp(scores)`` over ``real``,
        ``scores > -inf`` over ``boolean``. O(V + E)."""
        from ..semirings import get_semiring

        name = get_semiring(semiring).name
        src = self.src.cpu().numpy()
        dst = self.dst.cpu().numpy()
        ilabel = self.ilabel.cpu().numpy()
        olabel = self.olabel.cpu().numpy()
        weight = _scores_to_weights(name, self.scores.detach().cpu().double().numpy())
        final = _scores_to_weights(name, self.final_scores.detach().cpu().double().numpy())
        start = self.start.cpu().numpy()
        out = []
        for b in range(self.batch_size):
            s0, s1 = self.state_offsets_np[b], self.state_offsets_np[b + 1]
            a0, a1 = self.arc_offsets_np[b], self.arc_offsets_np[b + 1]
            out.append(Fst.from_arrays(
                num_states=int(s1 - s0), src=src[a0:a1] - s0, ilabel=ilabel[a0:a1],
                olabel=olabel[a0:a1], weight=weight[a0:a1], nextstate=dst[a0:a1] - s0,
                final=final[s0:s1], start=int(start[b] - s0) if start[b] >= 0 else -1,
                semiring=semiring))
        return out

    def __repr__(self) -> str:
        return (f"TensorFst(batch_size={self.batch_size}, num_states={self.num_states}, "
                f"num_arcs={self.num_arcs}, device={self.device}, dtype={self.scores.dtype})")
