"""This process's resident memory, now and at its peak, in MB (Linux /proc; ru_maxrss)."""

from __future__ import annotations

import os
import resource

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def current_rss_mb() -> float:
    """Resident set size right now."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


def peak_rss_mb() -> float:
    """Highest resident set size so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
