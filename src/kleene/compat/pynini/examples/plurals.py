"""``pynini.examples.plurals``: English noun plurals by priority union.

Real grammars import its helper ``_priority_union(q, r, sigma)``: ``q``
where ``q`` is defined, ``r`` on the rest of ``sigma``. The module also
carries a small plural grammar (``plural("wife") == "wives"``) built with the
same helper.
"""

from __future__ import annotations

from ... import pynini as _pn
from ..lib import pynutil, rewrite


def _priority_union(q, r, sigma):
    """``q ∪ ((sigma − domain(q)) ∘ r)``: ``r`` only where ``q`` has no
    output."""
    outside_q = _pn.difference(sigma, _pn.project(q, "input"))
    return _pn.union(q, _pn.compose(outside_q, r))


_cache: dict = {}

#: The module-level grammar parts pynini's example defines, built on first
#: access (``plurals._plural``, ``plurals._sigma``, ...).
_PARTS = ("_v", "_c", "_sigma", "_suppletive", "_ies", "_es", "_s", "_plural")


def _grammar():
    """The plural transducer, built on first use (importing this module for
    ``_priority_union`` costs nothing)."""
    if "_plural" not in _cache:
        vowel = _pn.union(*"aeiou")
        consonant = _pn.union(*"bcdfghjklmnpqrstvwxyz")
        sigma = _pn.union(vowel, consonant).closure().optimize()
        irregular = _pn.string_map([
            "sheep", "deer", "fish",
            ("man", "men"), ("woman", "women"), ("foot", "feet"), ("tooth", "teeth"),
            ("goose", "geese"), ("mouse", "mice"), ("child", "children"), ("ox", "oxen"),
            ("wife", "wives"), ("wolf", "wolves"), ("analysis", "analyses"),
            ("criterion", "criteria"), ("focus", "foci"),
        ])
        ies = sigma + consonant + _pn.cross("y", "ies")
        es = sigma + _pn.union("s", "sh", "ch", "x", "z") + pynutil.insert("es")
        s = sigma + pynutil.insert("s")
        plural_fst = _priority_union(
            irregular, _priority_union(ies, _priority_union(es, s, sigma), sigma),
            sigma).optimize()
        _cache.update(_v=vowel, _c=consonant, _sigma=sigma, _suppletive=irregular,
                      _ies=ies, _es=es, _s=s, _plural=plural_fst)
    return _cache["_plural"]


def __getattr__(name: str):
    if name in _PARTS:
        _grammar()
        return _cache[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def plural(singular: str) -> str:
    """The plural of a lowercase English noun."""
    return rewrite.one_top_rewrite(singular, _grammar())
