"""Where the app remembers things: window geometry, recent folders/models, last settings.

The organisation name comes from ``TLGUI_SETTINGS_ORG`` when set, so tests (which also point
``QSettings.setPath`` at a temporary folder) never touch a user's real settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

APP_NAME = "tlgui"
RECENT_LIMIT = 8


def organization() -> str:
    return os.environ.get("TLGUI_SETTINGS_ORG") or "tlgui"


def make_settings() -> QSettings:
    """INI files everywhere: readable, and redirectable with ``QSettings.setPath``."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, organization(),
                     APP_NAME)


def read_list(settings: QSettings, key: str) -> list[str]:
    """QSettings returns a str for one-item lists and None for none; normalise to a list."""
    value = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def add_recent(settings: QSettings, key: str, path: str) -> list[str]:
    """Put ``path`` first in the recent list ``key`` (no duplicates, at most RECENT_LIMIT)."""
    items = [p for p in read_list(settings, key) if p != path]
    items.insert(0, path)
    items = items[:RECENT_LIMIT]
    settings.setValue(key, items)
    return items
