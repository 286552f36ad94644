"""The mutable builder that freezes into an :class:`~kleene.core.fst.Fst`.

Arcs are appended (one at a time or in bulk from numpy arrays) and sorted into
CSR order by one stable O(V + E) counting sort on ``freeze()``: arcs of a state keep their
insertion order. Bulk construction does no Python work per arc.
"""

from __future__ import annotations

import numpy as np

from ..errors import FstArgError, FstIndexError
from ..semirings import Semiring, get_semiring
from .fst import INDPTR_DTYPE, LABEL_DTYPE, NO_STATE, STATE_DTYPE, Fst
from .symbols import SymbolTable


class FstBuilder:
    """Accumulates states and arcs; :meth:`freeze` returns an immutable Fst.

    Example::

        b = FstBuilder("tropical")
        s, t = b.add_states(2)
        b.set_start(s)
        b.add_arc(s, 1, 2, 0.5, t)
        b.set_final(t)
        fst = b.freeze()
    """

    def __init__(self, semiring: "str | Semiring" = "tropical", *,
                 isymbols: SymbolTable | None = None,
                 osymbols: SymbolTable | None = None):
        self.semiring = get_semiring(semiring)
        self.isymbols = isymbols
        self.osymbols = osymbols
        self._num_states = 0
        self._start = NO_STATE
        self._final = np.full(16, self.semiring.zero, dtype=self.semiring.dtype)
        # single arcs go to Python lists, bulk arcs to array chunks
        self._pending: list[tuple[int, int, int, float, int]] = []
        self._chunks: list[tuple[np.ndarray, ...]] = []

    @classmethod
    def from_fst(cls, fst: Fst) -> "FstBuilder":
        b = cls(fst.semiring, isymbols=fst.isymbols, osymbols=fst.osymbols)
        b.add_states(fst.num_states)
        b._final[:fst.num_states] = fst.final
        b._start = fst.start
        if fst.num_arcs:
            b._chunks.append((fst.arc_source.copy(), fst.ilabel.copy(), fst.olabel.copy(),
                              fst.weight.copy(), fst.nextstate.copy()))
        return b

    # -- states --------------------------------------------------------------
    @property
    def num_states(self) -> int:
        return self._num_states

    def add_state(self) -> int:
        """Adds one state and returns its id."""
        return self.add_states(1)[0]

    def add_states(self, n: int) -> range:
        """Adds ``n`` states; returns the range of their ids."""
        n = int(n)
        if n < 0:
            raise FstArgError(f"cannot add a negative number of states ({n})")
        first = self._num_states
        need = first + n
        if need > self._final.shape[0]:
            grown = np.full(max(need, 2 * self._final.shape[0]), self.semiring.zero,
                            dtype=self.semiring.dtype)
            grown[:first] = self._final[:first]
            self._final = grown
        self._num_states = need
        return range(first, need)

    def _check_state(self, s) -> int:
        s = int(s)
        if not 0 <= s < self._num_states:
            raise FstIndexError(f"state {s} does not exist (the builder has "
                                f"{self._num_states} states)")
        return s

    def set_start(self, state: int) -> None:
        self._start = self._check_state(state)

    def set_final(self, state: int, weight=None) -> None:
        """Makes ``state`` final with ``weight`` (default: the semiring one).
        Setting the semiring zero makes it non-final."""
        self._final[self._check_state(state)] = self.semiring.coerce(weight)

    def set_finals(self, states, weights=None) -> None:
        """Bulk :meth:`set_final` from arrays."""
        states = np.asarray(states, dtype=np.int64)
        if states.size and (states.min() < 0 or states.max() >= self._num_states):
            raise FstIndexError("set_finals: a state does not exist")
        if weights is None:
            w = self.semiring.one_value()
        else:
            w = np.asarray(weights, dtype=self.semiring.dtype)
            if np.isnan(w).any():
                raise FstArgError("final weights must not be NaN")
        self._final[states] = w

    # -- arcs ----------------------------------------------------------------
    def add_arc(self, state: int, ilabel: int, olabel: int, weight, nextstate: int) -> None:
        """Adds one arc ``state --ilabel:olabel/weight--> nextstate``."""
        s = self._check_state(state)
        t = self._check_state(nextstate)
        il, ol = int(ilabel), int(olabel)
        if il < 0 or ol < 0:
            raise FstArgError(f"labels must be non-negative (0 is epsilon), got {il}:{ol}")
        self._pending.append((s, il, ol, self.semiring.coerce(weight), t))

    def add_arcs(self, src, ilabel, olabel, weight, nextstate) -> None:
        """Adds arcs from parallel arrays (``weight`` may be a scalar)."""
        src = np.asarray(src, dtype=np.int64).ravel()
        m = src.shape[0]
        il = np.broadcast_to(np.asarray(ilabel, dtype=np.int64), (m,))
        ol = np.broadcast_to(np.asarray(olabel, dtype=np.int64), (m,))
        w = np.broadcast_to(np.asarray(weight, dtype=self.semiring.dtype), (m,))
        dst = np.broadcast_to(np.asarray(nextstate, dtype=np.int64), (m,))
        if m == 0:
            return
        n = self._num_states
        if src.min() < 0 or src.max() >= n or dst.min() < 0 or dst.max() >= n:
            raise FstIndexError(f"add_arcs: a source or destination state is outside [0, {n})")
        if il.min() < 0 or ol.min() < 0:
            raise FstArgError("add_arcs: labels must be non-negative (0 is epsilon)")
        if np.isnan(w).any():
            raise FstArgError("add_arcs: weights must not be NaN")
        self._flush()
        self._chunks.append((src.astype(STATE_DTYPE), il.astype(LABEL_DTYPE),
                             ol.astype(LABEL_DTYPE), np.array(w), dst.astype(STATE_DTYPE)))

    def _flush(self) -> None:
        if self._pending:
            s, i, o, w, t = zip(*self._pending)
            self._chunks.append((np.array(s, STATE_DTYPE), np.array(i, LABEL_DTYPE),
                                 np.array(o, LABEL_DTYPE),
                                 np.array(w, self.semiring.dtype), np.array(t, STATE_DTYPE)))
            self._pending = []

    @property
    def num_arcs(self) -> int:
        return len(self._pending) + sum(c[0].shape[0] for c in self._chunks)

    # -- freezing ---------------------------------------------------------------
    def freeze(self) -> Fst:
        """Returns the immutable machine. The builder stays usable."""
        self._flush()
        n = self._num_states
        dtype = self.semiring.dtype
        if self._chunks:
            src, il, ol, w, dst = (np.concatenate(parts) for parts in zip(*self._chunks))
            if src.shape[0] > 1 and np.any(src[1:] < src[:-1]):
                from ..kernels.csr import coo_to_csr
                indptr, il, ol, w, dst, _ = coo_to_csr(src, il, ol, w, dst, n)
            else:  # already grouped by state (np.concatenate made copies)
                indptr = np.zeros(n + 1, INDPTR_DTYPE)
                np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        else:
            il = np.zeros(0, LABEL_DTYPE)
            ol = np.zeros(0, LABEL_DTYPE)
            w = np.zeros(0, dtype)
            dst = np.zeros(0, STATE_DTYPE)
            indptr = np.zeros(n + 1, INDPTR_DTYPE)
        final = self._final[:n].copy()
        start = self._start if n else NO_STATE
        return Fst(indptr, il, ol, dst, w.astype(dtype, copy=False), final, start,
                   self.semiring, self.isymbols, self.osymbols, check=False)
