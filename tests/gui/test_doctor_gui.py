"""Data ▸ Check dataset: the doctor runs in a background job, its findings show in the panel,
and each picture can be excluded from training (listed, undoable, in the run's settings),
moved to another class folder after a confirmation (undoable) or opened in its folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QListWidget, QMessageBox, QPushButton, QWidget

from tests.doctor_data import make_crops_dataset, plant_flip
from tlgui.gui.preference_store import INFERENCE_BACKEND_KEY
from tlgui.gui.settings import make_settings


def _click(qtbot, panel: QWidget, name: str) -> None:
    button = panel.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_check_dataset_shows_findings_and_acts_on_a_picture(
    window, qtbot, tmp_path: Path, monkeypatch
) -> None:
    make_settings().setValue(INFERENCE_BACKEND_KEY, "torch")  # no ONNX export in this test
    root = make_crops_dataset(tmp_path / "data", n_train=6, n_val=2, classes=("red", "blue"))
    flipped = plant_flip(root, "train", "red", 1, "blue")
    assert window.load_dataset(str(root)) is not None
    with qtbot.waitSignal(window.doctor.finished, timeout=120_000) as blocker:
        qtbot.mouseClick(window.data_page.checkDatasetButton, Qt.MouseButton.LeftButton)
    report = blocker.args[0]
    assert report is not None and report["images"] == 16
    panel = window.findChild(QWidget, "doctorPanel")
    assert panel is not None and panel.isVisible()
    gallery = panel.findChild(QListWidget, "doctorLabelGallery")
    assert gallery.count() == len(report["label_issues"]) >= 1
    assert gallery.item(0).data(Qt.ItemDataRole.UserRole + 1) == str(flipped)
    qtbot.waitUntil(lambda: gallery.pending_thumbnails == 0)

    # Exclude: listed, in the next run's settings, remembered for the folder; undo.
    gallery.setCurrentRow(0)
    _click(qtbot, panel, "doctorExcludeButton")
    excluded = panel.findChild(QListWidget, "doctorExcludedList")
    assert [excluded.item(i).text() for i in range(excluded.count())] == ["train/blue/red_001.jpg"]
    assert window.train_page.config_dict()["exclude"] == ["train/blue/red_001.jpg"]
    assert window.train_page.config_dict()["keep_duplicates_together"] is True
    assert window.settings.value(window.doctor._key()) == ["train/blue/red_001.jpg"]
    _click(qtbot, panel, "doctorUndoButton")
    assert excluded.count() == 0 and window.train_page.config_dict()["exclude"] == []

    # Open location: the picture's folder in the file manager.
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    _click(qtbot, panel, "doctorOpenLocationButton")
    assert [u.toLocalFile() for u in opened] == [str(flipped.parent)]

    # Move, after a confirmation: "No" changes nothing; "Yes" moves and rescans; undo.
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    panel.findChild(QWidget, "doctorMoveCombo").setCurrentText("red")
    _click(qtbot, panel, "doctorMoveButton")
    assert flipped.is_file()
    with qtbot.waitSignal(window.data_page.datasetLoaded, timeout=30_000) as loaded:
        _click(qtbot, panel, "doctorMoveButton")
    fixed = root / "train" / "red" / "red_001.jpg"
    assert fixed.is_file() and not flipped.exists()
    assert fixed.read_bytes() and loaded.args[0].counts()["red"]["train"] == 6
    with qtbot.waitSignal(window.data_page.datasetLoaded, timeout=30_000):
        _click(qtbot, panel, "doctorUndoButton")
    assert flipped.is_file() and not fixed.exists()
