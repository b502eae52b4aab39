"""The Train step's settings form: model, mode and hyper-parameters.

Each control's range, choices, label and tooltip come from the engine's field metadata
(:data:`tlgui.engine.config.FIELDS`), which the CLI's options and ``TrainConfig.validate`` use
too. Every control is bound to its ``TrainConfig`` field once (:attr:`TrainForm.fields`);
reading the config, showing one, saving and restoring the settings all go through those
bindings, so adding a control means adding one binding.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...engine.backbones import BACKBONES
from ...engine.config import FIELDS, FieldSpec
from .. import field_texts
from ..widgets.spin import LogSpinBox

WEIGHTS_FILE = "__file__"  # the "From file…" entry of the weights list
# Controls that cannot change while a run is active (the others only matter at the start).
LOCKED_WHILE_RUNNING = ("backbone", "weights", "epochs", "batch_size")


# Texts outside the class name their context, so lupdate files them where they are looked up.
translate = QCoreApplication.translate


def choice_labels() -> dict[str, dict[str, str]]:
    """How the choices of a field are shown (the stored value otherwise), in the UI
    language."""
    return {
        "optimizer": {
            "adamw": "AdamW",
            "adam": "Adam",
            "sgd": translate("TrainForm", "SGD (momentum)"),
        },
        "scheduler": {
            "cosine": translate("TrainForm", "Cosine with warm-up"),
            "onecycle": translate("TrainForm", "One-cycle"),
            "step": translate("TrainForm", "Step (÷10 every third)"),
            "none": translate("TrainForm", "Constant"),
        },
        "device": {
            "auto": translate("TrainForm", "Automatic"),
            "cpu": "CPU",
            "cuda": "CUDA",
            "mps": "Apple MPS",
        },
        "weights": {
            "imagenet": translate("TrainForm", "ImageNet (pretrained)"),
            "none": translate("TrainForm", "None (random start)"),
            WEIGHTS_FILE: translate("TrainForm", "From file…"),
        },
    }


def _mode_texts() -> dict[str, tuple[str, str]]:
    return {
        "transfer": (
            translate("TrainForm", "Transfer"),
            translate(
                "TrainForm",
                "Freeze the pretrained backbone and train only the new output layer: fast, "
                "and enough with a few dozen images per class.",
            ),
        ),
        "finetune": (
            translate("TrainForm", "Fine-tune"),
            translate(
                "TrainForm",
                "Train every layer, the pretrained ones with a small learning rate and the "
                "new head with a larger one: slower, best with more data.",
            ),
        ),
        "staged": (
            translate("TrainForm", "Staged"),
            translate(
                "TrainForm",
                "First a few epochs with the backbone frozen, then unfreeze and train "
                "everything with the two learning rates.",
            ),
        ),
    }


class Binding:
    """One ``TrainConfig`` field shown by one control: read it, show a value."""

    def __init__(self, spec: FieldSpec, widget: QWidget) -> None:
        self.spec = spec
        self.widget = widget
        widget.setToolTip(field_texts.help_text(spec.name))

    def value(self) -> Any:
        widget = self.widget
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        return widget.value()

    def set_value(self, value: Any) -> None:
        """Show ``value``; one of the wrong type or out of range leaves the control as is."""
        if self.spec.problem(value) is not None:
            return
        widget = self.widget
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index >= 0:
                widget.setCurrentIndex(index)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value)
        else:
            widget.setValue(value)

    def parse(self, text: Any) -> Any:
        """A value saved in the settings (INI files keep strings) as the field's type."""
        kind = self.spec.kind
        if kind is bool:
            return text in (True, "true")
        try:
            return kind(text)
        except (TypeError, ValueError):
            return None


class ModeBinding(Binding):
    """The training mode: one radio button per mode."""

    def __init__(self, spec: FieldSpec, box: QGroupBox, radios: dict[str, QRadioButton]) -> None:
        super().__init__(spec, box)
        self.radios = radios

    def value(self) -> str:
        return next((m for m, r in self.radios.items() if r.isChecked()), self.spec.default)

    def set_value(self, value: Any) -> None:
        if value in self.radios:
            self.radios[value].setChecked(True)


class WeightsBinding(Binding):
    """The weights: ImageNet, none, or a state-dict file (listed once picked or shown)."""

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and value and value != WEIGHTS_FILE:
            combo = self.widget
            if combo.findData(value) < 0:  # a weights file: listed like one picked
                combo.insertItem(2, value, value)
            combo.setCurrentIndex(combo.findData(value))


class TrainForm(QWidget):
    """The settings column. ``suggestLrRequested`` asks for the LR finder."""

    suggestLrRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, Binding] = {}
        self._weights_offline: dict[str, bool] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.addWidget(QLabel(self.tr("<h2>Training</h2>")))
        lay.addWidget(self._model_box())
        lay.addWidget(self._mode_box())
        lay.addWidget(self._hyper_box())
        lay.addStretch(1)
        self._mode_changed()
        self._update_weights_note()

    # ------------------------------------------------------------------ building

    def _bind(self, name: str, widget: QWidget, object_name: str) -> QWidget:
        """Bind ``widget`` to the field ``name``: its range or choices and default from
        FIELDS."""
        spec = FIELDS[name]
        widget.setObjectName(object_name)
        if isinstance(widget, QComboBox):
            labels = choice_labels().get(name, {})
            for choice in spec.choices:
                widget.addItem(labels.get(choice, choice), choice)
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            number = int if isinstance(widget, QSpinBox) else float
            if spec.minimum is not None:
                widget.setMinimum(number(spec.minimum))
            if spec.maximum is not None:
                widget.setMaximum(number(spec.maximum))
        binding = WeightsBinding(spec, widget) if name == "weights" else Binding(spec, widget)
        binding.set_value(spec.default)
        self.fields[name] = binding
        return widget

    def _model_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Model"))
        form = QFormLayout(box)
        self.backboneCombo = self._bind("backbone", QComboBox(), "backboneCombo")
        for i in range(self.backboneCombo.count()):
            info = BACKBONES[self.backboneCombo.itemData(i)]
            self.backboneCombo.setItemText(i, f"{info.title} ({info.params_m:.1f} M)")
        self.backboneCombo.currentIndexChanged.connect(self._update_weights_note)
        form.addRow(field_texts.label("backbone"), self.backboneCombo)
        self.weightsCombo = QComboBox()
        labels = choice_labels()["weights"]
        for key in ("imagenet", "none", WEIGHTS_FILE):
            self.weightsCombo.addItem(labels[key], key)
        self._bind("weights", self.weightsCombo, "weightsCombo")
        self.weightsCombo.activated.connect(self._weights_chosen)
        form.addRow(field_texts.label("weights"), self.weightsCombo)
        self.weightsNote = QLabel()
        self.weightsNote.setWordWrap(True)
        self.weightsNote.setObjectName("weightsNote")
        form.addRow(self.weightsNote)
        return box

    def _mode_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Mode"))
        lay = QVBoxLayout(box)
        self.modeGroup = QButtonGroup(self)
        self.modeRadios: dict[str, QRadioButton] = {}
        texts = _mode_texts()
        spec = FIELDS["mode"]
        for i, mode in enumerate(spec.choices):
            title, sentence = texts[mode]
            radio = QRadioButton(title)
            radio.setObjectName(f"mode{mode.capitalize()}Radio")
            radio.setToolTip(sentence)
            desc = QLabel(sentence)
            desc.setWordWrap(True)
            desc.setObjectName("modeDescription")
            desc.setIndent(22)
            desc.setStyleSheet("color: palette(placeholder-text);")
            self.modeGroup.addButton(radio, i)
            lay.addWidget(radio)
            lay.addWidget(desc)
            self.modeRadios[mode] = radio
        self.fields["mode"] = ModeBinding(spec, box, self.modeRadios)
        self.fields["mode"].set_value(spec.default)
        self.modeGroup.idToggled.connect(lambda _i, _checked: self._mode_changed())
        return box

    def _hyper_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Hyper-parameters"))
        form = QFormLayout(box)

        def row(name: str, widget: QWidget, object_name: str) -> QWidget:
            form.addRow(field_texts.label(name), self._bind(name, widget, object_name))
            return widget

        self.headLrSpin = self._bind("lr_head", LogSpinBox(), "headLrSpin")
        self.suggestButton = QPushButton(self.tr("Suggest…"))
        self.suggestButton.setObjectName("suggestLrButton")
        self.suggestButton.setToolTip(
            self.tr("Run a short learning-rate range test on your data and pick a good value")
        )
        self.suggestButton.clicked.connect(self.suggestLrRequested)
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.headLrSpin, 1)
        lr_row.addWidget(self.suggestButton)
        form.addRow(field_texts.label("lr_head"), lr_row)
        self.backboneLrSpin = row("lr_backbone", LogSpinBox(), "backboneLrSpin")
        self.freezeEpochsSpin = row("freeze_epochs", QSpinBox(), "freezeEpochsSpin")
        self.epochsSpin = row("epochs", QSpinBox(), "epochsSpin")
        self.batchSizeSpin = row("batch_size", QSpinBox(), "batchSizeSpin")
        self.optimizerCombo = row("optimizer", QComboBox(), "optimizerCombo")
        self.schedulerCombo = row("scheduler", QComboBox(), "schedulerCombo")
        self.patienceSpin = row("patience", QSpinBox(), "patienceSpin")
        self.patienceSpin.setSpecialValueText(self.tr("off"))
        self.classWeightCheck = self._bind(
            "class_weighted",
            QCheckBox(self.tr("Class-weighted loss (for imbalanced data)")),
            "classWeightCheck",
        )
        form.addRow(self.classWeightCheck)
        self.deviceCombo = row("device", QComboBox(), "deviceCombo")
        return box

    # ------------------------------------------------------------------ behaviour

    def mode(self) -> str:
        return self.fields["mode"].value()

    def _mode_changed(self) -> None:
        mode = self.mode()
        self.backboneLrSpin.setEnabled(mode in ("finetune", "staged"))
        self.freezeEpochsSpin.setEnabled(mode == "staged")

    def _weights_chosen(self, index: int) -> None:
        if self.weightsCombo.itemData(index) == WEIGHTS_FILE:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Choose a weights file"),
                "",
                self.tr("PyTorch state dict (*.pt *.pth *.bin);;All files (*)"),
            )
            self.fields["weights"].set_value(path or "imagenet")
        self._update_weights_note()

    def _update_weights_note(self, *_args: Any) -> None:
        name = self.backboneCombo.currentData()
        weights = self.weightsCombo.currentData()
        if weights == "imagenet" and self._weights_offline.get(name) is False:
            self.weightsNote.setText(
                self.tr(
                    "ImageNet weights for {0} are not on this computer yet: they are downloaded "
                    "once when training starts."
                ).format(BACKBONES[name].title)
            )
        elif weights == "none":
            self.weightsNote.setText(
                self.tr("Random start: needs far more images and epochs than pretrained weights.")
            )
        else:
            self.weightsNote.clear()

    def set_weights_availability(self, available: dict[str, bool]) -> None:
        """Mark backbones whose ImageNet weights are already on disk (found off-thread)."""
        self._weights_offline = dict(available)
        for i in range(self.backboneCombo.count()):
            name = self.backboneCombo.itemData(i)
            info = BACKBONES[name]
            ok = available.get(name)
            mark = self.tr(" ✓ offline") if ok else self.tr(" · download")
            self.backboneCombo.setItemText(i, f"{info.title} ({info.params_m:.1f} M){mark}")
            self.backboneCombo.setItemData(
                i,
                self.tr("ImageNet weights are on this computer")
                if ok
                else self.tr("ImageNet weights are downloaded once on first use"),
                Qt.ItemDataRole.ToolTipRole,
            )
        self._update_weights_note()

    def set_editable(self, editable: bool) -> None:
        """Lock the controls a run cannot change while it is active."""
        for name in LOCKED_WHILE_RUNNING:
            self.fields[name].widget.setEnabled(editable)
        self.suggestButton.setEnabled(editable)

    # ------------------------------------------------------------------ config and settings

    def config_dict(self) -> dict[str, Any]:
        """The form's ``TrainConfig`` fields (plain data: no torch needed)."""
        return {name: binding.value() for name, binding in self.fields.items()}

    def apply_config(self, config: dict[str, Any]) -> None:
        """Show a run's settings (``TrainConfig`` fields), e.g. when resuming; fields the form
        has no control for, and values a control cannot show, are left alone."""
        for name, value in config.items():
            if name in self.fields:
                self.fields[name].set_value(value)
        self._mode_changed()
        self._update_weights_note()

    def save_settings(self, settings: QSettings) -> None:
        """Every field but the device: a session starts on the Preferences' default device."""
        for name, value in self.config_dict().items():
            if name == "device":
                continue
            if name == "weights" and value not in ("imagenet", "none"):
                value = "imagenet"  # a weights file may be gone next time
            settings.setValue(f"train/{name}", value)

    def restore_settings(self, settings: QSettings) -> None:
        saved = {}
        for name, binding in self.fields.items():
            raw = settings.value(f"train/{name}")
            if raw is not None:
                saved[name] = binding.parse(raw)
        self.apply_config(saved)
