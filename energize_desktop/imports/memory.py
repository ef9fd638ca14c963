"""Giving freed memory back to the OS between import blocks.

With several threads (read-ahead, polars, DuckDB) glibc keeps freed blocks in per-thread arenas,
and a long import's resident memory creeps up by hundreds of MB through fragmentation alone;
`malloc_trim` after each block keeps it flat (measured: 830 → 645 MB peak on a 2 GB file).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_trim = None
if sys.platform.startswith("linux"):
    try:
        _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl): nothing to do
        _trim = None


def release() -> None:
    if _trim is not None:
        _trim(0)


def peak_mb() -> float | None:
    """This process's peak resident memory (VmHWM) in MB, or None where /proc is missing.

    Not ru_maxrss: on Linux that survives exec, so a child started from a big parent reports
    the parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
