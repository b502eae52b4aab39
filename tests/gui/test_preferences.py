"""Preferences: the inference backend is chosen in one place (File ▸ Preferences…), stored in
the settings, and used by training runs and predictions; the Train form does not show it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from tlgui.engine.config import FIELDS
from tlgui.gui.preference_store import INFERENCE_BACKEND_KEY, inference_backend
from tlgui.gui.preferences import PreferencesDialog
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


def test_every_preference_has_a_row_and_ok_stores_them_all(qtbot) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox

    from tlgui.gui import preference_store as prefs

    seen: list[list[str]] = []
    prefs.changes().changed.connect(seen.append)
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    language = dialog.findChild(QComboBox, "languageCombo")
    assert [language.itemData(i) for i in range(language.count())] == ["system", "en", "ja"]
    assert language.itemText(2) == "日本語"
    assert "next start" in dialog.findChild(QLabel, "languageNote").text()
    device = dialog.findChild(QComboBox, "defaultDeviceCombo")
    assert [device.itemData(i) for i in range(device.count())] == list(FIELDS["device"].choices)
    workers = dialog.findChild(QSpinBox, "workersSpin")
    cache = dialog.findChild(QSpinBox, "decodedCacheSpin")
    retention = dialog.findChild(QSpinBox, "runRetentionSpin")
    assert (workers.value(), cache.value(), retention.value()) == (-1, 256, 0)
    assert workers.minimum() == FIELDS["workers"].minimum and cache.minimum() == 0
    assert workers.text() == "Automatic" and retention.text() == "Keep all"
    assert dialog.findChild(QPushButton, "runsLocationBrowseButton") is not None
    location = dialog.findChild(QLineEdit, "runsLocationEdit")
    assert not location.isEnabled()  # the tests' TLGUI_RUNS_DIR decides
    assert location.text() == str(prefs.runs_location())

    language.setCurrentIndex(language.findData("ja"))
    device.setCurrentIndex(device.findData("cpu"))
    workers.setValue(3)
    cache.setValue(512)
    retention.setValue(20)
    dialog.accept()
    assert seen[-1] == [
        "language",
        "default_device",
        "loader_workers",
        "decoded_cache_mb",
        "run_retention",
    ]
    assert (prefs.language(), prefs.default_device()) == ("ja", "cpu")
    assert (prefs.loader_workers(), prefs.decoded_cache_mb(), prefs.run_retention()) == (
        3,
        512,
        20,
    )
    again = PreferencesDialog()  # shows what is stored
    qtbot.addWidget(again)
    assert again.findChild(QSpinBox, "workersSpin").value() == 3
    again.accept()
    assert len(seen) == 1  # nothing changed: no signal
    prefs.changes().changed.disconnect(seen.append)


def test_stored_values_that_are_not_allowed_read_as_the_defaults() -> None:
    from tlgui.gui import preference_store as prefs

    s = make_settings()
    for name, raw in {
        "language": "xx",
        "default_device": "tpu",
        "loader_workers": "many",
        "decoded_cache_mb": "-5",
        "run_retention": "-1",
    }.items():
        s.setValue(prefs.PREFERENCES[name].key, raw)
    assert prefs.language() == "system" and prefs.default_device() == "auto"
    assert (prefs.loader_workers(), prefs.decoded_cache_mb(), prefs.run_retention()) == (
        -1,
        256,
        0,
    )


def test_runs_location_the_environment_wins(tmp_path, monkeypatch, qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit

    from tlgui.engine.runs import runs_root
    from tlgui.gui import preference_store as prefs

    monkeypatch.delenv("TLGUI_RUNS_DIR")
    assert prefs.runs_location() == runs_root()  # the platform's data folder (platformdirs)
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    edit = dialog.findChild(QLineEdit, "runsLocationEdit")
    assert edit.isEnabled() and edit.placeholderText() == str(runs_root())
    edit.setText(str(tmp_path / "my runs"))
    dialog.accept()
    assert prefs.runs_location() == tmp_path / "my runs"
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "env"))
    assert prefs.runs_location() == tmp_path / "env"


def test_runs_start_with_the_preferences(window, tiny_dataset, tmp_path, monkeypatch) -> None:
    """Workers and the decoded cache go into every run's config, a new run's folder goes
    under the runs location, and the default device is where the Train form starts."""
    from tlgui.engine.runs import RunError
    from tlgui.gui import preference_store as prefs
    from tlgui.gui import training

    s = make_settings()
    s.setValue(prefs.PREFERENCES["loader_workers"].key, 0)
    s.setValue(prefs.PREFERENCES["decoded_cache_mb"].key, 64)
    config = window.train_page.config_dict()
    assert (config["workers"], config["decoded_cache_mb"]) == (0, 64)

    form = window.train_page.form
    assert form.config_dict()["device"] == "auto"
    s.setValue(prefs.PREFERENCES["default_device"].key, "cpu")
    window.train_page.restore_settings(s)  # as at the next start
    assert form.config_dict()["device"] == "cpu"
    form.fields["device"].set_value("auto")
    prefs.changes().changed.emit(["loader_workers"])  # another preference: the form keeps it
    assert form.config_dict()["device"] == "auto"
    prefs.changes().changed.emit(["default_device"])
    assert form.config_dict()["device"] == "cpu"

    roots = []

    def refuse(path=None, root=None):
        roots.append(root)
        raise RunError("no run folders in this test")

    monkeypatch.delenv("TLGUI_RUNS_DIR")
    s.setValue(prefs.PREFERENCES["runs_location"].key, str(tmp_path / "runs here"))
    monkeypatch.setattr(training.RunFolder, "create", staticmethod(refuse))
    window.load_dataset(tiny_dataset)
    assert window.train_page.start() is False
    assert roots == [tmp_path / "runs here"]


def test_an_opened_model_builds_its_onnxruntime_session_in_the_background(
    window, qtbot, bundle_path
) -> None:
    """So the first dropped picture already runs on the faster backend (forced here: ``auto``
    would also time it, which a test cannot rely on)."""
    make_settings().setValue(INFERENCE_BACKEND_KEY, "onnxruntime")
    assert window.open_model(str(bundle_path))
    qtbot.waitUntil(lambda: window.predict_page.handle is not None, timeout=30000)
    predictor = window.predict_page.handle.predictor
    qtbot.waitUntil(lambda: predictor.backend is not None, timeout=60000)
    assert predictor.backend.name == "onnxruntime"
