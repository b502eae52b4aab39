"""Pick an unfinished training run to resume: the recent ones under the runs location, newest
first, or any run folder through "Browse…".

The listing is the engine's (:mod:`tlgui.engine.runs.listing`), shared with the Runs view: it
reads only each folder's ``run.json`` (plain JSON, no torch), so it is cheap enough to do on the
GUI thread for the few dozen folders a user keeps.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.runs import RunError, RunFolder
from ...engine.runs.listing import UNFINISHED, RunSummary, list_runs, newest_first, summarize
from ..preference_store import runs_location
from .tables import read_only_table


def unfinished_runs(
    root: str | os.PathLike[str] | None = None, limit: int = 50
) -> list[RunSummary]:
    """Runs under ``root`` (default: the runs location) that can be continued: status
    running/cancelled/failed and at least one finished epoch saved. Newest first; folders
    that are not runs or are damaged are left out (Browse… reports why one cannot be used)."""
    runs = list_runs(root if root is not None else runs_location())
    return [run for run in runs if run.resumable][:limit]


def latest_interrupted(root: str | os.PathLike[str] | None = None) -> RunSummary | None:
    """The newest run under ``root`` if it was left "running" (the app or the process was
    killed) and has a saved epoch to continue from; else ``None``. Reads one ``run.json``
    (more only where folders are not runs)."""
    for folder in newest_first(Path(root) if root is not None else runs_location()):
        run = RunFolder(folder)
        if not run.meta_path.is_file():
            continue
        try:
            summary = summarize(run)
        except RunError:  # not a run (or a damaged one): look at the next
            continue
        return summary if summary.status == "running" and run.has_state() else None
    return None


def interrupted_notice() -> str | None:
    """A status-bar sentence about the newest run if it was left running (the app or the
    process was killed), else ``None``."""
    run = latest_interrupted()
    if run is None:
        return None
    return QCoreApplication.translate(
        "RunPicker",
        "The last run ({0}, {1}/{2} epochs) did not finish: File ▸ Resume Run… continues it.",
    ).format(os.path.basename(run.data) or run.data, run.epochs_done, run.epochs_total)


class RunPickerDialog(QDialog):
    """Lists :func:`unfinished_runs`; after ``exec()`` returns Accepted, ``selected_path`` is
    the chosen run folder (from the list or from Browse…)."""

    def __init__(
        self, parent: QWidget | None = None, root: str | os.PathLike[str] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runPickerDialog")
        self.setWindowTitle(self.tr("Resume a run"))
        self.resize(760, 360)
        self.root = Path(root) if root is not None else runs_location()
        self.selected_path: str | None = None
        self.runs = unfinished_runs(self.root)

        lay = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Unfinished runs in {0}, newest first:").format(self.root)
            if self.runs
            else self.tr("No unfinished runs in {0}. Use Browse… to pick a run folder.").format(
                self.root
            )
        )
        intro.setWordWrap(True)
        intro.setObjectName("runPickerIntro")
        lay.addWidget(intro)

        headers = [
            self.tr("Started"),
            self.tr("Dataset"),
            self.tr("Backbone"),
            self.tr("Epochs"),
            self.tr("Status"),
        ]
        self.runTable = read_only_table("runTable", headers, rows=len(self.runs))
        self.runTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        statuses = {
            "running": self.tr("interrupted"),
            "cancelled": self.tr("stopped"),
            "failed": self.tr("failed"),
        }
        for r, run in enumerate(self.runs):
            cells = [
                run.created.replace("T", " ")[:19],
                os.path.basename(run.data) or run.data,
                run.backbone,
                f"{run.epochs_done}/{run.epochs_total}",
                statuses.get(run.status, run.status),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(run.data if c == 1 else run.path)
                self.runTable.setItem(r, c, item)
        header = self.runTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if self.runs:
            self.runTable.selectRow(0)
        self.runTable.itemDoubleClicked.connect(lambda _item: self.accept())
        lay.addWidget(self.runTable, 1)

        buttons = QDialogButtonBox()
        self.resumeButton = buttons.addButton(
            self.tr("Resume"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.resumeButton.setObjectName("runPickerResumeButton")
        self.resumeButton.setEnabled(bool(self.runs))
        self.browseButton = QPushButton(self.tr("Browse…"))
        self.browseButton.setObjectName("runPickerBrowseButton")
        buttons.addButton(self.browseButton, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.browseButton.clicked.connect(self.browse)
        lay.addWidget(buttons)

    def accept(self) -> None:
        if self.selected_path is None:
            row = self.runTable.currentRow()
            if not 0 <= row < len(self.runs):
                return
            self.selected_path = self.runs[row].path
        super().accept()

    def browse(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a run folder"), str(self.root)
        )
        if path:
            self.select(path)

    def select(self, path: str) -> None:
        """Choose ``path`` and close (what Browse… does; also used by tests)."""
        self.selected_path = str(path)
        self.accept()


def pick_run(parent: QWidget | None = None) -> str | None:
    """Show the picker modally; the chosen run folder or ``None``."""
    dialog = RunPickerDialog(parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.selected_path
        return None
    finally:
        dialog.deleteLater()


__all__ = [
    "UNFINISHED",
    "RunPickerDialog",
    "RunSummary",
    "interrupted_notice",
    "latest_interrupted",
    "pick_run",
    "summarize",
    "unfinished_runs",
]
