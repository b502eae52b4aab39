"""glibc allocator settings for training: keep big freed blocks while a run lasts, hand them
back to the operating system when it has ended.

These functions change process-wide state, so the engine never calls them: tlgui's entry
points do (:mod:`tlgui.process`, used by the ``tlgui`` command and the desktop app), and an
embedding program may.

**During a run** (:func:`reuse_freed_memory`): a frozen backbone's forward allocates and frees
the same large activations batch after batch (resnet18's first convolution at batch 32: a
103 MB tensor). Above glibc's mmap threshold (at most 32 MB by default) every such block is a
fresh ``mmap`` whose pages the kernel faults in and zeroes, and ``free`` unmaps it again, so
part of every forward is the kernel's work (README "Performance" has the measurement). While
the setting holds, the threshold is raised so those blocks come from the heap and are reused,
and the heap is not trimmed after each free; glibc's starting values come back when the last
holder ends. Only blocks allocated on the main thread's heap fully benefit (another thread's
malloc arena grows in heaps of at most 64 MB), hence :func:`single_arena` for a program whose
runs train on a worker thread.

**After a run** (:func:`release_memory`): a training run allocates and frees hundreds of MB of
tensors (batches, activations, cached features). glibc keeps freed chunks mapped in its arenas
(one per thread that allocated) for reuse, so the process's resident size stays at its
high-water mark after the run and creeps up over a long session as each new thread's arena
fills with freed-but-kept pages. ``malloc_trim(0)`` returns those free pages from every arena,
whatever the trim threshold. Nothing that is still in use moves, so it is safe at any time; it
is just pointless while a run is allocating.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys
import threading
from functools import cache

# mallopt parameters (glibc's malloc.h) and the values glibc starts with.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_GLIBC_DEFAULT_THRESHOLD = 128 * 1024
# While a run lasts: blocks up to 1 GiB come from the heap, and the heap is trimmed only when
# about 2 GiB at its top are free (mallopt takes an int).
_RUN_MMAP_THRESHOLD = 1 << 30
_RUN_TRIM_THRESHOLD = (1 << 31) - 1


def _glibc_function(name: str, argtypes: list):
    """The C library's ``name`` (returning an int), or ``None`` off Linux or where the C
    library lacks it (musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = getattr(libc, name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = argtypes
    fn.restype = ctypes.c_int
    return fn


@cache
def _malloc_trim():
    """glibc's ``malloc_trim`` or ``None`` (macOS, Windows, musl without it)."""
    return _glibc_function("malloc_trim", [ctypes.c_size_t])


@cache
def _mallopt():
    """glibc's ``mallopt`` or ``None``."""
    return _glibc_function("mallopt", [ctypes.c_int, ctypes.c_int])


def _set(param: int, value: int) -> bool:
    fn = _mallopt()
    if fn is None:
        return False
    try:
        return bool(fn(param, value))
    except Exception:  # as in release_memory: a tuning knob must never break a run
        return False


_runs_lock = threading.Lock()
_runs = 0


@contextlib.contextmanager
def reuse_freed_memory():
    """While the block lasts, keep large freed blocks in the heap for the next batch (see the
    module docstring). Nested and concurrent holders share one setting; glibc's thresholds are
    restored (fixed at its 128 kB starting values) when the last one ends. A no-op without
    glibc; never raises."""
    global _runs
    with _runs_lock:
        _runs += 1
        if _runs == 1:
            _set(_M_MMAP_THRESHOLD, _RUN_MMAP_THRESHOLD)
            _set(_M_TRIM_THRESHOLD, _RUN_TRIM_THRESHOLD)
    try:
        yield
    finally:
        with _runs_lock:
            _runs -= 1
            if _runs == 0:
                _set(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
                _set(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)


def single_arena() -> bool:
    """One malloc arena for every thread; ``True`` when glibc took the setting.

    Call it first thing in a program whose runs train on a worker thread (the desktop app),
    before any thread exists: a thread gets its arena at its first allocation and an arena other
    than the main one grows in heaps of at most 64 MB, too small for the blocks
    :func:`reuse_freed_memory` keeps. One arena also lets every thread reuse what another freed
    (less of the creep :func:`release_memory` undoes); the price, a shared lock around malloc,
    is small next to a backbone's forward pass."""
    return _set(_M_ARENA_MAX, 1)


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
