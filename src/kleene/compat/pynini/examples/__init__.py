"""``pynini.examples``: the example grammar modules grammars import."""

from . import plurals  # noqa: F401
