"""Files shipped inside the package (``tlgui/resources``): the app icon as PNGs in the
freedesktop icon-theme layout (``icons/hicolor/<N>x<N>/apps/tlgui.png``, rendered from
``resources/tlgui.svg`` by ``python scripts/render_icons.py``) and the compiled translations.
Their sources, with the .desktop entry and AppStream metainfo, are in the top-level
``resources/`` folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
"""The icon's pixel sizes: the usual sizes of the hicolor icon theme."""


def icon_path(size: int) -> Path:
    """The app icon's PNG of ``size`` pixels (hicolor layout, so installers copy the tree)."""
    return RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tlgui.png"


def app_icon() -> QIcon:
    """The app icon with every shipped size: Qt picks the best one for each use."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_path(size)
        if path.is_file():
            icon.addFile(str(path))
    return icon


def translations_dir() -> Path:
    return RESOURCES / "translations"
