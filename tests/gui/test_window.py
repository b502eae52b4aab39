"""The main window driven on tiny generated data: dataset table, augmentation preview,
settings and drag-and-drop of a folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QListWidget, QTableWidget, QWidget

from tests.gui.conftest import drop_paths
from tests.helpers import make_dataset


def test_contract_object_names_exist(window) -> None:
    names = [
        "dataFolderEdit",
        "browseDataButton",
        "classTable",
        "skippedList",
        "augmentPreview",
        "reshuffleButton",
        "augmentPresetCombo",
        "backboneCombo",
        "weightsCombo",
        "modeTransferRadio",
        "modeFinetuneRadio",
        "modeStagedRadio",
        "headLrSpin",
        "backboneLrSpin",
        "epochsSpin",
        "batchSizeSpin",
        "patienceSpin",
        "startTrainingButton",
        "stopTrainingButton",
        "trainProgress",
        "epochTable",
        "curvesCanvas",
        "predictDropZone",
        "predictionTable",
    ]
    missing = [n for n in names if window.findChild(QWidget, n) is None]
    assert missing == []
    for action in ("actionOpenDataset", "actionOpenModel", "actionSaveModel"):
        assert getattr(window, action).objectName() == action
    assert window.augment_page.preview.property("tileCount") == 0


def test_load_dataset_fills_class_table_and_skipped_list(window, tiny_dataset: Path, qtbot) -> None:
    (tiny_dataset / "train" / "red" / "broken.jpg").write_bytes(b"not a picture at all")
    scan = window.load_dataset(tiny_dataset)
    assert scan is not None and scan.classes == ["blue", "red"]
    table = window.findChild(QTableWidget, "classTable")
    assert table.rowCount() == 2
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[1:3] == ["train", "val"]
    assert [table.item(r, 0).text() for r in range(2)] == ["blue", "red"]
    assert [table.item(r, 1).text() for r in range(2)] == ["8", "8"]
    assert [table.item(r, 2).text() for r in range(2)] == ["4", "4"]
    skipped = window.findChild(QListWidget, "skippedList")
    assert skipped.count() == 1
    assert "broken.jpg" in skipped.item(0).text()
    assert "not an image" in skipped.item(0).text()
    qtbot.waitUntil(lambda: window.data_page.thumbnail_count() == 16, timeout=20_000)
    assert window.train_page.startTrainingButton.isEnabled()


def test_flat_folder_shows_the_validation_share(window, flat_dataset: Path) -> None:
    scan = window.load_dataset(flat_dataset)
    assert scan.val_fraction == 0.2
    assert "20%" in window.data_page.summaryLabel.text()


def test_unusable_folder_reports_one_line(window, tmp_path: Path) -> None:
    (tmp_path / "only").mkdir()
    assert window.load_dataset(tmp_path) is None
    assert "need at least two class folders" in window.data_page.summaryLabel.text()


def test_imbalance_warning_offers_class_weights(window, tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "imb", n_train=2, n_val=1)
    from tests.helpers import make_image

    for i in range(8):
        make_image(root / "train" / "red" / f"extra_{i}.jpg", (200, 40, 40), seed=100 + i)
    window.load_dataset(root)
    assert window.data_page.warningFrame.isVisibleTo(window)
    assert "5.0×" in window.data_page.warningLabel.text()
    window.data_page.weightButton.click()
    assert window.train_page.form.classWeightCheck.isChecked()
    assert window.stack.currentWidget() is window.train_page


def test_preview_shows_tiles_and_changes_with_a_control(window, tiny_dataset: Path, qtbot) -> None:
    window.load_dataset(tiny_dataset)
    grid = window.augment_page.preview
    qtbot.waitUntil(lambda: grid.property("tileCount") >= 8, timeout=30_000)
    before = [t.copy() for t in grid.tiles()]
    generation = grid.generation
    window.augment_page.spins["rotation"].setValue(90.0)  # a control change, debounced
    qtbot.waitUntil(lambda: grid.generation > generation, timeout=30_000)
    assert grid.property("tileCount") >= 8
    assert [t for t in grid.tiles()] != before

    generation = grid.generation
    before = [t.copy() for t in grid.tiles()]
    window.augment_page.reshuffleButton.click()
    qtbot.waitUntil(lambda: grid.generation > generation, timeout=30_000)
    assert grid.tiles() != before
    assert window.augment_page.evalView.property("tileCount") == 1


def test_presets_drive_every_control(window) -> None:
    page = window.augment_page
    combo = page.presetCombo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "none",
        "light",
        "default",
        "strong",
    ]
    page.apply_preset("strong")
    spec = page.spec()
    assert spec.policy == "trivialaugment" and spec.erasing == 0.25 and spec.rotation == 15
    page.apply_preset("none")
    assert not page.spec().enabled
    assert not page.spins["hflip"].isEnabled()
    page.apply_preset("light")
    page.spins["blur"].setValue(0.5)
    assert page.presetState.text() == "(modified)"


def test_training_resolution_control_drives_the_spec(window) -> None:
    page = window.augment_page
    spin = page.spins["resolution"]
    assert spin.value() == 0.8 and spin.minimum() == 0.5 and spin.maximum() == 1.0
    spin.setValue(1.0)
    assert page.spec().resolution == 1.0 and page.presetState.text() == "(modified)"
    page.apply_preset("strong")
    assert spin.value() == 0.8 and page.spec().resolution == 0.8
    assert page.presetCombo.currentData() == "strong" and page.presetState.text() == ""


def test_backbone_lr_only_where_it_applies(window) -> None:
    t = window.train_page.form
    assert not t.backboneLrSpin.isEnabled()
    t.modeRadios["finetune"].setChecked(True)
    assert t.backboneLrSpin.isEnabled()
    t.modeRadios["staged"].setChecked(True)
    assert t.backboneLrSpin.isEnabled() and t.freezeEpochsSpin.isEnabled()
    t.modeRadios["transfer"].setChecked(True)
    assert not t.backboneLrSpin.isEnabled()


def test_hyper_parameters_and_recents_are_remembered(window, tiny_dataset: Path, qtbot) -> None:
    from tlgui.gui.main_window import MainWindow
    from tlgui.gui.settings import read_list

    window.load_dataset(tiny_dataset)
    t = window.train_page.form
    t.epochsSpin.setValue(7)
    t.headLrSpin.setValue(3e-3)
    t.modeRadios["staged"].setChecked(True)
    window.augment_page.apply_preset("strong")
    window.save_settings()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.train_page.form.epochsSpin.value() == 7
    assert abs(again.train_page.form.headLrSpin.value() - 3e-3) < 1e-12
    assert again.train_page.form.mode() == "staged"
    assert again.augment_page.spec().policy == "trivialaugment"
    assert read_list(again.settings, "recent/datasets")[0] == str(tiny_dataset)


def test_dropping_a_folder_on_the_window_loads_it(window, tiny_dataset: Path, qtbot) -> None:
    with qtbot.waitSignal(window.data_page.datasetLoaded, timeout=30_000):
        assert drop_paths(window, [tiny_dataset])
    assert window.data_page.classTable.rowCount() == 2


def test_lr_spin_box_steps_on_a_log_scale(window) -> None:
    spin = window.train_page.form.headLrSpin
    spin.setValue(1e-3)
    spin.stepBy(1)
    assert spin.value() == 2e-3
    spin.stepBy(-2)
    assert spin.value() == 5e-4
    assert spin.text() == "0.0005"
