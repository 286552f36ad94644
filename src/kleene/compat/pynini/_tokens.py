"""The default token type (pynini's ``default_token_type``) and the coercion
of pynini's ``FstLike`` arguments (a compat ``Fst``, a kleene ``Fst`` or a
string) to kleene machines."""

from __future__ import annotations

import contextlib

from ...core.fst import Fst as KleeneFst
from ...errors import FstArgError
from ...grammar.coerce import to_fst

_default_token_type: list = ["byte"]


def default() -> object:
    """The token type strings are compiled with when none is given."""
    return _default_token_type[-1]


def token_type(value):
    """``value``, or the default token type when it is ``None``."""
    return _default_token_type[-1] if value is None else value


class default_token_type(contextlib.ContextDecorator):
    """Context manager (and decorator) setting the token type that strings
    are compiled with, as ``pynini.default_token_type``:

        with pynini.default_token_type("utf8"):
            f = pynini.accep("café")
    """

    def __init__(self, token_type) -> None:
        if not (token_type in ("byte", "utf8") or hasattr(token_type, "find")):
            raise FstArgError(f"unknown token type {token_type!r}: expected 'byte', "
                              f"'utf8' or a SymbolTable")
        self._token_type = token_type

    def __enter__(self):
        _default_token_type.append(self._token_type)
        return self

    def __exit__(self, *exc):
        _default_token_type.pop()
        return False


def machine(value, semiring=None, tokens=None) -> KleeneFst:
    """The kleene machine of an ``FstLike``: a compat ``Fst``'s machine, a
    kleene ``Fst`` unchanged, a string compiled as an acceptor with the
    (default) token type in ``semiring`` (tropical when ``None``)."""
    inner = getattr(value, "_kleene", None)
    if inner is not None:
        return inner()
    if isinstance(value, KleeneFst):
        return value
    if isinstance(value, str):
        return to_fst(value, token_type=token_type(tokens), semiring=semiring)
    raise FstArgError(f"expected an Fst or a string, not {type(value).__name__}")


def semiring_of(values):
    """The semiring of the first machine among ``values`` (None if none)."""
    for v in values:
        inner = getattr(v, "_kleene", None)
        if inner is not None:
            return inner().semiring
        if isinstance(v, KleeneFst):
            return v.semiring
    return None


def machines(*values, tokens=None) -> list[KleeneFst]:
    """Every value as a kleene machine; strings join the semiring of the first
    machine (pynini compiles them with the other argument's arc type)."""
    sr = semiring_of(values)
    return [machine(v, sr, tokens) for v in values]
