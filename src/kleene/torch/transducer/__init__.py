"""Transducer losses and decoders: RNN-T, pruned RNN-T, TDT and multi-blank,
greedy and beam search. Names are loaded lazily (see :mod:`kleene.torch`)."""

from __future__ import annotations

import importlib

# public name -> submodule of kleene.torch.transducer that defines it
_EXPORTS: dict[str, str] = {}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kleene.torch.transducer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
