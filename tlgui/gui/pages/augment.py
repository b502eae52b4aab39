"""Step 2 — augmentation: every ``AugmentSpec`` knob, presets, and a live preview grid of what
training will see, next to what prediction sees (the eval transform)."""

from __future__ import annotations

import contextlib
import os
import random
from dataclasses import fields

from PIL import Image
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...engine import augment
from ...engine.augment import PRESET_NAMES, AugmentSpec
from ...engine.data import DatasetScan
from .. import jobs
from ..imaging import pil_to_qimage
from ..widgets.panel import settings_column
from ..widgets.tile_grid import TileGrid
from .augment_parts import KNOB_MINIMA, KNOBS, TILES, load_sample, matching_preset, render

DEBOUNCE_MS = 120  # coalesces a burst of edits yet keeps change -> tiles under 200 ms


class AugmentPage(QWidget):
    specChanged = Signal(object)
    previewRendered = Signal(int)  # number of tiles

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._seed = 0
        self._sample: Image.Image | None = None
        self._sample_path: str | None = None
        self._scan: DatasetScan | None = None
        self._rendering = False
        self._pending = False
        self._setting = False
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._render_now)
        self._build()
        self.set_spec(augment.preset("default"))
        self.presetCombo.setCurrentIndex(self.presetCombo.findData("default"))

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QHBoxLayout(self)
        controls = QWidget()
        cl = QVBoxLayout(controls)
        cl.setContentsMargins(0, 0, 6, 0)
        cl.addWidget(QLabel(self.tr("<h2>Augmentation</h2>")))
        hint = QLabel(
            self.tr(
                "Random changes applied to every training image, every epoch: "
                "more variety from the same pictures. Prediction never "
                "augments."
            )
        )
        hint.setWordWrap(True)
        hint.setObjectName("pageHint")
        cl.addWidget(hint)

        top = QFormLayout()
        self.presetCombo = QComboBox()
        self.presetCombo.setObjectName("augmentPresetCombo")
        titles = {
            "none": self.tr("none", "augmentation preset"),
            "light": self.tr("light", "augmentation preset"),
            "default": self.tr("default", "augmentation preset"),
            "strong": self.tr("strong", "augmentation preset"),
        }
        for name in PRESET_NAMES:
            self.presetCombo.addItem(titles.get(name, name), name)
        self.presetCombo.setItemData(
            0, self.tr("No augmentation: train on the eval view"), Qt.ItemDataRole.ToolTipRole
        )
        self.presetCombo.activated.connect(
            lambda _i: self.apply_preset(self.presetCombo.currentData())
        )
        self.presetState = QLabel()
        prow = QHBoxLayout()
        prow.addWidget(self.presetCombo, 1)
        prow.addWidget(self.presetState)
        top.addRow(self.tr("Preset"), prow)
        self.enabledCheck = QCheckBox(self.tr("Augment training images"))
        self.enabledCheck.setObjectName("augmentEnabledCheck")
        self.enabledCheck.toggled.connect(self._changed)
        top.addRow(self.enabledCheck)
        cl.addLayout(top)

        titles = {
            "crop": self.tr("Random crop"),
            "geometry": self.tr("Flip and rotate"),
            "colour": self.tr("Colour"),
            "other": self.tr("Other"),
        }
        for group, rows in KNOBS.items():
            box = QGroupBox(titles[group])
            form = QFormLayout(box)
            for name, label, maximum, step, tip in rows:
                spin = QDoubleSpinBox()
                spin.setObjectName(f"augment_{name}")
                spin.setRange(KNOB_MINIMA.get(name, 0.0), maximum)
                spin.setDecimals(2)
                spin.setSingleStep(step)
                spin.setKeyboardTracking(False)
                if tip:
                    spin.setToolTip(self.tr(tip))
                spin.valueChanged.connect(self._changed)
                form.addRow(self.tr(label), spin)
                self.spins[name] = spin
            if group == "other":
                self.policyCombo = QComboBox()
                self.policyCombo.setObjectName("augmentPolicyCombo")
                for p in augment.POLICIES:
                    self.policyCombo.addItem(p, p)
                self.policyCombo.setToolTip(
                    self.tr(
                        "An automatic policy adds one or two random image operations per picture"
                    )
                )
                self.policyCombo.currentIndexChanged.connect(self._changed)
                form.addRow(self.tr("Automatic policy"), self.policyCombo)
            cl.addWidget(box)
        self.errorLabel = QLabel()
        self.errorLabel.setStyleSheet("color: #c92a2a;")
        self.errorLabel.setWordWrap(True)
        cl.addWidget(self.errorLabel)
        cl.addStretch(1)
        root.addWidget(settings_column(controls, 400, 440))

        right = QVBoxLayout()
        bar = QHBoxLayout()
        self.sampleLabel = QLabel(self.tr("No sample yet: load a dataset."))
        self.sampleLabel.setObjectName("sampleLabel")
        self.randomButton = QPushButton(self.tr("Random picture"))
        self.randomButton.setObjectName("randomSampleButton")
        self.randomButton.clicked.connect(self.random_sample)
        self.reshuffleButton = QPushButton(self.tr("Re-roll"))
        self.reshuffleButton.setObjectName("reshuffleButton")
        self.reshuffleButton.setToolTip(self.tr("New random draws with the same settings"))
        self.reshuffleButton.clicked.connect(self.reshuffle)
        bar.addWidget(self.sampleLabel, 1)
        bar.addWidget(self.randomButton)
        bar.addWidget(self.reshuffleButton)
        right.addLayout(bar)
        right.addWidget(
            QLabel(self.tr("<b>What training sees</b> — {0} random draws").format(TILES))
        )
        self.preview = TileGrid(columns=4)
        self.preview.setObjectName("augmentPreview")
        self.preview.set_placeholder(self.tr("Load a dataset to see augmented samples here."))
        right.addWidget(self.preview, 4)
        evalrow = QHBoxLayout()
        self.originalView = TileGrid(columns=1)
        self.originalView.setObjectName("originalView")
        self.evalView = TileGrid(columns=1)
        self.evalView.setObjectName("evalPreview")
        for view in (self.originalView, self.evalView):
            view.setMinimumSize(160, 160)
            view.setMaximumSize(260, 260)
            view.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        col1 = QVBoxLayout()
        col1.addWidget(QLabel(self.tr("<b>Original</b>")))
        col1.addWidget(self.originalView, 1)
        col2 = QVBoxLayout()
        col2.addWidget(QLabel(self.tr("<b>What prediction sees</b> (resize + centre crop)")))
        col2.addWidget(self.evalView, 1)
        evalrow.addLayout(col1)
        evalrow.addLayout(col2)
        evalrow.addStretch(1)
        right.addLayout(evalrow, 0)
        root.addLayout(right, 1)

    # ------------------------------------------------------------------ spec <-> controls

    def spec(self) -> AugmentSpec:
        values = {name: spin.value() for name, spin in self.spins.items()}
        return AugmentSpec(
            enabled=self.enabledCheck.isChecked(), policy=self.policyCombo.currentData(), **values
        )

    def set_spec(self, spec: AugmentSpec) -> None:
        self._setting = True
        try:
            self.enabledCheck.setChecked(spec.enabled)
            for f in fields(spec):
                if f.name in self.spins:
                    self.spins[f.name].setValue(float(getattr(spec, f.name)))
            self.policyCombo.setCurrentIndex(max(0, self.policyCombo.findData(spec.policy)))
        finally:
            self._setting = False
        self._changed()

    def apply_config(self, config: dict) -> None:
        """Show the augmentation of a run's settings (``TrainConfig.augment``), e.g. when
        resuming; a missing or unusable one leaves the controls as they are."""
        with contextlib.suppress(KeyError, TypeError, ValueError):
            self.set_spec(AugmentSpec.from_dict(config["augment"]))

    def apply_preset(self, name: str) -> None:
        self.presetCombo.setCurrentIndex(self.presetCombo.findData(name))
        self.set_spec(augment.preset(name))

    def _changed(self, *_args) -> None:
        if self._setting:
            return
        for spin in self.spins.values():
            spin.setEnabled(self.enabledCheck.isChecked())
        self.policyCombo.setEnabled(self.enabledCheck.isChecked())
        try:
            spec = self.spec()
            spec.validate()
        except ValueError as exc:
            self.errorLabel.setText(str(exc))
            return
        self.errorLabel.clear()
        match = matching_preset(spec)
        if match is not None:
            self.presetCombo.setCurrentIndex(self.presetCombo.findData(match))
            self.presetState.clear()
        else:
            self.presetState.setText(self.tr("(modified)"))
        self.specChanged.emit(spec)
        self.schedule_render()

    # ------------------------------------------------------------------ sample + rendering

    def set_dataset(self, scan: DatasetScan) -> None:
        self._scan = scan
        train = scan.splits.get("train", [])
        if train:
            self.set_sample(train[0].path)

    def random_sample(self) -> None:
        if self._scan is None or not self._scan.splits.get("train"):
            return
        self.set_sample(random.choice(self._scan.splits["train"]).path)

    def set_sample(self, path: str) -> None:
        """Decode ``path`` off the GUI thread, then render the grid for it."""
        self._sample_path = path
        self.sampleLabel.setText(self.tr("Sample: {0}").format(os.path.basename(path)))
        jobs.submit(
            load_sample,
            path,
            done=lambda img, p=path: self._sample_loaded(p, img),
            failed=lambda msg: self.sampleLabel.setText(
                self.tr("Cannot read the sample: {0}").format(msg)
            ),
            owner=self,
        )

    def _sample_loaded(self, path: str, img: Image.Image) -> None:
        if path != self._sample_path:
            return
        self._sample = img
        self.originalView.set_tiles([pil_to_qimage(img)])
        self._render_now()

    def reshuffle(self) -> None:
        self._seed += 1
        self._render_now()

    def schedule_render(self) -> None:
        """Coalesce a burst of control changes into one render ``DEBOUNCE_MS`` later."""
        if self._sample is not None:
            self.debounce.start()

    def _render_now(self) -> None:
        self.debounce.stop()
        if self._sample is None:
            return
        if self._rendering:  # one render at a time; the newest settings follow right after
            self._pending = True
            return
        try:
            spec = self.spec()
            spec.validate()
        except ValueError:
            return
        self._rendering = True
        jobs.submit(
            render, self._sample, spec, self._seed, done=self._rendered, failed=self._render_failed
        )

    def _rendered(self, result) -> None:
        tiles, eval_img = result
        self._rendering = False
        self.preview.set_tiles(tiles)
        self.evalView.set_tiles([eval_img])
        self.previewRendered.emit(len(tiles))
        if self._pending:
            self._pending = False
            self._render_now()

    def _render_failed(self, message: str) -> None:
        self._rendering = False
        self.errorLabel.setText(message)
        if self._pending:
            self._pending = False
            self._render_now()

    # ------------------------------------------------------------------ settings

    def save_settings(self, settings) -> None:
        settings.setValue("augment/spec", self.spec().to_dict())

    def restore_settings(self, settings) -> None:
        data = settings.value("augment/spec")
        if isinstance(data, dict):
            try:
                clean = {
                    k: (v == "true" if isinstance(v, str) and v in ("true", "false") else v)
                    for k, v in data.items()
                }
                for k, v in clean.items():
                    if k not in ("enabled", "policy") and isinstance(v, str):
                        clean[k] = float(v)
                self.set_spec(AugmentSpec.from_dict(clean))
            except (TypeError, ValueError):
                pass
