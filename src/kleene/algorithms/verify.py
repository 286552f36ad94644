"""Sanity check of a machine (OpenFst's ``Verify``)."""

from __future__ import annotations

import numpy as np

from ..core.fst import Fst
from ..core.properties import ALL_PROPS, Props, compute_props


def _weights_valid(semiring, w: np.ndarray) -> bool:
    """OpenFst's ``Weight::Member()``: NaN is never a weight; tropical and log
    weights must not be -inf; boolean weights are 0 or 1."""
    if w.size == 0:
        return True
    if np.isnan(w).any():
        return False
    if semiring.name in ("tropical", "log") and np.isneginf(w).any():
        return False
    if semiring.name == "boolean" and not np.isin(w, (0.0, 1.0)).all():
        return False
    return True


def _labels_in_table(labels: np.ndarray, table) -> bool:
    if table is None or labels.size == 0:
        return True
    return all(table.member(label) for label in np.unique(labels).tolist())


def _verify(fst: Fst) -> bool:
    n = fst.num_states
    m = fst.num_arcs
    indptr = np.asarray(fst.indptr)
    if indptr.ndim != 1 or indptr.shape[0] != n + 1 or indptr[0] != 0 or indptr[-1] != m:
        return False
    if np.any(np.diff(indptr) < 0):
        return False
    if not (fst.olabel.shape[0] == m and fst.nextstate.shape[0] == m
            and fst.weight.shape[0] == m):
        return False
    # A machine with states needs a start state in range.
    if fst.start == -1:
        if n > 0:
            return False
    elif not 0 <= fst.start < n:
        return False
    if m:
        if fst.ilabel.min() < 0 or fst.olabel.min() < 0:
            return False
        if fst.nextstate.min() < 0 or fst.nextstate.max() >= n:
            return False
    if not (_weights_valid(fst.semiring, fst.weight)
            and _weights_valid(fst.semiring, fst.final)):
        return False
    if not (_labels_in_table(fst.ilabel, fst.isymbols)
            and _labels_in_table(fst.olabel, fst.osymbols)):
        return False
    # Stored (known) properties must agree with the machine.
    stored = fst.props
    if stored.known & ALL_PROPS:
        actual = compute_props(fst.replace(props=Props()), stored.known).value
        if (stored.value ^ actual) & stored.known & ALL_PROPS:
            return False
    return True


def verify(fst: Fst) -> bool:
    """Whether the machine is sane, as OpenFst's ``Verify`` checks it:

    - a start state is set when there are states, and it is in range;
    - CSR arrays are consistent (``indptr`` non-decreasing from 0 to E);
    - labels are non-negative and, where a symbol table is attached, in it;
    - arc destinations are in ``[0, V)``;
    - weights are members of the semiring (no NaN; no -inf for tropical/log);
    - every property cached as known agrees with the machine.

    Returns ``False`` instead of raising (``True`` for the empty machine).

    Preconditions: none (works on machines built with ``check=False``).

    Complexity: O(V + E), plus O(U log U) for U distinct labels when symbol
    tables are attached.
    """
    if not isinstance(fst, Fst):
        return False
    try:
        return _verify(fst)
    except (ValueError, IndexError, TypeError):
        return False
