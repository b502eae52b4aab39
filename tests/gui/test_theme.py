"""Light and dark follow the system: the app sets no palette of its own (Qt's Fusion style
takes the system's colour scheme), and the widgets that paint their own colours follow the
palette when it changes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from tlgui.gui.widgets.curves import CurvesCanvas

DARK_BASE, DARK_TEXT = QColor("#1e1f22"), QColor("#e6e6e6")


def _dark() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, QColor("#2b2d30")),
        (QPalette.ColorRole.WindowText, DARK_TEXT),
        (QPalette.ColorRole.Base, DARK_BASE),
        (QPalette.ColorRole.Text, DARK_TEXT),
    ):
        palette.setColor(role, colour)
    return palette


def test_the_curves_follow_the_palette_from_light_to_dark(qapp: QApplication, qtbot) -> None:
    canvas = CurvesCanvas()
    qtbot.addWidget(canvas)
    base = canvas.palette().color(QPalette.ColorRole.Base)
    assert canvas.plots.backgroundBrush().color() == base
    light = qapp.palette()
    qapp.setPalette(_dark())  # what a switch of the system's colour scheme does
    try:
        qtbot.waitUntil(lambda: canvas.plots.backgroundBrush().color() == DARK_BASE)
        axis = canvas.loss_plot.getAxis("left")
        assert axis.textPen().color() == DARK_TEXT
        grid = axis.pen().color()  # between the background and the text, near the background
        assert DARK_BASE.lightness() < grid.lightness() < DARK_TEXT.lightness() / 2
        label = canvas.legend.items[0][1]
        assert DARK_TEXT.name() in label.item.toHtml()
    finally:
        qapp.setPalette(light)
    qtbot.waitUntil(lambda: canvas.plots.backgroundBrush().color() == base)
