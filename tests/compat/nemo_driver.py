"""Builds NeMo's English TN and ITN grammars on one backend and normalizes
sentences: ``python -m tests.compat.nemo_driver {pynini|kleene} IN.json
OUT.json``. IN holds ``{"written": [...], "spoken": [...]}``; OUT gets the
outputs, build times (seconds), peak RSS (MiB) and normalization times.

With ``kleene``, :func:`kleene.compat.install` runs first, so NeMo's
``import pynini`` gets kleene's module; NeMo's code is not changed.
Run in a fresh process per backend (NeMo builds its grammars at import and
construction time, and the two backends cannot share a process).
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    backend, in_path, out_path = argv
    if backend == "kleene":
        import kleene.compat
        kleene.compat.install()
    elif backend != "pynini":
        raise SystemExit(f"unknown backend {backend!r}")
    logging.disable(logging.WARNING)
    with open(in_path, encoding="utf-8") as f:
        data = json.load(f)
    result: dict = {"backend": backend}
    t0 = time.perf_counter()
    from nemo_text_processing.text_normalization.normalize import Normalizer
    result["import_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tn = Normalizer(input_case="cased", lang="en", cache_dir=None, overwrite_cache=True)
    result["tn_build_s"] = time.perf_counter() - t0
    result["tn_peak_mib"] = _peak_mib()
    outputs, t0 = [], time.perf_counter()
    for sentence in data.get("written", []):
        outputs.append(tn.normalize(sentence, verbose=False, punct_post_process=True))
    result["tn_normalize_s"] = time.perf_counter() - t0
    result["tn"] = outputs
    if data.get("spoken"):
        from nemo_text_processing.inverse_text_normalization.inverse_normalize import (
            InverseNormalizer,
        )
        t0 = time.perf_counter()
        itn = InverseNormalizer(lang="en", cache_dir=None, overwrite_cache=True)
        result["itn_build_s"] = time.perf_counter() - t0
        outputs, t0 = [], time.perf_counter()
        for sentence in data["spoken"]:
            outputs.append(itn.inverse_normalize(sentence, verbose=False))
        result["itn_normalize_s"] = time.perf_counter() - t0
        result["itn"] = outputs
    result["peak_mib"] = _peak_mib()
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
