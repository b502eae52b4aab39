"""The learning-rate finder dialog: runs the LR range test off the GUI thread, plots loss
against LR (log axis) with the suggestion marked; "Use this LR" accepts it.

The range test itself is :func:`tlgui.engine.lr_finder.find_lr`; this module only bridges it to
Qt. torch is imported in the worker thread only.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...engine.events import BatchEnd, Callback
from ..jobs import Job, JobControl
from ..plot_fonts import use_fallback_fonts
from ..warm_up import import_engine


class _ProgressBridge(Callback):
    """The range test's engine callback: batch progress to the job (throttled there)."""

    def __init__(self, control: JobControl) -> None:
        self.control = control

    def on_batch_end(self, event: BatchEnd) -> None:
        self.control.report(event, final=event.batch >= event.batches)


def _range_test(control: JobControl, scan: Any, config: Any) -> Any:
    """The dialog's job (its own thread): ``find_lr`` with progress and cancel."""
    import_engine()
    from ...engine.lr_finder import find_lr
    from ...engine.trainer import CancelToken

    cancel = control.link(CancelToken())
    return find_lr(scan, config, [_ProgressBridge(control)], cancel)


class LrFinderDialog(QDialog):
    """``LrFinderDialog(scan, config, parent)``; after ``exec()`` returns Accepted,
    ``suggested_lr`` holds the suggested head learning rate. The test starts when the dialog
    is first shown; closing it cancels the test and waits for its thread."""

    rangeTestFinished = Signal(bool)  # True: a suggestion is ready; False: failed/cancelled

    def __init__(self, scan: Any, config: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lrFinderDialog")
        self.setWindowTitle(self.tr("Learning-rate finder"))
        self.scan = scan
        self.config = config
        self.suggested_lr: float = math.nan
        self.range_result: Any = None  # the LrFindResult once done
        self.phase = ""  # the running phase: "features" or "lr_find"
        self.job: Job | None = None
        self._started = False

        self.info = QLabel(
            self.tr(
                "Trains the new head for a few batches with a learning rate that grows "
                "exponentially and records the loss. Your model is not changed."
            )
        )
        self.info.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("lrFinderProgress")
        self.status = QLabel(self.tr("Preparing…"))
        self.status.setObjectName("lrFinderStatus")

        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        use_fallback_fonts()
        self.figure = Figure(figsize=(5, 3.2), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("lrFinderCanvas")
        self.canvas.setMinimumHeight(240)

        self.buttons = QDialogButtonBox()
        self.use_button = QPushButton(self.tr("Use this LR"))
        self.use_button.setObjectName("lrFinderUseButton")
        self.use_button.setEnabled(False)
        self.use_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("lrFinderCancelButton")
        self.buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.use_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(self.progress_bar)
        lay.addWidget(self.status)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.buttons)
        self.resize(560, 460)

    # ------------------------------------------------------------------ running

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._started:
            self.start()

    def start(self) -> None:
        """Start the range test (once; showing the dialog does it)."""
        if self._started:
            return
        self._started = True
        job = Job(_range_test, self.scan, self.config, control=True, dedicated=True)
        job.progress.connect(self._on_progress)
        job.done.connect(self._on_result)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_job_finished)
        self.job = job.start()

    @Slot()
    def _on_job_finished(self) -> None:
        self.job = None

    def is_running(self) -> bool:
        return self.job is not None

    @Slot(object)
    def _on_progress(self, event: BatchEnd) -> None:
        done, total, phase = event.batch, event.batches, event.phase
        self.phase = phase
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)
        if phase == "features":
            self.status.setText(
                self.tr("Computing backbone features… %1 / %2")
                .replace("%1", str(done))
                .replace("%2", str(total))
            )
        else:
            self.status.setText(
                self.tr("Range test: batch %1 / %2")
                .replace("%1", str(done))
                .replace("%2", str(total))
            )

    @Slot(object)
    def _on_result(self, result: Any) -> None:
        self.range_result = result
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        if result.cancelled:
            self.status.setText(self.tr("Cancelled."))
            self.rangeTestFinished.emit(False)
            return
        self.suggested_lr = float(result.suggested_lr)
        ok = math.isfinite(self.suggested_lr)
        self.plot(result.lrs, result.losses, self.suggested_lr if ok else None)
        if ok:
            self.status.setText(
                self.tr("Suggested learning rate: %1").replace("%1", f"{self.suggested_lr:.2e}")
            )
        else:
            self.status.setText(self.tr("The loss curve gave no usable suggestion."))
        self.use_button.setEnabled(ok)
        self.rangeTestFinished.emit(ok)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(self.tr("The range test failed: %1").replace("%1", message))
        self.rangeTestFinished.emit(False)

    def plot(self, lrs: list[float], losses: list[float], suggestion: float | None) -> None:
        fig = self.figure
        fig.clear()
        ax = fig.add_subplot(111)
        ax.plot(lrs, losses, color="#1f77b4")
        ax.set_xscale("log")
        ax.set_xlabel(self.tr("learning rate (log scale)"))
        ax.set_ylabel(self.tr("loss (smoothed)"))
        if suggestion is not None and lrs:
            i = min(range(len(lrs)), key=lambda k: abs(math.log(lrs[k] / suggestion)))
            ax.axvline(suggestion, color="#d62728", linestyle="--", linewidth=1)
            ax.plot(
                [lrs[i]],
                [losses[i]],
                "o",
                color="#d62728",
                label=self.tr("suggested %1").replace("%1", f"{suggestion:.1e}"),
            )
            ax.legend(loc="best")
        ax.grid(True, which="both", alpha=0.3)
        self.canvas.draw_idle()

    # ------------------------------------------------------------------ closing

    def stop(self, wait_ms: int = 30_000) -> bool:
        """Cancel a running test and wait for it to end; True when it has."""
        job = self.job
        if job is None:
            return True
        job.cancel()
        return job.wait(wait_ms)

    def done(self, r: int) -> None:  # accept/reject/close all end here
        self.stop()
        super().done(r)

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)


__all__ = ["LrFinderDialog"]
