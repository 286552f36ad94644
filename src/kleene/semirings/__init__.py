"""Semirings: tropical, log, real (probability) and boolean, each in float32
(OpenFst's default) and float64.

``get_semiring("log", np.float64)`` or ``get_semiring("log64")`` looks one up;
``semiring_for_arc_type("standard")`` maps OpenFst arc type names.
"""

from __future__ import annotations

import numpy as np

from .base import BOOLEAN, DEFAULT_DELTA, LOG, REAL, TROPICAL, Semiring
from .boolean import boolean, boolean64
from .log import log, log64
from .real import real, real64
from .tropical import tropical, tropical64

ALL_SEMIRINGS = (tropical, tropical64, log, log64, real, real64, boolean, boolean64)

_BY_NAME = {}
for _s in ALL_SEMIRINGS:
    _BY_NAME[(_s.name, np.dtype(_s.dtype))] = _s
_ALIASES = {"standard": tropical, "tropical": tropical, "tropical32": tropical,
            "tropical64": tropical64, "log": log, "log32": log, "log64": log64,
            "real": real, "real32": real, "real64": real64, "prob": real,
            "probability": real, "boolean": boolean, "bool": boolean,
            "boolean64": boolean64}


def get_semiring(name: "str | Semiring", dtype=None) -> Semiring:
    """Looks a semiring up by name (``"tropical"``, ``"log64"``, ``"standard"``,
    ...) and optionally dtype (``np.float32`` / ``np.float64``)."""
    if dtype is None and name.__class__ is Semiring:
        return name  # the common case, on every Fst construction: no work
    from ..errors import FstArgError
    if isinstance(name, Semiring):
        sr = name
    else:
        sr = _ALIASES.get(str(name).lower())
        if sr is None:
            raise FstArgError(
                f"unknown semiring {name!r}; expected one of "
                f"{sorted(set(_ALIASES))}")
    if dtype is not None:
        key = (sr.name, np.dtype(dtype))
        if key not in _BY_NAME:
            raise FstArgError(f"semiring weights must be float32 or float64, not {dtype}")
        sr = _BY_NAME[key]
    return sr


def semiring_for_arc_type(arc_type: str) -> Semiring:
    """Maps an OpenFst arc type (``standard``, ``log``, ``log64``, ``tropical64``)."""
    from ..errors import FstArgError
    for s in ALL_SEMIRINGS:
        if s.arc_type == arc_type:
            return s
    raise FstArgError(f"unknown arc type {arc_type!r}")


__all__ = ["Semiring", "get_semiring", "semiring_for_arc_type", "ALL_SEMIRINGS",
           "tropical", "tropical64", "log", "log64", "real", "real64", "boolean",
           "boolean64", "TROPICAL", "LOG", "REAL", "BOOLEAN", "DEFAULT_DELTA"]
