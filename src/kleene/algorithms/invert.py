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

    Complexity: O(V + E) (two array copies).
    """
    return Fst(fst.indptr.copy(), fst.olabel.copy(), fst.ilabel.copy(),
               fst.nextstate.copy(), fst.weight.copy(), fst.final.copy(), fst.start,
               fst.semiring, fst.osymbols, fst.isymbols, fst.props.swap_io(),
               check=False)
