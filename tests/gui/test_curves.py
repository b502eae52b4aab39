"""The live curves (pyqtgraph): what is plotted, the smoothed batch trace, clearing, replaying a
history, PNG export, the view that follows the data, the linked epoch axes and the button row."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolButton, QVBoxLayout, QWidget

from tests.helpers import curve_points
from tlgui.gui.widgets.curves import (
    BATCH_SMOOTHING,
    EPOCH_KEYS,
    TRAIN_COLOUR,
    CurvesCanvas,
    EpochAxis,
)


@pytest.fixture
def canvas(qtbot) -> CurvesCanvas:
    widget = CurvesCanvas()
    qtbot.addWidget(widget)
    widget.resize(900, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _plotted(canvas: CurvesCanvas, key: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = canvas.lines[key].getOriginalDataset()
    return (np.array([]), np.array([])) if x is None else (x, y)


def _fill(canvas: CurvesCanvas, epochs: int, batches: int = 10) -> list[tuple]:
    points = list(curve_points(epochs))
    for epoch, train_loss, *rest in points:
        for b in range(1, batches + 1):
            canvas.add_batch_loss(epoch - 1 + b / batches, train_loss * (1.3 - b / 20))
        canvas.add_point(epoch, train_loss, *rest)
    return points


def test_epoch_points_land_in_the_plot_items(canvas: CurvesCanvas) -> None:
    points = _fill(canvas, 5, batches=0)
    assert canvas.point_count() == 5
    columns = dict(zip(("epoch", *EPOCH_KEYS), np.array([p[:5] for p in points]).T, strict=True))
    for key in EPOCH_KEYS:
        x, y = _plotted(canvas, key)
        np.testing.assert_allclose(x, [1, 2, 3, 4, 5])
        np.testing.assert_allclose(y, columns[key])
        np.testing.assert_allclose(canvas.series[key], columns[key])
    assert canvas.best_marker.isVisible() and canvas.best_marker.value() == 5
    labels = [label.text for _sample, label in canvas.loss_plot.legend.items]
    assert labels == ["train, per batch (smoothed)", "train", "validation"]


def test_batch_trace_is_a_bias_corrected_moving_average(canvas: CurvesCanvas) -> None:
    losses = [2.0, 1.0, 1.5, 0.5, float("nan"), 0.8]
    for i, loss in enumerate(losses, start=1):
        canvas.add_batch_loss(i / 8, loss)
    x, y = _plotted(canvas, "batch_loss")
    kept = [v for v in losses if np.isfinite(v)]  # a non-finite loss is left out
    np.testing.assert_allclose(x, [1 / 8, 2 / 8, 3 / 8, 4 / 8, 6 / 8])
    assert y[0] == kept[0]  # bias-corrected: starts at the first loss, not pulled to zero
    for n in range(1, len(kept) + 1):
        weights = BATCH_SMOOTHING ** np.arange(n - 1, -1, -1)  # newest weighs most
        np.testing.assert_allclose(y[n - 1], np.dot(weights, kept[:n]) / weights.sum())
    assert canvas.point_count() == 0  # batches alone add no epoch


def test_clear_empties_every_curve(canvas: CurvesCanvas) -> None:
    _fill(canvas, 3)
    canvas.clear()
    assert canvas.point_count() == 0
    for key in (*EPOCH_KEYS, "batch_loss"):
        assert len(_plotted(canvas, key)[0]) == 0
        assert len(canvas.series[key]) == 0
    assert not canvas.best_marker.isVisible()
    canvas.add_batch_loss(0.5, 3.0)  # the average starts again after a clear
    assert canvas.series["batch_loss"].tolist() == [3.0]


def test_set_history_replays_epochs_without_a_batch_trace(canvas: CurvesCanvas) -> None:
    _fill(canvas, 2)
    history = [
        {
            "epoch": e,
            "train_loss": tl,
            "val_loss": vl,
            "train_acc": ta,
            "val_acc": va,
            "is_best": e in (2, 3),
        }
        for e, tl, vl, ta, va, _best in curve_points(4)
    ]
    canvas.set_history(history)
    assert canvas.point_count() == 4
    for key in EPOCH_KEYS:
        x, y = _plotted(canvas, key)
        np.testing.assert_allclose(x, [1, 2, 3, 4])
        np.testing.assert_allclose(y, [h[key] for h in history])
    assert len(_plotted(canvas, "batch_loss")[0]) == 0
    assert canvas.best_marker.value() == 3  # the last epoch the run marked best


def test_export_png_writes_the_chart_at_its_size(canvas: CurvesCanvas, tmp_path) -> None:
    _fill(canvas, 4)
    path = tmp_path / "curves.png"
    assert canvas.export_png(path)
    assert path.stat().st_size > 0
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == (canvas.plots.width(), canvas.plots.height())
    train = QColor(TRAIN_COLOUR).rgb()
    pixels = {
        image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
    }
    assert train in pixels  # the train curve is drawn, not only the background
    assert not canvas.export_png(tmp_path / "missing-folder" / "curves.png")


def _wheel_over(canvas: CurvesCanvas, plot) -> None:
    """Turn the mouse wheel over the middle of ``plot``, as a user zooming in."""
    view = canvas.plots
    centre = view.mapFromScene(plot.getViewBox().sceneBoundingRect().center())
    event = QWheelEvent(
        QPointF(centre),
        QPointF(view.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_the_view_follows_whole_epochs_and_starts_losses_at_zero(canvas: CurvesCanvas) -> None:
    _fill(canvas, 3)
    (x_low, x_high), (y_low, y_high) = canvas.loss_plot.viewRange()
    assert x_low < 0 < 3 < x_high < 3.5
    top = max(canvas.series["val_loss"].max(), canvas.series["batch_loss"].max())
    assert y_low < 0 < top < y_high < 1.1 * top
    np.testing.assert_allclose(canvas.acc_plot.viewRange()[0], (x_low, x_high))
    low, high = canvas.acc_plot.viewRange()[1]
    assert low < 0 and 1 < high  # accuracy spans 0..1 with a margin
    # Within an epoch, new points leave the range (and so the axes) alone: small updates.
    changes: list[object] = []
    canvas.loss_plot.getViewBox().sigRangeChanged.connect(lambda *args: changes.append(args))
    canvas.add_batch_loss(3.1, 0.1)  # epoch 4 begins: the view widens once
    assert len(changes) == 1 and canvas.loss_plot.viewRange()[0][1] > 4
    for b in range(2, 10):
        canvas.add_batch_loss(3 + b / 10, 0.1)
    canvas.add_point(4, 0.1, 0.2, 0.9, 0.9, 4)
    assert len(changes) == 1


def test_x_axes_are_linked_and_zooming_stops_following_until_reset(
    canvas: CurvesCanvas, qtbot
) -> None:
    assert canvas.acc_plot.getViewBox().linkedView(0) is canvas.loss_plot.getViewBox()
    _fill(canvas, 6)
    canvas.loss_plot.setXRange(2, 4, padding=0)
    np.testing.assert_allclose(canvas.acc_plot.viewRange()[0], [2, 4])
    canvas.reset_view()

    _wheel_over(canvas, canvas.acc_plot)
    assert not canvas.following
    zoomed = canvas.loss_plot.viewRange()
    assert zoomed[0][1] - zoomed[0][0] < 6  # the wheel over accuracy zoomed loss too
    np.testing.assert_allclose(canvas.acc_plot.viewRange()[0], zoomed[0])
    canvas.add_batch_loss(6.1, 5.0)
    canvas.add_point(7, 5.0, 5.0, 0.9, 0.9, 6)
    np.testing.assert_allclose(canvas.loss_plot.viewRange(), zoomed)  # the user's view stays

    canvas.findChild(QToolButton, "curvesResetButton").click()
    assert canvas.following
    (x_low, x_high), (_y_low, y_high) = canvas.loss_plot.viewRange()
    assert x_low < 0 and 7 < x_high and 5 < y_high


def test_the_widget_and_its_buttons_are_found_by_name(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    curves = CurvesCanvas(host)
    QVBoxLayout(host).addWidget(curves)
    host.show()
    assert host.findChild(QWidget, "curvesCanvas") is curves
    for name in ("curvesResetButton", "curvesExportButton"):
        button = curves.findChild(QToolButton, name)
        assert button is not None and button.isVisible() and button.text()


def test_epoch_axis_ticks_whole_epochs_unless_zoomed_into_one() -> None:
    axis = EpochAxis()
    spacings = [spacing for spacing, _offset in axis.tickSpacing(0.0, 14.0, 500)]
    assert spacings and min(spacings) >= 1
    assert min(s for s, _o in axis.tickSpacing(0.1, 0.6, 500)) < 1


def test_importing_the_curves_does_not_import_torch() -> None:
    code = "import sys, tlgui.gui.widgets.curves\nprint('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.stdout.split() == ["False"]
