"""Run folders and "Resume" in the GUI: every run keeps a resume checkpoint; a stopped run
continues from the GUI and ends with the same history as a run that was never stopped; a bad
run folder gives a one-line error and the window stays usable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tlgui.engine.runs import RunFolder

EPOCHS = 3


@pytest.fixture
def runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private runs location, so each test sees only its own run folders."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(folder))
    return folder


def _quick(window, epochs: int) -> None:
    form = window.train_page.form
    form.epochsSpin.setValue(epochs)
    form.batchSizeSpin.setValue(4)  # several batches per epoch: the shuffle order matters
    form.patienceSpin.setValue(0)
    window.augment_page.apply_preset("none")  # frozen features cached: seconds per run


def _previews_idle(window) -> bool:
    """The augmentation preview re-seeds torch's global RNG while it renders on a pool thread
    (engine ``augment.preview``); a run that starts meanwhile draws different numbers, so the
    runs compared here start only once the preview is done."""
    a = window.augment_page
    return (
        a._sample is not None and not a._rendering and not a._pending and not a.debounce.isActive()
    )


def _train(window, qtbot) -> dict:
    qtbot.waitUntil(lambda: _previews_idle(window), timeout=30_000)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert window.train_page.start()
    return blocker.args[0]


def _history(meta: dict) -> list[tuple]:
    return [
        (h["epoch"], h["train_loss"], h["train_acc"], h["val_loss"], h["val_acc"], tuple(h["lr"]))
        for h in meta["history"]
    ]


def _error_box(window, qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=30_000)
    box = window.findChild(QMessageBox, "errorBox")
    assert box.isVisible() and box.text() and "\n" not in box.text()
    return box


def test_stopped_run_resumes_to_the_uninterrupted_history(
    window, tiny_dataset: Path, qtbot, runs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tlgui.gui.training import EngineBridge
    from tlgui.gui.widgets.run_picker import unfinished_runs

    window.load_dataset(tiny_dataset)
    _quick(window, EPOCHS)
    t = window.train_page

    # (a) An uninterrupted run: its run folder holds last.pt and says "finished".
    summary = _train(window, qtbot)
    assert summary["cancelled"] is False
    full_dir = Path(window.training.run_dir)
    assert full_dir.parent == runs_dir and (full_dir / "last.pt").is_file()
    assert str(full_dir) in t.runFolderLabel.text()
    full = RunFolder.open(full_dir).meta()
    assert full["status"] == "finished" and full["out"] is None
    assert len(full["history"]) == EPOCHS
    assert full["data"] == os.path.abspath(tiny_dataset)
    saved = tiny_dataset.parent / "full.pt"
    assert window.save_model(str(saved))
    assert RunFolder.open(full_dir).meta()["out"] == str(saved)

    # (b) The same run stopped right after epoch 1 (on the training thread: deterministic).
    original = EngineBridge.on_epoch_end

    def stop_after_first(self, event) -> None:
        original(self, event)
        if event.epoch == 1 and not self.resume:
            self.cancel_token.cancel()

    monkeypatch.setattr(EngineBridge, "on_epoch_end", stop_after_first)
    assert _train(window, qtbot)["cancelled"] is True
    part_dir = Path(window.training.run_dir)
    assert part_dir != full_dir
    part = RunFolder.open(part_dir).meta()
    assert part["status"] == "cancelled" and len(part["history"]) == 1
    assert [r.path for r in unfinished_runs()] == [str(part_dir)]

    # Other settings in the controls meanwhile: resuming restores the run's own.
    t.form.epochsSpin.setValue(7)
    t.form.batchSizeSpin.setValue(16)
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert window.resume_run(str(part_dir))
    assert blocker.args[0]["cancelled"] is False and "error" not in blocker.args[0]
    assert t.form.epochsSpin.value() == EPOCHS and t.form.batchSizeSpin.value() == 4
    assert window.training.run_dir == str(part_dir)
    resumed = RunFolder.open(part_dir).meta()
    assert resumed["status"] == "finished"
    # The replayed epoch is shown first, then the new ones: the whole run.
    assert t.epochTable.rowCount() == EPOCHS and t.curvesCanvas.point_count() == EPOCHS
    got, want = _history(resumed), _history(full)
    assert [h[0] for h in got] == [h[0] for h in want] == [1, 2, 3]
    for g, w in zip(got, want, strict=True):
        assert g[1:5] == pytest.approx(w[1:5], abs=1e-5)
        assert g[5] == pytest.approx(w[5], rel=1e-6)
    assert [e.val_acc for e in window.fit_result.history] == pytest.approx(
        [h[4] for h in want], abs=1e-6
    )
    assert unfinished_runs() == []
    assert window.train_page.startTrainingButton.isEnabled()
    assert window.resumeRunAction.isEnabled() and t.resumeButton.isEnabled()


def test_bad_run_folders_give_one_line_errors(
    window, tmp_path: Path, tiny_dataset: Path, qtbot, runs_dir: Path
) -> None:
    from tlgui.engine.config import TrainConfig

    empty = tmp_path / "not-a-run"
    empty.mkdir()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "run.json").write_text('{"format": "tlgui-run", "conf')
    garbage_state = RunFolder.create(tmp_path / "garbage-state")
    garbage_state.start(TrainConfig(), tiny_dataset, None)
    garbage_state.finish("cancelled")
    garbage_state.last_path.write_bytes(b"\x80\x02 not a checkpoint")
    gone = RunFolder.create(tmp_path / "gone")
    gone.start(TrainConfig(), tmp_path / "deleted-data", 0.2)
    gone.last_path.write_bytes(b"never read")

    cases = [
        (empty, "not a tlgui run folder"),
        (damaged, "damaged run file"),
        (gone.path, "dataset folder of this run is gone"),
        (garbage_state.path, "last.pt"),
    ]
    for folder, expected in cases:
        window.resume_run(str(folder))
        box = _error_box(window, qtbot)
        assert expected in box.text(), box.text()
        box.done(0)
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is None)
        assert not window.training.is_running()
        assert window.resumeRunAction.isEnabled()
        assert window.train_page.resumeButton.isEnabled()
    # The resume check reads run.json only; the unusable last.pt fails the resumed run when
    # the engine loads it, and the run folder says so.
    meta = json.loads((garbage_state.path / "run.json").read_text())
    assert meta["status"] == "failed" and "last.pt" in meta["error"]
    # The window is still usable: a dataset loads and the Train page is ready.
    assert window.load_dataset(tiny_dataset) is not None
    assert window.train_page.startTrainingButton.isEnabled()


def test_picker_lists_unfinished_runs_newest_first(qtbot, tmp_path: Path, runs_dir: Path) -> None:
    from tlgui.engine.config import TrainConfig
    from tlgui.gui.widgets.run_picker import RunPickerDialog, latest_interrupted

    def make(name: str, status: str, epoch: int, mtime: int, state: bool = True) -> Path:
        run = RunFolder.create(runs_dir / name)
        run.start(TrainConfig(epochs=5), tmp_path / name, 0.2)
        run.write_meta(status=status, epoch=epoch)
        if state:
            run.last_path.write_bytes(b"state")
        os.utime(run.meta_path, (mtime, mtime))
        return run.path

    old = make("old", "failed", 2, 1_000)
    make("done", "finished", 5, 2_000)
    make("no-epoch", "cancelled", 0, 3_000, state=False)
    new = make("new", "running", 3, 4_000)
    (runs_dir / "junk").mkdir()
    (runs_dir / "junk" / "run.json").write_text("not json")

    dialog = RunPickerDialog()
    qtbot.addWidget(dialog)
    assert [r.path for r in dialog.runs] == [str(new), str(old)]
    table = dialog.runTable
    assert table.rowCount() == 2
    assert table.item(0, 1).text() == "new" and table.item(0, 3).text() == "3/5"
    assert table.item(1, 2).text() == "efficientnet_lite0"
    table.selectRow(1)
    dialog.accept()
    assert dialog.selected_path == str(old)
    assert latest_interrupted().path == str(new)

    os.utime(runs_dir / "done" / "run.json", (5_000, 5_000))
    assert latest_interrupted() is None  # the newest run finished: nothing to offer


def test_start_up_mentions_a_run_left_running(qtbot, tmp_path: Path, runs_dir: Path) -> None:
    from tlgui.engine.config import TrainConfig
    from tlgui.gui.main_window import MainWindow

    run = RunFolder.create(runs_dir / "killed")
    run.start(TrainConfig(epochs=4), tmp_path / "bees", 0.2)
    run.write_meta(epoch=1)
    run.last_path.write_bytes(b"state")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: "Resume Run" in w.statusBar().currentMessage(), timeout=10_000)
    assert "bees" in w.statusBar().currentMessage()
    assert "1/4" in w.statusBar().currentMessage()
