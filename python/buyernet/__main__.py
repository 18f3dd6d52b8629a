"""``python -m buyernet``: the ``buyernet`` command (see :mod:`buyernet.cli`)."""

import sys

from buyernet.cli import main

sys.exit(main())
