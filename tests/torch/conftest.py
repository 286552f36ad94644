"""The torch tests need PyTorch (the ``kleene[torch]`` extra); without it the
whole directory is skipped cleanly."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["test_*.py"]
