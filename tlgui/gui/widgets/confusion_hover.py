"""Values on hover for the Results page's confusion matrix: with many classes the cells are too
small for their numbers and only some classes are labelled, so the cell under the pointer says
its true and predicted class and its value in the canvas's tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QToolTip


def cell_text(cm: Sequence[Sequence[int]], classes: Sequence[str], row: int, col: int) -> str:
    """What the tooltip of cell (``row`` = true class, ``col`` = predicted) says."""
    count = int(cm[row][col])
    total = sum(int(v) for v in cm[row])
    share = f"{100 * count / total:.1f}" if total else "0"
    return (
        QCoreApplication.translate(
            "ConfusionHover", "true: %1\npredicted: %2\n%3 images (%4 % of the true class)"
        )
        .replace("%1", str(classes[row]))
        .replace("%2", str(classes[col]))
        .replace("%3", str(count))
        .replace("%4", share)
    )


class ConfusionHover:
    """Follows the pointer over ``canvas`` (a ``FigureCanvasQTAgg``) and sets its tooltip to
    the cell under it; :meth:`set_matrix` after each draw says what is shown."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.cm: Sequence[Sequence[int]] = []
        self.classes: Sequence[str] = []
        canvas.mpl_connect("motion_notify_event", self.on_motion)

    def set_matrix(self, cm: Sequence[Sequence[int]], classes: Sequence[str]) -> None:
        self.cm, self.classes = cm, list(classes)
        self.canvas.setToolTip("")

    def cell_at(self, event: Any) -> tuple[int, int] | None:
        """(row, column) of the matrix cell under a matplotlib mouse event, or None."""
        axes = self.canvas.figure.axes
        if not self.classes or not axes or event.inaxes is not axes[0]:
            return None
        if event.xdata is None or event.ydata is None:
            return None
        row, col = round(event.ydata), round(event.xdata)
        n = len(self.classes)
        return (row, col) if 0 <= row < n and 0 <= col < n else None

    def on_motion(self, event: Any) -> None:
        cell = self.cell_at(event)
        text = "" if cell is None else cell_text(self.cm, self.classes, *cell)
        if text != self.canvas.toolTip():
            self.canvas.setToolTip(text)
            if text:
                QToolTip.showText(QCursor.pos(), text, self.canvas)
            else:
                QToolTip.hideText()


__all__ = ["ConfusionHover", "cell_text"]
