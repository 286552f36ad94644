"""The error the torch layer raises for bad tensors and arguments."""

from __future__ import annotations

from ..errors import FstArgError


class TorchInputError(FstArgError):
    """A tensor argument has the wrong shape, dtype, device or values (e.g.
    a target longer than its frames allow, a length out of range, a blank id
    outside the vocabulary). The message names the argument."""
