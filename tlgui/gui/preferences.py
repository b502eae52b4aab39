"""Preferences (Edit ▸ Preferences…): settings that belong to the machine, not to one run.

The inference backend (what runs a frozen backbone's forward on the CPU: ``auto``, ``torch``
or ``onnxruntime``, :data:`tlgui.engine.config.FIELDS` ``inference_backend``) is set here only,
not in the Train form: it changes speed, never what a run learns beyond float rounding.
Training runs, the LR finder and predictions read it with :func:`inference_backend`.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from ..engine.config import FIELDS
from .settings import make_settings

INFERENCE_BACKEND_KEY = "preferences/inference_backend"


def inference_backend(settings: QSettings | None = None) -> str:
    """The remembered inference backend; the field's default when none (or an unknown value)
    is stored."""
    spec = FIELDS["inference_backend"]
    value = (settings or make_settings()).value(INFERENCE_BACKEND_KEY)
    return str(value) if value in spec.choices else str(spec.default)


class PreferencesDialog(QDialog):
    """The Preferences dialog (object name ``preferencesDialog``): the inference backend's
    combo (``inferenceBackendCombo``); OK stores the choice in the settings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        spec = FIELDS["inference_backend"]
        self.inferenceBackendCombo = QComboBox(self)
        self.inferenceBackendCombo.setObjectName("inferenceBackendCombo")
        for choice in spec.choices:
            self.inferenceBackendCombo.addItem(choice, choice)
        self.inferenceBackendCombo.setToolTip(spec.help)
        current = self.inferenceBackendCombo.findData(inference_backend())
        self.inferenceBackendCombo.setCurrentIndex(max(0, current))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr(spec.label), self.inferenceBackendCombo)
        form.addRow(buttons)

    def accept(self) -> None:
        make_settings().setValue(INFERENCE_BACKEND_KEY, self.inferenceBackendCombo.currentData())
        super().accept()


def show_preferences(parent: QWidget) -> PreferencesDialog:
    """Open the Preferences dialog, window-modal and non-blocking."""
    dialog = PreferencesDialog(parent)
    dialog.open()
    return dialog


__all__ = ["INFERENCE_BACKEND_KEY", "PreferencesDialog", "inference_backend", "show_preferences"]
