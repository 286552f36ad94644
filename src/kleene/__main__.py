"""``python -m kleene``: the same as the ``kleene`` command."""

import sys

from kleene.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
