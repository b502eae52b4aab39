"""Real training runs through the real worker thread: finish, stop mid-run, close mid-run,
and a failure that must leave the app usable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

DONE_KEYS = {"best_epoch", "best_val_acc", "stopped_early", "checkpoint", "cancelled"}


def _quick(window, epochs: int) -> None:
    t = window.train_page
    t.epochsSpin.setValue(epochs)
    t.batchSizeSpin.setValue(8)
    t.patienceSpin.setValue(0)
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
        summary["best_val_acc"], abs=1e-9)
    assert len(t.curvesCanvas.lines["train_loss"].get_xdata()) == 2
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
        assert t.state == "stopping"
    assert blocker.args[0]["cancelled"] is True
    assert t.epochTable.rowCount() < 200
    assert t.startTrainingButton.isEnabled()
    assert t.thread is None


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
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    w = _window_training(qtbot, tiny_dataset)
    qtbot.waitUntil(lambda: w.train_page.trainProgress.value() > 0 or
                    w.train_page.epochTable.rowCount() > 0, timeout=60_000)
    thread = w.train_page.thread
    assert w.close()
    assert len(asked) == 1 and "Stop training" in asked[0]
    assert w.train_page.thread is None and not w.train_page.is_running()
    assert thread is not None


def test_closing_during_training_can_be_refused(window, tiny_dataset: Path, qtbot,
                                                monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.load_dataset(tiny_dataset)
    _quick(window, 200)
    window.train_page.start()
    assert not window.close()
    assert window.train_page.is_running()
    with qtbot.waitSignal(window.trainingFinished, timeout=60_000):
        window.actionStopTraining.trigger()


def test_failure_shows_one_line_and_app_stays_usable(window, tiny_dataset: Path,
                                                     qtbot) -> None:
    bad = tiny_dataset.parent / "garbage.pth"
    bad.write_bytes(b"this is not a state dict")
    window.load_dataset(tiny_dataset)
    _quick(window, 1)
    t = window.train_page
    t.weightsCombo.insertItem(2, str(bad), str(bad))
    t.weightsCombo.setCurrentIndex(2)
    with qtbot.waitSignal(window.trainingFinished, timeout=60_000) as blocker:
        t.start()
    assert "not a usable state-dict file" in blocker.args[0]["error"]
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible()
    assert "\n" not in box.text()
    assert t.startTrainingButton.isEnabled()
    box.close()
    t.weightsCombo.setCurrentIndex(0)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert t.start()
    assert blocker.args[0]["cancelled"] is False and "error" not in blocker.args[0]


def test_worker_throttles_batch_signals_but_keeps_phase_ends(qapp) -> None:
    from tlgui.engine.events import BatchEnd
    from tlgui.gui.worker import TrainWorker

    worker = TrainWorker(scan=None, config={})
    seen = []
    worker.batchEnded.connect(seen.append)  # direct: same thread
    for b in range(1, 501):  # 500 batches within a few milliseconds
        worker.on_batch_end(BatchEnd(1, "train", b, 500, 0.5, 0.0))
    assert 1 <= len(seen) <= 3
    assert seen[-1].batch == 500  # the end of a phase is always shown
    worker.cancel()
    assert worker._cancel_requested


def test_unattended_close_mid_run_stops_without_a_dialog(qtbot, tiny_dataset: Path) -> None:
    """Offscreen nobody can answer a question: closing still ends the run cleanly."""
    w = _window_training(qtbot, tiny_dataset)
    qtbot.waitUntil(lambda: w.train_page.epochTable.rowCount() > 0, timeout=60_000)
    assert w.close()
    assert w.train_page.thread is None and not w.train_page.is_running()
