"""The Train step's form is built from the engine's field metadata (FIELDS): the same choices,
ranges, defaults and help as the CLI and TrainConfig.validate; a config, the settings and a
resumed run's values all go through the one field-to-control binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from tlgui.engine.config import FIELDS, TrainConfig
from tlgui.gui.pages.train_form import WEIGHTS_FILE, TrainForm

SHOWN = {
    "backbone",
    "weights",
    "mode",
    "epochs",
    "batch_size",
    "lr_head",
    "lr_backbone",
    "optimizer",
    "scheduler",
    "patience",
    "class_weighted",
    "freeze_epochs",
    "device",
}


@pytest.fixture
def form(qtbot) -> TrainForm:
    widget = TrainForm()
    qtbot.addWidget(widget)
    return widget


def test_controls_match_the_field_metadata(form: TrainForm) -> None:
    assert set(form.fields) == SHOWN
    for name, binding in form.fields.items():
        spec, widget = FIELDS[name], binding.widget
        if isinstance(widget, QComboBox):
            listed = [widget.itemData(i) for i in range(widget.count())]
            if name == "weights":
                assert listed == ["imagenet", "none", WEIGHTS_FILE]
            else:
                assert listed == list(spec.choices), name
        if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            assert (widget.minimum(), widget.maximum()) == (spec.minimum, spec.maximum), name
        if name != "mode":
            assert widget.toolTip() == spec.help, name
    assert list(form.modeRadios) == list(FIELDS["mode"].choices)
    # The form starts at the engine's defaults, and what it produces validates.
    assert form.config_dict() == {name: FIELDS[name].default for name in SHOWN}
    TrainConfig.from_dict(form.config_dict()).validate()


def test_a_config_round_trips_and_bad_values_are_left_out(form: TrainForm) -> None:
    config = {
        "backbone": "mobilenet_v3_large",
        "weights": "none",
        "mode": "staged",
        "epochs": 12,
        "batch_size": 16,
        "lr_head": 2e-3,
        "lr_backbone": 5e-5,
        "optimizer": "sgd",
        "scheduler": "onecycle",
        "patience": 0,
        "class_weighted": True,
        "freeze_epochs": 3,
        "device": "cpu",
    }
    form.apply_config({**config, "seed": 7, "augment": {"enabled": False}})
    assert form.config_dict() == config
    assert form.backboneLrSpin.isEnabled() and form.freezeEpochsSpin.isEnabled()
    form.apply_config(
        {
            "epochs": 0,
            "optimizer": "rmsprop",
            "backbone": "vgg",
            "lr_head": "x",
            "class_weighted": "yes",
            "mode": "both",
        }
    )
    assert form.config_dict() == config
    form.apply_config({"weights": "/models/start.pth"})  # a weights file is listed once
    form.apply_config({"weights": "/models/start.pth"})
    combo = form.weightsCombo
    assert combo.currentData() == "/models/start.pth"
    assert [combo.itemData(i) for i in range(combo.count())].count("/models/start.pth") == 1


def test_settings_round_trip_through_an_ini_file(qtbot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = TrainForm()
    qtbot.addWidget(first)
    first.apply_config(
        {
            "epochs": 33,
            "lr_head": 4e-4,
            "class_weighted": True,
            "mode": "finetune",
            "scheduler": "step",
            "weights": "/gone/weights.pth",
        }
    )
    first.save_settings(settings)
    settings.sync()
    again = TrainForm()
    qtbot.addWidget(again)
    again.restore_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    expected = {**first.config_dict(), "weights": "imagenet"}  # a weights file may be gone
    assert again.config_dict() == expected
