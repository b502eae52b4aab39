"""Paints a prediction's top-k labels as horizontal probability bars (the Predict table's last
column): the item's ``TOP_ROLE`` data is a sequence of (label, probability); a true
``UNSURE_ROLE`` puts a "Not sure" line above them and no label in bold, so a low-confidence
guess never looks like a confident answer."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

TOP_ROLE = Qt.ItemDataRole.UserRole + 10
UNSURE_ROLE = Qt.ItemDataRole.UserRole + 11
LINE_H = 22


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
        unsure = bool(index.data(UNSURE_ROLE))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(8, 6, -8, -6)
        lines = len(top) + int(unsure)
        line_h = min(float(LINE_H), rect.height() / max(1, lines))
        if unsure:
            font = painter.font()
            font.setItalic(True)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(option.palette.placeholderText().color())
            painter.drawText(
                QRectF(rect.left(), rect.top(), rect.width(), line_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self.tr("Not sure — the model's best guesses:"),
            )
            rect.setTop(rect.top() + line_h)
        # As wide as the longest label (bold), up to half the cell; longer ones are elided.
        bold = painter.font()
        bold.setItalic(False)
        bold.setBold(True)
        widest = max(QFontMetrics(bold).horizontalAdvance(str(lb)) for lb, _p in top)
        label_w = min(widest + 12.0, rect.width() * 0.5)
        accent = option.palette.highlight().color()
        for i, (label, prob) in enumerate(top):
            y = rect.top() + i * line_h
            text_rect = QRectF(rect.left(), y, label_w - 6, line_h)
            bar_bg = QRectF(rect.left() + label_w, y + 4, rect.width() - label_w - 56, line_h - 8)
            font = painter.font()
            font.setItalic(False)
            font.setBold(i == 0 and not unsure)
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
                if i == 0 and not unsure
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
        lines = len(top) + int(bool(top) and bool(index.data(UNSURE_ROLE)))
        return QSize(320, max(self.min_height, row_height(lines)))


def row_height(lines: int) -> int:
    """The height of a cell with ``lines`` lines (labels, plus the "Not sure" line)."""
    return LINE_H * lines + 12
