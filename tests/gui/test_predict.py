"""Prediction through the window: drop a bundle (model loaded), drop pictures and folders
(one row per picture), the programmatic API, paste, Grad-CAM and a bad model file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QMessageBox, QTableWidget

from tests.gui.conftest import drop_paths
from tests.helpers import make_image
from tlgui.gui.widgets.topk_delegate import TOP_ROLE


def _rows(window) -> QTableWidget:
    return window.findChild(QTableWidget, "predictionTable")


def test_dropping_a_bundle_loads_the_model(window, bundle_path: Path, qtbot) -> None:
    zone = window.predict_page.predictDropZone
    with qtbot.waitSignal(window.modelChanged, timeout=60_000):
        assert drop_paths(zone, [bundle_path])
    handle = window.predict_page.handle
    assert handle is not None and handle.classes == ["blue", "red"]
    assert "colours.pt" in window.predict_page.modelLabel.text()


def test_dropping_pictures_gives_one_row_each(
    window, bundle_path: Path, tmp_path: Path, qtbot
) -> None:
    assert window.open_model(bundle_path)
    window.steps.setCurrentRow(4)
    pics = [make_image(tmp_path / f"p{i}.jpg", (40, 60, 200), seed=i) for i in range(3)]
    assert drop_paths(window.predict_page.predictDropZone, pics)
    table = _rows(window)
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=60_000)
    for r in range(3):
        top = table.item(r, 2).data(TOP_ROLE)
        assert [label for label, _ in top] in (["blue", "red"], ["red", "blue"])
        assert sum(p for _, p in top) == pytest.approx(1.0, abs=1e-4)
        assert not table.item(r, 0).icon().isNull()
    assert [table.item(r, 1).text() for r in range(3)] == ["p0.jpg", "p1.jpg", "p2.jpg"]


def test_folder_drop_on_the_window_while_predicting_lists_unreadable_files(
    window, bundle_path: Path, tmp_path: Path, qtbot
) -> None:
    assert window.open_model(bundle_path)
    window.steps.setCurrentRow(4)
    folder = tmp_path / "photos"
    make_image(folder / "a.jpg", (200, 40, 40), seed=1)
    make_image(folder / "b.png", (40, 60, 200), seed=2)
    (folder / "notes.jpg").write_text("not a picture")
    assert drop_paths(window, [folder])  # dropped on the window, not the zone
    table = _rows(window)
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=60_000)
    texts = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(3)}
    assert texts["notes.jpg"].startswith("skipped:")
    assert texts["a.jpg"] == "" and texts["b.png"] == ""


def test_predict_paths_returns_engine_predictions(
    window, bundle_path: Path, tmp_path: Path
) -> None:
    assert window.predict_paths([make_image(tmp_path / "x.jpg", (1, 2, 3))]) == []
    assert window.open_model(str(bundle_path))
    preds = window.predict_paths([make_image(tmp_path / "y.jpg", (200, 40, 40), seed=3)])
    assert len(preds) == 1 and preds[0].label in ("blue", "red")
    assert _rows(window).rowCount() == 1


def test_paste_a_picture_from_the_clipboard(window, bundle_path: Path, qtbot) -> None:
    assert window.open_model(bundle_path)
    image = QImage(64, 64, QImage.Format.Format_RGB888)
    image.fill(Qt.GlobalColor.red)
    QGuiApplication.clipboard().setImage(image)
    window.predict_page.pasteButton.click()
    qtbot.waitUntil(lambda: _rows(window).rowCount() == 1, timeout=60_000)
    assert _rows(window).item(0, 1).text().startswith("pasted-")


def test_gradcam_checkbox_shows_overlays(window, bundle_path: Path, tmp_path: Path, qtbot) -> None:
    assert window.open_model(bundle_path)
    page = window.predict_page
    page.camCheck.setChecked(True)
    preds = window.predict_paths([make_image(tmp_path / "c.jpg", (40, 170, 60), seed=4)])
    assert len(preds) == 1
    assert not _rows(window).item(0, 0).icon().isNull()


def test_a_bad_model_file_is_refused_with_one_line(window, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"garbage")
    assert not window.open_model(bad)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "broken.pt" in box.text() and "\n" not in box.text()
    assert window.predict_page.handle is None
