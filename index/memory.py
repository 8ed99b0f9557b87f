"""Giving memory back to the system after a large index version is retired.

CPython frees a retired version's objects at once, but the C allocator (glibc's malloc) keeps
the freed pages of its main heap for later instead of returning them: the process would keep
the RSS of the largest directory it ever served. ``malloc_trim(0)`` returns them.
"""

from __future__ import annotations

import ctypes
import ctypes.util


def malloc_trim() -> bool:
    """Hand the heap's free pages back to the system; False where there is no glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    return bool(trim(0))
