"""N-gram language models: counting, smoothing, ARPA files, pruning, scoring.

>>> from kleene.lm import count_ngrams
>>> count_ngrams(["a b a"], 2).num_ngrams
(4, 4)
"""

from .arpa import read_arpa, write_arpa
from .counts import (NgramCounts, count_ngrams, counts_to_fst, merge_counts,
                     prune_counts, read_text_files)
from .errors import ArpaFormatError, CorpusNotFoundError, LmArgError, LmError, LmModelError
from .model import NgramModel
from .prune import prune_model, recompute_backoffs
from .vocab import Vocabulary

__all__ = ["ArpaFormatError", "CorpusNotFoundError", "LmArgError", "LmError",
           "LmModelError", "NgramCounts", "NgramModel", "Vocabulary", "count_ngrams", "prune_model", "recompute_backoffs",
           "counts_to_fst", "merge_counts", "prune_counts", "read_arpa", "read_text_files", "write_arpa"]
