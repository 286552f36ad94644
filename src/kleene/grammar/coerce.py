"""``FstLike``: the grammar layer accepts a string wherever it accepts a
machine, and :func:`to_fst` turns either into an :class:`~kleene.Fst`."""

from __future__ import annotations

from typing import Union

from ..core.fst import Fst
from ..core.strings import TokenType, accep
from ..errors import FstArgError
from ..semirings import Semiring, get_semiring
from .symbols import generated_label

#: What grammar functions take: a machine, or a string compiled as an acceptor.
FstLike = Union[Fst, str]


def to_fst(value: FstLike, *, token_type: TokenType = "byte",
           semiring: "str | Semiring | None" = None) -> Fst:
    """``value`` as a machine: an :class:`Fst` is returned unchanged, a
    string becomes the acceptor of its labels in ``token_type`` (bracketed
    names such as ``[BOS]`` become generated symbols, as in pynini).

    ``semiring`` (default: tropical for strings) must match an Fst's own
    semiring; a mismatch raises :class:`FstArgError`, since the grammar layer
    never converts weights silently. Complexity: O(len(value)) for strings.
    """
    if isinstance(value, Fst):
        if semiring is not None and get_semiring(semiring) != value.semiring:
            raise FstArgError(f"expected a machine over {get_semiring(semiring).name}, "
                              f"got one over {value.semiring.name}")
        return value
    if isinstance(value, str):
        return accep(value, token_type=token_type,
                     semiring=semiring if semiring is not None else "tropical",
                     generated=generated_label)
    raise FstArgError(f"expected an Fst or a str, not {type(value).__name__}")
