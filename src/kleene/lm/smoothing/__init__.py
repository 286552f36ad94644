"""Smoothing methods: n-gram counts -> ARPA-form :class:`~kleene.lm.model.NgramModel`.

One module per method, each with ``estimate_<name>(counts, **options)``;
:func:`make_model` picks one by name.

Conventions shared by every method (:mod:`kleene.lm.smoothing._tables`):

* The model's n-grams are the counted ones, every vocabulary word but
  ``<eps>`` as a unigram (count 0 when unseen), and any missing prefix or
  suffix (count 0, stored with the probability the model gives it anyway,
  as SRILM does).
* ``<s>`` is never predicted: its unigram stores log10 probability -99 and
  its count takes no part in totals or count-of-counts.
* ``<unk>``: the unigram level is interpolated with the uniform distribution
  over the vocabulary without ``<eps>`` and ``<s>`` (``</s>`` and ``<unk>``
  included), for every smoothed method, so ``<unk>`` (count 0 unless a
  vocabulary cap mapped words to it) gets ``gamma() / |V|``: KenLM lmplz's
  default (``--interpolate_unigrams``, uniform over the unigrams but ``<s>``).
* Interpolated methods store interpolated probabilities for explicit n-grams
  and ``alpha(h) = gamma(h)``, as KenLM and SRILM write them; backoff methods
  compute ``alpha(h)`` so every context sums to one.
* Zero probabilities and backoff weights (ML, or Katz contexts whose
  followers are all seen more than ``bins`` times) are stored as log10 -99.
"""

from __future__ import annotations

import inspect
from typing import Literal

from ..errors import LmArgError
from .absolute import estimate_absolute
from .katz import estimate_katz
from .kneser_ney import estimate_kn, estimate_mkn, mkn_discount_table
from .ml import estimate_ml
from .witten_bell import estimate_wb

Method = Literal["mkn", "kn", "wb", "absolute", "katz", "ml"]

_ESTIMATORS = {"mkn": estimate_mkn, "kn": estimate_kn, "wb": estimate_wb,
               "absolute": estimate_absolute, "katz": estimate_katz,
               "ml": estimate_ml}
_HAS_BOTH_FORMS = {"mkn", "kn", "wb", "absolute"}


def make_model(counts, method: Method = "mkn", *, interpolate: bool | None = None,
               **options):
    """Estimates a backoff model from ``counts`` with the named method.

    ``method``: ``"mkn"`` (interpolated modified Kneser-Ney, KenLM's lmplz),
    ``"kn"``, ``"wb"`` (Witten-Bell), ``"absolute"``, ``"katz"`` (OpenGrm's
    default) or ``"ml"`` (unsmoothed). ``interpolate``: ``None`` picks the
    method's usual form (interpolated for mkn/kn/wb/absolute); ``True`` /
    ``False`` choose it for the methods that have both forms (katz is backoff
    only, ml neither). ``options`` go to the estimator (``discounts=``,
    ``discount_fallback=``, ``bins=``, ``k=``).

    Preconditions: ``counts`` is an ``NgramCounts``.
    Complexity: O(sum_k n_k log n_k) over the n-gram tables.
    """
    if method not in _ESTIMATORS:
        raise LmArgError(f"unknown smoothing method {method!r}; choose one of "
                         f"{sorted(_ESTIMATORS)}")
    if interpolate is not None:
        if method in _HAS_BOTH_FORMS:
            options["interpolate"] = bool(interpolate)
        elif interpolate and method == "katz":
            raise LmArgError("Katz smoothing has only a backoff form; use "
                             "interpolate=None/False, or method='wb'/'kn' for an "
                             "interpolated model")
    estimator = _ESTIMATORS[method]
    accepted = [p for p in inspect.signature(estimator).parameters if p != "counts"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise LmArgError(f"method {method!r} does not take option(s) {unknown}; "
                         f"it takes {accepted}")
    return estimator(counts, **options)


__all__ = [
    "estimate_absolute",
    "estimate_katz",
    "estimate_kn",
    "estimate_mkn",
    "estimate_ml",
    "estimate_wb",
    "make_model",
    "mkn_discount_table",
]
