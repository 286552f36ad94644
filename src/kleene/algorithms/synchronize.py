"""Synchronization (OpenFst ``Synchronize``, pynini ``synchronize``): not
implemented yet."""

from __future__ import annotations

from ..core.fst import Fst


def synchronize(fst: Fst, *, state_threshold: int | None = None) -> Fst:
    """An equivalent transducer in which, along every path, the delay (output
    labels read minus input labels read) is zero or strictly increasing
    (OpenFst ``Synchronize``).

    Not implemented yet: the construction (states pairing an input state with
    the pending input and output strings, as OpenFst's ``SynchronizeFst``
    does, with a ``state_threshold`` budget raising :class:`FstOpError` on
    machines of unbounded delay) is missing. Use ``pynini.synchronize`` via
    :meth:`kleene.Fst.to_pynini` meanwhile.
    """
    raise NotImplementedError(
        "kleene.synchronize is not implemented yet (missing: OpenFst's "
        "SynchronizeFst construction with a state budget). Convert with "
        "fst.to_pynini() and call pynini.synchronize meanwhile.")
