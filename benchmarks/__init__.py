"""kleene's benchmarks against pynini (OpenFst): ``python -m benchmarks run``.

Kept free of numpy/numba imports so that ``__main__`` can pin thread counts
before they load. See ``benchmarks/README.md``.
"""

import os

THREAD_ENV_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                   "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_threads(threads: int) -> None:
    """Sets the thread-count variables; effective only before numpy/numba load."""
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(threads)
