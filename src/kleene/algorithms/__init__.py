"""Public operations with OpenFst/pynini names, one module each.

Each module validates its input, applies preconditions, calls a numba kernel
from :mod:`kleene.kernels` and wraps the result as a new :class:`~kleene.Fst`.
"""
