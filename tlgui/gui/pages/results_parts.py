"""Parts of the Results page: its titled split boxes, the per-class table filler and the
test-time augmentation checkbox that "Evaluate on dataset" reads."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

TTA_SETTING = "results/tta"


def stacked_box(title: str, top: QWidget, bottom: QWidget) -> QGroupBox:
    """A titled box with ``top`` above ``bottom`` (3 : 2, the divider can be dragged)."""
    box = QGroupBox(title)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(top)
    split.addWidget(bottom)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    QVBoxLayout(box).addWidget(split)
    return box


def fill_per_class(table: QTableWidget, report: Any) -> None:
    """One row per class of ``report`` (an ``EvalReport``, or None for an empty table):
    precision, recall and F1 to three places, and support; numbers sort as numbers."""
    table.setSortingEnabled(False)
    table.setRowCount(0)
    if report is not None:
        table.setRowCount(len(report.per_class))
        for r, (name, m) in enumerate(report.per_class.items()):
            table.setItem(r, 0, QTableWidgetItem(name))
            for c, key in enumerate(("precision", "recall", "f1"), start=1):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, round(float(m[key]), 3))
                table.setItem(r, c, item)
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.DisplayRole, int(m["support"]))
            table.setItem(r, 4, item)
    table.setSortingEnabled(True)


class TtaCheck(QCheckBox):
    """``resultsTtaCheck``: whether "Evaluate on dataset" averages each picture with its mirror
    image (the engine's ``tta``, as ``tlgui evaluate --tta``). Remembered as ``results/tta``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Average with the mirrored image (TTA)"), parent)
        self.setObjectName("resultsTtaCheck")
        self.setToolTip(
            self.tr(
                "Test-time augmentation: score each image and its left-right mirror image and "
                "average the two predictions, as “tlgui evaluate --tta” does. Evaluation takes "
                "about twice as long."
            )
        )

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(TTA_SETTING, self.isChecked())

    def restore_settings(self, settings: QSettings) -> None:
        # INI files give the string "true"; a native store gives a bool.
        self.setChecked(settings.value(TTA_SETTING, False) in (True, "true"))


__all__ = ["TtaCheck", "fill_per_class", "stacked_box"]
