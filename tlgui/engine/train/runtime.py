"""What a run runs on and how it talks to the outside: device and precision, events, cancel.

:class:`Runtime` is the device, mixed precision and memory format every pass uses;
:class:`EventBus` hands the engine's immutable events to the caller's callbacks, reports each
unreadable file once and carries the cooperative :class:`CancelToken`.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import torch

from ..events import Callback, Skipped
from ..rng import global_rng_draws


class TrainingError(RuntimeError):
    """A run cannot go on; the message is one line for the user."""


class Cancelled(Exception):
    """Raised inside the engine when the :class:`CancelToken` was set; the loop that started
    the work catches it and ends cleanly."""


class CancelToken:
    """Cooperative cancel: the loop checks it at every batch."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA, then MPS, then the CPU; a named device that is missing is a
    :class:`TrainingError`."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainingError("CUDA was requested but no CUDA device is available")
    if name == "mps" and not torch.backends.mps.is_available():
        raise TrainingError("MPS was requested but it is not available on this machine")
    return torch.device(name)


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"


def auto_workers(device: torch.device) -> int:
    """DataLoader workers. On a CPU with few cores, workers take cores from the backbone's
    intra-op threads, so decoding in-process is as fast (``benchmarks/bench_train.py``)."""
    cores = os.cpu_count() or 1
    if device.type == "cpu":
        return 0 if cores <= 4 else min(4, cores // 4)
    return min(8, max(2, cores - 2))


def seed_everything(seed: int) -> None:
    """Seed ``random``, numpy and torch's global generator (see :mod:`tlgui.engine.rng`)."""
    random.seed(seed)
    with global_rng_draws():
        torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % (2**32))
    except ImportError:  # pragma: no cover - numpy ships with torch wheels
        pass


def is_oom(exc: BaseException) -> bool:
    """Whether ``exc`` says the device or the host ran out of memory."""
    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text or "not enough memory" in text
    )


@dataclass(frozen=True)
class Runtime:
    """The device a run computes on, its mixed precision and its memory format."""

    device: torch.device
    use_amp: bool
    amp_dtype: torch.dtype
    memory_format: torch.memory_format

    @classmethod
    def create(cls, device: str = "auto", amp: bool = True, channels_last: bool = True) -> Runtime:
        """Mixed precision only on CUDA: bfloat16 where supported, else float16 (which then
        needs a gradient scaler, see :class:`~.step.TrainStep`)."""
        dev = resolve_device(device)
        use_amp = amp and dev.type == "cuda"
        bf16 = use_amp and torch.cuda.is_bf16_supported()
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        return cls(dev, use_amp, torch.bfloat16 if bf16 else torch.float16, fmt)

    @property
    def needs_grad_scaler(self) -> bool:
        return self.use_amp and self.amp_dtype == torch.float16

    def to_device(self, x: torch.Tensor) -> torch.Tensor:
        """An image batch on the device, in the run's memory format."""
        return x.to(self.device, non_blocking=True).contiguous(memory_format=self.memory_format)

    def autocast(self) -> AbstractContextManager[Any]:
        return torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=self.use_amp)


class EventBus:
    """Delivers events to the caller's callbacks (any object with some of the hooks of
    :class:`~tlgui.engine.events.Callback`), reports each unreadable file once, and checks the
    cancel token."""

    def __init__(
        self,
        callbacks: Sequence[Callback] = (),
        cancel: CancelToken | None = None,
        watch: Callable[[], None] | None = None,
    ):
        """``watch``: also called at every cancel check; it may raise to end the work (a
        distributed run's check that no other process has failed)."""
        self.callbacks = list(callbacks)
        self.cancel = cancel or CancelToken()
        self.watch = watch
        self.skipped: list[Skipped] = []
        self._skipped_paths: set[str] = set()

    def emit(self, hook: str, event: Any) -> None:
        for callback in self.callbacks:
            handler = getattr(callback, hook, None)
            if handler is not None:
                handler(event)

    def report_skipped(self, bad: Iterable[Any]) -> None:
        """Report each of ``bad`` (records with ``path`` and ``reason``, as
        :class:`~tlgui.engine.data.SkippedFile`) through ``on_skipped``, once per path."""
        for item in bad:
            if item.path not in self._skipped_paths:
                self._skipped_paths.add(item.path)
                event = Skipped(item.path, item.reason)
                self.skipped.append(event)
                self.emit("on_skipped", event)

    def check_cancel(self) -> None:
        """Raise :class:`Cancelled` if the token was set (or what ``watch`` raises)."""
        if self.cancel.cancelled:
            raise Cancelled
        if self.watch is not None:
            self.watch()


__all__ = [
    "CancelToken",
    "Cancelled",
    "EventBus",
    "Runtime",
    "TrainingError",
    "auto_workers",
    "device_description",
    "is_oom",
    "resolve_device",
    "seed_everything",
]
