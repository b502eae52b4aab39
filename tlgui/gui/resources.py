"""Files shipped inside the package (``tlgui/resources``): icon, .desktop file, translations."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("icon.svg", "icon.png"):
        path = RESOURCES / name
        if path.is_file():
            icon.addFile(str(path))
    return icon


def translations_dir() -> Path:
    return RESOURCES / "translations"
