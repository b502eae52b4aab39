"""File ▸ Export run for a server…: the Train step's settings, the dataset folder and its split
as a run file (:mod:`tlgui.engine.run_file`), and the ``torchrun`` command that runs it on every
GPU of a machine, shown ready to copy (dialog ``serverRunDialog``, the command in the read-only
``torchrunCommandEdit``, ``copyCommandButton``).

The bundle path in the file is relative (``<run file name>.pt``): next to the run file wherever
it is copied. Torch-free: the run file module imports no torch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..engine.config import TrainConfig
from ..engine.run_file import RunFile, torchrun_command

if TYPE_CHECKING:
    from .main_window import MainWindow

FOLDER_KEY = "export/run_folder"
# Texts outside the dialog class go to the "MainWindow" context, where lupdate files them.
translate = QCoreApplication.translate


class ServerRunDialog(QDialog):
    """Where the run file went and the command to run it, with a Copy button."""

    def __init__(self, path: str, command: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverRunDialog")
        self.setWindowTitle(self.tr("Run on a server"))
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Saved {0}.\n\nCopy it to the server (with the dataset, or give the dataset's "
                "folder on the server after the file name) and run this there: one process "
                "per GPU, the model saved next to the run file. Several machines: see the "
                'README, "Training on a server or several GPUs".'
            ).format(path)
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        self.torchrunCommandEdit = QLineEdit(command)
        self.torchrunCommandEdit.setObjectName("torchrunCommandEdit")
        self.torchrunCommandEdit.setReadOnly(True)
        self.torchrunCommandEdit.setCursorPosition(0)
        row.addWidget(self.torchrunCommandEdit, 1)
        self.copyCommandButton = QPushButton(self.tr("Copy"))
        self.copyCommandButton.setObjectName("copyCommandButton")
        self.copyCommandButton.clicked.connect(self.copy_command)
        row.addWidget(self.copyCommandButton)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.torchrunCommandEdit.text())
        self.copyCommandButton.setText(self.tr("Copied"))


def export_run(window: MainWindow, path: str) -> ServerRunDialog | None:
    """Write the run file of the window's dataset and settings at ``path`` and show the
    command (window-modal, non-blocking); a one-line error box when it cannot."""
    scan = window.train_page.scan
    if scan is None:
        window.show_error(
            translate("MainWindow", "No dataset"),
            translate("MainWindow", "Open a dataset folder first."),
        )
        return None
    try:
        config = TrainConfig.from_dict(window.train_page.config_dict())
        config.validate()
        run = RunFile(config, scan.root, scan.val_fraction, f"{Path(path).stem}.pt")
        run.save(path)
    except (OSError, ValueError) as exc:
        window.show_error(
            translate("MainWindow", "Cannot export the run"), str(exc).splitlines()[0]
        )
        return None
    window.settings.setValue(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))
    dialog = ServerRunDialog(path, torchrun_command(path), window)
    dialog.open()
    return dialog


def export_run_dialog(window: MainWindow) -> ServerRunDialog | None:
    """Ask where to save the run file, then :func:`export_run`."""
    if window.train_page.scan is None:
        window.show_error(
            translate("MainWindow", "No dataset"),
            translate("MainWindow", "Open a dataset folder first."),
        )
        return None
    folder = str(window.settings.value(FOLDER_KEY, os.path.expanduser("~")))
    start = os.path.join(folder, "run.json")
    path, _ = QFileDialog.getSaveFileName(
        window,
        translate("MainWindow", "Export run for a server"),
        start,
        translate("MainWindow", "Run file (*.json)"),
    )
    if not path:
        return None
    if not path.endswith(".json"):
        path += ".json"
    return export_run(window, path)


__all__ = ["ServerRunDialog", "export_run", "export_run_dialog"]
