"""The Results page's calibration view: a reliability diagram before and after temperature
scaling (``reliabilityDiagram``, matplotlib like the page's other report figures) and the
expected calibration error (``reliabilityEceLabel``).

A reliability diagram bins the predictions by their top probability (15 bins, as
:mod:`tlgui.engine.calibration` measures) and plots each bin's accuracy: a model whose
probabilities mean what they say follows the diagonal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .results_plots import make_canvas


def draw_reliability(
    fig: Any,
    before: Sequence[Mapping[str, float]],
    after: Sequence[Mapping[str, float]],
    titles: Sequence[str],
    labels: Mapping[str, str],
) -> None:
    """Two panels (``before``, ``after``: reliability bins as the engine reports them) with
    each bin's accuracy as a bar, the gap to its mean confidence hatched, and the diagonal.
    ``titles`` holds the two panel titles; ``labels`` the translated ``confidence``,
    ``accuracy``, ``gap`` and ``ideal`` names."""
    fig.clear()
    axes = fig.subplots(1, 2, sharey=True)
    for ax, bins, title in zip(axes, (before, after), titles, strict=True):
        used = [b for b in bins if b["count"]]
        width = (used[0]["hi"] - used[0]["lo"]) if used else 1 / 15
        centres = [(b["lo"] + b["hi"]) / 2 for b in used]
        ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1, label=labels.get("ideal", ""))
        ax.bar(
            centres,
            [b["accuracy"] for b in used],
            width=width,
            color="#4c72b0",
            edgecolor="white",
            label=labels.get("accuracy", "accuracy"),
        )
        gaps = [b["confidence"] - b["accuracy"] for b in used]
        ax.bar(
            centres,
            gaps,
            bottom=[b["accuracy"] for b in used],
            width=width,
            color="#dd8452",
            alpha=0.35,
            hatch="//",
            edgecolor="#dd8452",
            label=labels.get("gap", "gap"),
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel(labels.get("confidence", "confidence"))
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel(labels.get("accuracy", "accuracy"))
    axes[0].legend(fontsize="x-small", loc="upper left")


class ReliabilityView(QWidget):
    """The reliability diagram and the ECE of one report (``EvalReport``, or None); a report
    without calibration figures (saved by an older tlgui) says how to get them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reliabilityView")
        self.canvas = make_canvas("reliabilityDiagram", 220)
        self.ece_label = QLabel()
        self.ece_label.setObjectName("reliabilityEceLabel")
        self.ece_label.setWordWrap(True)
        self.ece_label.setToolTip(
            self.tr(
                "Expected calibration error: how far the model's confidence is from its "
                "accuracy, averaged over 15 confidence bins (0 = its probabilities mean what "
                "they say). The temperature is fitted on the validation split, so its ECE "
                "after calibration is optimistic; the test split's is not."
            )
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.ece_label)
        lay.addWidget(self.canvas, 1)

    def set_report(self, report: Any) -> None:
        fig = self.canvas.figure
        bins = getattr(report, "reliability", None) or {}
        if report is None or not bins or report.ece is None:
            fig.clear()
            self.ece_label.setText(
                ""
                if report is None
                else self.tr(
                    "No calibration figures saved with these results: use “Evaluate on dataset”."
                )
            )
            self.canvas.draw_idle()
            return
        t = f"{report.temperature:.2f}"
        self.ece_label.setText(
            self.tr("ECE %1 % with temperature %2 (%3 % without)")
            .replace("%1", f"{100 * report.ece:.1f}")
            .replace("%2", t)
            .replace("%3", f"{100 * report.ece_uncalibrated:.1f}")
        )
        draw_reliability(
            fig,
            bins.get("uncalibrated", []),
            bins.get("calibrated", []),
            (
                self.tr("Before: ECE %1 %").replace("%1", f"{100 * report.ece_uncalibrated:.1f}"),
                self.tr("After (T = %1): ECE %2 %")
                .replace("%1", t)
                .replace("%2", f"{100 * report.ece:.1f}"),
            ),
            {
                "confidence": self.tr("confidence"),
                "accuracy": self.tr("accuracy"),
                "gap": self.tr("gap to confidence"),
                "ideal": self.tr("calibrated"),
            },
        )
        self.canvas.draw_idle()


__all__ = ["ReliabilityView", "draw_reliability"]
