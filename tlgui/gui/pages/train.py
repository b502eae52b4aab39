"""Step 3 — training: the settings form on the left, the live run on the right.

The run itself belongs to the :class:`~tlgui.gui.training.TrainingController` the page is
given; the page starts runs with the form's settings and shows what the controller reports
(progress, a row and a curve point per epoch, a smoothed per-batch loss, the run folder). It
never starts a run from inside the end-of-run handler.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.data import DatasetScan
from ..preference_store import (
    changes,
    decoded_cache_mb,
    default_device,
    inference_backend,
    loader_workers,
)
from ..training import IDLE, RUNNING, STOPPING, TrainingController
from ..widgets.panel import settings_column
from ..widgets.tables import read_only_table
from .train_form import TrainForm

PROGRESS_STEPS = 1000
# Where each phase of an epoch sits within the epoch on the progress bar.
PHASE_SPAN = {"features": (0.0, 0.5), "train": (0.0, 0.8), "val": (0.8, 0.2)}


def _fmt_time(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class TrainPage(QWidget):
    """``resumeRequested``: the Resume button (the window picks the run);
    ``saveRequested``: the Save button; ``failed(message)``: something to tell the user."""

    resumeRequested = Signal()
    saveRequested = Signal()
    failed = Signal(str)

    def __init__(
        self, training: TrainingController, parent: QWidget | None = None, lazy_canvas: bool = False
    ) -> None:
        """``lazy_canvas``: build the live curves later (:meth:`ensure_canvas`), so the app's
        first paint does not wait for pyqtgraph to import."""
        super().__init__(parent)
        self.training = training
        self.scan: DatasetScan | None = None
        self.augment_provider = lambda: {}
        # The Data step's fields of a run (excluded files, duplicates kept together).
        self.data_fields_provider: Any = lambda: {}
        self.curvesCanvas: Any = None
        self._epochs = 1
        self._run_t0 = 0.0
        self._eta_base: float | None = None
        self._best_epoch = 0
        self.form = TrainForm()
        self.form.suggestLrRequested.connect(self.suggest_lr)
        changes().changed.connect(self._preferences_changed)
        root = QHBoxLayout(self)
        root.addWidget(settings_column(self.form, 410, 460))
        root.addLayout(self._build_run_view(), 1)
        if not lazy_canvas:
            self.ensure_canvas()
        t = training
        t.stateChanged.connect(self._state_changed)
        t.runStarted.connect(self._run_started)
        t.fitStarted.connect(self._fit_started)
        t.epochStarted.connect(self._epoch_started)
        t.batchEnded.connect(self._batch_ended)
        t.epochEnded.connect(self._epoch_ended)
        t.downloadProgress.connect(self._download_progress)
        t.backendChosen.connect(self._backend_chosen)
        t.runFinished.connect(self._run_finished)
        self._state_changed(training.state)

    # ------------------------------------------------------------------ layout

    def _build_run_view(self) -> QVBoxLayout:
        run = QVBoxLayout()
        bar = QHBoxLayout()
        self.startTrainingButton = self._button(
            "startTrainingButton",
            self.tr("Start training"),
            self.tr("Start training (Ctrl+Return)"),
        )
        self.startTrainingButton.setDefault(True)
        self.startTrainingButton.setStyleSheet(
            "QPushButton#startTrainingButton { background: #2f9e44; color: white;"
            " font-weight: bold; border-radius: 5px; padding: 4px 18px; }"
            "QPushButton#startTrainingButton:disabled { background: #adb5bd; }"
        )
        self.startTrainingButton.clicked.connect(self.start)
        self.stopTrainingButton = self._button(
            "stopTrainingButton", self.tr("Stop"), self.tr("Stop after the current batch (Esc)")
        )
        self.stopTrainingButton.clicked.connect(self.training.stop)
        self.resumeButton = self._button(
            "resumeButton",
            self.tr("Resume…"),
            self.tr("Continue a run that was stopped, failed or interrupted"),
        )
        self.resumeButton.clicked.connect(self.resumeRequested)
        self.saveButton = self._button("saveModelButton", self.tr("Save model…"), "")
        self.saveButton.setEnabled(False)
        self.saveButton.clicked.connect(self.saveRequested)
        self.inspectButton = self._button(
            "inspectModelButton",
            self.tr("Inspect model…"),
            self.tr("What these settings train, the preprocessing, and a picture through the "
                    "network, before training"),
        )
        self.inspectButton.clicked.connect(self.show_inspector)
        for button in (self.startTrainingButton, self.stopTrainingButton, self.resumeButton):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.inspectButton)
        bar.addWidget(self.saveButton)
        run.addLayout(bar)

        self.trainProgress = QProgressBar()
        self.trainProgress.setObjectName("trainProgress")
        self.trainProgress.setRange(0, PROGRESS_STEPS)
        self.trainProgress.setValue(0)
        self.trainProgress.setFormat(self.tr("Ready"))
        self.trainProgress.setTextVisible(True)
        run.addWidget(self.trainProgress)
        self.runLabel = QLabel(self.tr("Load a dataset, pick a mode and press Start."))
        self.runLabel.setObjectName("runLabel")
        self.runLabel.setWordWrap(True)
        run.addWidget(self.runLabel)
        self.runFolderLabel = QLabel()
        self.runFolderLabel.setObjectName("runFolderLabel")
        self.runFolderLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.runFolderLabel.setStyleSheet("color: palette(placeholder-text);")
        self.runFolderLabel.setToolTip(
            self.tr(
                "A checkpoint is kept here after every epoch: File ▸ Resume Run… continues the "
                "run if it is stopped or interrupted."
            )
        )
        self.runFolderLabel.hide()
        run.addWidget(self.runFolderLabel)

        split = QSplitter(Qt.Orientation.Vertical)
        self.plotHost = QWidget()
        self.plotLayout = QVBoxLayout(self.plotHost)
        self.plotLayout.setContentsMargins(0, 0, 0, 0)
        split.addWidget(self.plotHost)
        headers = [
            self.tr("Epoch"),
            self.tr("Train loss"),
            self.tr("Train acc"),
            self.tr("Val loss"),
            self.tr("Val acc"),
            self.tr("Learning rate"),
            self.tr("Time"),
            self.tr("Best"),
        ]
        self.epochTable = read_only_table("epochTable", headers)
        self.epochTable.setAlternatingRowColors(True)
        self.epochTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.epochTable)
        split.setSizes([420, 200])
        run.addWidget(split, 1)
        return run

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setMinimumHeight(34)
        return button

    def ensure_canvas(self) -> None:
        """Create the live curves (``curvesCanvas``, with their own view buttons)."""
        if self.curvesCanvas is not None:
            return
        from ..widgets.curves import CurvesCanvas

        self.curvesCanvas = CurvesCanvas(self.plotHost)
        self.plotLayout.addWidget(self.curvesCanvas, 1)

    # ------------------------------------------------------------------ inputs

    def set_dataset(self, scan: DatasetScan) -> None:
        self.scan = scan
        self._state_changed(self.training.state)
        if self.training.state == IDLE:
            self.runLabel.setText(
                self.tr(
                    "{0} classes, {1} training and {2} validation images. Ready to train."
                ).format(len(scan.classes), len(scan.splits["train"]), len(scan.splits["val"]))
            )

    def config_dict(self) -> dict[str, Any]:
        """The run's settings as ``TrainConfig`` fields: the form's, the augmentation, and the
        inference backend, loader workers and decoded-cache size of the Preferences, and the
        Data step's fields (:attr:`data_fields_provider`)."""
        return {
            **self.form.config_dict(),
            "augment": dict(self.augment_provider()),
            "inference_backend": inference_backend(),
            "workers": loader_workers(),
            "decoded_cache_mb": decoded_cache_mb(),
            **self.data_fields_provider(),
        }

    def apply_config(self, config: dict[str, Any]) -> None:
        """Show a run's settings in the form (see :meth:`TrainForm.apply_config`)."""
        self.form.apply_config(config)

    def set_weights_availability(self, available: dict[str, bool]) -> None:
        self.form.set_weights_availability(available)

    def set_model_ready(self, ready: bool) -> None:
        """Whether there is a trained model to save."""
        self.saveButton.setEnabled(ready)

    def save_settings(self, settings: QSettings) -> None:
        self.form.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        """The last session's form, on the Preferences' default device."""
        self.form.restore_settings(settings)
        self.form.fields["device"].set_value(default_device(settings))

    def _preferences_changed(self, names: list[str]) -> None:
        """A new default device shows in the form at once (for the next run)."""
        if "default_device" in names:
            self.form.fields["device"].set_value(default_device())

    # ------------------------------------------------------------------ actions

    def start(self) -> bool:
        """Start a run on the current dataset with the form's settings; False when a run is
        active or there is no dataset."""
        if self.scan is None:
            return False
        return self.training.start(self.scan, self.config_dict())

    def show_inspector(self) -> Any:
        """Open the model inspector on this page's settings (see :mod:`..inspector`)."""
        from ..inspector import show_inspector

        return show_inspector(self)

    def suggest_lr(self) -> None:
        """Run the LR finder on the dataset with the form's settings; "Use this LR" sets the
        head learning rate."""
        if self.scan is None:
            self.failed.emit(self.tr("Load a dataset first."))
            return
        from ...engine.config import TrainConfig
        from ..widgets.lr_finder import LrFinderDialog

        dialog = LrFinderDialog(self.scan, TrainConfig.from_dict(self.config_dict()), self)
        if dialog.exec() == LrFinderDialog.DialogCode.Accepted:
            lr = float(dialog.suggested_lr)
            if math.isfinite(lr) and lr > 0:
                self.form.apply_config({"lr_head": lr})

    # ------------------------------------------------------------------ the run, as reported

    def _state_changed(self, state: str) -> None:
        idle = state == IDLE
        self.startTrainingButton.setEnabled(idle and self.scan is not None)
        self.resumeButton.setEnabled(idle)
        self.stopTrainingButton.setEnabled(state == RUNNING)
        self.form.set_editable(idle)
        if state == STOPPING:
            self.trainProgress.setFormat(self.tr("Stopping…"))

    def _run_started(self, run_dir: str, resume: bool) -> None:
        self._epochs = 1
        self._best_epoch = 0
        self._run_t0 = time.monotonic()
        self._eta_base = None
        self.epochTable.setRowCount(0)
        self.ensure_canvas()
        self.curvesCanvas.clear()
        self.trainProgress.setValue(0)
        self.trainProgress.setFormat(self.tr("Preparing the model…"))
        self.runLabel.setText(
            self.tr("Resuming the run…") if resume else self.tr("Loading the backbone…")
        )
        self.runFolderLabel.setText(self.tr("Run folder: {0}").format(run_dir))
        self.runFolderLabel.show()

    def _backend_chosen(self, e: Any) -> None:
        """The run folder's line, then which backend runs the frozen backbone and why."""
        folder = self.runFolderLabel.text().split("\n")[0]
        line = self.tr("Frozen backbone on {0}").format(e.describe())
        self.runFolderLabel.setText(f"{folder}\n{line}")

    def _fit_started(self, e: Any) -> None:
        self._epochs = e.epochs
        cache = self.tr(", frozen features cached") if e.cached_features else ""
        self.runLabel.setText(
            self.tr("Training {0} ({1}) on {2}: {3} train / {4} val images{5}").format(
                e.backbone, e.mode, e.device, e.n_train, e.n_val, cache
            )
        )

    def _epoch_started(self, e: Any) -> None:
        self._epochs = e.epochs
        if self._eta_base is None:
            self._eta_base = (e.epoch - 1) / max(1, e.epochs)
            if e.epoch > 1:  # a resumed run: time only the epochs trained now
                self._run_t0 = time.monotonic()
        self.trainProgress.setFormat(self.tr("Epoch {0}/{1}").format(e.epoch, e.epochs))

    def _batch_ended(self, e: Any) -> None:
        if self.training.state != RUNNING:
            return
        frac = e.batch / max(1, e.batches)
        if e.phase == "train":
            self.curvesCanvas.add_batch_loss(e.epoch - 1 + frac, e.loss)
        start, span = PHASE_SPAN.get(e.phase, (0.0, 1.0))
        overall = (e.epoch - 1 + start + span * frac) / max(1, self._epochs)
        self.trainProgress.setValue(int(PROGRESS_STEPS * min(1.0, overall)))
        elapsed = time.monotonic() - self._run_t0
        done = overall - (self._eta_base or 0.0)
        eta = elapsed / done * (1.0 - overall) if done > 0.02 else None
        phase = {
            "features": self.tr("computing frozen features"),
            "train": self.tr("train"),
            "val": self.tr("validate"),
        }.get(e.phase, e.phase)
        eta_text = self.tr(" · about {0} left").format(_fmt_time(eta)) if eta is not None else ""
        self.trainProgress.setFormat(
            self.tr("Epoch {0}/{1} · {2} {3}/{4}{5}").format(
                e.epoch, self._epochs, phase, e.batch, e.batches, eta_text
            )
        )

    def _epoch_ended(self, e: Any) -> None:
        if e.is_best:
            self._best_epoch = e.epoch
        row = self.epochTable.rowCount()
        self.epochTable.insertRow(row)
        values = [
            str(e.epoch),
            f"{e.train_loss:.4f}",
            f"{e.train_acc:.3f}",
            f"{e.val_loss:.4f}",
            f"{e.val_acc:.3f}",
            " / ".join(f"{lr:.2g}" for lr in e.lr),
            f"{e.seconds:.1f} s",
            "★" if e.is_best else "",
        ]
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.epochTable.setItem(row, c, item)
        self.epochTable.scrollToBottom()
        self.curvesCanvas.add_point(
            e.epoch, e.train_loss, e.val_loss, e.train_acc, e.val_acc, self._best_epoch
        )

    def _download_progress(self, e: Any) -> None:
        if e.total_bytes:
            self.trainProgress.setValue(int(PROGRESS_STEPS * e.done_bytes / e.total_bytes))
        self.trainProgress.setFormat(
            self.tr("Downloading {0} weights: {1:.1f} MB").format(e.name, e.done_bytes / 1e6)
        )

    def _run_finished(self, result: Any, summary: dict[str, Any]) -> None:
        if result is None:
            if summary["cancelled"]:
                self.runLabel.setText(self.tr("Stopped before the first epoch ended."))
                self.trainProgress.setFormat(self.tr("Stopped"))
            else:
                self.runLabel.setText(self.tr("Training failed: {0}").format(summary["error"]))
                self.trainProgress.setFormat(self.tr("Failed"))
            return
        if result.cancelled:
            text = self.tr("Stopped after {0} epoch(s).").format(len(result.history))
            self.trainProgress.setFormat(self.tr("Stopped"))
        else:
            text = (
                self.tr("Stopped early: no improvement for {0} epochs.").format(
                    result.config.patience
                )
                if result.stopped_early
                else self.tr("Finished {0} epochs.").format(len(result.history))
            )
            self.trainProgress.setValue(PROGRESS_STEPS)
            self.trainProgress.setFormat(self.tr("Done in {0}").format(_fmt_time(result.seconds)))
        if result.history:
            text += " " + self.tr("Best epoch {0}: validation accuracy {1:.1%}.").format(
                result.best_epoch, result.best_val_acc
            )
        self.runLabel.setText(text)
