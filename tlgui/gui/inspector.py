"""The model inspector window: what the Train step's settings will train, how a picture is
prepared, and one picture through the network, before any training.

Everything shown comes from :mod:`tlgui.engine.inspector` (the trainer's own model, optimizer
groups and transforms), computed on background :class:`~tlgui.gui.jobs.Job` s: the window
never waits for a model to be built. It follows the Train form: a change of a setting
(backbone, mode, learning rates, …) shows the new answer a moment later; a tried picture is
tried again when the backbone, the weights or the classes change. torch is imported on the
jobs' threads only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from .inspector_views import fill_groups, fill_tree, picture_text, pipeline_text, totals_text
from .jobs import JobControl, submit
from .warm_up import import_engine
from .widgets.tables import read_only_table

DEBOUNCE_MS = 150  # a burst of setting changes (a spin box held down) builds one model
# The settings the untrained network's answer for a picture depends on.
PICTURE_KEYS = ("backbone", "weights", "dropout", "seed")


def _inspect(config: dict[str, Any], num_classes: int) -> tuple[Any, Any]:
    """Job: the structure (layers, groups, totals per phase) and the pipeline of ``config``."""
    import_engine()
    from ..engine.config import TrainConfig
    from ..engine.inspector import DEFAULT_TOP_K, describe_pipeline, inspect_structure

    cfg = TrainConfig.from_dict(config)
    structure = inspect_structure(cfg, num_classes)
    return structure, describe_pipeline(cfg, min(DEFAULT_TOP_K, num_classes))


def _try_picture(control: JobControl, config: dict[str, Any], names: list[str], path: str) -> Any:
    """Job: one picture through the model a run of ``config`` starts from."""
    import_engine()
    from ..engine.config import TrainConfig
    from ..engine.inspector import try_picture

    def progress(done: int, total: int) -> bool:
        control.report((done, total))
        return not control.cancelled

    return try_picture(TrainConfig.from_dict(config), names, path, progress=progress)


class ModelInspector(QDialog):
    """``ModelInspector(config_provider, classes_provider, parent)``: ``config_provider()``
    gives the run's ``TrainConfig`` fields, ``classes_provider()`` the dataset's class names
    (``None``: no dataset; the window's own class count is used). :meth:`watch` follows a
    Train form. ``structureShown`` / ``pictureShown`` are emitted once a new answer is on
    screen (or its one-line failure)."""

    structureShown = Signal()
    pictureShown = Signal()

    def __init__(
        self,
        config_provider: Callable[[], dict[str, Any]],
        classes_provider: Callable[[], list[str] | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelInspector")
        self.setWindowTitle(self.tr("Model inspector"))
        self.resize(1100, 720)
        self.config_provider, self.classes_provider = config_provider, classes_provider
        self._shown_key: str | None = None
        self._running: Any = None  # the structure job in flight
        self._picture_job: Any = None
        self._picture_gen = 0
        self._picture_path: str | None = None
        self._picture_key: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summaryLabel = QLabel()
        self.summaryLabel.setObjectName("inspectorSummaryLabel")
        top.addWidget(self.summaryLabel, 1)
        top.addWidget(QLabel(self.tr("Classes:")))
        self.classesSpin = QSpinBox()
        self.classesSpin.setObjectName("inspectorClassesSpin")
        self.classesSpin.setRange(1, 10_000)
        self.classesSpin.setValue(2)
        self.classesSpin.setToolTip(
            self.tr("Classes of the new head (the dataset's, once one is loaded)")
        )
        self.classesSpin.valueChanged.connect(self.refresh)
        top.addWidget(self.classesSpin)
        root.addLayout(top)
        self.totalsLabel = QLabel(self.tr("Building the model…"))
        self.totalsLabel.setObjectName("inspectorTotalsLabel")
        self.totalsLabel.setWordWrap(True)
        self.totalsLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.totalsLabel)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.layerTree = QTreeWidget()
        self.layerTree.setObjectName("inspectorLayerTree")
        self.layerTree.setHeaderLabels(
            [self.tr("Layer"), self.tr("Type"), self.tr("Parameters"), self.tr("Trains?")]
        )
        self.layerTree.setAlternatingRowColors(True)
        self.layerTree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.layerTree)

        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel(self.tr("<b>Optimizer parameter groups</b>")))
        self.groupsTable = read_only_table(
            "inspectorGroupsTable",
            [
                self.tr("Epochs"),
                self.tr("Group"),
                self.tr("Learning rate"),
                self.tr("Weight decay"),
                self.tr("Parameters"),
                self.tr("Tensors"),
            ],
        )
        self.groupsTable.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        row_height = self.groupsTable.fontMetrics().height() + 6
        self.groupsTable.verticalHeader().setDefaultSectionSize(row_height)
        self.groupsTable.setMinimumHeight(row_height * 8)  # staged mode's six groups
        side.addWidget(self.groupsTable, 2)
        side.addWidget(QLabel(self.tr("<b>Preprocessing and postprocessing</b>")))
        self.preprocessText = self._text_view("inspectorPreprocessText")
        side.addWidget(self.preprocessText, 4)
        row = QHBoxLayout()
        self.tryPictureButton = QPushButton(self.tr("Try a picture…"))
        self.tryPictureButton.setObjectName("inspectorTryPictureButton")
        self.tryPictureButton.setToolTip(
            self.tr(
                "Run one picture through the network before training: check the input, "
                "the output and what the pretrained network sees"
            )
        )
        self.tryPictureButton.clicked.connect(self._choose_picture)
        row.addWidget(self.tryPictureButton)
        row.addStretch(1)
        side.addLayout(row)
        self.outputText = self._text_view("inspectorOutputText")
        self.outputText.setPlaceholderText(
            self.tr(
                "Try a picture: its input tensor, the network's output, the pretrained "
                "network's ImageNet top-5 and the new head's untrained probabilities."
            )
        )
        side.addWidget(self.outputText, 4)
        split.addWidget(right)
        split.setSizes([560, 540])
        root.addWidget(split, 1)

    def _text_view(self, name: str) -> QPlainTextEdit:
        view = QPlainTextEdit()
        view.setObjectName(name)
        view.setReadOnly(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = view.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        view.setFont(font)
        return view

    # ------------------------------------------------------------------ following the form

    def watch(self, form: Any) -> None:
        """Refresh when any control of a Train form (:attr:`TrainForm.fields`) changes."""
        for binding in form.fields.values():
            widgets = list(getattr(binding, "radios", {}).values()) or [binding.widget]
            for widget in widgets:
                if isinstance(widget, QComboBox):
                    widget.currentIndexChanged.connect(self.refresh)
                elif isinstance(widget, QAbstractButton):
                    widget.toggled.connect(self.refresh)
                elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                    widget.valueChanged.connect(self.refresh)

    def refresh(self, *_args: Any) -> None:
        """Show the current settings' answer soon (several changes at once build once)."""
        self._timer.start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def changeEvent(self, event: Any) -> None:
        """Coming back to the window picks up what changed elsewhere (augmentation, dataset)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh()

    def _request(self) -> tuple[dict[str, Any], list[str]]:
        config = dict(self.config_provider())
        names = self.classes_provider()
        self.classesSpin.setEnabled(not names)
        if names:
            self.classesSpin.blockSignals(True)
            self.classesSpin.setValue(len(names))
            self.classesSpin.blockSignals(False)
        else:
            names = [self.tr("class {0}").format(i + 1) for i in range(self.classesSpin.value())]
        return config, list(names)

    def _start(self) -> None:
        if self._running is not None:  # one build at a time; the newest settings next
            self._timer.start()
            return
        config, names = self._request()
        key = json.dumps([config, len(names)], sort_keys=True, default=str)
        if key != self._shown_key:
            self._running = submit(
                _inspect,
                config,
                len(names),
                done=lambda result, k=key, c=config, n=len(names): self._show(result, k, c, n),
                failed=self._failed,
                finished=self._finished,
                owner=self,
            )
        picture_key = json.dumps([{k: config.get(k) for k in PICTURE_KEYS}, names])
        if self._picture_path and picture_key != self._picture_key:
            self.try_picture(self._picture_path)

    def _finished(self) -> None:
        self._running = None

    def _failed(self, message: str) -> None:
        self._shown_key = None
        self.totalsLabel.setText(self.tr("Cannot inspect these settings: {0}").format(message))
        self.structureShown.emit()

    # ------------------------------------------------------------------ showing the structure

    def _show(self, result: tuple[Any, Any], key: str, config: dict[str, Any], n: int) -> None:
        structure, pipeline = result
        self._shown_key = key
        self.summaryLabel.setText(
            self.tr("<b>{0}</b> · mode {1} · {2} classes · optimizer {3}, schedule {4}").format(
                structure.backbone, structure.mode, n, structure.optimizer, structure.scheduler
            )
        )
        self.totalsLabel.setText(totals_text(structure))
        fill_tree(self.layerTree, structure)
        fill_groups(self.groupsTable, structure)
        self.preprocessText.setPlainText(pipeline_text(pipeline))
        self.structureShown.emit()

    # ------------------------------------------------------------------ try a picture

    def _choose_picture(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Try a picture"),
            "",
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"),
        )
        if path:
            self.try_picture(path)

    def try_picture(self, path: str) -> None:
        """Run the picture at ``path`` through the model the current settings start from."""
        if self._picture_job is not None:
            self._picture_job.cancel()
        config, names = self._request()
        self._picture_path = path
        self._picture_key = json.dumps([{k: config.get(k) for k in PICTURE_KEYS}, names])
        self.outputText.setPlainText(self.tr("Running {0} through the network…").format(path))
        self.tryPictureButton.setEnabled(False)
        self._picture_gen += 1
        gen = self._picture_gen  # only the newest picture's answer is shown
        self._picture_job = submit(
            _try_picture,
            config,
            names,
            path,
            progress=self._download_progress,
            done=lambda report: gen == self._picture_gen and self._show_picture(report),
            failed=lambda text: gen == self._picture_gen and self._picture_failed(text),
            finished=lambda: gen == self._picture_gen and self._picture_finished(),
            owner=self,
            control=True,
        )

    def _picture_finished(self) -> None:
        self._picture_job = None
        self.tryPictureButton.setEnabled(True)

    def _download_progress(self, value: tuple[int, int]) -> None:
        done, total = value
        self.outputText.setPlainText(
            self.tr("Downloading the ImageNet weights: {0:.1f} of {1:.1f} MB").format(
                done / 1e6, total / 1e6
            )
        )

    def _picture_failed(self, message: str) -> None:
        self.outputText.setPlainText(self.tr("Cannot try this picture: {0}").format(message))
        self.pictureShown.emit()

    def _show_picture(self, report: Any) -> None:
        self.outputText.setPlainText(picture_text(report))
        self.pictureShown.emit()


def show_inspector(page: Any) -> ModelInspector:
    """Open (or bring forward) the inspector of a Train page: its settings, its dataset's
    classes, following its form."""
    dialog = page.findChild(ModelInspector, "modelInspector")
    if dialog is None:
        dialog = ModelInspector(
            page.config_dict,
            lambda: list(page.scan.classes) if page.scan is not None else None,
            page,
        )
        dialog.watch(page.form)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


__all__ = ["ModelInspector", "show_inspector"]
