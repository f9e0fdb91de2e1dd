"""Keep the host's freed memory for reuse: the emulator's ops each allocate tens of megabytes.

glibc serves an allocation this large with a fresh ``mmap`` and unmaps it when freed, so every op pays
page faults to touch new memory: that was about a third of the emulator's time. ``reuse_freed_memory``
makes glibc serve them from its heap and keep freed memory there (``mallopt``: no ``mmap``, no trimming),
so the process keeps its peak footprint instead of returning it to the OS between ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_MAX = -4


def reuse_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse; False where there is no glibc (nothing changes)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))
