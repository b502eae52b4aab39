"""Live loss and accuracy curves: a matplotlib ``Figure`` inside ``FigureCanvasQTAgg``.

A ``Figure`` (not pyplot) keeps matplotlib's global state out of the app; ``draw_idle`` lets
Qt coalesce redraws so a burst of epochs never stalls the event loop. Each redraw runs on the
GUI thread, so it is kept short: matplotlib's constrained layout, half of a redraw's time, runs
only when what it depends on changed (:meth:`CurvesCanvas.draw`).
"""

from __future__ import annotations

import re

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QSizePolicy

TRAIN_COLOUR = "#4263eb"
VAL_COLOUR = "#f76707"
_DIGIT = re.compile(r"\d")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CurvesCanvas", text)


class CurvesCanvas(FigureCanvasQTAgg):
    """Two panels (loss, accuracy), each with train and validation lines. The plotted numbers
    are kept in ``series`` so tests can check what is drawn."""

    def __init__(self, parent=None) -> None:
        self.figure = Figure(figsize=(6, 3.2), dpi=100, layout="constrained")
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(220)
        self.ax_loss = self.figure.add_subplot(1, 2, 1)
        self.ax_acc = self.figure.add_subplot(1, 2, 2)
        self.series: dict[str, list[float]] = {}
        self.lines: dict[str, object] = {}
        self.best_marker = None
        self._laid_out_for: tuple | None = None  # set by draw, reset by clear
        self.clear()

    def clear(self) -> None:
        self.series = {k: [] for k in ("epoch", "train_loss", "val_loss", "train_acc",
                                       "val_acc")}
        for ax, title, ylabel in ((self.ax_loss, _tr("Loss"), _tr("loss")),
                                  (self.ax_acc, _tr("Accuracy"), _tr("accuracy"))):
            ax.clear()
            ax.set_title(title, fontsize=10, loc="left")
            ax.set_xlabel(_tr("epoch"), fontsize=9)
            ax.set_ylabel(ylabel, fontsize=9)
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize=8)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        self.lines = {}
        for ax, key, colour, label in (
            (self.ax_loss, "train_loss", TRAIN_COLOUR, _tr("train")),
            (self.ax_loss, "val_loss", VAL_COLOUR, _tr("validation")),
            (self.ax_acc, "train_acc", TRAIN_COLOUR, _tr("train")),
            (self.ax_acc, "val_acc", VAL_COLOUR, _tr("validation")),
        ):
            (self.lines[key],) = ax.plot([], [], marker="o", markersize=3.5, lw=1.8,
                                         color=colour, label=label)
        self.ax_acc.set_ylim(0, 1.02)
        self.ax_loss.legend(fontsize=8, frameon=False)
        self.best_marker = self.ax_acc.axvline(0, color="#2b8a3e", lw=1, ls="--", alpha=0)
        self._laid_out_for = None
        self.draw_idle()

    # False: lay out on every redraw, as matplotlib does (the reference in tests and benchmarks).
    reuse_layout: bool = True

    def _layout_inputs(self) -> tuple:
        """What the constrained layout's result depends on here: the canvas size, the titles
        and axis labels, and the shapes of the tick labels (the legend sits inside a panel).
        Tick labels count by shape, every digit as ``0``: matplotlib's default font has digits
        of one width, so "0.25" takes the room "0.50" took and epochs 2-9 the room of 1, and a
        new epoch usually keeps the layout."""
        texts = []
        for ax in (self.ax_loss, self.ax_acc):
            texts.append((ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()))
            for axis in (ax.xaxis, ax.yaxis):
                labels = axis.get_major_formatter().format_ticks(axis.get_majorticklocs())
                texts.append(frozenset(_DIGIT.sub("0", t) for t in labels))
        return (tuple(self.figure.bbox.size), self.figure.dpi, tuple(texts))

    def draw(self) -> None:
        """Redraw, running the constrained layout only when its inputs changed since it last
        ran; otherwise the panels keep the positions it gave them (the same it would give
        again). A new epoch that keeps the tick labels' shapes redraws in about half the time
        (1000 x 330 px on the 2-core development machine: 128 against 232 ms,
        benchmarks/bench_gui.py)."""
        inputs = self._layout_inputs()
        if self.reuse_layout and inputs == self._laid_out_for:
            super().draw()
            return
        self.figure.set_layout_engine("constrained")
        super().draw()
        self.figure.set_layout_engine("none")  # the positions stay as laid out
        self._laid_out_for = inputs

    def add_point(self, epoch: int, train_loss: float, val_loss: float, train_acc: float,
                  val_acc: float, best_epoch: int | None = None) -> None:
        for key, value in (("epoch", epoch), ("train_loss", train_loss),
                           ("val_loss", val_loss), ("train_acc", train_acc),
                           ("val_acc", val_acc)):
            self.series[key].append(float(value))
        xs = self.series["epoch"]
        for key, line in self.lines.items():
            line.set_data(xs, self.series[key])
        if best_epoch:
            self.best_marker.set_xdata([best_epoch, best_epoch])
            self.best_marker.set_alpha(0.8)
        for ax in (self.ax_loss, self.ax_acc):
            ax.set_xlim(0.5, max(2, len(xs)) + 0.5)
            ax.xaxis.get_major_locator().set_params(integer=True)
        self.ax_loss.relim()
        self.ax_loss.autoscale_view(scalex=False)
        self.draw_idle()

    def point_count(self) -> int:
        return len(self.series["epoch"])

    def set_history(self, history: list[dict]) -> None:
        """Plot a finished run (e.g. from a loaded bundle's history)."""
        self.clear()
        best = None
        best_acc = -1.0
        for h in history:
            if h.get("val_acc", -1) > best_acc:
                best, best_acc = h.get("epoch"), h.get("val_acc", -1)
            self.add_point(h["epoch"], h["train_loss"], h["val_loss"], h["train_acc"],
                           h["val_acc"], best)
