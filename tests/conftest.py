"""Shared fixtures and Hypothesis profiles.

Select a profile with the environment variable ``HYPOTHESIS_PROFILE``:

* ``ci`` (default): derandomized, so every run draws the same examples; no deadline (the
  first call into the extension, and a busy 2-core machine, make timings noisy).
* ``dev``: more examples, fresh randomness each run, for hunting new failures locally.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# Shared test markets live in tests/markets.py; put this folder on the path so every test
# module (imported by pytest in importlib mode) can import them.
sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=500,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
