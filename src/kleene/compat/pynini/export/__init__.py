"""``pynini.export``: writing grammars to FAR archives."""

from . import export  # noqa: F401
