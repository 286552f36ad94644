"""Inversion: swap input and output labels (OpenFst's ``Invert``)."""

from __future__ import annotations

from ..core.fst import Fst


def invert(fst: Fst) -> Fst:
    """The inverse transducer: every arc ``i:o/w`` becomes ``o:i/w``.

    The input and output symbol tables are swapped, and so are the
    input/output properties (epsilon-freeness, sortedness, determinism).
    States and arc order are unchanged, so the arc map would be the
    identity: none is returned.

    Preconditions: none.

    Complexity: O(1): the arrays are read-only, so the result shares them
    (its ``ilabel`` is this machine's ``olabel`` and vice versa).
    """
    return Fst(fst.indptr, fst.olabel, fst.ilabel, fst.nextstate, fst.weight, fst.final,
               fst.start, fst.semiring, fst.osymbols, fst.isymbols, fst.props.swap_io(),
               check=False)
