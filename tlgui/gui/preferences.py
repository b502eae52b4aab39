"""The Preferences dialog (File ▸ Preferences…; object name ``preferencesDialog``): one row
per preference of :mod:`tlgui.gui.preference_store`, which holds the preferences and their
readers (``from tlgui.gui.preference_store import runs_location``).

A row (:class:`Row`) is the preference it edits, its label, its widget, how the widget's value
is read and an optional note under it; :meth:`PreferencesDialog._rows` lists them. OK stores
every row's value and tells :func:`~tlgui.gui.preference_store.changes` which ones changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..engine.config import FIELDS
from ..engine.runs import runs_root
from . import field_texts
from .i18n import SYSTEM, available_languages, language_name, system_language
from .pages.train_form import choice_labels
from .preference_store import (
    MAX_RETENTION,
    PREFERENCES,
    RUNS_ENV,
    changes,
    decoded_cache_mb,
    default_device,
    inference_backend,
    language,
    loader_workers,
    read,
    run_retention,
    unsure_threshold,
)
from .settings import make_settings


@dataclass
class Row:
    """One row of the dialog: the preference it edits, its label, the widget laid out, how
    the widget's value is read, and an optional note shown under it."""

    name: str
    label: str
    widget: QWidget
    value: Callable[[], Any]
    note: str = ""


def _combo(object_name: str, items: list[tuple[str, str]], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(object_name)
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _spin(object_name: str, field: str, current: int) -> QSpinBox:
    """A spin box with the range, tooltip and value of a ``TrainConfig`` field."""
    spec = FIELDS[field]
    spin = QSpinBox()
    spin.setObjectName(object_name)
    spin.setRange(int(spec.minimum or 0), int(spec.maximum or MAX_RETENTION))
    spin.setToolTip(field_texts.help_text(field))
    spin.setValue(current)
    return spin


class PreferencesDialog(QDialog):
    """The Preferences dialog (object name ``preferencesDialog``), one row per preference:
    ``languageCombo``, ``inferenceBackendCombo``, ``defaultDeviceCombo``, ``workersSpin``,
    ``decodedCacheSpin``, ``runsLocationEdit`` (+ ``runsLocationBrowseButton``),
    ``runRetentionSpin``, ``unsureThresholdSpin``. OK stores them all; Cancel none."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.settings = settings or make_settings()
        self.rows = self._rows()
        form = QFormLayout(self)
        for row in self.rows:
            form.addRow(row.label, row.widget)
            if row.note:
                note = QLabel(row.note)
                note.setObjectName(f"{row.name}Note")
                note.setWordWrap(True)
                note.setStyleSheet("color: palette(placeholder-text);")
                form.addRow("", note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _rows(self) -> list[Row]:
        s = self.settings
        system = self.tr("System language ({0})").format(language_name(system_language()))
        languages = [(system, SYSTEM)] + [(language_name(c), c) for c in available_languages()]
        language_combo = _combo("languageCombo", languages, language(s))
        backend = FIELDS["inference_backend"]
        backend_combo = _combo(
            "inferenceBackendCombo", [(c, c) for c in backend.choices], inference_backend(s)
        )
        backend_combo.setToolTip(field_texts.help_text("inference_backend"))
        labels = choice_labels()["device"]
        device_combo = _combo(
            "defaultDeviceCombo",
            [(labels.get(c, c), c) for c in FIELDS["device"].choices],
            default_device(s),
        )
        device_combo.setToolTip(self.tr("The device the Train form starts with"))
        workers = _spin("workersSpin", "workers", loader_workers(s))
        workers.setSpecialValueText(self.tr("Automatic"))
        cache = _spin("decodedCacheSpin", "decoded_cache_mb", decoded_cache_mb(s))
        cache.setSuffix(self.tr(" MB"))
        cache.setSingleStep(64)
        cache.setSpecialValueText(self.tr("Off"))
        retention = QSpinBox()
        retention.setObjectName("runRetentionSpin")
        retention.setRange(0, MAX_RETENTION)
        retention.setSpecialValueText(self.tr("Keep all"))
        retention.setValue(run_retention(s))
        retention.setToolTip(
            self.tr(
                "Keep this many of the newest finished runs and delete older finished ones. "
                "Stopped, failed and running runs are never deleted. 0 keeps all."
            )
        )
        return [
            Row(
                "language",
                self.tr("Language"),
                language_combo,
                language_combo.currentData,
                self.tr("A new language is used from the next start of tlgui."),
            ),
            Row(
                "default_device", self.tr("Default device"), device_combo, device_combo.currentData
            ),
            Row("loader_workers", self.tr("DataLoader workers"), workers, workers.value),
            Row("decoded_cache_mb", field_texts.label("decoded_cache_mb"), cache, cache.value),
            Row(
                "inference_backend",
                field_texts.label("inference_backend"),
                backend_combo,
                backend_combo.currentData,
            ),
            self._runs_location_row(),
            Row("run_retention", self.tr("Finished runs kept"), retention, retention.value),
            self._unsure_row(),
        ]

    def _unsure_row(self) -> Row:
        spin = QDoubleSpinBox()
        spin.setObjectName("unsureThresholdSpin")
        spin.setRange(0.0, 1.0)
        spin.setDecimals(2)
        spin.setSingleStep(0.05)
        spin.setValue(unsure_threshold(self.settings))
        spin.setToolTip(
            self.tr(
                "A prediction whose calibrated top-class probability is below this is marked "
                "“not sure”. 0 marks none."
            )
        )
        return Row("unsure_threshold", self.tr("“Not sure” below"), spin, spin.value)

    def _runs_location_row(self) -> Row:
        edit = QLineEdit()
        edit.setObjectName("runsLocationEdit")
        edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * 48)  # a whole path shows
        env = os.environ.get(RUNS_ENV)
        if env:  # the environment decides: show it, and that it cannot be changed here
            edit.setText(str(runs_root()))
            edit.setEnabled(False)
            edit.setToolTip(self.tr("Set by the {0} environment variable").format(RUNS_ENV))
        else:
            edit.setText(str(read("runs_location", self.settings)))
            edit.setPlaceholderText(str(runs_root()))
            edit.setToolTip(
                self.tr("Where new training runs are kept; empty: the default folder shown")
            )
        browse = QPushButton(self.tr("Browse…"))
        browse.setObjectName("runsLocationBrowseButton")
        browse.setEnabled(not env)
        browse.clicked.connect(lambda: self._browse_runs_location(edit))
        box = QWidget()
        box.setObjectName("runsLocationRow")
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(edit, 1)
        lay.addWidget(browse)

        def value() -> str:
            return "" if env else edit.text().strip()

        note = self.tr("Runs made before a change stay where they are.")
        return Row("runs_location", self.tr("Runs location"), box, value, note)

    def _browse_runs_location(self, edit: QLineEdit) -> None:
        start = edit.text().strip() or edit.placeholderText()
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the runs location"), start)
        if folder:
            edit.setText(folder)

    def accept(self) -> None:
        """Store every row's value; tell :func:`changes` which ones changed."""
        changed = []
        for row in self.rows:
            before = read(row.name, self.settings)
            self.settings.setValue(PREFERENCES[row.name].key, row.value())
            if read(row.name, self.settings) != before:
                changed.append(row.name)
        self.settings.sync()
        super().accept()
        if changed:
            changes().changed.emit(changed)


def show_preferences(parent: QWidget) -> PreferencesDialog:
    """Open the Preferences dialog, window-modal and non-blocking."""
    dialog = PreferencesDialog(parent)
    dialog.open()
    return dialog


__all__ = ["PreferencesDialog", "Row", "show_preferences"]
