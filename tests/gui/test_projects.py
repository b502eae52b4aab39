"""File ▸ Save Project… / Open Project… / Recent projects: the window's set-up saved and shown
again, a moved dataset asked for, a damaged file in one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tlgui.engine.augment import preset
from tlgui.engine.project import Project, save_project
from tlgui.gui.projects import RECENT_KEY, open_project
from tlgui.gui.settings import read_list


def _error_text(window, qtbot) -> str:
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None)
    text = window.findChild(QMessageBox, "errorBox").text()
    assert text and "\n" not in text
    return text


def test_save_and_open_a_project(
    window, qtbot, tiny_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.load_dataset(tiny_dataset) is not None
    form = window.train_page.form
    form.fields["backbone"].set_value("resnet18")
    form.modeRadios["finetune"].setChecked(True)
    form.epochsSpin.setValue(7)
    form.fields["lr_head"].set_value(0.01)
    window.augment_page.apply_preset("light")
    light = window.augment_page.spec().to_dict()  # as the page shows it (2 decimals)
    window.data_page.set_val_split(0.3)

    target = tmp_path / "flowers"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.findChild(QAction, "actionSaveProject").trigger()
    path = tmp_path / "flowers.tlgui.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["data"] == os.path.abspath(tiny_dataset) and saved["val_split"] == 0.3
    assert saved["augment"] == light
    config = saved["config"]
    assert (config["backbone"], config["mode"], config["epochs"]) == ("resnet18", "finetune", 7)
    assert config["lr_head"] == pytest.approx(0.01)
    assert read_list(window.settings, RECENT_KEY) == [str(path)]

    # Change everything, then open the project again through the menu.
    form.fields["backbone"].set_value("efficientnet_lite0")
    form.modeRadios["transfer"].setChecked(True)
    form.epochsSpin.setValue(2)
    window.augment_page.apply_preset("none")
    window.data_page.set_val_split(0.2)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.findChild(QAction, "actionOpenProject").trigger()
    shown = window.train_page.form.config_dict()
    assert (shown["backbone"], shown["mode"], shown["epochs"]) == ("resnet18", "finetune", 7)
    assert window.augment_page.spec().to_dict() == light
    assert window.data_page.valSplitSpin.value() == pytest.approx(0.3)
    assert window.data_page.scan.root == str(tiny_dataset)


def test_a_moved_dataset_is_asked_for(
    window, qtbot, tiny_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "moved.tlgui.json"
    save_project(path, Project(data=str(tmp_path / "gone" / "colours"), config={"epochs": 4},
                               augment=preset("none").to_dict()))
    asked: list[str] = []

    def choose(_parent, _title, start, *args, **kwargs):
        asked.append(start)
        return str(tiny_dataset)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose)
    assert open_project(window, str(path))
    assert asked == [str(tmp_path)]  # starts where the old folder's nearest parent still is
    assert window.data_page.scan.root == str(tiny_dataset)
    assert window.train_page.form.epochsSpin.value() == 4
    assert "moved" in window.statusBar().currentMessage()

    # Not found again: the settings are shown, the dataset is left alone, one line says so.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    window.train_page.form.epochsSpin.setValue(9)
    assert not open_project(window, str(path))
    assert "colours" in _error_text(window, qtbot)
    assert window.train_page.form.epochsSpin.value() == 4
    assert window.data_page.scan.root == str(tiny_dataset)


def test_a_damaged_project_changes_nothing(window, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "broken.tlgui.json"
    path.write_text('{"format": "tlgui-project", "format_version": 1, "data": ', "utf-8")
    window.train_page.form.epochsSpin.setValue(5)
    assert not open_project(window, str(path))
    assert "damaged project file" in _error_text(window, qtbot)
    assert window.train_page.form.epochsSpin.value() == 5
    assert read_list(window.settings, RECENT_KEY) == []
