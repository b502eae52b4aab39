"""Process-wide settings, applied only by tlgui's own programs: the ``tlgui`` command
(:mod:`tlgui.cli`) and the desktop app (:mod:`tlgui.gui.app`).

The engine changes none of them, so a notebook or another program that imports it keeps its
own allocator settings, warning filters and PIL limits. tlgui's programs choose these:

- glibc's allocator keeps large freed blocks while training happens in the process
  (:func:`tlgui.engine.memory.reuse_freed_memory`); a program that trains on a thread other
  than the main one first puts every thread on one malloc arena
  (:func:`tlgui.engine.memory.single_arena`), so that thread's blocks are reused too;
- PIL's warnings about odd files are not shown: the engine reports every file it cannot use
  as skipped, with a one-line reason;
- the ONNX exporter's notes (its deprecation notice, constants it leaves unfolded) are not
  shown: the engine reports which backend runs the frozen backbone, and why, in one line;
  nor are ``torch.jit``'s deprecation notices, which ``tlgui export --format torchscript``
  would print on every export (README "Use your model without tlgui" says it instead).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from .engine import memory

# Warnings raised from PIL's modules (corrupt EXIF, oversized tags, decompression-bomb notes).
_PIL_MODULES = r"PIL\."


# What torch's TorchScript-based ONNX exporter says on every export of a frozen backbone.
_EXPORT_NOTES = (
    r"You are using the legacy TorchScript-based ONNX export",
    r"The feature will be removed",
    r"Constant folding - Only steps=1",
    r"`torch\.jit\.\w+` is deprecated",
)


def quiet_image_warnings() -> None:
    """Hide PIL's warnings about the files it reads (see the module docstring)."""
    warnings.filterwarnings("ignore", module=_PIL_MODULES)


def quiet_export_warnings() -> None:
    """Hide the ONNX exporter's notes (see the module docstring)."""
    for message in _EXPORT_NOTES:
        warnings.filterwarnings("ignore", message=message)


@contextlib.contextmanager
def tuned_for_training(*, worker_thread: bool = False) -> Iterator[None]:
    """The allocator settings for a program that trains, for as long as the block lasts.

    ``worker_thread``: runs train on a thread other than the main one (the desktop app). The
    single arena must be set before any other thread exists, so enter this block first thing.
    A no-op without glibc; never raises.
    """
    if worker_thread:
        memory.single_arena()
    with memory.reuse_freed_memory():
        yield


__all__ = ["quiet_export_warnings", "quiet_image_warnings", "tuned_for_training"]
