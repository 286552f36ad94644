"""Lazily loaded package attributes (PEP 562), shared by ``kleene``,
``kleene.torch`` and ``kleene.torch.transducer``: a public name is imported
from its submodule on first access, so importing a package stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable


def lazy_attributes(package: str, exports: dict[str, str], namespace: dict,
                    submodules: Iterable[str] = ()) -> tuple[Callable, Callable]:
    """Returns the ``(__getattr__, __dir__)`` pair for ``package``.

    ``exports`` maps a public name to the submodule (relative to
    ``package``) that defines it; a loaded value is cached in ``namespace``
    (the package's globals). Names in ``submodules`` resolve to the
    submodule itself."""
    submodules = tuple(submodules)

    def __getattr__(name: str):
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(exports) | set(submodules))

    return __getattr__, __dir__
