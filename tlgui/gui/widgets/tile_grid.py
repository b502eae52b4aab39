"""A grid of equally sized image tiles painted directly (no child widget per tile), so a
re-render of the augmentation preview costs one repaint."""

from __future__ import annotations

import math

from PySide6.QtCore import Property, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class TileGrid(QWidget):
    """Shows a list of ``QImage`` tiles in rows of ``columns``; ``tileCount`` is a Qt property
    (UI tests read it) and ``tilesChanged`` fires on every new set."""

    tilesChanged = Signal(int)

    def __init__(self, columns: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tiles: list[QImage] = []
        self._captions: list[str] = []
        self._columns = columns
        self._placeholder = ""
        self.generation = 0  # increases with every set_tiles: tests and benchmarks watch it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)

    def _get_tile_count(self) -> int:
        return len(self._tiles)

    tileCount = Property(int, _get_tile_count, notify=tilesChanged)

    def tiles(self) -> list[QImage]:
        return list(self._tiles)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def set_tiles(self, images: list[QImage], captions: list[str] | None = None) -> None:
        self._tiles = list(images)
        self._captions = list(captions or [])
        self.generation += 1
        self.update()
        self.tilesChanged.emit(len(self._tiles))

    def sizeHint(self) -> QSize:
        return QSize(640, 340)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = max(1, math.ceil(max(1, len(self._tiles)) / self._columns))
        gap = 8
        side = (width - gap * (self._columns - 1)) / self._columns
        return int(rows * side + (rows - 1) * gap)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if not self._tiles:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self._placeholder)
            return
        gap = 8.0
        cols = self._columns
        rows = math.ceil(len(self._tiles) / cols)
        side = min((self.width() - gap * (cols - 1)) / cols,
                   (self.height() - gap * (rows - 1)) / rows)
        total_w = cols * side + (cols - 1) * gap
        x0 = (self.width() - total_w) / 2
        for i, img in enumerate(self._tiles):
            r, c = divmod(i, cols)
            rect = QRectF(x0 + c * (side + gap), r * (side + gap), side, side)
            path = QPainterPath()
            path.addRoundedRect(rect, 6, 6)
            p.save()
            p.setClipPath(path)
            p.drawImage(rect, img)
            if i < len(self._captions) and self._captions[i]:
                band = QRectF(rect.left(), rect.bottom() - 22, rect.width(), 22)
                p.fillRect(band, QColor(0, 0, 0, 140))
                p.setPen(Qt.GlobalColor.white)
                p.drawText(band, Qt.AlignmentFlag.AlignCenter, self._captions[i])
            p.restore()
            p.setPen(QPen(QColor(0, 0, 0, 40), 1))
            p.drawPath(path)
