"""Transducer losses and decoders: RNN-T, pruned RNN-T, TDT and multi-blank,
greedy and beam search. Names are loaded lazily (see :mod:`kleene.torch`)."""

from __future__ import annotations

from ..._lazy import lazy_attributes

# public name -> submodule of kleene.torch.transducer that defines it
_EXPORTS = {
    # losses
    "rnnt_loss": "rnnt", "RNNTLoss": "rnnt",
    "rnnt_loss_simple": "pruned", "get_rnnt_prune_ranges": "pruned",
    "do_rnnt_pruning": "pruned", "rnnt_loss_pruned": "pruned", "pruned_rnnt_loss": "pruned",
    "PrunedRNNTLoss": "pruned", "PrunedRnntLossOutput": "pruned",
    "mutual_information_recursion": "pruned",
    "tdt_loss": "tdt", "TDTLoss": "tdt",
    "multiblank_rnnt_loss": "multiblank", "MultiblankRNNTLoss": "multiblank",
    # decoding
    "greedy_search": "greedy", "tdt_greedy_search": "greedy",
    "modified_beam_search": "beam", "tdt_beam_search": "beam",
    "GreedyResult": "model", "Hypothesis": "model", "Predictor": "model", "Joiner": "model",
    "LanguageModel": "model", "LstmPredictor": "model", "LinearJoiner": "model",
    "state_select": "model", "state_where": "model", "state_stack": "model",
    "state_unbind": "model",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_attributes(__name__, _EXPORTS, globals())
