"""Paints a prediction's top-k labels as horizontal probability bars (the Predict table's last
column): the item's ``TOP_ROLE`` data is a sequence of (label, probability)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

TOP_ROLE = Qt.ItemDataRole.UserRole + 10


class TopKDelegate(QStyledItemDelegate):
    """Paints the top-k labels as horizontal probability bars, the first one bold; rows are at
    least ``min_height`` tall (the table's thumbnail)."""

    def __init__(self, parent: QWidget | None = None, min_height: int = 0) -> None:
        super().__init__(parent)
        self.min_height = min_height

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        top = index.data(TOP_ROLE)
        if not top:
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(8, 6, -8, -6)
        line_h = min(22.0, rect.height() / max(1, len(top)))
        label_w = min(160.0, rect.width() * 0.4)
        accent = option.palette.highlight().color()
        for i, (label, prob) in enumerate(top):
            y = rect.top() + i * line_h
            text_rect = QRectF(rect.left(), y, label_w - 6, line_h)
            bar_bg = QRectF(rect.left() + label_w, y + 4, rect.width() - label_w - 56, line_h - 8)
            font = painter.font()
            font.setBold(i == 0)
            painter.setFont(font)
            painter.setPen(option.palette.text().color())
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                painter.fontMetrics().elidedText(
                    label, Qt.TextElideMode.ElideRight, int(text_rect.width())
                ),
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 25))
            painter.drawRoundedRect(bar_bg, 3, 3)
            colour = (
                QColor(accent)
                if i == 0
                else QColor(accent.red(), accent.green(), accent.blue(), 110)
            )
            painter.setBrush(colour)
            bar = QRectF(bar_bg)
            bar.setWidth(max(2.0, bar_bg.width() * float(prob)))
            painter.drawRoundedRect(bar, 3, 3)
            painter.setPen(option.palette.text().color())
            painter.drawText(
                QRectF(bar_bg.right() + 6, y, 50, line_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"{prob:.1%}",
            )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        top = index.data(TOP_ROLE) or ()
        return QSize(320, max(self.min_height, 22 * len(top) + 12))
