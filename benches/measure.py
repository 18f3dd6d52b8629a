"""What every benchmark measures the same way: peak memory (each bench takes the median of
its own repeated timings, most of them in fresh processes)."""

from __future__ import annotations

import resource


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
