"""Exported frozen backbones kept on disk, so a frozen phase on a backbone that was exported
before opens its ONNX Runtime session without running torch's exporter again.

Transfer runs freeze the same pretrained backbone run after run, and prediction opens the same
trained one each time a model is loaded; the export is the one-off cost of every frozen phase
(most of it in a fresh process, where the exporter's first call also warms up). The graph and
its weights depend only on the module and the export's settings, so they are kept here.

- The **key** (:func:`export_key`) hashes what the export depends on: the module's weights
  and architecture (:func:`~tlgui.engine.feature_store.weights_digest`), the code of a
  ``torch.fx``-rewritten module (BatchNorm folding), the class of every submodule, the
  pictures' side, the ONNX opset, and the torch and tlgui versions.
- Whatever the key misses is still caught: :func:`~tlgui.engine.onnx_backend.frozen_forward`
  compares every session's output with torch's on the first batch, and a cached graph that
  does not match is discarded and exported afresh.

Layout: ``<cache>/onnx/<key>.onnx``, written atomically, the whole folder kept under
:attr:`ExportCache.max_bytes` by removing the least recently used files. Every failure to read
or write is a cache miss, never an error. Off when ``$TLGUI_ONNX_CACHE`` is ``0``/``off``/
``no``/``false`` (:mod:`tlgui.engine.cache_dir`).

The same folder keeps :class:`SpeedRecord`: how many times faster ORT ran an architecture than
torch did on this machine, measured once (``<cache>/onnx/speed/<key>.json``, a few bytes
each). Which library is faster depends on the network and the CPU, not on the weights, so
``auto`` measures it the first time it meets an architecture and reads it afterwards
(:func:`speed_key`: the architecture, the pictures' side, the thread count, the torch, ORT and
tlgui versions and the CPU). Switched on and off with the export cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
from pathlib import Path

import torch
from torch import nn

from .. import __version__
from .cache_dir import cache_root, onnx_cache_enabled
from .feature_store import weights_digest
from .fileio import atomic_write

_SUFFIX = ".onnx"


def _folder() -> Path | None:
    """``<cache>/onnx``, or None when ``$TLGUI_ONNX_CACHE`` turns the export cache (and with it
    the speed record) off."""
    return cache_root() / "onnx" if onnx_cache_enabled() else None


def _architecture_hash(module: nn.Module, setting: str) -> hashlib.blake2b:
    """A hash of ``setting`` and ``module``'s architecture: the code of a ``torch.fx``-rewritten
    module and the class of every submodule, with the torch and tlgui versions."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}|{torch.__version__}|{setting}\n".encode())
    h.update(str(getattr(module, "code", "")).encode())
    for name, sub in module.named_modules():
        h.update(f"{name}:{type(sub).__module__}.{type(sub).__qualname__}\n".encode())
    return h


def export_key(module: nn.Module, input_size: tuple[int, int], opset: int) -> str:
    """The cache key of ``module`` exported at ``input_size`` with ``opset`` (see the module
    docstring)."""
    h = _architecture_hash(module, f"opset{opset}|{input_size}")
    h.update(weights_digest(module).encode())
    return h.hexdigest()


def speed_key(module: nn.Module, input_size: tuple[int, int], threads: int) -> str:
    """The :class:`SpeedRecord` key of ``module``'s architecture run at ``input_size`` on
    ``threads`` threads by this ONNX Runtime on this CPU (see the module docstring)."""
    import onnxruntime

    machine = f"{platform.machine()}|{platform.processor()}|{os.cpu_count()}"
    setting = f"speed|{input_size}|{threads}|ort{onnxruntime.__version__}|{machine}"
    return _architecture_hash(module, setting).hexdigest()


class ExportCache:
    """ONNX bytes under ``root``, by key. Safe to share between processes (writes are atomic
    and a reader sees a whole file or none)."""

    max_bytes: int = 1 * 2**30

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def default(cls) -> ExportCache | None:
        """The cache in tlgui's cache folder, or None when ``$TLGUI_ONNX_CACHE`` turns it off."""
        folder = _folder()
        return cls(folder) if folder is not None else None

    def _path(self, key: str) -> Path:
        return self.root / f"{key}{_SUFFIX}"

    def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key`` (marked as recently used), or None."""
        path = self._path(key)
        try:
            model = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return model or None

    def put(self, key: str, model: bytes) -> bool:
        """Store ``model`` under ``key``, then prune; False when it could not be written."""
        try:
            atomic_write(self._path(key), lambda f: f.write(model))
            self._prune(keep=key)
        except OSError:
            return False
        return True

    def discard(self, key: str) -> None:
        """Forget ``key`` (a stored graph that no longer matches its module)."""
        with contextlib.suppress(OSError):
            self._path(key).unlink()

    def _prune(self, keep: str) -> None:
        """Remove the least recently used files (never ``keep``'s) while over
        :attr:`max_bytes`."""
        entries = []
        for path in self.root.glob(f"*{_SUFFIX}"):
            with contextlib.suppress(OSError):
                stat = path.stat()
                entries.append((stat.st_mtime, path, stat.st_size))
        total = sum(size for _mtime, _path, size in entries)
        for _mtime, path, size in sorted(entries):
            if total <= self.max_bytes:
                break
            if path != self._path(keep):
                with contextlib.suppress(OSError):
                    path.unlink()
                    total -= size


class SpeedRecord:
    """Measured speed-ups of ONNX Runtime over torch, by :func:`speed_key`: one small JSON file
    per key under ``root``, written atomically; a missing, unreadable or malformed one is
    "not measured yet"."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def default(cls) -> SpeedRecord | None:
        """The record in tlgui's cache folder, or None while the export cache is off."""
        folder = _folder()
        return cls(folder / "speed") if folder is not None else None

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def get(self, key: str) -> float | None:
        """The speed-up measured under ``key`` (ORT's speed / torch's), or None."""
        try:
            speedup = float(json.loads(self._path(key).read_text(encoding="utf-8"))["speedup"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return speedup if math.isfinite(speedup) and speedup > 0 else None

    def put(self, key: str, speedup: float) -> None:
        """Keep ``speedup`` under ``key`` (silently not, when it cannot be written)."""
        if not (math.isfinite(speedup) and speedup > 0):
            return
        text = json.dumps({"speedup": round(speedup, 4)})
        with contextlib.suppress(OSError):
            atomic_write(self._path(key), lambda f: f.write(text), mode="w")


__all__ = ["ExportCache", "SpeedRecord", "export_key", "speed_key"]
