"""File ▸ Export run for a server…: the run file holds the form's settings and the dataset, and
the dialog shows the torchrun command that runs it, ready to copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton

from tlgui.engine.config import TrainConfig
from tlgui.engine.run_file import RunFile, torchrun_command
from tlgui.gui.server_run import export_run


def test_export_writes_the_run_and_shows_the_command(window, tiny_dataset: Path,
                                                      tmp_path: Path, qtbot) -> None:
    assert window.findChild(object, "actionExportRunFile") is not None
    assert export_run(window, str(tmp_path / "srv.json")) is None  # no dataset yet
    window.load_dataset(str(tiny_dataset))
    window.train_page.apply_config({"epochs": 7, "mode": "finetune"})

    dialog = export_run(window, str(tmp_path / "srv.json"))
    assert dialog is not None and dialog.objectName() == "serverRunDialog"
    saved = RunFile.load(tmp_path / "srv.json")
    assert saved.config == TrainConfig.from_dict(window.train_page.config_dict())
    assert saved.config.epochs == 7 and saved.config.mode == "finetune"
    assert saved.data == str(tiny_dataset) and saved.val_split is None  # it has val/
    assert saved.out == str(tmp_path / "srv.pt")

    edit = dialog.findChild(QLineEdit, "torchrunCommandEdit")
    assert edit.isReadOnly() and edit.text() == torchrun_command(str(tmp_path / "srv.json"))
    dialog.findChild(QPushButton, "copyCommandButton").click()
    assert QGuiApplication.clipboard().text() == edit.text()
    dialog.done(QDialog.DialogCode.Rejected)
