"""``pynini.lib.rewrite``: applying rules to strings, over
:mod:`kleene.grammar.rewrite`. Lattices are compat machines; ``Error`` is
raised when a rule has no rewrite for the input (or, for
``one_top_rewrite``, no unique best one)."""

from __future__ import annotations

from ....grammar import rewrite as _rw
from .. import _tokens
from .._fst import Fst, wrap

Error = _rw.RewriteError


def _arg(value, tokens=None):
    if value.__class__ is Fst:
        return value._kleene()
    if isinstance(value, str) and _tokens.token_type(tokens) != "byte":
        return _tokens.machine(value, tokens=tokens)
    return value


def _t(token_type):
    return _tokens.token_type(token_type)


def rewrite_lattice(string, rule, token_type=None) -> Fst:
    """The lattice (an acceptor of output strings) of ``string @ rule``."""
    return wrap(_rw.rewrite_lattice(_arg(string, token_type), _arg(rule),
                                    token_type=_t(token_type)))


def lattice_to_dfa(lattice, optimal_only: bool, state_multiplier: int = 4) -> Fst:
    return wrap(_rw.lattice_to_dfa(_arg(lattice), optimal_only,
                                   state_multiplier=state_multiplier))


def lattice_to_nshortest(lattice, nshortest: int) -> Fst:
    return wrap(_rw.lattice_to_nshortest(_arg(lattice), nshortest))


def lattice_to_top_string(lattice, token_type=None) -> str:
    return _rw.lattice_to_top_string(_arg(lattice), token_type=_t(token_type))


def lattice_to_strings(lattice, token_type=None) -> list[str]:
    return _rw.lattice_to_strings(_arg(lattice), token_type=_t(token_type))


def lattice_to_one_top_string(lattice, token_type=None) -> str:
    return _rw.lattice_to_one_top_string(_arg(lattice), token_type=_t(token_type))


def matches(istring, ostring, rule, input_token_type=None, output_token_type=None) -> bool:
    return _rw.matches(_arg(istring, input_token_type), _arg(ostring, output_token_type),
                       _arg(rule), input_token_type=_t(input_token_type),
                       output_token_type=_t(output_token_type))


def rewrites(string, rule, input_token_type=None, output_token_type=None,
             state_multiplier: int = 4) -> list[str]:
    return _rw.rewrites(_arg(string, input_token_type), _arg(rule),
                        input_token_type=_t(input_token_type),
                        output_token_type=_t(output_token_type),
                        state_multiplier=state_multiplier)


def top_rewrites(string, rule, nshortest: int, input_token_type=None,
                 output_token_type=None) -> list[str]:
    return _rw.top_rewrites(_arg(string, input_token_type), _arg(rule), nshortest,
                            input_token_type=_t(input_token_type),
                            output_token_type=_t(output_token_type))


def top_rewrite(string, rule, input_token_type=None, output_token_type=None) -> str:
    return _rw.top_rewrite(_arg(string, input_token_type), _arg(rule),
                           input_token_type=_t(input_token_type),
                           output_token_type=_t(output_token_type))


def one_top_rewrite(string, rule, input_token_type=None, output_token_type=None,
                    state_multiplier: int = 4) -> str:
    return _rw.one_top_rewrite(_arg(string, input_token_type), _arg(rule),
                               input_token_type=_t(input_token_type),
                               output_token_type=_t(output_token_type),
                               state_multiplier=state_multiplier)


def optimal_rewrites(string, rule, input_token_type=None, output_token_type=None,
                     state_multiplier: int = 4) -> list[str]:
    return _rw.optimal_rewrites(_arg(string, input_token_type), _arg(rule),
                                input_token_type=_t(input_token_type),
                                output_token_type=_t(output_token_type),
                                state_multiplier=state_multiplier)
