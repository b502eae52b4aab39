"""Where tlgui keeps what it can always recompute: frozen-backbone features and the dataset
doctor's near-duplicate groups (torch-free).

The folder is ``$TLGUI_CACHE_DIR`` when set, else the platform's user cache folder
(``platformdirs``: ``~/.cache/tlgui`` on Linux, ``~/Library/Caches/tlgui`` on macOS,
``%LOCALAPPDATA%\\tlgui\\Cache`` on Windows). Deleting it loses nothing but time.

``$TLGUI_FEATURE_STORE`` set to ``0``/``off``/``no``/``false`` turns the on-disk feature store
off (every feature pass computes; the test suite does so unless a test asks for the store).
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


def feature_store_enabled() -> bool:
    """Whether feature passes read and write the on-disk feature store."""
    return os.environ.get("TLGUI_FEATURE_STORE", "").strip().lower() not in _OFF


__all__ = ["cache_root", "feature_store_enabled"]
