"""The grammar vocabulary the example grammars are written in, as one
namespace, so the same grammar code builds with kleene or with pynini
(``benchmarks/bench_examples.py`` times both on the identical code).

Every name means what it means in pynini: ``string_map``, ``cross``,
``union``, ``closure``, ``optimize``, ``cdrewrite``, ``insert``,
``delete``, ``priority_union`` (``q | ((sigma_star - project(q)) @ r)``),
``accep(text, token_type=...)``, and the byte classes ``BYTE``,
``DIGIT``, ``LOWER``.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace


@functools.lru_cache(maxsize=None)
def kleene_lib() -> SimpleNamespace:
    """The vocabulary, implemented by :mod:`kleene.grammar`."""
    from kleene.grammar import (accep, cdrewrite, charclass, closure, cross, delete,
                                insert, optimize, priority_union, string_map, union)
    return SimpleNamespace(string_map=string_map, cross=cross, union=union,
                           closure=closure, optimize=optimize, cdrewrite=cdrewrite,
                           insert=insert, delete=delete, priority_union=priority_union,
                           accep=accep, BYTE=charclass.BYTE, DIGIT=charclass.DIGIT,
                           LOWER=charclass.LOWER, name="kleene")


@functools.lru_cache(maxsize=None)
def pynini_lib() -> SimpleNamespace:
    """The vocabulary, implemented by pynini (which must be installed)."""
    import pynini
    from pynini.lib import byte, pynutil

    def priority_union(q, r, sigma_star):
        domain = pynini.project(q, "input").rmepsilon().optimize()
        # strip weights so the difference's subtrahend is unweighted
        domain = pynini.arcmap(domain, map_type="rmweight")
        return pynini.union(q, pynini.compose(pynini.difference(sigma_star, domain), r))

    return SimpleNamespace(string_map=pynini.string_map, cross=pynini.cross,
                           union=pynini.union, closure=pynini.closure,
                           optimize=lambda f: f.optimize(), cdrewrite=pynini.cdrewrite,
                           insert=pynutil.insert, delete=pynutil.delete,
                           priority_union=priority_union, accep=pynini.accep,
                           BYTE=byte.BYTE, DIGIT=byte.DIGIT, LOWER=byte.LOWER,
                           name="pynini")
