"""Preferences: the inference backend is chosen in one place (File ▸ Preferences…), stored in
the settings, and used by training runs and predictions; the Train form does not show it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from tlgui.engine.config import FIELDS
from tlgui.gui.preferences import INFERENCE_BACKEND_KEY, PreferencesDialog, inference_backend
from tlgui.gui.settings import make_settings


def test_preferences_store_the_backend_that_runs_and_predictions_use(window, qtbot) -> None:
    assert window.actionPreferences.objectName() == "actionPreferences"
    assert "inference_backend" not in window.train_page.form.fields
    assert inference_backend() == "auto"
    assert window.train_page.config_dict()["inference_backend"] == "auto"
    window.actionPreferences.trigger()
    dialog = window.findChild(PreferencesDialog)
    assert dialog is not None
    combo = dialog.findChild(QComboBox, "inferenceBackendCombo")
    assert [combo.itemData(i) for i in range(combo.count())] == list(
        FIELDS["inference_backend"].choices
    )
    assert combo.toolTip() == FIELDS["inference_backend"].help
    combo.setCurrentIndex(combo.findData("torch"))
    dialog.accept()
    assert make_settings().value(INFERENCE_BACKEND_KEY) == "torch"
    assert window.train_page.config_dict()["inference_backend"] == "torch"
    make_settings().setValue(INFERENCE_BACKEND_KEY, "no-such-backend")
    assert inference_backend() == "auto"


def test_a_loaded_model_predicts_with_the_chosen_backend(bundle_path) -> None:
    from tlgui.engine.checkpoint import load_bundle
    from tlgui.gui.pages.predict_jobs import handle_from_bundle

    make_settings().setValue(INFERENCE_BACKEND_KEY, "onnxruntime")
    handle = handle_from_bundle(load_bundle(bundle_path), "model.pt")
    assert handle.predictor.inference_backend == "onnxruntime"
