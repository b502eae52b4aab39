"""Where tlgui keeps what it can always recompute: frozen-backbone features, exported ONNX
graphs of frozen backbones with ONNX Runtime's measured speed-up per architecture, and the
dataset doctor's near-duplicate groups (torch-free).

The folder is ``$TLGUI_CACHE_DIR`` when set, else the platform's user cache folder
(``platformdirs``: ``~/.cache/tlgui`` on Linux, ``~/Library/Caches/tlgui`` on macOS,
``%LOCALAPPDATA%\\tlgui\\Cache`` on Windows). Deleting it loses nothing but time.

``$TLGUI_FEATURE_STORE`` set to ``0``/``off``/``no``/``false`` turns the on-disk feature store
off (every feature pass computes; the test suite does so unless a test asks for the store).
``$TLGUI_ONNX_CACHE`` likewise turns off the cache of exported frozen backbones and the speed
record (:mod:`tlgui.engine.onnx_cache`: every frozen phase on ONNX Runtime exports afresh,
and ``auto`` times the two backends every time).
"""

from __future__ import annotations

import os
from pathlib import Path

_OFF = {"0", "off", "no", "false"}


def cache_root() -> Path:
    """tlgui's cache folder (see the module docstring); not created here."""
    env = os.environ.get("TLGUI_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("tlgui", appauthor=False))


def _switched_on(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() not in _OFF


def feature_store_enabled() -> bool:
    """Whether feature passes read and write the on-disk feature store."""
    return _switched_on("TLGUI_FEATURE_STORE")


def onnx_cache_enabled() -> bool:
    """Whether frozen phases on ONNX Runtime read and write the cache of exported graphs."""
    return _switched_on("TLGUI_ONNX_CACHE")


__all__ = ["cache_root", "feature_store_enabled", "onnx_cache_enabled"]
