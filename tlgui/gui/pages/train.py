"""Step 3 — training: model and hyper-parameters on the left, the live run on the right.

The run itself belongs to a :class:`~tlgui.gui.worker.TrainWorker` on its own ``QThread``;
this page owns exactly one run at a time (idle -> running -> stopping -> idle) and never
starts a new one from inside the end-of-run handler.

Every run gets a run folder (:mod:`tlgui.engine.runs`) with a resume checkpoint per epoch, so
a run that was stopped, failed or killed can be continued (:meth:`TrainPage.resume`).
"""

from __future__ import annotations

import math
import os
import time

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.backbones import BACKBONES, DEFAULT_BACKBONE
from ...engine.config import TrainConfig
from ...engine.data import DatasetScan
from ...engine.runs import RunError, RunFolder
from ..widgets.panel import settings_column
from ..widgets.spin import LogSpinBox
from ..worker import TrainWorker

# The measured defaults (torch-free): one source for the CLI, the engine and this page.
DEFAULTS = TrainConfig()

MODES = ("transfer", "finetune", "staged")


def _fmt_time(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class TrainPage(QWidget):
    runStarted = Signal()
    runFinished = Signal(object, dict)  # FitResult or None, summary (the CLI's done keys)
    stateChanged = Signal(str)  # idle, running, stopping
    failed = Signal(str)
    resumeRequested = Signal()  # the Resume button: the window picks the run

    def __init__(self, parent: QWidget | None = None, lazy_canvas: bool = False) -> None:
        """``lazy_canvas``: build the matplotlib canvas later (:meth:`ensure_canvas`), so the
        app's first paint does not wait for matplotlib to import."""
        super().__init__(parent)
        self._lazy_canvas = lazy_canvas
        self.scan: DatasetScan | None = None
        self.augment_provider = lambda: {}
        self.state = "idle"
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None
        self.run_dir: str | None = None  # the current (or last) run's folder
        self._epochs = 1
        self._run_t0 = 0.0
        self._eta_base: float | None = None
        self._best_epoch = 0
        self._build()
        self._mode_changed()
        self._update_buttons()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QHBoxLayout(self)
        form_host = QWidget()
        fl = QVBoxLayout(form_host)
        fl.setContentsMargins(0, 0, 6, 0)
        fl.addWidget(QLabel(self.tr("<h2>Training</h2>")))

        model_box = QGroupBox(self.tr("Model"))
        mf = QFormLayout(model_box)
        self.backboneCombo = QComboBox()
        self.backboneCombo.setObjectName("backboneCombo")
        for name, info in BACKBONES.items():
            self.backboneCombo.addItem(f"{info.title} ({info.params_m:.1f} M)", name)
        self.backboneCombo.setCurrentIndex(self.backboneCombo.findData(DEFAULT_BACKBONE))
        self.backboneCombo.currentIndexChanged.connect(self._backbone_changed)
        mf.addRow(self.tr("Backbone"), self.backboneCombo)
        self.weightsCombo = QComboBox()
        self.weightsCombo.setObjectName("weightsCombo")
        self.weightsCombo.addItem(self.tr("ImageNet (pretrained)"), "imagenet")
        self.weightsCombo.addItem(self.tr("None (random start)"), "none")
        self.weightsCombo.addItem(self.tr("From file…"), "__file__")
        self.weightsCombo.activated.connect(self._weights_chosen)
        mf.addRow(self.tr("Weights"), self.weightsCombo)
        self.weightsNote = QLabel()
        self.weightsNote.setWordWrap(True)
        self.weightsNote.setObjectName("weightsNote")
        mf.addRow(self.weightsNote)
        fl.addWidget(model_box)

        mode_box = QGroupBox(self.tr("Mode"))
        ml = QVBoxLayout(mode_box)
        self.modeGroup = QButtonGroup(self)
        texts = {
            "transfer": (self.tr("Transfer"), self.tr(
                "Freeze the pretrained backbone and train only the new output layer: fast, "
                "and enough with a few dozen images per class.")),
            "finetune": (self.tr("Fine-tune"), self.tr(
                "Train every layer, the pretrained ones with a small learning rate and the "
                "new head with a larger one: slower, best with more data.")),
            "staged": (self.tr("Staged"), self.tr(
                "First a few epochs with the backbone frozen, then unfreeze and train "
                "everything with the two learning rates.")),
        }
        names = {"transfer": "modeTransferRadio", "finetune": "modeFinetuneRadio",
                 "staged": "modeStagedRadio"}
        self.modeRadios: dict[str, QRadioButton] = {}
        for i, mode in enumerate(MODES):
            title, sentence = texts[mode]
            radio = QRadioButton(title)
            radio.setObjectName(names[mode])
            radio.setToolTip(sentence)
            desc = QLabel(sentence)
            desc.setWordWrap(True)
            desc.setObjectName("modeDescription")
            desc.setIndent(22)
            desc.setStyleSheet("color: palette(placeholder-text);")
            self.modeGroup.addButton(radio, i)
            ml.addWidget(radio)
            ml.addWidget(desc)
            self.modeRadios[mode] = radio
        self.modeRadios["transfer"].setChecked(True)
        self.modeGroup.idToggled.connect(lambda _i, _c: self._mode_changed())
        fl.addWidget(mode_box)

        hp_box = QGroupBox(self.tr("Hyper-parameters"))
        hf = QFormLayout(hp_box)
        self.headLrSpin = LogSpinBox()
        self.headLrSpin.setObjectName("headLrSpin")
        self.headLrSpin.setValue(DEFAULTS.lr_head)
        self.headLrSpin.setToolTip(self.tr("Learning rate of the new output layer"))
        self.suggestButton = QPushButton(self.tr("Suggest…"))
        self.suggestButton.setObjectName("suggestLrButton")
        self.suggestButton.setToolTip(self.tr(
            "Run a short learning-rate range test on your data and pick a good value"))
        self.suggestButton.clicked.connect(self.suggest_lr)
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.headLrSpin, 1)
        lr_row.addWidget(self.suggestButton)
        hf.addRow(self.tr("Head learning rate"), lr_row)
        self.backboneLrSpin = LogSpinBox()
        self.backboneLrSpin.setObjectName("backboneLrSpin")
        self.backboneLrSpin.setValue(DEFAULTS.lr_backbone)
        self.backboneLrSpin.setToolTip(self.tr(
            "Learning rate of the pretrained layers (fine-tune and staged modes only)"))
        hf.addRow(self.tr("Backbone learning rate"), self.backboneLrSpin)
        self.freezeEpochsSpin = QSpinBox()
        self.freezeEpochsSpin.setObjectName("freezeEpochsSpin")
        self.freezeEpochsSpin.setRange(1, 100)
        self.freezeEpochsSpin.setValue(DEFAULTS.freeze_epochs)
        hf.addRow(self.tr("Frozen epochs first"), self.freezeEpochsSpin)
        self.epochsSpin = QSpinBox()
        self.epochsSpin.setObjectName("epochsSpin")
        self.epochsSpin.setRange(1, 1000)
        self.epochsSpin.setValue(DEFAULTS.epochs)
        hf.addRow(self.tr("Epochs"), self.epochsSpin)
        self.batchSizeSpin = QSpinBox()
        self.batchSizeSpin.setObjectName("batchSizeSpin")
        self.batchSizeSpin.setRange(1, 1024)
        self.batchSizeSpin.setValue(DEFAULTS.batch_size)
        hf.addRow(self.tr("Batch size"), self.batchSizeSpin)
        self.optimizerCombo = QComboBox()
        self.optimizerCombo.setObjectName("optimizerCombo")
        for key, label in (("adamw", "AdamW"), ("adam", "Adam"),
                           ("sgd", self.tr("SGD (momentum)"))):
            self.optimizerCombo.addItem(label, key)
        hf.addRow(self.tr("Optimizer"), self.optimizerCombo)
        self.schedulerCombo = QComboBox()
        self.schedulerCombo.setObjectName("schedulerCombo")
        for key, label in (("cosine", self.tr("Cosine with warm-up")),
                           ("onecycle", self.tr("One-cycle")),
                           ("step", self.tr("Step (÷10 every third)")),
                           ("none", self.tr("Constant"))):
            self.schedulerCombo.addItem(label, key)
        hf.addRow(self.tr("Schedule"), self.schedulerCombo)
        self.patienceSpin = QSpinBox()
        self.patienceSpin.setObjectName("patienceSpin")
        self.patienceSpin.setRange(0, 1000)
        self.patienceSpin.setValue(DEFAULTS.patience)
        self.patienceSpin.setSpecialValueText(self.tr("off"))
        self.patienceSpin.setToolTip(self.tr(
            "Early stopping: stop after this many epochs without a better validation score"))
        hf.addRow(self.tr("Early-stopping patience"), self.patienceSpin)
        self.classWeightCheck = QCheckBox(self.tr("Class-weighted loss (for imbalanced data)"))
        self.classWeightCheck.setObjectName("classWeightCheck")
        hf.addRow(self.classWeightCheck)
        self.deviceCombo = QComboBox()
        self.deviceCombo.setObjectName("deviceCombo")
        for key, label in (("auto", self.tr("Automatic")), ("cpu", "CPU"), ("cuda", "CUDA"),
                           ("mps", "Apple MPS")):
            self.deviceCombo.addItem(label, key)
        hf.addRow(self.tr("Device"), self.deviceCombo)
        fl.addWidget(hp_box)
        fl.addStretch(1)
        root.addWidget(settings_column(form_host, 410, 460))

        run = QVBoxLayout()
        bar = QHBoxLayout()
        self.startTrainingButton = QPushButton(self.tr("Start training"))
        self.startTrainingButton.setObjectName("startTrainingButton")
        self.startTrainingButton.setToolTip(self.tr("Start training (Ctrl+Return)"))
        self.startTrainingButton.setDefault(True)
        self.startTrainingButton.setMinimumHeight(34)
        self.startTrainingButton.setStyleSheet(
            "QPushButton#startTrainingButton { background: #2f9e44; color: white;"
            " font-weight: bold; border-radius: 5px; padding: 4px 18px; }"
            "QPushButton#startTrainingButton:disabled { background: #adb5bd; }")
        self.startTrainingButton.clicked.connect(self.start)
        self.stopTrainingButton = QPushButton(self.tr("Stop"))
        self.stopTrainingButton.setObjectName("stopTrainingButton")
        self.stopTrainingButton.setToolTip(self.tr("Stop after the current batch (Esc)"))
        self.stopTrainingButton.setMinimumHeight(34)
        self.stopTrainingButton.clicked.connect(self.stop)
        self.resumeButton = QPushButton(self.tr("Resume…"))
        self.resumeButton.setObjectName("resumeButton")
        self.resumeButton.setToolTip(self.tr(
            "Continue a run that was stopped, failed or interrupted"))
        self.resumeButton.setMinimumHeight(34)
        self.resumeButton.clicked.connect(self.resumeRequested)
        self.saveButton = QPushButton(self.tr("Save model…"))
        self.saveButton.setObjectName("saveModelButton")
        self.saveButton.setMinimumHeight(34)
        self.saveButton.setEnabled(False)
        bar.addWidget(self.startTrainingButton)
        bar.addWidget(self.stopTrainingButton)
        bar.addWidget(self.resumeButton)
        bar.addStretch(1)
        bar.addWidget(self.saveButton)
        run.addLayout(bar)
        self.trainProgress = QProgressBar()
        self.trainProgress.setObjectName("trainProgress")
        self.trainProgress.setRange(0, 1000)
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
        self.runFolderLabel.hide()
        run.addWidget(self.runFolderLabel)

        split = QSplitter(Qt.Orientation.Vertical)
        self.plotHost = QWidget()
        self.plotLayout = QVBoxLayout(self.plotHost)
        self.plotLayout.setContentsMargins(0, 0, 0, 0)
        self.curvesCanvas = None
        self.curvesToolbar = None
        if not self._lazy_canvas:
            self.ensure_canvas()
        split.addWidget(self.plotHost)
        self.epochTable = QTableWidget(0, 8)
        self.epochTable.setObjectName("epochTable")
        self.epochTable.setHorizontalHeaderLabels([
            self.tr("Epoch"), self.tr("Train loss"), self.tr("Train acc"), self.tr("Val loss"),
            self.tr("Val acc"), self.tr("Learning rate"), self.tr("Time"), self.tr("Best")])
        self.epochTable.verticalHeader().hide()
        self.epochTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.epochTable.setAlternatingRowColors(True)
        self.epochTable.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.epochTable)
        split.setSizes([420, 200])
        run.addWidget(split, 1)
        root.addLayout(run, 1)

    def ensure_canvas(self) -> None:
        """Create the live curves (``curvesCanvas``) and their navigation toolbar."""
        if self.curvesCanvas is not None:
            return
        from matplotlib.backends.backend_qtagg import NavigationToolbar2QT

        from ..widgets.curves import CurvesCanvas

        self.curvesCanvas = CurvesCanvas(self.plotHost)
        self.curvesCanvas.setObjectName("curvesCanvas")
        self.curvesToolbar = NavigationToolbar2QT(self.curvesCanvas, self.plotHost)
        self.curvesToolbar.setObjectName("curvesToolbar")
        self.plotLayout.addWidget(self.curvesToolbar)
        self.plotLayout.addWidget(self.curvesCanvas, 1)

    # ------------------------------------------------------------------ form

    def _backbone_changed(self, *_args) -> None:
        self._update_weights_note()

    def _update_weights_note(self) -> None:
        name = self.backboneCombo.currentData()
        weights = self.weightsCombo.currentData()
        available = self.backboneCombo.currentData(Qt.ItemDataRole.UserRole + 1)
        if weights == "imagenet" and available is False:
            self.weightsNote.setText(self.tr(
                "ImageNet weights for {0} are not on this computer yet: they are downloaded "
                "once when training starts.").format(BACKBONES[name].title))
        elif weights == "none":
            self.weightsNote.setText(self.tr(
                "Random start: needs far more images and epochs than pretrained weights."))
        else:
            self.weightsNote.clear()

    def set_weights_availability(self, available: dict[str, bool]) -> None:
        """Mark backbones whose ImageNet weights are already on disk (found off-thread)."""
        for i in range(self.backboneCombo.count()):
            name = self.backboneCombo.itemData(i)
            info = BACKBONES[name]
            ok = available.get(name)
            mark = self.tr(" ✓ offline") if ok else self.tr(" · download")
            self.backboneCombo.setItemText(i, f"{info.title} ({info.params_m:.1f} M){mark}")
            self.backboneCombo.setItemData(
                i, self.tr("ImageNet weights are on this computer") if ok else
                self.tr("ImageNet weights are downloaded once on first use"),
                Qt.ItemDataRole.ToolTipRole)
            self.backboneCombo.setItemData(i, ok, Qt.ItemDataRole.UserRole + 1)
        self._update_weights_note()

    def _weights_chosen(self, index: int) -> None:
        if self.weightsCombo.itemData(index) != "__file__":
            self._update_weights_note()
            return
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a weights file"), "",
            self.tr("PyTorch state dict (*.pt *.pth *.bin);;All files (*)"))
        if path:
            existing = self.weightsCombo.findData(path)
            if existing < 0:
                self.weightsCombo.insertItem(2, path, path)
                existing = 2
            self.weightsCombo.setCurrentIndex(existing)
        else:
            self.weightsCombo.setCurrentIndex(0)
        self._update_weights_note()

    def mode(self) -> str:
        for mode, radio in self.modeRadios.items():
            if radio.isChecked():
                return mode
        return "transfer"

    def _mode_changed(self) -> None:
        mode = self.mode()
        self.backboneLrSpin.setEnabled(mode in ("finetune", "staged"))
        self.freezeEpochsSpin.setEnabled(mode == "staged")

    def config_dict(self) -> dict:
        """The run's settings as ``TrainConfig`` fields (plain data: no torch needed)."""
        return {
            "backbone": self.backboneCombo.currentData(),
            "weights": self.weightsCombo.currentData(),
            "mode": self.mode(),
            "epochs": self.epochsSpin.value(),
            "batch_size": self.batchSizeSpin.value(),
            "lr_head": self.headLrSpin.value(),
            "lr_backbone": self.backboneLrSpin.value(),
            "optimizer": self.optimizerCombo.currentData(),
            "scheduler": self.schedulerCombo.currentData(),
            "patience": self.patienceSpin.value(),
            "class_weighted": self.classWeightCheck.isChecked(),
            "freeze_epochs": self.freezeEpochsSpin.value(),
            "device": self.deviceCombo.currentData(),
            "augment": dict(self.augment_provider()),
        }

    def apply_config(self, config: dict) -> None:
        """Show a run's settings (``TrainConfig`` fields) in the controls, e.g. when resuming;
        fields the page has no control for are left alone."""
        for combo, key in ((self.backboneCombo, "backbone"), (self.optimizerCombo, "optimizer"),
                           (self.schedulerCombo, "scheduler"), (self.deviceCombo, "device")):
            i = combo.findData(config.get(key))
            if i >= 0:
                combo.setCurrentIndex(i)
        weights = config.get("weights")
        if isinstance(weights, str):
            i = self.weightsCombo.findData(weights)
            if i < 0:  # a weights file: listed like one picked with "From file…"
                self.weightsCombo.insertItem(2, weights, weights)
                i = 2
            self.weightsCombo.setCurrentIndex(i)
        if config.get("mode") in self.modeRadios:
            self.modeRadios[config["mode"]].setChecked(True)
        for spin, key in ((self.epochsSpin, "epochs"), (self.batchSizeSpin, "batch_size"),
                          (self.patienceSpin, "patience"),
                          (self.freezeEpochsSpin, "freeze_epochs")):
            if isinstance(config.get(key), int):
                spin.setValue(config[key])
        for spin, key in ((self.headLrSpin, "lr_head"), (self.backboneLrSpin, "lr_backbone")):
            if isinstance(config.get(key), (int, float)):
                spin.setValue(float(config[key]))
        self.classWeightCheck.setChecked(bool(config.get("class_weighted", False)))
        self._mode_changed()
        self._update_weights_note()

    def set_dataset(self, scan: DatasetScan) -> None:
        self.scan = scan
        self._update_buttons()
        if self.state == "idle":
            self.runLabel.setText(self.tr("{0} classes, {1} training and {2} validation "
                                          "images. Ready to train.").format(
                len(scan.classes), len(scan.splits["train"]), len(scan.splits["val"])))

    # ------------------------------------------------------------------ LR finder

    def suggest_lr(self) -> None:
        if self.scan is None:
            self.failed.emit(self.tr("Load a dataset first."))
            return
        from ..widgets.lr_finder import LrFinderDialog

        dialog = LrFinderDialog(self.scan, TrainConfig.from_dict(self.config_dict()), self)
        if dialog.exec() == LrFinderDialog.DialogCode.Accepted:
            lr = float(dialog.suggested_lr)
            if math.isfinite(lr) and lr > 0:
                self.headLrSpin.setValue(lr)

    # ------------------------------------------------------------------ the run

    def is_running(self) -> bool:
        return self.state != "idle"

    def _set_state(self, state: str) -> None:
        self.state = state
        self._update_buttons()
        self.stateChanged.emit(state)

    def _update_buttons(self) -> None:
        idle = self.state == "idle"
        self.startTrainingButton.setEnabled(idle and self.scan is not None)
        self.resumeButton.setEnabled(idle)
        self.stopTrainingButton.setEnabled(self.state == "running")
        for w in (self.backboneCombo, self.weightsCombo, self.epochsSpin, self.batchSizeSpin,
                  self.suggestButton):
            w.setEnabled(idle)

    def start(self) -> bool:
        """Start a run on the current dataset in a new run folder; False when one is running,
        there is no data or the run folder cannot be made (``failed`` says why)."""
        if self.state != "idle" or self.scan is None:
            return False
        config = TrainConfig.from_dict(self.config_dict()).to_dict()
        try:
            run = RunFolder.create()
        except RunError as exc:
            self.failed.emit(str(exc))
            return False
        # run.json is written by the worker before anything else, so even a run that fails
        # while loading the backbone leaves a readable one behind.
        meta = {"config": config, "data": os.path.abspath(self.scan.root),
                "val_split": self.scan.val_fraction, "out": None, "status": "running"}
        return self._launch(self.scan, config, str(run.path), resume=False, meta=meta)

    def resume(self, scan: DatasetScan, run_dir: str, config: dict) -> bool:
        """Continue the run in ``run_dir`` on ``scan`` (re-scanned with the run's split and
        seed) with the run's own ``config``; the saved epochs are replayed first, so the table
        and curves show the whole run. False when a run is active."""
        if self.state != "idle":
            return False
        self.scan = scan
        return self._launch(scan, dict(config), str(run_dir), resume=True)

    def _launch(self, scan: DatasetScan, config: dict, run_dir: str, resume: bool,
                meta: dict | None = None) -> bool:
        self.run_dir = run_dir
        self.runFolderLabel.setText(self.tr("Run folder: {0}").format(run_dir))
        self.runFolderLabel.setToolTip(self.tr(
            "A checkpoint is kept here after every epoch: File ▸ Resume Run… continues the "
            "run if it is stopped or interrupted."))
        self.runFolderLabel.show()
        self._epochs = int(config.get("epochs", self.epochsSpin.value()))
        self._best_epoch = 0
        self._run_t0 = time.monotonic()
        self._eta_base = None
        self.epochTable.setRowCount(0)
        self.ensure_canvas()
        self.curvesCanvas.clear()
        self.trainProgress.setValue(0)
        self.trainProgress.setFormat(self.tr("Preparing the model…"))
        self.runLabel.setText(self.tr("Resuming the run…") if resume else
                              self.tr("Loading the backbone…"))

        self.thread = QThread(self)
        self.thread.setObjectName("trainThread")
        self.worker = TrainWorker(scan, config, run_dir=run_dir, resume=resume,
                                  run_meta=meta)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        w = self.worker
        w.fitStarted.connect(self._fit_started)
        w.epochStarted.connect(self._epoch_started)
        w.batchEnded.connect(self._batch_ended)
        w.epochEnded.connect(self._epoch_ended)
        w.downloadProgress.connect(self._download_progress)
        self.thread.finished.connect(self._thread_done)
        self._set_state("running")
        self.runStarted.emit()
        self.thread.start()
        return True

    def stop(self) -> None:
        """Cooperative: the trainer stops within one batch; the end comes via _thread_done."""
        if self.state == "running" and self.worker is not None:
            self.worker.cancel()
            self.trainProgress.setFormat(self.tr("Stopping…"))
            self._set_state("stopping")

    def stop_and_wait(self, timeout_ms: int = 120_000) -> bool:
        """Used when the window closes mid-run: cancel, then block until the thread ended."""
        if self.thread is None:
            return True
        if self.worker is not None:
            self.worker.cancel()
        ok = self.thread.wait(timeout_ms)
        if ok:
            self._thread_done()
        return ok

    # worker signals (queued onto the GUI thread)

    def _fit_started(self, e) -> None:
        cache = self.tr(", frozen features cached") if e.cached_features else ""
        self.runLabel.setText(self.tr("Training {0} ({1}) on {2}: {3} train / {4} val images"
                                      "{5}").format(e.backbone, e.mode, e.device, e.n_train,
                                                    e.n_val, cache))

    def _epoch_started(self, e) -> None:
        if self._eta_base is None:
            self._eta_base = (e.epoch - 1) / max(1, self._epochs)
            if e.epoch > 1:  # a resumed run: time only the epochs trained now
                self._run_t0 = time.monotonic()
        self.trainProgress.setFormat(self.tr("Epoch {0}/{1}").format(e.epoch, e.epochs))

    def _batch_ended(self, e) -> None:
        if self.state != "running":
            return
        frac = e.batch / max(1, e.batches)
        within = {"features": 0.5 * frac, "train": 0.8 * frac, "val": 0.8 + 0.2 * frac}
        overall = (e.epoch - 1 + within.get(e.phase, frac)) / max(1, self._epochs)
        self.trainProgress.setValue(int(1000 * min(1.0, overall)))
        elapsed = time.monotonic() - self._run_t0
        done = overall - (self._eta_base or 0.0)
        eta = elapsed / done * (1.0 - overall) if done > 0.02 else None
        phase = {"features": self.tr("computing frozen features"), "train": self.tr("train"),
                 "val": self.tr("validate")}.get(e.phase, e.phase)
        eta_text = self.tr(" · about {0} left").format(_fmt_time(eta)) if eta is not None else ""
        self.trainProgress.setFormat(self.tr("Epoch {0}/{1} · {2} {3}/{4}{5}").format(
            e.epoch, self._epochs, phase, e.batch, e.batches, eta_text))

    def _epoch_ended(self, e) -> None:
        if e.is_best:
            self._best_epoch = e.epoch
        row = self.epochTable.rowCount()
        self.epochTable.insertRow(row)
        values = [str(e.epoch), f"{e.train_loss:.4f}", f"{e.train_acc:.3f}", f"{e.val_loss:.4f}",
                  f"{e.val_acc:.3f}", " / ".join(f"{lr:.2g}" for lr in e.lr),
                  f"{e.seconds:.1f} s", "★" if e.is_best else ""]
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.epochTable.setItem(row, c, item)
        self.epochTable.scrollToBottom()
        self.curvesCanvas.add_point(e.epoch, e.train_loss, e.val_loss, e.train_acc, e.val_acc,
                                    self._best_epoch)

    def _download_progress(self, e) -> None:
        if e.total_bytes:
            self.trainProgress.setValue(int(1000 * e.done_bytes / e.total_bytes))
        self.trainProgress.setFormat(self.tr("Downloading {0} weights: {1:.1f} MB").format(
            e.name, e.done_bytes / 1e6))

    def _thread_done(self) -> None:
        """The thread has really ended: report the run and become idle (exactly once)."""
        if self.thread is None:
            return
        self.thread.wait()
        thread, worker = self.thread, self.worker
        self.thread = self.worker = None
        if worker is not None:
            worker.deleteLater()
        thread.deleteLater()
        result = worker.result if worker is not None else None
        error = worker.error if worker is not None else None
        if worker is not None:  # the wrapper may outlive the C++ object: keep nothing big on it
            worker.result = worker.scan = None
        summary = {"best_epoch": 0, "best_val_acc": 0.0, "stopped_early": False,
                   "cancelled": False, "checkpoint": None}
        if result is not None:
            summary.update(result.summary())
            summary["checkpoint"] = None
            if result.cancelled:
                text = self.tr("Stopped after {0} epoch(s).").format(len(result.history))
            elif result.stopped_early:
                text = self.tr("Stopped early: no improvement for {0} epochs.").format(
                    result.config.patience)
            else:
                text = self.tr("Finished {0} epochs.").format(len(result.history))
            if result.history:
                text += " " + self.tr("Best epoch {0}: validation accuracy {1:.1%}.").format(
                    result.best_epoch, result.best_val_acc)
            self.runLabel.setText(text)
            self.trainProgress.setValue(1000 if not result.cancelled else
                                        self.trainProgress.value())
            self.trainProgress.setFormat(self.tr("Done in {0}").format(
                _fmt_time(result.seconds)) if not result.cancelled else self.tr("Stopped"))
        else:
            summary["error"] = error or self.tr("training failed")
            self.runLabel.setText(self.tr("Training failed: {0}").format(summary["error"]))
            self.trainProgress.setFormat(self.tr("Failed"))
        self._set_state("idle")
        self.runFinished.emit(result, summary)
        if result is None:
            self.failed.emit(summary["error"])

    # ------------------------------------------------------------------ settings

    def save_settings(self, s) -> None:
        c = self.config_dict()
        c.pop("augment")
        if c["weights"] not in ("imagenet", "none"):
            c["weights"] = "imagenet"
        for k, v in c.items():
            s.setValue(f"train/{k}", v)

    def restore_settings(self, s) -> None:
        def get(key, kind, default):
            v = s.value(f"train/{key}")
            if v is None:
                return default
            try:
                return (v in (True, "true")) if kind is bool else kind(v)
            except (TypeError, ValueError):
                return default

        for combo, key in ((self.backboneCombo, "backbone"), (self.weightsCombo, "weights"),
                           (self.optimizerCombo, "optimizer"),
                           (self.schedulerCombo, "scheduler"), (self.deviceCombo, "device")):
            i = combo.findData(get(key, str, None))
            if i >= 0:
                combo.setCurrentIndex(i)
        mode = get("mode", str, "transfer")
        if mode in self.modeRadios:
            self.modeRadios[mode].setChecked(True)
        self.epochsSpin.setValue(get("epochs", int, self.epochsSpin.value()))
        self.batchSizeSpin.setValue(get("batch_size", int, self.batchSizeSpin.value()))
        self.headLrSpin.setValue(get("lr_head", float, self.headLrSpin.value()))
        self.backboneLrSpin.setValue(get("lr_backbone", float, self.backboneLrSpin.value()))
        self.patienceSpin.setValue(get("patience", int, self.patienceSpin.value()))
        self.freezeEpochsSpin.setValue(get("freeze_epochs", int, 1))
        self.classWeightCheck.setChecked(get("class_weighted", bool, False))
        self._mode_changed()
        self._update_weights_note()
