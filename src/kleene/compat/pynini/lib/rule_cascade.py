"""``pynini.lib.rule_cascade``: rules read from a FAR and applied in order."""

from __future__ import annotations

from collections.abc import Iterable

from .. import _ops
from .._far import Far
from .._fst import Fst
from . import rewrite


class Error(Exception):
    """Errors of a rule cascade (an unknown rule, no rules set)."""


class RuleCascade:
    """A series of rules from the FAR at ``far_path``, applied in order;
    call :meth:`set_rules` before anything else."""

    def __init__(self, far_path: str) -> None:
        self.far = Far(far_path, "r")
        self.rules: list[Fst] = []

    def set_rules(self, rules: Iterable[str]) -> None:
        """Selects (and orders) the rules, by their FAR keys."""
        self.rules.clear()
        for name in rules:
            if not self.far.find(name):
                raise Error(f"Cannot find rule: {name}")
            self.rules.append(self.far.get_fst().arcsort(sort_type="ilabel"))

    def _rewrite_lattice(self, string, token_type=None) -> Fst:
        if not self.rules:
            raise Error("No rules requested")
        lattice = string
        for rule in self.rules:
            lattice = rewrite.rewrite_lattice(lattice, rule, token_type)
        return lattice

    def matches(self, istring, ostring, input_token_type=None,
                output_token_type=None) -> bool:
        """Whether the cascade maps ``istring`` to ``ostring``."""
        lattice = self._rewrite_lattice(istring, input_token_type)
        if output_token_type is not None and isinstance(ostring, str):
            ostring = _ops.accep(ostring, token_type=output_token_type)
        return _ops.intersect(lattice, ostring, compose_filter="sequence").start() != -1

    def rewrites(self, string, input_token_type=None, output_token_type=None,
                 state_multiplier: int = 4) -> list[str]:
        lattice = self._rewrite_lattice(string, input_token_type)
        lattice = rewrite.lattice_to_dfa(lattice, False, state_multiplier)
        return rewrite.lattice_to_strings(lattice, output_token_type)

    def top_rewrites(self, string, nshortest: int, input_token_type=None,
                     output_token_type=None) -> list[str]:
        lattice = self._rewrite_lattice(string, input_token_type)
        lattice = rewrite.lattice_to_nshortest(lattice, nshortest)
        return rewrite.lattice_to_strings(lattice, output_token_type)

    def top_rewrite(self, string, input_token_type=None, output_token_type=None) -> str:
        lattice = self._rewrite_lattice(string, input_token_type)
        return rewrite.lattice_to_top_string(lattice, output_token_type)

    def one_top_rewrite(self, string, input_token_type=None, output_token_type=None,
                        state_multiplier: int = 4) -> str:
        lattice = self._rewrite_lattice(string, input_token_type)
        lattice = rewrite.lattice_to_dfa(lattice, True, state_multiplier)
        return rewrite.lattice_to_one_top_string(lattice, output_token_type)

    def optimal_rewrites(self, string, input_token_type=None, output_token_type=None,
                         state_multiplier: int = 4) -> list[str]:
        lattice = self._rewrite_lattice(string, input_token_type)
        lattice = rewrite.lattice_to_dfa(lattice, True, state_multiplier)
        return rewrite.lattice_to_strings(lattice, output_token_type)
