"""Frozen-backbone features on disk, shared by training's feature passes and the dataset doctor.

A frozen backbone's output for a picture under the eval view depends only on the backbone's
weights, the view (input size, normalisation, how pictures are decoded and resized) and the
file's content. The store keeps those outputs between runs, so a training run reuses what the
doctor computed on the same dataset with the same backbone, and the reverse.

- The **model key** (:func:`model_key`) hashes the backbone's architecture and weights (every
  floating-point tensor of its state dict: ImageNet weights, a random start after its BatchNorm
  calibration and a user's weights file all key by what they are), the view, the device type
  (the GPU path resizes on the device) and the precision, plus :data:`FEATURE_VERSION`.
- The **file identity** (:func:`file_identity`) is the absolute path, size and modification
  time in nanoseconds: an edited or replaced file gets a new identity and is computed again.

Layout: ``<cache>/features/<model key>/<shard>.pt``, each shard a ``torch.save`` dict
(``keys``: file identities, ``features``: an (N, F) float32 tensor) read with
``weights_only=True``. Shards are written atomically with unique names, so two processes may
add to one key at once; more than :attr:`FeatureStore.shard_limit` shards are merged into one.
The whole store is kept under :attr:`FeatureStore.max_bytes` by removing the least recently
used model keys. Every failure to read or write is a cache miss, never an error: the store only
ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from .cache_dir import cache_root, feature_store_enabled
from .fileio import FileFormatError, atomic_write, load_torch_file

FEATURE_VERSION = 2
"""Part of every model key: raised when decoding or the eval view changes what a feature is."""

_FORMAT, _FORMAT_VERSION = "tlgui-features", 1


def file_identity(path: str) -> str | None:
    """``"<absolute path>\\0<size>\\0<mtime ns>"``, or None when the file cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}"


def weights_digest(module: nn.Module) -> str:
    """A hash of ``module``'s architecture and weights: the names, dtypes, shapes and bytes of
    every floating-point tensor of its state dict (integer counters such as BatchNorm's
    ``num_batches_tracked`` play no part in an eval-mode forward)."""
    h = hashlib.blake2b(digest_size=20)
    for name, tensor in module.state_dict().items():
        if not tensor.is_floating_point():
            continue
        t = tensor.detach().to("cpu").contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().data)
    return h.hexdigest()


def model_key(
    backbone: nn.Module,
    input_size: int,
    mean: Sequence[float],
    std: Sequence[float],
    device_type: str,
    precision: str,
) -> str:
    """The store's key for ``backbone``'s features under the eval view of ``input_size``,
    ``mean`` and ``std``, computed on ``device_type`` in ``precision``."""
    view = f"v{FEATURE_VERSION}|{input_size}|{tuple(mean)}|{tuple(std)}|{device_type}|{precision}"
    h = hashlib.blake2b(digest_size=16)
    h.update(view.encode())
    h.update(weights_digest(backbone).encode())
    return h.hexdigest()


class FeatureStore:
    """The on-disk store under ``root`` (see the module docstring). One object may be used from
    one thread at a time; several objects and processes may share ``root``."""

    shard_limit: int = 8
    max_bytes: int = 4 * 2**30

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        # Per model key: the shard names read and what they hold ({identity: (tensor, row)}).
        self._tables: dict[str, tuple[frozenset[str], dict[str, tuple[torch.Tensor, int]]]] = {}

    @classmethod
    def default(cls) -> FeatureStore | None:
        """The store in tlgui's cache folder, or None when ``$TLGUI_FEATURE_STORE`` turns it
        off (:mod:`tlgui.engine.cache_dir`)."""
        if not feature_store_enabled():
            return None
        return cls(cache_root() / "features")

    def _dir(self, key: str) -> Path:
        return self.root / key

    def _shards(self, key: str) -> list[Path]:
        try:
            return sorted(p for p in self._dir(key).iterdir() if p.suffix == ".pt")
        except OSError:
            return []

    def _table(self, key: str) -> dict[str, tuple[torch.Tensor, int]]:
        shards = self._shards(key)
        names = frozenset(p.name for p in shards)
        held = self._tables.get(key)
        if held is not None and held[0] == names:
            return held[1]
        table: dict[str, tuple[torch.Tensor, int]] = {}
        for shard in shards:  # sorted by name = by time written: later shards win
            try:
                data = load_torch_file(shard, _FORMAT, _FORMAT_VERSION)
                keys, feats = data["keys"], data["features"]
                if not isinstance(feats, torch.Tensor) or len(keys) != len(feats):
                    raise FileFormatError("format")
            except (OSError, FileFormatError, KeyError, TypeError):
                with contextlib.suppress(OSError):  # a damaged shard is only lost time
                    shard.unlink()
                continue
            for row, identity in enumerate(keys):
                table[str(identity)] = (feats, row)
        self._tables[key] = (names, table)
        return table

    def get(self, key: str, identities: Sequence[str | None]) -> dict[int, torch.Tensor]:
        """``{position in identities: feature vector}`` for the files the store holds under
        ``key`` (None identities never match). Marks ``key`` as recently used."""
        table = self._table(key)
        found: dict[int, torch.Tensor] = {}
        for i, identity in enumerate(identities):
            hit = table.get(identity) if identity is not None else None
            if hit is not None:
                found[i] = hit[0][hit[1]].clone()
        if found:
            with contextlib.suppress(OSError):
                os.utime(self._dir(key))
        return found

    def put(self, key: str, identities: Sequence[str | None], features: torch.Tensor) -> bool:
        """Add ``features`` (one row per identity; rows with a None identity are left out)
        under ``key``; False when the store could not be written (nothing else happens)."""
        rows = [i for i, identity in enumerate(identities) if identity is not None]
        if not rows:
            return True
        keys = [str(identities[i]) for i in rows]
        feats = features[rows].detach().to("cpu", torch.float32).contiguous()
        try:
            self._write(key, keys, feats)
            if len(self._shards(key)) > self.shard_limit:
                self._merge(key)
            self._prune(keep=key)
        except OSError:
            return False
        return True

    def _write(self, key: str, keys: list[str], feats: torch.Tensor) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.pt"
        data = {"format": _FORMAT, "format_version": _FORMAT_VERSION, "keys": keys}
        data["features"] = feats
        atomic_write(self._dir(key) / name, lambda f: torch.save(data, f))

    def _merge(self, key: str) -> None:
        """Rewrite ``key``'s shards as one (the shards read are removed only after the merged
        one is written, so a shard another process adds meanwhile survives)."""
        shards = self._shards(key)
        self._tables.pop(key, None)
        table = self._table(key)
        if not table:
            return
        keys = list(table)
        feats = torch.stack([t[r] for t, r in table.values()])
        self._write(key, keys, feats)
        for shard in shards:
            with contextlib.suppress(OSError):
                shard.unlink()

    def _prune(self, keep: str) -> None:
        """Remove the least recently used model keys (never ``keep``) while the store is over
        :attr:`max_bytes`."""
        entries = []
        total = 0
        for d in self.root.iterdir():
            if not d.is_dir():
                continue
            size = sum(p.stat().st_size for p in d.iterdir() if p.is_file())
            total += size
            entries.append((d.stat().st_mtime, d, size))
        for _mtime, d, size in sorted(entries):
            if total <= self.max_bytes:
                break
            if d.name != keep:
                shutil.rmtree(d, ignore_errors=True)
                self._tables.pop(d.name, None)
                total -= size


__all__ = ["FEATURE_VERSION", "FeatureStore", "file_identity", "model_key", "weights_digest"]
