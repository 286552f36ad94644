"""``pynini.lib``: grammar helpers (pynutil, byte, utf8, rewrite,
rule_cascade) for kleene's pynini compatibility layer."""

from . import byte, pynutil, rewrite, rule_cascade, utf8  # noqa: F401
