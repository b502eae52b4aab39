"""View ▸ Runs…: the past runs under the runs location, and what can be done with them.

The dialog (object name ``runsView``) lists every run (``runsTable``: date, dataset, backbone,
mode, epochs, best validation accuracy, status; newest first, from the engine's
:func:`~tlgui.engine.runs.list_runs`). Selecting one shows its curves and settings below;
selecting two and pressing Compare (``runsCompareButton``) draws the second one's curves
dashed over the first's. Resume (``runsResumeButton``) continues an unfinished run through the
window's own :meth:`~tlgui.gui.main_window.MainWindow.resume_run`; Delete
(``runsDeleteButton``) asks first and never deletes the run this window is training.

:func:`keep_runs_pruned` applies the Preferences' retention after every run: the finished runs
beyond the count kept are deleted on a pool thread (:func:`~tlgui.engine.runs.prune_runs`).

Importing this module imports no plotting library and no torch: the curves are built with
the dialog.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..engine.runs import RunError, RunFolder, RunSummary, delete_run, list_runs, prune_runs
from . import jobs
from .dialogs import ask
from .preference_store import run_retention, runs_location
from .widgets.tables import read_only_table

if TYPE_CHECKING:
    from .main_window import MainWindow


def _same_folder(a: str | None, b: str) -> bool:
    return a is not None and os.path.abspath(a) == os.path.abspath(b)


class RunsDialog(QDialog):
    """The Runs view (see the module docstring); ``runs`` are the listed runs by row."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from .widgets.curves import CurvesCanvas  # pyqtgraph: only once the view is opened

        self.main_window = window
        self.setObjectName("runsView")
        self.setWindowTitle(self.tr("Runs"))
        self.resize(1000, 720)
        self.runs: list[RunSummary] = []

        self.runsLocationLabel = QLabel()
        self.runsLocationLabel.setObjectName("runsLocationLabel")
        self.runsLocationLabel.setWordWrap(True)
        headers = [
            self.tr("Date"),
            self.tr("Dataset"),
            self.tr("Backbone"),
            self.tr("Mode"),
            self.tr("Epochs"),
            self.tr("Best accuracy"),
            self.tr("Status"),
        ]
        self.runsTable = read_only_table("runsTable", headers)
        self.runsTable.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.runsTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.runsTable.itemSelectionChanged.connect(self._selection_changed)

        self.runsCurves = CurvesCanvas()
        self.runsCurves.setObjectName("runsCurves")  # not the Train step's "curvesCanvas"
        self.runsCompareLabel = QLabel()
        self.runsCompareLabel.setObjectName("runsCompareLabel")
        self.runsCompareLabel.setWordWrap(True)
        curves = QWidget()
        curves_lay = QVBoxLayout(curves)
        curves_lay.setContentsMargins(0, 0, 0, 0)
        curves_lay.addWidget(self.runsCompareLabel)
        curves_lay.addWidget(self.runsCurves, 1)
        self.runsSettingsTable = read_only_table(
            "runsSettingsTable", [self.tr("Setting"), self.tr("Value")]
        )
        self.runsSettingsTable.horizontalHeader().setStretchLastSection(True)
        self.runsDetails = QTabWidget()
        self.runsDetails.setObjectName("runsDetails")
        self.runsDetails.addTab(curves, self.tr("Curves"))
        self.runsDetails.addTab(self.runsSettingsTable, self.tr("Settings"))

        buttons = QDialogButtonBox()
        self.runsCompareButton = self._button(
            buttons, "runsCompareButton", self.tr("Compare"), self.tr("Select two runs")
        )
        self.runsResumeButton = self._button(
            buttons, "runsResumeButton", self.tr("Resume"), self.tr("Continue an unfinished run")
        )
        self.runsDeleteButton = self._button(
            buttons, "runsDeleteButton", self.tr("Delete…"), self.tr("Delete the selected runs")
        )
        self.runsCompareButton.clicked.connect(self.compare_selected)
        self.runsResumeButton.clicked.connect(self.resume_selected)
        self.runsDeleteButton.clicked.connect(self.delete_selected)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.runsTable)
        splitter.addWidget(self.runsDetails)
        splitter.setSizes([260, 460])
        lay = QVBoxLayout(self)
        lay.addWidget(self.runsLocationLabel)
        lay.addWidget(splitter, 1)
        lay.addWidget(buttons)
        window.training.runFinished.connect(self.refresh)
        window.training.stateChanged.connect(self._selection_changed)
        self.refresh()

    def _button(self, box: QDialogButtonBox, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    # ------------------------------------------------------------------ the list

    def refresh(self, *_args: Any) -> None:
        """List the runs again (after a run ended, a deletion, or when shown)."""
        root = runs_location()
        self.runs = list_runs(root)
        self.runsLocationLabel.setText(
            self.tr("Runs in {0}, newest first:").format(root)
            if self.runs
            else self.tr("No runs in {0} yet.").format(root)
        )
        table = self.runsTable
        table.clearSelection()
        table.setRowCount(len(self.runs))
        for r, run in enumerate(self.runs):
            best = "—" if run.best_val_acc is None else f"{run.best_val_acc:.1%}"
            cells = [
                run.created.replace("T", " ")[:16],
                os.path.basename(run.data) or run.data,
                run.backbone,
                self._mode_text(run.mode),
                f"{run.epochs_done}/{run.epochs_total}",
                best,
                self._status_text(run),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(run.data if c == 1 else run.path)
                table.setItem(r, c, item)
        if self.runs:
            table.selectRow(0)
        self._selection_changed()

    def _mode_text(self, mode: str) -> str:
        texts = {
            "transfer": self.tr("Transfer"),
            "finetune": self.tr("Fine-tune"),
            "staged": self.tr("Staged"),
        }
        return texts.get(mode, mode)

    def _status_text(self, run: RunSummary) -> str:
        if run.status == "running":
            return self.tr("training") if self._is_active(run) else self.tr("interrupted")
        texts = {
            "finished": self.tr("finished"),
            "cancelled": self.tr("stopped"),
            "failed": self.tr("failed"),
        }
        return texts.get(run.status, run.status)

    def _is_active(self, run: RunSummary) -> bool:
        """Whether this window is training (or preparing to resume) ``run``."""
        training = self.main_window.training
        return training.is_running() and _same_folder(training.run_dir, run.path)

    def selected(self) -> list[RunSummary]:
        """The selected runs, in list order."""
        rows = sorted(i.row() for i in self.runsTable.selectionModel().selectedRows())
        return [self.runs[r] for r in rows if 0 <= r < len(self.runs)]

    def _selection_changed(self, *_args: Any) -> None:
        chosen = self.selected()
        idle = not self.main_window.training.is_running()
        self.runsCompareButton.setEnabled(len(chosen) == 2)
        self.runsResumeButton.setEnabled(len(chosen) == 1 and chosen[0].resumable and idle)
        self.runsDeleteButton.setEnabled(bool(chosen))
        if len(chosen) == 1:
            self.show_run(chosen[0])

    # ------------------------------------------------------------------ one run, two runs

    def _meta(self, run: RunSummary) -> dict[str, Any] | None:
        """The run's ``run.json``; ``None`` (and a one-line message) when it is gone or
        damaged since the list was read."""
        try:
            return RunFolder(run.path).meta()
        except RunError as exc:
            self.main_window.show_error(self.tr("Cannot open the run"), str(exc))
            return None

    def _label(self, run: RunSummary) -> str:
        data = os.path.basename(run.data) or run.data
        return f"{run.created.replace('T', ' ')[:16]}, {data}, {run.backbone}"

    def show_run(self, run: RunSummary) -> None:
        """Show ``run``'s curves and settings."""
        meta = self._meta(run)
        if meta is None:
            return
        self.runsCurves.set_history(_history(meta))
        self.runsCompareLabel.setText(self.tr("Run of {0}").format(self._label(run)))
        rows = [
            (self.tr("Folder"), run.path),
            (self.tr("Dataset"), str(meta.get("data") or "")),
            (self.tr("Validation share"), str(meta.get("val_split"))),
            (self.tr("Status"), self._status_text(run)),
            (self.tr("Started"), str(meta.get("created") or "")),
            (self.tr("Last change"), str(meta.get("updated") or "")),
            (self.tr("Model file"), str(meta.get("checkpoint") or meta.get("out") or "—")),
        ]
        if meta.get("error"):
            rows.append((self.tr("Error"), str(meta["error"])))
        for key, value in sorted(meta["config"].items()):
            text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)
            rows.append((key, text))
        table = self.runsSettingsTable
        table.setRowCount(len(rows))
        for r, (name, value) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, 1, item)
        table.resizeColumnToContents(0)

    def compare_selected(self) -> bool:
        """Overlay the second selected run's curves (dashed) on the first's."""
        chosen = self.selected()
        if len(chosen) != 2:
            return False
        metas = [self._meta(run) for run in chosen]
        if metas[0] is None or metas[1] is None:
            return False
        self.runsCurves.set_history(_history(metas[0]))
        self.runsCurves.overlay_history(_history(metas[1]), "B")
        self.runsCompareLabel.setText(
            self.tr("Solid lines: run A ({0}). Dashed lines: run B ({1}).").format(
                self._label(chosen[0]), self._label(chosen[1])
            )
        )
        self.runsDetails.setCurrentIndex(0)
        return True

    # ------------------------------------------------------------------ actions

    def resume_selected(self) -> bool:
        """Continue the selected unfinished run in the window, and close the view."""
        chosen = self.selected()
        if len(chosen) != 1 or not chosen[0].resumable:
            return False
        if not self.main_window.resume_run(chosen[0].path):
            return False
        self.accept()
        return True

    def delete_selected(self) -> list[str]:
        """Delete the selected runs after asking; the run being trained is refused. Returns
        the folders whose runs were deleted."""
        chosen = self.selected()
        if not chosen:
            return []
        if any(self._is_active(run) for run in chosen):
            self.main_window.show_error(
                self.tr("Cannot delete the run"),
                self.tr("This run is training now; stop it first."),
            )
            return []
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        text = self.tr(
            "Delete {0} run(s)? Their curves, settings and resume checkpoints are removed; "
            "saved models stay."
        ).format(len(chosen))
        if any(run.status == "running" for run in chosen):
            text += " " + self.tr(
                "A run marked interrupted that is still training elsewhere fails."
            )
        if ask(self, self.tr("Delete runs"), text, yes | no, no, no) != yes:
            return []
        deleted: list[str] = []
        for run in chosen:
            try:
                delete_run(run.path)
            except RunError as exc:
                self.main_window.show_error(self.tr("Cannot delete the run"), str(exc))
                break
            deleted.append(run.path)
        self.runsCurves.clear()
        self.runsSettingsTable.setRowCount(0)
        self.refresh()
        return deleted


def _history(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The epochs of a ``run.json`` that can be plotted (a damaged entry is left out)."""
    keys = ("epoch", "train_loss", "val_loss", "train_acc", "val_acc")
    history = meta.get("history")
    if not isinstance(history, list):
        return []
    return [
        h
        for h in history
        if isinstance(h, dict)
        and all(isinstance(h.get(k), int | float) and not isinstance(h.get(k), bool) for k in keys)
    ]


def show_runs(window: MainWindow) -> RunsDialog:
    """Open the Runs view (one per window; shown again, up to date, if already open)."""
    dialog = window.findChild(RunsDialog, "runsView")
    if dialog is None:
        dialog = RunsDialog(window)
    else:
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def keep_runs_pruned(window: MainWindow) -> None:
    """After each run, delete the finished runs beyond the Preferences' retention count (on a
    pool thread; a count of 0 keeps every run)."""

    def prune(*_args: Any) -> None:
        keep = run_retention()
        if keep > 0:
            jobs.submit(prune_runs, Path(runs_location()), keep, owner=window)

    window.training.runFinished.connect(prune)


__all__ = ["RunsDialog", "keep_runs_pruned", "show_runs"]
