"""The dataset check's findings panel: a thumbnail gallery per kind of finding, sorted by score,
the per-picture actions and the list of files excluded from training.

The panel only shows and asks: it emits what the user chose (exclude, include again, move to a
class, open the location, undo, cancel) and :mod:`tlgui.gui.doctor` does it. Findings arrive
as the JSON of ``tlgui doctor --json`` (plain data: the panel never imports the engine's
torch side). Thumbnails are decoded by pool jobs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .widgets.thumbnail_grid import PATH_ROLE, ThumbnailGrid

THUMB = 104
SUGGESTED_ROLE = PATH_ROLE + 1  # a label issue's suggested class


class FindingsGallery(ThumbnailGrid):
    """Icon grid of findings, in the order given (highest score first). Each item holds its
    picture's path (the grid's ``PATH_ROLE``)."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(THUMB, 44, parent)
        self.setObjectName(object_name)

    def set_findings(self, findings: Sequence[tuple[str, str, str, str]]) -> None:
        """Show ``(path, caption, tooltip, suggested class or "")`` findings and start
        decoding their thumbnails."""
        self.begin()
        placeholder = self.placeholder()
        for path, caption, tip, suggested in findings:
            item = QListWidgetItem(placeholder, caption)
            item.setToolTip(tip)
            self.set_item_path(item, path)
            item.setData(SUGGESTED_ROLE, suggested)
            self.addItem(item)
        self.load_thumbnails([f[0] for f in findings])

    def rename(self, old: str, new: str, note: str) -> None:
        """A picture moved from ``old`` to ``new``: its items follow it, captioned ``note``."""
        for row in range(self.count()):
            item = self.item(row)
            if self.item_path(item) == old:
                self.set_item_path(item, new)
                first = item.text().split("\n")[0]
                item.setText(f"{first}\n{note}" if note else first)
                item.setToolTip(new)


class DoctorPanel(QWidget):
    """See the module docstring. ``report`` is the doctor's JSON."""

    excludeRequested = Signal(str)  # a picture's path
    includeRequested = Signal(str)  # an exclusion entry
    moveRequested = Signal(str, str)  # path, class
    openLocationRequested = Signal(str)
    undoRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("doctorPanel")
        self.report: dict[str, Any] | None = None
        self.summaryLabel = QLabel(self.tr("Checking the dataset…"))
        self.summaryLabel.setObjectName("doctorSummaryLabel")
        self.summaryLabel.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("doctorProgress")
        self.cancelButton = QPushButton(self.tr("Cancel"))
        self.cancelButton.setObjectName("doctorCancelButton")
        self.cancelButton.clicked.connect(self.cancelRequested)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("doctorTabs")
        self.labelGallery = FindingsGallery("doctorLabelGallery")
        self.duplicateGallery = FindingsGallery("doctorDuplicateGallery")
        self.outlierGallery = FindingsGallery("doctorOutlierGallery")
        for gallery in self.galleries():
            self.tabs.addTab(gallery, "")
            gallery.currentItemChanged.connect(self._update_buttons)
        self.tabs.currentChanged.connect(self._update_buttons)

        self.excludeButton = self._button("doctorExcludeButton", self.tr("Exclude from training"))
        self.excludeButton.clicked.connect(lambda: self._emit_path(self.excludeRequested))
        self.moveCombo = QComboBox()
        self.moveCombo.setObjectName("doctorMoveCombo")
        self.moveButton = self._button("doctorMoveButton", self.tr("Move to class…"))
        self.moveButton.clicked.connect(self._move)
        self.openButton = self._button("doctorOpenLocationButton", self.tr("Open location"))
        self.openButton.clicked.connect(lambda: self._emit_path(self.openLocationRequested))
        self.undoButton = self._button("doctorUndoButton", self.tr("Undo"))
        self.undoButton.clicked.connect(self.undoRequested)
        self.excludedTitle = QLabel()
        self.excludedList = QListWidget()
        self.excludedList.setObjectName("doctorExcludedList")
        self.excludedList.setMaximumHeight(80)
        self.includeButton = self._button("doctorIncludeButton", self.tr("Include again"))
        self.includeButton.clicked.connect(self._include)
        self.excludedList.currentItemChanged.connect(self._update_buttons)
        self._layout()
        self.set_excluded([])
        self.set_undo_available(False)
        self._update_buttons()

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        return button

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.progress, 1)
        top.addWidget(self.cancelButton)
        actions = QHBoxLayout()
        for widget in (self.excludeButton, self.moveCombo, self.moveButton, self.openButton):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.undoButton)
        excluded = QHBoxLayout()
        excluded.addWidget(self.excludedList, 1)
        excluded.addWidget(self.includeButton, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summaryLabel)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(actions)
        lay.addWidget(self.excludedTitle)
        lay.addLayout(excluded)

    def galleries(self) -> tuple[FindingsGallery, FindingsGallery, FindingsGallery]:
        return self.labelGallery, self.duplicateGallery, self.outlierGallery

    # ------------------------------------------------------------------ running

    def set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancelButton.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.summaryLabel.setText(self.tr("Checking the dataset…"))

    def set_progress(self, done: int, total: int) -> None:
        """The embedding pass: ``done`` of ``total`` batches (then the analysis, unmeasured)."""
        if done >= total:
            self.progress.setRange(0, 0)
            self.summaryLabel.setText(self.tr("Analysing the embeddings…"))
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.summaryLabel.setText(self.tr("Embedding the images…"))

    # ------------------------------------------------------------------ findings

    def show_report(self, report: dict[str, Any]) -> None:
        """Fill the galleries from the doctor's JSON."""
        self.report = report
        self.set_running(False)
        classes = report["classes"]
        self.moveCombo.clear()
        self.moveCombo.addItems(list(classes["names"]))
        root = report["data"]

        def rel(path: str) -> str:
            try:
                return os.path.relpath(path, root)
            except ValueError:
                return path

        issues = [
            (
                i["path"],
                f"{i['given']} → {i['suggested']}\n{i['score']:.2f}",
                self.tr("{0}\nlabelled {1}, looks like {2} (score {3:.3f})").format(
                    rel(i["path"]), i["given"], i["suggested"], i["score"]
                ),
                i["suggested"],
            )
            for i in report["label_issues"]
        ]
        duplicates = []
        for n, group in enumerate(report["near_duplicates"], start=1):
            kind = self.tr("identical") if group["exact"] else f"{group['similarity']:.2f}"
            leak = self.tr(" · leak") if group["cross_split"] else ""
            for path, split in zip(group["paths"], group["splits"], strict=True):
                duplicates.append(
                    (
                        path,
                        f"#{n} {kind}\n{split}{leak}",
                        self.tr("{0}\ngroup {1}: {2}").format(
                            rel(path), n, ", ".join(map(rel, group["paths"]))
                        ),
                        "",
                    )
                )
        outliers = [
            (o["path"], f"{o['score']:.3f}\n{o['split']}", rel(o["path"]), "")
            for o in report["outliers"]
        ]
        for gallery, findings in zip(self.galleries(), (issues, duplicates, outliers), strict=True):
            gallery.set_findings(findings)
        leaks = sum(g["cross_split"] for g in report["near_duplicates"])
        self.tabs.setTabText(0, self.tr("Likely label errors ({0})").format(len(issues)))
        self.tabs.setTabText(
            1,
            self.tr("Near-duplicates ({0}, {1} across splits)").format(
                len(report["near_duplicates"]), leaks
            ),
        )
        self.tabs.setTabText(2, self.tr("Outliers ({0})").format(len(outliers)))
        counts = ", ".join(f"{c} {sum(classes['counts'][c].values())}" for c in classes["names"])
        self.summaryLabel.setText(
            self.tr(
                "{0} images checked in {1:.1f} s with {2}. Classes: {3} (imbalance {4:.1f}:1). "
                "{5} unreadable file(s) skipped."
            ).format(
                report["images"],
                report["seconds"],
                report["backbone"],
                counts,
                classes["imbalance_ratio"],
                len(report["skipped"]),
            )
        )
        self._update_buttons()

    def current_gallery(self) -> FindingsGallery:
        return self.galleries()[max(0, self.tabs.currentIndex())]

    def selected_path(self) -> str | None:
        item = self.current_gallery().currentItem()
        return ThumbnailGrid.item_path(item) if item is not None else None

    def picture_moved(self, old: str, new: str, note: str) -> None:
        for gallery in self.galleries():
            gallery.rename(old, new, note)
        self._update_buttons()

    def set_excluded(self, entries: Sequence[str]) -> None:
        self.excludedList.clear()
        self.excludedList.addItems(list(entries))
        self.excludedTitle.setText(
            self.tr("<b>Excluded from training</b> ({0})").format(len(entries))
        )
        self._update_buttons()

    def set_undo_available(self, available: bool) -> None:
        self.undoButton.setEnabled(available)

    # ------------------------------------------------------------------ actions

    def _emit_path(self, signal: Any) -> None:
        path = self.selected_path()
        if path:
            signal.emit(path)

    def _move(self) -> None:
        path, target = self.selected_path(), self.moveCombo.currentText()
        if path and target:
            self.moveRequested.emit(path, target)

    def _include(self) -> None:
        item = self.excludedList.currentItem()
        if item is not None:
            self.includeRequested.emit(item.text())

    def _update_buttons(self, *_args: Any) -> None:
        """Enable what applies to the chosen picture; a label issue's suggested class is
        the one offered to move it to."""
        item = self.current_gallery().currentItem()
        suggested = item.data(SUGGESTED_ROLE) if item is not None else ""
        if suggested:
            self.moveCombo.setCurrentText(suggested)
        chosen = self.selected_path() is not None
        for button in (self.excludeButton, self.moveButton, self.openButton):
            button.setEnabled(chosen)
        self.includeButton.setEnabled(self.excludedList.currentItem() is not None)


__all__ = ["DoctorPanel", "FindingsGallery"]
