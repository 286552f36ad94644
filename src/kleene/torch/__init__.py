"""kleene's PyTorch layer (the optional ``kleene[torch]`` extra).

Differentiable automata: :class:`TensorFst` (a batch of kleene machines whose
arc scores are tensors), forward scores, arc posteriors and Viterbi paths with
autograd, dense intersection with frame-level log-probabilities and CTC
through graphs. Transducer losses and decoders live in
:mod:`kleene.torch.transducer`.

The core never imports this package; importing it without PyTorch raises an
``ImportError`` that says how to install it. Names are loaded lazily, so
``import kleene.torch`` stays cheap.
"""

from __future__ import annotations

from .._lazy import lazy_attributes

try:
    import torch as _torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without torch only
    raise ImportError(
        "kleene.torch needs PyTorch: pip install 'kleene[torch]' "
        "(or pip install torch)") from exc

# public name -> submodule of kleene.torch that defines it
_EXPORTS = {
    "TensorFst": "tensor_fst",
    "TorchInputError": "errors",
    "forward_score": "forward",
    "arc_posteriors": "forward",
    "forward_scores": "forward",
    "backward_scores": "forward",
    "viterbi": "viterbi",
    "best_path": "viterbi",
    "intersect_dense": "intersect_dense",
    "ctc_loss": "ctc",
    "ctc_graph": "ctc",
    "ctc_topology": "ctc",
}
# Submodules reached as attributes: ``kleene.torch.ops`` holds differentiable
# versions of kleene operations (compose, union, ...; their names would shadow
# the core's), ``kleene.torch.transducer`` the transducer losses and decoders.
_SUBMODULES = ("ops", "transducer")

__all__ = list(_EXPORTS) + ["ops", "transducer"]

# Two functions share their module's name. Importing such a submodule binds
# the module object to that name on this package, shadowing the lazy lookup,
# so these two are bound eagerly (after their modules load).
from .intersect_dense import intersect_dense as intersect_dense
from .viterbi import viterbi as viterbi

__getattr__, __dir__ = lazy_attributes(__name__, _EXPORTS, globals(), _SUBMODULES)
