"""A dashed drop target that accepts files and folders (from a file manager or a synthetic
``QDropEvent`` in tests) and reports their local paths."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QSizePolicy, QWidget


def local_paths(mime) -> list[str]:
    """Local file paths carried by a ``QMimeData`` (URLs), in order."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class DropZone(QFrame):
    pathsDropped = Signal(list)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._hover = False
        self.setAcceptDrops(True)
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_text(self, text: str) -> None:
        self._text = text
        self.update()

    def dragEnterEvent(self, event) -> None:
        if local_paths(event.mimeData()):
            self._hover = True
            self.update()
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, _event) -> None:
        self._hover = False
        self.update()

    def dropEvent(self, event) -> None:
        self._hover = False
        self.update()
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.pathsDropped.emit(paths)
        else:
            event.ignore()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = self.palette().highlight().color()
        rect = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        fill = QColor(accent)
        fill.setAlpha(45 if self._hover else 18)
        p.setBrush(fill)
        pen = QPen(accent if self._hover else self.palette().mid().color(), 2,
                   Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRoundedRect(rect, 12, 12)
        p.setPen(self.palette().text().color())
        font = p.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._text)
