"""Disambiguation (OpenFst ``Disambiguate``, ``pynini.disambiguate``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import LABEL_DTYPE, Fst
from ..core.properties import Props
from ..errors import FstArgError
from ..semirings import DEFAULT_DELTA
from .determinize import determinize


def disambiguate(fst: Fst, *, delta: float = DEFAULT_DELTA,
                 weight_threshold: float | None = None, state_threshold: int | None = None,
                 subsequential_label: int = 0, max_states: int | None = None) -> Fst:
    """An equivalent machine in which no two successful paths carry the same
    sequence of label pairs (ε is an ordinary label, as in OpenFst); of
    several such paths the result keeps their ``⊕``-sum (tropical: the best
    weight).

    Implementation: each ``(ilabel, olabel)`` pair is encoded as one label
    (``ε:ε`` stays 0), the acceptor over pairs is determinized (a
    deterministic acceptor is unambiguous) and the labels are decoded. The
    result is equivalent to ``pynini.disambiguate``'s as a weighted relation
    but not isomorphic to it: OpenFst's algorithm (Mohri & Riley) can keep a
    non-deterministic shape, this one is input-deterministic over pairs.
    ``subsequential_label`` is accepted for pynini compatibility and unused
    (an acceptor over pairs has no residual output).

    Preconditions: the twins property over pairs (as OpenFst's construction
    in practice): else :class:`FstOpError` after ``max_states`` states.
    Thresholds need tropical weights (see :func:`determinize`).

    Complexity: O(E) to encode and decode plus :func:`determinize` of the
    pair acceptor.
    """
    if not isinstance(fst, Fst):
        raise FstArgError(f"disambiguate expects a kleene.Fst, not {type(fst).__name__}")
    if int(subsequential_label) < 0:
        raise FstArgError("subsequential_label must be a non-negative label")
    pairs = np.stack([fst.ilabel.astype(np.int64), fst.olabel.astype(np.int64)], axis=1)
    table, codes = np.unique(pairs, axis=0, return_inverse=True)
    codes = codes.reshape(-1).astype(np.int64) + 1
    epsilon_pair = np.flatnonzero((table[:, 0] == 0) & (table[:, 1] == 0))
    if epsilon_pair.size:
        codes[codes == epsilon_pair[0] + 1] = 0
    codes = codes.astype(LABEL_DTYPE)
    encoded = fst.replace(ilabel=codes, olabel=codes, isymbols=None, osymbols=None)
    det = determinize(encoded, delta=delta, weight_threshold=weight_threshold,
                      state_threshold=state_threshold, max_states=max_states)
    decode_i = np.concatenate([[0], table[:, 0]]).astype(LABEL_DTYPE)
    decode_o = np.concatenate([[0], table[:, 1]]).astype(LABEL_DTYPE)
    return det.replace(ilabel=decode_i[det.ilabel], olabel=decode_o[det.olabel],
                       isymbols=fst.isymbols, osymbols=fst.osymbols, props=Props())
