"""The torch tests need PyTorch (the ``kleene[torch]`` extra); without it the
whole directory is skipped cleanly."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["test_*.py"]

if importlib.util.find_spec("torch"):
    import torch

    # One intra-op thread: the tests run tiny tensors, where thread hand-offs
    # cost more than the work (20 ms per op on a loaded 2-core machine).
    torch.set_num_threads(1)
