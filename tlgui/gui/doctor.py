"""The Data step's "Check dataset": runs the dataset doctor in a background job, shows its
findings (:class:`~tlgui.gui.doctor_panel.DoctorPanel`, in a window of its own) and carries
out what the user decides about a picture.

- **Exclude from training**: the file goes on the dataset's exclusion list, which the app
  remembers per dataset folder (its settings) and every run records in its settings
  (``TrainConfig.exclude``, through the Train step's :attr:`data_fields_provider`): excluded
  files are not trained or validated on. Listed in the panel; "Include again" and Undo take a
  file off the list.
- **Move to class…**: after a confirmation, the file moves to the other class folder
  (:func:`tlgui.engine.doctor.actions.move_to_class`) and the dataset is scanned again; Undo
  moves it back.
- **Open location**: the file's folder in the system's file manager.

Nothing is ever deleted. The job imports the engine on its own thread (this module imports no
torch).
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout

from ..engine.data.exclude import exclusion_entry
from . import jobs
from .dialogs import ask
from .doctor_panel import DoctorPanel
from .jobs import JobControl
from .settings import read_list
from .warm_up import import_engine

if TYPE_CHECKING:
    from .main_window import MainWindow


def _check(control: JobControl, root: str, config: dict[str, Any], val_split: float) -> Any:
    """Job function: the doctor's JSON, or None when cancelled."""
    import_engine()
    from ..engine.config import TrainConfig
    from ..engine.doctor import check_dataset
    from ..engine.train import Cancelled
    from ..engine.trainer import CancelToken

    class Bridge:
        def on_batch_end(self, e: Any) -> None:
            control.report((e.batch, e.batches), final=e.batch >= e.batches)

    cancel = control.link(CancelToken())
    try:
        report = check_dataset(root, TrainConfig.from_dict(config), val_split, [Bridge()], cancel)
    except Cancelled:
        return None
    return report.to_json()


def _move(root: str, path: str, target: str) -> str:
    from ..engine.doctor.actions import move_to_class

    return move_to_class(root, path, target)


def _move_back(moved: str, original: str) -> None:
    from ..engine.doctor.actions import move_back

    move_back(moved, original)


class DoctorController(QObject):
    """Made by the main window; wires itself to the Data and Train steps (see the module
    docstring). ``finished(report)`` after every check (None when cancelled or failed)."""

    finished = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.data_page = window.data_page
        self.root: str | None = None
        self.excluded: list[str] = []
        self.undo_stack: list[tuple[str, str, str]] = []  # (kind, a, b)
        self.job: jobs.Job | None = None
        self.dialog = QDialog(window)
        self.dialog.setObjectName("doctorDialog")
        self.dialog.setWindowTitle(self.tr("Dataset check"))
        self.dialog.resize(980, 720)
        self.panel = DoctorPanel(self.dialog)
        QVBoxLayout(self.dialog).addWidget(self.panel)
        p = self.panel
        p.excludeRequested.connect(self.exclude)
        p.includeRequested.connect(self.include)
        p.moveRequested.connect(self.move)
        p.openLocationRequested.connect(self.open_location)
        p.undoRequested.connect(self.undo)
        p.cancelRequested.connect(self.cancel)
        self.data_page.checkDatasetRequested.connect(self.check)
        self.data_page.datasetLoaded.connect(self.set_dataset)
        window.train_page.data_fields_provider = self.config_fields

    # ------------------------------------------------------------------ settings

    def config_fields(self) -> dict[str, Any]:
        """The run's fields the Data step decides."""
        return {
            "exclude": list(self.excluded),
            "keep_duplicates_together": self.data_page.keep_duplicates_together(),
        }

    def _key(self) -> str:
        digest = hashlib.blake2b((self.root or "").encode(), digest_size=10).hexdigest()
        return f"doctor/excluded_{digest}"

    def set_dataset(self, scan: Any) -> None:
        """A dataset was loaded: its exclusion list comes back; another folder's findings go."""
        root = os.path.abspath(scan.root)
        if root == self.root:
            return
        self.root = root
        self.excluded = read_list(self.window.settings, self._key())
        self.undo_stack.clear()
        self.panel.set_excluded(self.excluded)
        self.panel.set_undo_available(False)
        self.panel.report = None  # the findings were another folder's
        for gallery in self.panel.galleries():
            gallery.clear()

    def _save_excluded(self) -> None:
        self.window.settings.setValue(self._key(), list(self.excluded))
        self.panel.set_excluded(self.excluded)
        self.panel.set_undo_available(bool(self.undo_stack))

    # ------------------------------------------------------------------ the check

    def check(self) -> bool:
        """Start a check of the loaded dataset (False when none is loaded or one runs)."""
        scan = self.data_page.scan
        if scan is None:
            self.window.show_error(self.tr("No dataset"), self.tr("Open a dataset folder first."))
            return False
        if self.job is not None and self.job.is_running():
            self.dialog.show()
            return False
        self.set_dataset(scan)
        config = self.window.train_page.config_dict()
        self.panel.set_running(True)
        self.dialog.show()
        self.dialog.raise_()
        self.data_page.checkDatasetButton.setEnabled(False)
        self.job = jobs.submit(
            _check,
            scan.root,
            config,
            self.data_page.valSplitSpin.value(),
            control=True,
            dedicated=True,
            progress=lambda value: self.panel.set_progress(*value),
            done=self._done,
            failed=self._failed,
            finished=self._ended,
            owner=self,
        )
        return True

    def cancel(self) -> None:
        if self.job is not None and self.job.is_running():
            self.job.cancel()

    def _done(self, report: dict[str, Any] | None) -> None:
        if report is None:
            self.panel.set_running(False)
            self.panel.summaryLabel.setText(self.tr("The check was cancelled."))
        else:
            self.panel.show_report(report)
            if report["split"]["groups_kept_together"] and self.root is not None:
                self.data_page.load(self.root)  # the split keeps the groups found together
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self.panel.set_running(False)
        self.panel.summaryLabel.setText(self.tr("The check failed: {0}").format(message))
        self.window.show_error(self.tr("Cannot check the dataset"), message)
        self.finished.emit(None)

    def _ended(self) -> None:
        self.job = None
        self.data_page.checkDatasetButton.setEnabled(True)

    # ------------------------------------------------------------------ per picture

    def exclude(self, path: str) -> None:
        if self.root is None:
            return
        entry = exclusion_entry(self.root, path)
        if entry not in self.excluded:
            self.excluded.append(entry)
            self.undo_stack.append(("exclude", entry, ""))
            self._save_excluded()

    def include(self, entry: str) -> None:
        if entry in self.excluded:
            self.excluded.remove(entry)
            self.undo_stack.append(("include", entry, ""))
            self._save_excluded()

    def move(self, path: str, target: str) -> bool:
        """Move ``path`` to the class folder ``target`` after the user agreed."""
        if self.root is None:
            return False
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        question = self.tr("Move {0} to the class folder “{1}”? Undo moves it back.").format(
            os.path.basename(path), target
        )
        if ask(self.dialog, self.tr("Move picture"), question, yes | no, no, no) != yes:
            return False
        try:
            new = jobs.run_and_wait(_move, self.root, path, target)
        except RuntimeError as exc:
            self.window.show_error(self.tr("Cannot move the picture"), str(exc))
            return False
        self._moved(path, new, self.tr("moved to {0}").format(target))
        self.undo_stack.append(("move", path, new))
        self._save_excluded()
        return True

    def _moved(self, old: str, new: str, note: str) -> None:
        assert self.root is not None
        before, after = exclusion_entry(self.root, old), exclusion_entry(self.root, new)
        self.excluded = [after if e == before else e for e in self.excluded]
        self.panel.picture_moved(old, new, note)
        self.data_page.load(self.root)  # the scan (and the next run) see the new class

    def open_location(self, path: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(os.path.abspath(path))))

    def undo(self) -> None:
        """Undo the latest exclusion, inclusion or move."""
        if not self.undo_stack:
            return
        kind, a, b = self.undo_stack.pop()
        if kind == "exclude" and a in self.excluded:
            self.excluded.remove(a)
        elif kind == "include" and a not in self.excluded:
            self.excluded.append(a)
        elif kind == "move":
            try:
                jobs.run_and_wait(_move_back, b, a)
            except RuntimeError as exc:
                self.window.show_error(self.tr("Cannot undo the move"), str(exc))
            else:
                self._moved(b, a, "")
        self._save_excluded()


__all__ = ["DoctorController"]
