"""Compatibility layers: run code written for other toolkits on kleene.

:mod:`kleene.compat.pynini` is a pynini-compatible module; :func:`install`
makes ``import pynini`` (and ``pynini.lib.pynutil``, ``pynini.lib.byte``,
``pynini.lib.utf8``, ``pynini.lib.rewrite``, ``pynini.lib.rule_cascade``,
``pynini.export.export``, ``pynini.examples.plurals``) resolve to it, so a
program written against pynini runs on kleene without edits::

    import kleene.compat
    kleene.compat.install()
    import pynini            # kleene's

``python -m kleene.compat script.py [args]`` runs a script that way.
"""

from __future__ import annotations

import importlib
import sys

from ..errors import KleeneError

#: ``import`` names and the kleene modules they resolve to.
PYNINI_MODULES = {
    "pynini": "kleene.compat.pynini",
    "pynini.lib": "kleene.compat.pynini.lib",
    "pynini.lib.pynutil": "kleene.compat.pynini.lib.pynutil",
    "pynini.lib.byte": "kleene.compat.pynini.lib.byte",
    "pynini.lib.utf8": "kleene.compat.pynini.lib.utf8",
    "pynini.lib.rewrite": "kleene.compat.pynini.lib.rewrite",
    "pynini.lib.rule_cascade": "kleene.compat.pynini.lib.rule_cascade",
    "pynini.export": "kleene.compat.pynini.export",
    "pynini.export.export": "kleene.compat.pynini.export.export",
    "pynini.examples": "kleene.compat.pynini.examples",
    "pynini.examples.plurals": "kleene.compat.pynini.examples.plurals",
}

_saved: dict[str, object] = {}


class CompatError(KleeneError, RuntimeError):
    """The compatibility layer cannot be installed as asked."""


def installed() -> bool:
    """Whether ``import pynini`` currently gives kleene's module."""
    module = sys.modules.get("pynini")
    return module is not None and module.__name__ == "kleene.compat.pynini"


def install(*, replace: bool = False) -> None:
    """Makes ``import pynini`` and its submodules resolve to
    :mod:`kleene.compat.pynini`.

    Call it before anything imports pynini. If the real pynini is already
    imported, raises :class:`CompatError` unless ``replace=True``, which
    swaps the modules anyway (objects already built by the real pynini stay
    real pynini objects; :func:`uninstall` puts the real modules back).
    Idempotent.
    """
    if installed():
        return
    present = [name for name in PYNINI_MODULES if name in sys.modules]
    if present and not replace:
        raise CompatError(
            "the real pynini is already imported; call kleene.compat.install() before "
            "anything imports pynini, or pass replace=True to swap it anyway")
    for name in present:
        _saved[name] = sys.modules[name]
    for alias, target in PYNINI_MODULES.items():
        sys.modules[alias] = importlib.import_module(target)


def uninstall() -> None:
    """Undoes :func:`install`: removes the aliases and restores any real
    pynini modules that :func:`install` replaced."""
    for alias, target in PYNINI_MODULES.items():
        module = sys.modules.get(alias)
        if module is not None and module.__name__ == target:
            del sys.modules[alias]
    sys.modules.update(_saved)
    _saved.clear()


__all__ = ["PYNINI_MODULES", "CompatError", "install", "installed", "uninstall"]
