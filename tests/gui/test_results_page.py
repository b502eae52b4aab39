"""The Results page and the mistakes gallery, driven by a real (tiny) training run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import make_dataset


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A 2-epoch transfer run on two colour classes whose val split holds mislabelled copies,
    so the model is certain to make (and the gallery to show) mistakes."""
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, fit

    root = make_dataset(tmp_path_factory.mktemp("results") / "data", n_train=8, n_val=4, n_test=2)
    for i in range(2):
        shutil.copy(
            root / "val" / "red" / f"red_{i:03d}.jpg", root / "val" / "blue" / f"really_red_{i}.jpg"
        )
    scan = scan_dataset(root)
    cfg = TrainConfig(epochs=2, batch_size=8, augment={"enabled": False}, workers=0, seed=1)
    return scan, fit(scan, cfg)


def _page(qtbot, run):
    from tlgui.gui.pages.results import ResultsPage

    scan, result = run
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.set_dataset(scan)
    page.set_fit_result(result)
    page.show()
    return page


def test_fit_result_shows_metrics_gallery_and_cam(qtbot, run):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QTableWidget

    from tlgui.gui.widgets.gallery import SAMPLE_ROLE, MistakesGallery

    _scan, result = run
    page = _page(qtbot, run)
    val = result.reports["val"]
    label = page.findChild(QLabel, "resultsAccuracyLabel")
    assert f"{100 * val.accuracy:.1f}" in label.text()
    assert page.findChild(object, "confusionCanvas").figure.axes  # drawn
    table = page.findChild(QTableWidget, "perClassTable")
    assert table.rowCount() == len(result.classes) == 2
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert names == list(result.classes)  # class order until the user sorts

    combo = page.findChild(object, "resultsSplitCombo")
    assert [combo.itemData(i) for i in range(combo.count())] == ["val", "test"]

    gallery = page.findChild(MistakesGallery, "mistakesGallery")
    wrong = [s for s in val.samples if s["pred"] != s["true"]]
    assert len(wrong) >= 2  # the mislabelled copies
    assert gallery.count() == len(wrong)
    first = gallery.item(0)
    records = [gallery.item(i).data(SAMPLE_ROLE) for i in range(gallery.count())]
    assert [r["loss"] for r in records] == sorted((r["loss"] for r in records), reverse=True)
    qtbot.waitUntil(lambda: gallery.pending_thumbnails == 0, timeout=10_000)

    # Clicking a mistake opens the image with its Grad-CAM overlay.
    rect = gallery.visualItemRect(first)
    with qtbot.waitSignal(gallery.sampleActivated, timeout=5_000):
        qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.cam_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.peak is not None, timeout=30_000)
    assert dialog.findChild(QLabel, "camImage").pixmap().width() > 100
    x, y = dialog.peak
    assert 0 <= x <= 1 and 0 <= y <= 1
    dialog.show_cam.setChecked(False)  # toggle back to the plain image
    assert not dialog.findChild(QLabel, "camImage").pixmap().isNull()
    dialog.close()

    # Row-normalised toggle and test split.
    page.normalize_check.setChecked(True)
    combo.setCurrentIndex(1)
    assert page.current_report().split == "test"
    assert f"{100 * result.reports['test'].accuracy:.1f}" in label.text()
    assert page.per_class_table.rowCount() == 2


def test_bundle_then_evaluate_on_dataset(qtbot, run, tmp_path):
    from PySide6.QtWidgets import QPushButton

    from tlgui.engine.checkpoint import bundle_from_result, load_bundle, save_bundle
    from tlgui.gui.pages.results import ResultsPage

    scan, result = run
    path = tmp_path / "m.pt"
    save_bundle(bundle_from_result(result), path)

    page = ResultsPage()
    qtbot.addWidget(page)
    page.set_bundle(load_bundle(path))
    button = page.findChild(QPushButton, "resultsEvaluateButton")
    assert not button.isEnabled()  # no dataset yet
    assert page.gallery.count() == 0
    assert page.per_class_table.rowCount() == 2  # saved metrics shown at once
    page.set_dataset(scan)
    assert button.isEnabled()
    with qtbot.waitSignal(page.evaluationFinished, timeout=60_000) as sig:
        button.click()
    assert sig.args == [True]
    wrong = [s for s in result.reports["val"].samples if s["pred"] != s["true"]]
    assert page.gallery.count() == len(wrong)
    assert page.current_report().accuracy == pytest.approx(result.reports["val"].accuracy)
    assert "TTA" not in page.accuracy_label.text()  # evaluated without test-time augmentation


def test_tta_choice_is_remembered(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QCheckBox

    from tlgui.gui.pages.results import ResultsPage

    def page_with(settings_file: Path) -> ResultsPage:
        page = ResultsPage()
        qtbot.addWidget(page)
        page.restore_settings(QSettings(str(settings_file), QSettings.Format.IniFormat))
        return page

    ini = tmp_path / "tlgui.ini"
    page = page_with(ini)
    check = page.findChild(QCheckBox, "resultsTtaCheck")
    assert not check.isChecked()  # off until chosen: it doubles the evaluation time
    assert "mirror" in check.toolTip() and "twice" in check.toolTip()
    check.setChecked(True)
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    page.save_settings(settings)
    settings.sync()
    assert page_with(ini).tta_check.isChecked()


def test_results_module_does_not_import_torch():
    import subprocess

    code = (
        "import sys; import tlgui.gui.pages.results, tlgui.gui.widgets.lr_finder; "
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2]).returncode == 0
    )
