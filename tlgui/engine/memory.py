"""Hand memory that a finished run freed back to the operating system.

A training run allocates and frees hundreds of MB of tensors (batches, activations, cached
features). glibc's allocator keeps freed chunks mapped in its arenas (one per thread that
allocated: the GUI's training thread, torch's intra-op threads, the scan's thread pool) for
reuse, so the process's resident size stays at its high-water mark after the run and creeps
up over a long session as each new thread's arena fills with freed-but-kept pages.
``malloc_trim(0)`` returns those free pages from every arena. Nothing that is still in use
moves, so it is safe at any time; it is just pointless while a run is allocating.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache


@cache
def _malloc_trim():
    """glibc's ``malloc_trim`` or ``None`` (macOS, Windows, musl without it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> bool:
    """Return freed heap pages to the OS; ``True`` when glibc handed some back.

    Call it after a run has ended and its trainer, model copies and loaders are dropped.
    A no-op returning ``False`` where the C library has no ``malloc_trim``; never raises:
    failing to shrink is never a reason to interrupt the app.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    try:
        return bool(trim(0))
    except Exception:  # a foreign C library behaving oddly must not take the app down
        return False
