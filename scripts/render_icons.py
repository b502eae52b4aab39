"""Render the app icon's PNGs from its SVG source: ``python scripts/render_icons.py``.

Reads ``resources/tlgui.svg`` and writes ``tlgui/resources/icons/hicolor/<N>x<N>/apps/tlgui.png``
for every size of :data:`tlgui.gui.resources.ICON_SIZES` (Qt's SVG renderer, antialiased,
transparent background). Run it after editing the SVG and commit the PNGs: the installed app,
the built bundle and the desktop installer use the PNGs, and need no SVG support.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from tlgui.gui.resources import ICON_SIZES, icon_path  # noqa: E402

SOURCE = ROOT / "resources" / "tlgui.svg"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    for size in ICON_SIZES:
        path = icon_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(path), "PNG"):
            print(f"cannot write {path}", file=sys.stderr)
            return 1
        print(f"{path.relative_to(ROOT)}  {size}x{size}  {path.stat().st_size} bytes")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
