"""Live loss and accuracy curves on pyqtgraph, with a row of view actions above them.

Two panels share one epoch axis (linked, so zooming or panning one moves both): loss (train,
validation, and a smoothed per-batch training loss) and accuracy (train, validation, a dashed
line at the best epoch). The updates run on the GUI thread, so each stays small: it hands
the grown arrays to the plot items (``setData``) and Qt repaints the chart once per
event-loop pass; the view range, and with it the axes, changes only when an epoch begins or
a new largest loss arrives. Importing this module imports pyqtgraph and numpy, never torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..settings import make_settings

TRAIN_COLOUR = "#4263eb"
VAL_COLOUR = "#f76707"
BATCH_COLOUR = "#91a7ff"  # a lighter train blue: the noisy trace stays behind the epoch points
BEST_COLOUR = "#2b8a3e"
# The background, text and grid follow the widget's palette (light or dark, as the system):
# see CurvesCanvas._apply_palette. The series colours read on both.
GRID_SHARE = 0.15  # the grid: this share of the text colour over the background
# Per-point factor of the batch trace's moving average. The GUI receives at most ~10 batch
# losses a second; 0.8 averages about the last five of them (1 / (1 - 0.8)), which cuts the
# noise of single-batch losses to about a third of its spread while the trace lags the
# true loss by well under an epoch, so it still meets the epoch's train-loss point.
BATCH_SMOOTHING = 0.8
EPOCH_KEYS = ("train_loss", "val_loss", "train_acc", "val_acc")
EXPORT_FOLDER_KEY = "curves/exportFolder"


class GrowingArray:
    """Append-only float buffer. :meth:`view` returns the filled part without copying; a view
    never changes afterwards (appends write past its end, growth moves to a new buffer)."""

    def __init__(self, capacity: int = 64) -> None:
        self._data = np.empty(capacity)
        self._size = 0

    def append(self, value: float) -> None:
        if self._size == len(self._data):
            grown = np.empty(2 * len(self._data))
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    def view(self) -> np.ndarray:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size


class BiasCorrectedEma:
    """Exponential moving average divided by the weight its terms sum to (``1 - factor**n``),
    as in Adam and TensorBoard's smoothing: the first value is the first input, not a value
    pulled towards zero by the empty start."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self._average = 0.0
        self._weight = 0.0

    def push(self, value: float) -> float:
        self._average = self.factor * self._average + (1 - self.factor) * value
        self._weight = self.factor * self._weight + (1 - self.factor)
        return self._average / self._weight


@dataclass
class PlottedRun:
    """What the curves show of one run; :meth:`CurvesCanvas.clear` starts a new one."""

    epochs: dict[str, GrowingArray] = field(
        default_factory=lambda: {key: GrowingArray() for key in ("epoch", *EPOCH_KEYS)}
    )
    batch_positions: GrowingArray = field(default_factory=GrowingArray)
    batch_losses: GrowingArray = field(default_factory=GrowingArray)  # smoothed
    batch_ema: BiasCorrectedEma = field(default_factory=lambda: BiasCorrectedEma(BATCH_SMOOTHING))
    x_end: float = 0.0  # the largest epoch position plotted
    loss_top: float = 0.0  # the largest finite loss plotted


class EpochAxis(pg.AxisItem):
    """Bottom axis in epochs: whole-epoch ticks when two or more epochs are in view; finer
    ticks (pyqtgraph's own) only when zoomed into a single epoch."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.setTickDensity(2.0)  # twice pyqtgraph's default: a tick every 2 epochs of 14

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:
        levels = super().tickSpacing(minVal, maxVal, size)
        if maxVal - minVal < 2:
            return levels
        return [level for level in levels if level[0] >= 1] or [(1.0, 0.0)]


def _style_axes(plot: pg.PlotItem) -> None:
    """A grid at the labelled ticks only (coloured by :func:`_colour_axes`). The grid is
    opaque and has no minor lines: translucent or minor grid lines cost more to paint than
    the curves."""
    plot.showGrid(x=True, y=True, alpha=1.0)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setZValue(-1000)  # below the plotting area (-100): the grid behind the curves
        axis.setStyle(maxTickLevel=0)
        axis.enableAutoSIPrefix(False)  # plain numbers: epochs and losses, never "x0.001"
    # Reset and export live in the widget's button row. pyqtgraph's context menu and
    # auto-range button would be a second, untranslated way to do the same, and would switch
    # on pyqtgraph's auto-range next to the widget's own view-following (CurvesCanvas._follow).
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.disableAutoRange()


def _colour_axes(plot: pg.PlotItem, title: str, x_label: str, text: QColor, grid: QColor) -> None:
    """Title, x-axis label, tick labels and grid in the palette's colours."""
    plot.setTitle(title, color=text, size="10pt")
    plot.setLabel("bottom", x_label, color=text)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(grid)  # the axis line, its ticks and the grid
        axis.setTextPen(text)


def _epoch_line(plot: pg.PlotItem, colour: str, name: str) -> pg.PlotDataItem:
    return plot.plot(
        [],
        [],
        name=name,
        pen=pg.mkPen(colour, width=2),
        symbol="o",
        symbolSize=6,
        symbolPen=pg.mkPen(colour),
        symbolBrush=pg.mkBrush(colour),
        antialias=True,
        connect="finite",
    )


class CurvesCanvas(QWidget):
    """The Train step's live curves (object name ``curvesCanvas``): a button row (reset view,
    export PNG) above the two linked panels.

    ``lines`` holds the plot items by key (``train_loss``, ``val_loss``, ``train_acc``,
    ``val_acc``, ``batch_loss``); ``series`` returns the plotted numbers by the same keys plus
    ``epoch`` and ``batch_position``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curvesCanvas")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(220)

        self.resetButton = QToolButton(self)
        self.resetButton.setObjectName("curvesResetButton")
        self.resetButton.setText(self.tr("Reset view"))
        self.resetButton.setToolTip(
            self.tr(
                "Show all the data again after zooming or panning (drag to pan, scroll to zoom)"
            )
        )
        self.resetButton.clicked.connect(self.reset_view)
        self.exportButton = QToolButton(self)
        self.exportButton.setObjectName("curvesExportButton")
        self.exportButton.setText(self.tr("Export PNG…"))
        self.exportButton.setToolTip(self.tr("Save the curves as a PNG picture"))
        self.exportButton.clicked.connect(self._export_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.resetButton)
        buttons.addWidget(self.exportButton)

        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.setObjectName("curvesPlots")
        self.loss_plot = self.plots.addPlot(row=0, col=0, axisItems={"bottom": EpochAxis()})
        self.acc_plot = self.plots.addPlot(row=0, col=1, axisItems={"bottom": EpochAxis()})
        self._titles = {self.loss_plot: self.tr("Loss"), self.acc_plot: self.tr("Accuracy")}
        for plot in self._titles:
            _style_axes(plot)
        self.acc_plot.setXLink(self.loss_plot)  # one epoch axis: zoom or pan either panel
        for plot in (self.loss_plot, self.acc_plot):
            plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))

        self.lines: dict[str, pg.PlotDataItem] = {
            "batch_loss": self.loss_plot.plot(
                [],
                [],
                name=self.tr("train, per batch (smoothed)"),
                pen=pg.mkPen(BATCH_COLOUR, width=1.5),
                antialias=True,
                connect="finite",
            ),
            "train_loss": _epoch_line(self.loss_plot, TRAIN_COLOUR, self.tr("train")),
            "val_loss": _epoch_line(self.loss_plot, VAL_COLOUR, self.tr("validation")),
            "train_acc": _epoch_line(self.acc_plot, TRAIN_COLOUR, self.tr("train")),
            "val_acc": _epoch_line(self.acc_plot, VAL_COLOUR, self.tr("validation")),
        }
        self.lines["batch_loss"].setZValue(-1)
        self.best_marker = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(BEST_COLOUR, width=1, style=Qt.PenStyle.DashLine)
        )
        self.acc_plot.addItem(self.best_marker, ignoreBounds=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(buttons)
        layout.addWidget(self.plots, 1)

        self._run = PlottedRun()
        self.overlays: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []  # overlay_history's
        self.following = True  # the view shows all data; False once the user zooms or pans
        self._followed_range: tuple[float, float] | None = None
        self.clear()
        self._apply_palette()

    # ------------------------------------------------------------------ palette

    def _apply_palette(self) -> None:
        """Background, text and grid from the palette: the curves follow light and dark mode
        like the rest of the window."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        grid = QColor.fromRgbF(
            *(b + GRID_SHARE * (t - b) for b, t in zip(base.getRgbF(), text.getRgbF(), strict=True))
        )
        self.plots.setBackground(base)
        for plot, title in self._titles.items():
            _colour_axes(plot, title, self.tr("epoch"), text, grid)
        legend_brush = QColor(base)
        legend_brush.setAlpha(210)
        self.legend.setBrush(pg.mkBrush(legend_brush))
        self.legend.setLabelTextColor(text)  # entries added later (overlays)
        for _sample, label in self.legend.items:
            label.setText(label.text)  # and the ones shown, re-rendered in the new colour

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    # ------------------------------------------------------------------ data

    def clear(self) -> None:
        """Empty every curve, hide the best-epoch line and show the whole (empty) view."""
        self._run = PlottedRun()
        for line in self.lines.values():
            line.setData([], [])
        for plot, item in self.overlays:
            plot.removeItem(item)  # and its legend entry
        self.overlays = []
        self.best_marker.hide()
        self.reset_view()

    def add_point(
        self,
        epoch: int,
        train_loss: float,
        val_loss: float,
        train_acc: float,
        val_acc: float,
        best_epoch: int | None = None,
    ) -> None:
        """Append one finished epoch; ``best_epoch`` (when given) moves the dashed best line."""
        values = {
            "epoch": epoch,
            "train_loss": train_loss,
            "val_loss": val_loss,
            "train_acc": train_acc,
            "val_acc": val_acc,
        }
        for key, value in values.items():
            self._run.epochs[key].append(float(value))
        epochs = self._run.epochs["epoch"].view()
        for key in EPOCH_KEYS:
            self.lines[key].setData(epochs, self._run.epochs[key].view())
        if best_epoch:
            self.best_marker.setValue(best_epoch)
            self.best_marker.show()
        self._extend_view(epoch, (train_loss, val_loss))

    def add_batch_loss(self, epoch_position: float, loss: float) -> None:
        """Extend the smoothed per-batch training loss. ``epoch_position`` is in epochs,
        ``(epoch - 1) + batch / batches``, so epoch ``e``'s last batch lands on ``e``, where
        its epoch point goes. Non-finite losses are left out of the average."""
        if not math.isfinite(loss):
            return
        smoothed = self._run.batch_ema.push(float(loss))
        self._run.batch_positions.append(float(epoch_position))
        self._run.batch_losses.append(smoothed)
        self.lines["batch_loss"].setData(
            self._run.batch_positions.view(), self._run.batch_losses.view()
        )
        self._extend_view(epoch_position, (smoothed,))

    def point_count(self) -> int:
        """Number of epochs plotted."""
        return len(self._run.epochs["epoch"])

    def set_history(self, history: Iterable[Mapping]) -> None:
        """Show a finished or resumed run from its per-epoch history (``EpochEnd.to_json``
        dicts): epoch points only, the best line at the last epoch the run marked ``is_best``."""
        self.clear()
        best = None
        for h in history:
            if h.get("is_best"):
                best = h["epoch"]
            self.add_point(
                h["epoch"], h["train_loss"], h["val_loss"], h["train_acc"], h["val_acc"], best
            )

    def overlay_history(self, history: Iterable[Mapping], name: str) -> None:
        """Draw another run's epochs over the ones shown, to compare them: the same colours,
        dashed, named ``name`` in the legend; :meth:`clear` removes them."""
        rows = list(history)
        epochs = [float(h["epoch"]) for h in rows]
        dash = Qt.PenStyle.DashLine
        for key, colour in (("train", TRAIN_COLOUR), ("val", VAL_COLOUR)):
            for plot, metric in ((self.loss_plot, "loss"), (self.acc_plot, "acc")):
                values = [float(h[f"{key}_{metric}"]) for h in rows]
                label = f"{name}: {self.tr('train') if key == 'train' else self.tr('validation')}"
                pen, brush = pg.mkPen(colour, width=2, style=dash), pg.mkBrush(colour)
                item = plot.plot(epochs, values, name=label, pen=pen, symbol="t", symbolBrush=brush)
                self.overlays.append((plot, item))
        losses = [float(h[k]) for h in rows for k in ("train_loss", "val_loss")]
        self._extend_view(max(epochs, default=0.0), losses)

    @property
    def series(self) -> dict[str, np.ndarray]:
        """The plotted numbers: ``epoch`` and the four epoch series share an index;
        ``batch_position`` and ``batch_loss`` (smoothed) share another."""
        numbers = {key: buffer.view() for key, buffer in self._run.epochs.items()}
        numbers["batch_position"] = self._run.batch_positions.view()
        numbers["batch_loss"] = self._run.batch_losses.view()
        return numbers

    # ------------------------------------------------------------------ view

    def reset_view(self) -> None:
        """Follow the data again, as after :meth:`clear`; zooming or panning with the mouse
        stops following until the next reset."""
        self.following = True
        self._followed_range = None
        self._follow()
        self.acc_plot.setYRange(0.0, 1.0, padding=0.05)

    def _extend_view(self, position: float, losses: Iterable[float]) -> None:
        self._run.x_end = max(self._run.x_end, float(position))
        finite = [float(v) for v in losses if math.isfinite(v)]
        self._run.loss_top = max([self._run.loss_top, *finite])
        self._follow()

    def _follow(self) -> None:
        """While following, show whole epochs from 0 to the last one begun, and losses from 0
        (a loss is never negative) to the largest. The range, and with it the axes' ticks,
        changes only when an epoch begins or a new largest loss arrives, so most updates
        repaint the curves alone."""
        if not self.following:
            return
        epochs, loss_top = float(max(1, math.ceil(self._run.x_end))), self._run.loss_top or 1.0
        if (epochs, loss_top) == self._followed_range:
            return
        self._followed_range = (epochs, loss_top)
        self.loss_plot.setRange(xRange=(0.0, epochs), yRange=(0.0, loss_top), padding=0.03)

    def _stop_following(self, *_mask) -> None:
        self.following = False

    def export_png(self, path: str | Path) -> bool:
        """Write both panels as a PNG of the chart area's on-screen size; False when the file
        could not be written."""
        from pyqtgraph.exporters import ImageExporter

        image = ImageExporter(self.plots.scene()).export(toBytes=True)
        return bool(image.save(str(path), "PNG"))

    def _export_clicked(self) -> None:
        settings = make_settings()
        folder = str(settings.value(EXPORT_FOLDER_KEY, "") or "")
        start = str(Path(folder) / "training-curves.png") if folder else "training-curves.png"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export curves"), start, self.tr("PNG pictures (*.png)")
        )
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if self.export_png(path):
            settings.setValue(EXPORT_FOLDER_KEY, str(Path(path).parent))
        else:
            QMessageBox.warning(
                self, self.tr("Export curves"), self.tr("Could not write {0}.").format(path)
            )
