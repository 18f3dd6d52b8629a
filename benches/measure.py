"""What every benchmark measures the same way: peak memory and medians of timings."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``VmHWM`` belongs to the process's own address space. ``ru_maxrss`` is not used
    because it survives fork and exec, so a worker would report its parent's high-water mark.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_seconds(f: Callable[[], Any], repeats: int) -> float:
    """The median wall time of ``repeats`` calls of ``f``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
