"""numba kernels: plain arrays in, arrays (+ status, + arc_map) out.

Rules (see DESIGN.md): ``@njit(cache=True)``, no closures or function-typed
arguments, no Fst objects, no exceptions for bad input -- return a status code
that the calling algorithm maps to a clear error. Semiring arithmetic goes
through :mod:`kleene.kernels.semiring`, which branches on an integer code.
"""
