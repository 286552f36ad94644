"""``FstLike``: the grammar layer accepts a string wherever it accepts a
machine, and :func:`to_fst` turns either into an :class:`~kleene.Fst`.

Also the grammar layer's fast construction of string machines
(:func:`text_labels`, :func:`string_pair_machine`): grammars build hundreds
of tiny acceptors and string crosses, so these skip every step the general
:func:`kleene.core.strings.accep` needs for arbitrary input (bracket parsing
for plain text, per-call index arrays, property kernels) while building the
same machines.
"""

from __future__ import annotations

from typing import Union

import numpy as np

from ..core.fst import INDPTR_DTYPE, LABEL_DTYPE, STATE_DTYPE, Fst
from ..core.properties import ALL_PROPS, Prop, Props
from ..core.strings import TokenType, accep, encode_labels
from ..errors import FstArgError
from ..semirings import Semiring, get_semiring, tropical
from .symbols import generated_label

#: What grammar functions take: a machine, or a string compiled as an acceptor.
FstLike = Union[Fst, str]

# Characters that send text through the full parser of kleene.core.strings
# (brackets, escapes) or to its NUL error.
_SPECIAL_CHARS = ("[", "]", "\\", "\0")


def text_labels(text: str, token_type: TokenType = "byte") -> np.ndarray:
    """The int32 labels of ``text`` (bracketed names become generated
    symbols): :func:`kleene.core.strings.encode_labels` with a direct path
    for plain byte or utf8 text. O(len(text))."""
    if token_type == "byte" or token_type == "utf8":
        for c in _SPECIAL_CHARS:
            if c in text:
                break
        else:
            try:
                if token_type == "byte":
                    raw = np.frombuffer(text.encode("utf-8"), np.uint8)
                else:
                    raw = np.frombuffer(text.encode("utf-32-le"), "<u4")
            except UnicodeEncodeError:
                pass  # the general encoder raises the explanatory error
            else:
                return raw.astype(LABEL_DTYPE)
    return encode_labels(text, token_type, generated=generated_label)


# -- shared read-only index arrays for short chains ---------------------------
# A string machine of n arcs has indptr [0, 1, ..., n, n], nextstate
# [1, ..., n] and all weights one. Up to _CHAIN_CACHE arcs these come from
# read-only arrays shared by every such machine (views of a read-only base,
# so they cannot be made writable again).
_CHAIN_CACHE = 128


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr[:]


_NEXT_BASE = _read_only(np.arange(1, _CHAIN_CACHE + 1, dtype=STATE_DTYPE))
_EPSILON_BASE = _read_only(np.zeros(_CHAIN_CACHE, LABEL_DTYPE))
_INDPTR: dict[int, np.ndarray] = {}
# keyed by id(semiring) (semirings are module-level singletons; the hash of
# the dataclass is slower than the rest of a lookup)
_ONES: dict[int, np.ndarray] = {}
_FINALS: dict[tuple[int, int], np.ndarray] = {}


def _chain_indptr(n: int) -> np.ndarray:
    indptr = _INDPTR.get(n)
    if indptr is None:
        indptr = np.arange(n + 2, dtype=INDPTR_DTYPE)
        indptr[n + 1] = n
        if n > _CHAIN_CACHE:
            return indptr
        indptr = _INDPTR[n] = _read_only(indptr)
    return indptr


def _chain_ones(sr: Semiring, n: int) -> np.ndarray:
    if n > _CHAIN_CACHE:
        return np.full(n, sr.one, sr.dtype)
    ones = _ONES.get(id(sr))
    if ones is None:
        ones = _ONES[id(sr)] = _read_only(np.full(_CHAIN_CACHE, sr.one, sr.dtype))
    return ones[:n]


def _chain_final(sr: Semiring, n: int, weight) -> np.ndarray:
    """Final weights of a chain of ``n`` arcs: ``weight`` on state n (None:
    one; those are shared read-only arrays)."""
    if weight is None:
        final = _FINALS.get((id(sr), n))
        if final is not None:
            return final
    final = np.full(n + 1, sr.zero, sr.dtype)
    final[n] = sr.one if weight is None else weight
    if weight is None and n <= _CHAIN_CACHE:
        final = _FINALS[(id(sr), n)] = _read_only(final)
    return final


def _chain_next(n: int) -> np.ndarray:
    if n > _CHAIN_CACHE:
        return np.arange(1, n + 1, dtype=STATE_DTYPE)
    return _NEXT_BASE[:n]


def _epsilons(n: int) -> np.ndarray:
    if n > _CHAIN_CACHE:
        return np.zeros(n, LABEL_DTYPE)
    return _EPSILON_BASE[:n]


_ALL = int(ALL_PROPS)
_ACCEPTOR = int(Prop.ACCEPTOR)
_NO_EPS = int(Prop.NO_EPSILONS)
_NO_IEPS = int(Prop.NO_IEPSILONS)
_NO_OEPS = int(Prop.NO_OEPSILONS)
_COACCESSIBLE = int(Prop.COACCESSIBLE)
_UNWEIGHTED = int(Prop.UNWEIGHTED)
_EPSILON_FREE_MASK = ~(_NO_EPS | _NO_IEPS | _NO_OEPS)


def string_pair_machine(upper: np.ndarray, lower: np.ndarray, sr: Semiring,
                        final_weight=None, isymbols=None, osymbols=None, *,
                        nonzero: bool = False) -> Fst:
    """The string transducer pairing the labels ``upper`` and ``lower``
    position by position, ε-padded at the shorter end (pynini's string
    cross; with ``upper is lower`` the string acceptor, as ``accep``):
    states ``0..n``, arc ``i`` from ``i`` to ``i + 1``, final weight
    ``final_weight`` (None: one) on state ``n``. ``nonzero`` promises that
    no label is 0 (as from :func:`text_labels`). Every property is known on
    return. O(n)."""
    nu, nl = upper.shape[0], lower.shape[0]
    n = max(nl, nu)
    value = _ALL
    if final_weight is not None:
        final_weight = sr.coerce(final_weight)
        if final_weight == sr.zero:
            value &= ~_COACCESSIBLE
        elif final_weight != sr.one:
            value &= ~_UNWEIGHTED
        else:
            final_weight = None
    final = _chain_final(sr, n, final_weight)
    if upper is lower:
        ilabel = olabel = upper
        if n and not nonzero and not upper.all():
            value &= _EPSILON_FREE_MASK
    else:
        # one arc per state: sorted and deterministic on both sides
        ilabel = upper if nu == n else np.concatenate((upper, _epsilons(n - nu)))
        olabel = lower if nl == n else np.concatenate((lower, _epsilons(n - nl)))
        if nu != nl or not np.array_equal(ilabel, olabel):
            value &= ~_ACCEPTOR
        i_eps = nu < n or (not nonzero and nu and not upper.all())
        o_eps = nl < n or (not nonzero and nl and not lower.all())
        if i_eps:
            value &= ~_NO_IEPS
        if o_eps:
            value &= ~_NO_OEPS
        if i_eps and o_eps and (n and not (ilabel | olabel).all()):
            value &= ~_NO_EPS
    return Fst(_chain_indptr(n), ilabel, olabel, _chain_next(n), _chain_ones(sr, n),
               final, 0, sr, isymbols, osymbols, Props(_ALL, value), check=False)


def to_fst(value: FstLike, *, token_type: TokenType = "byte",
           semiring: str | Semiring | None = None) -> Fst:
    """``value`` as a machine: an :class:`Fst` is returned unchanged, a
    string becomes the acceptor of its labels in ``token_type`` (bracketed
    names such as ``[BOS]`` become generated symbols, as in pynini).

    ``semiring`` (default: tropical for strings) must match an Fst's own
    semiring; a mismatch raises :class:`FstArgError`, since the grammar layer
    never converts weights silently. Complexity: O(len(value)) for strings.
    """
    if isinstance(value, Fst):
        if semiring is not None and semiring is not value.semiring \
                and get_semiring(semiring) != value.semiring:
            raise FstArgError(f"expected a machine over {get_semiring(semiring).name}, "
                              f"got one over {value.semiring.name}")
        return value
    if isinstance(value, str):
        sr = tropical if semiring is None else get_semiring(semiring)
        if token_type == "byte" or token_type == "utf8":
            labels = text_labels(value, token_type)
            return string_pair_machine(labels, labels, sr, nonzero=True)
        return accep(value, token_type=token_type, semiring=sr, generated=generated_label)
    raise FstArgError(f"expected an Fst or a str, not {type(value).__name__}")
