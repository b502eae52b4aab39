"""File ▸ Export ▸ Model… (enabled while there is a model) and the About box's contents."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QMenu, QMessageBox

from tlgui.gui.dialogs import about_text
from tlgui.gui.export_model import export_current_model


def _tiny_handle():
    import torch

    from tlgui.engine.predict import Predictor
    from tlgui.gui.pages.predict_jobs import ModelHandle

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    )  # fmt: skip
    mean, std = [0.5] * 3, [0.25] * 3
    predictor = Predictor(model, ["blue", "red"], 32, mean, std, inference_backend="torch")
    return ModelHandle(predictor, ["blue", "red"], "tiny", 32, mean, std, "a test")


def test_export_menu_exports_the_opened_model(window, qtbot, bundle_path: Path, tmp_path) -> None:
    action = window.actionExportModel
    menu = window.findChild(QMenu, "exportMenu")
    assert menu is not None and action in menu.actions()
    assert not action.isEnabled()  # no model yet
    assert export_current_model(window, "onnx", str(tmp_path / "none.onnx")) is None
    assert window.findChild(QMessageBox, "errorBox") is not None
    assert window.open_model(str(bundle_path))
    assert action.isEnabled()

    # The export itself on a tiny stand-in model (milliseconds; tests/cli/test_cli_export.py
    # exports a real efficientnet_lite0 bundle): what the Predict step uses is what is exported.
    window.predict_page.set_model(_tiny_handle())
    out = tmp_path / "colours.onnx"
    job = export_current_model(window, "onnx", str(out))
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=120_000):
        pass
    assert action.isEnabled()
    meta = json.loads(Path(str(out) + ".json").read_text())
    assert meta["classes"] == ["blue", "red"] and out.is_file()
    assert "verified with onnxruntime" in window.statusBar().currentMessage()
    assert window.stateLabel.text() == "Exported colours.onnx"


def test_about_shows_versions_device_and_licence() -> None:
    text = about_text("CPU (2 threads)")
    for part in ("tlgui ", "Python ", "torch ", "torchvision ", "onnxruntime ", "PySide6 "):
        assert part in text
    assert "not installed" not in text
    assert "Device: CPU (2 threads)" in text and "Licence: MIT" in text
