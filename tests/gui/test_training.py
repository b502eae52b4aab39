"""Real training runs through the training controller's own thread: finish, stop mid-run,
close mid-run, and a failure that must leave the app usable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

DONE_KEYS = {"best_epoch", "best_val_acc", "stopped_early", "checkpoint", "cancelled"}


def _quick(window, epochs: int) -> None:
    form = window.train_page.form
    form.epochsSpin.setValue(epochs)
    form.batchSizeSpin.setValue(8)
    form.patienceSpin.setValue(0)
    window.augment_page.apply_preset("none")  # frozen features are cached: seconds per run


def test_two_epoch_run_fills_table_and_curves(window, tiny_dataset: Path, qtbot) -> None:
    window.load_dataset(tiny_dataset)
    _quick(window, 2)
    t = window.train_page
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        t.startTrainingButton.click()
        assert not t.startTrainingButton.isEnabled()
        assert t.stopTrainingButton.isEnabled()
    summary = blocker.args[0]
    assert DONE_KEYS <= set(summary)
    assert summary["cancelled"] is False and summary["checkpoint"] is None
    assert summary["best_epoch"] in (1, 2)
    assert 0.0 <= summary["best_val_acc"] <= 1.0
    assert t.epochTable.rowCount() == 2
    assert [t.epochTable.item(r, 0).text() for r in range(2)] == ["1", "2"]
    assert t.curvesCanvas.point_count() == 2
    assert t.curvesCanvas.series["val_acc"][summary["best_epoch"] - 1] == pytest.approx(
        summary["best_val_acc"], abs=1e-9
    )
    assert len(t.curvesCanvas.series["train_loss"]) == 2
    # The smoothed per-batch loss: at least every epoch's last training batch, placed within
    # the epochs run.
    positions = t.curvesCanvas.series["batch_position"]
    assert len(positions) >= 2 and 0 < positions.min() and positions.max() == 2.0
    assert not t.runFolderLabel.isHidden()
    assert window.training.run_dir in t.runFolderLabel.text()
    assert t.startTrainingButton.isEnabled() and not t.stopTrainingButton.isEnabled()
    assert t.trainProgress.value() == t.trainProgress.maximum()
    assert window.actionSaveModel.isEnabled() and window.unsaved
    # The model just trained is ready on the Predict step.
    assert window.predict_page.handle is not None
    out = tiny_dataset.parent / "trained.pt"
    assert window.save_model(str(out)) and out.is_file() and not window.unsaved


def test_stop_mid_run_is_cooperative(window, tiny_dataset: Path, qtbot) -> None:
    window.load_dataset(tiny_dataset)
    _quick(window, 200)
    t = window.train_page
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        t.start()
        qtbot.waitUntil(lambda: t.epochTable.rowCount() >= 1, timeout=60_000)
        t.stopTrainingButton.click()
        assert window.training.state == "stopping"
        assert not t.stopTrainingButton.isEnabled() and not t.startTrainingButton.isEnabled()
    assert blocker.args[0]["cancelled"] is True
    assert t.epochTable.rowCount() < 200
    assert t.startTrainingButton.isEnabled()
    assert window.training.state == "idle" and not window.training.is_running()


def test_stop_before_the_first_epoch_is_a_cancel_not_a_failure(
    window, tiny_dataset: Path, qtbot
) -> None:
    window.load_dataset(tiny_dataset)
    _quick(window, 3)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert window.train_page.start()
        window.training.stop()
    summary = blocker.args[0]
    assert summary["cancelled"] is True and "error" not in summary
    assert window.findChild(QMessageBox, "errorBox") is None
    assert window.train_page.startTrainingButton.isEnabled()


def _window_training(qtbot, data: Path):
    """A shown main window on ``data`` with a long (200-epoch) run just started."""
    from tlgui.gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.load_dataset(data)
    _quick(w, 200)
    w.train_page.start()
    return w


def test_close_during_training_stops_cleanly(qtbot, tiny_dataset: Path, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    w = _window_training(qtbot, tiny_dataset)
    qtbot.waitUntil(
        lambda: w.train_page.trainProgress.value() > 0 or w.train_page.epochTable.rowCount() > 0,
        timeout=60_000,
    )
    assert w.training.is_running()
    assert w.close()
    assert len(asked) == 1 and "Stop training" in asked[0]
    assert not w.training.is_running() and w.training.state == "idle"


def test_closing_during_training_can_be_refused(
    window, tiny_dataset: Path, qtbot, monkeypatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.load_dataset(tiny_dataset)
    _quick(window, 200)
    window.train_page.start()
    assert not window.close()
    assert window.training.is_running()
    with qtbot.waitSignal(window.trainingFinished, timeout=60_000):
        window.actionStopTraining.trigger()


def test_failure_shows_one_line_and_app_stays_usable(window, tiny_dataset: Path, qtbot) -> None:
    bad = tiny_dataset.parent / "garbage.pth"
    bad.write_bytes(b"this is not a state dict")
    window.load_dataset(tiny_dataset)
    _quick(window, 1)
    t = window.train_page
    t.form.apply_config({"weights": str(bad)})
    assert t.form.weightsCombo.currentData() == str(bad)
    with qtbot.waitSignal(window.trainingFinished, timeout=60_000) as blocker:
        t.start()
    assert "not a usable state-dict file" in blocker.args[0]["error"]
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible()
    assert "\n" not in box.text()
    assert t.startTrainingButton.isEnabled()
    box.close()
    t.form.weightsCombo.setCurrentIndex(0)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert t.start()
    assert blocker.args[0]["cancelled"] is False and "error" not in blocker.args[0]


def test_bridge_throttles_batch_events_but_keeps_phase_ends_and_epochs(qapp) -> None:
    from tlgui.engine.events import BatchEnd, EpochEnd
    from tlgui.gui.jobs import JobControl
    from tlgui.gui.training import EngineBridge

    seen = []
    bridge = EngineBridge(JobControl(seen.append), resume=False)
    for b in range(1, 501):  # 500 batches within a few milliseconds
        bridge.on_batch_end(BatchEnd(1, "train", b, 500, 0.5, 0.0))
    assert 1 <= len(seen) <= 3
    assert seen[-1].batch == 500  # the end of a phase is always shown
    epoch = EpochEnd(1, 2, 0.5, 0.8, 0.4, 0.9, (1e-3,), 1.0, True)
    bridge.on_epoch_end(epoch)
    assert seen[-1] is epoch  # right after a phase end: not throttled


def test_unattended_close_mid_run_stops_without_a_dialog(qtbot, tiny_dataset: Path) -> None:
    """Offscreen nobody can answer a question: closing still ends the run cleanly."""
    w = _window_training(qtbot, tiny_dataset)
    qtbot.waitUntil(lambda: w.train_page.epochTable.rowCount() > 0, timeout=60_000)
    assert w.close()
    assert not w.training.is_running()
