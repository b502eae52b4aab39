"""View ▸ Runs…: the list of past runs, a run's curves and settings, two runs compared,
resume and delete from it, and the retention applied after a run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton, QTableWidget

from tlgui.engine.config import TrainConfig
from tlgui.engine.runs import RunFolder


@pytest.fixture
def runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "runs"
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(folder))
    return folder


# What the controller reports for a run stopped before its first epoch ended.
STOPPED = {"best_epoch": 0, "best_val_acc": 0.0, "stopped_early": False, "cancelled": True,
           "checkpoint": None}


def _epoch(e: int, val_acc: float, best: bool) -> dict:
    return {"epoch": e, "epochs": 3, "train_loss": 1.0 / e, "train_acc": 0.5 + e / 10,
            "val_loss": 1.2 / e, "val_acc": val_acc, "lr": [1e-4, 1e-3], "seconds": 1.0,
            "is_best": best}


def make_run(root: Path, name: str, status: str, epochs: int, mtime: int, *,
             mode: str = "transfer", state: bool = False) -> Path:
    run = RunFolder.create(root / name)
    run.start(TrainConfig(epochs=3, mode=mode, backbone="resnet18"), root / f"data-{name}", 0.2)
    history = [_epoch(e, 0.6 + e / 10, True) for e in range(1, epochs + 1)]
    if history:
        run.record_epoch(epoch=epochs, history=history, classes=["a", "b"], best_epoch=epochs,
                         best_val_acc=history[-1]["val_acc"])
    run.write_meta(status=status)
    if state:
        run.last_path.write_bytes(b"state")
    os.utime(run.meta_path, (mtime, mtime))
    return run.path


def _open(window, qtbot):
    from tlgui.gui.runs_view import RunsDialog

    window.findChild(QAction, "actionShowRuns").trigger()
    dialog = window.findChild(RunsDialog, "runsView")
    assert dialog is not None and dialog.isVisible()
    return dialog


def _select(table: QTableWidget, *rows: int) -> None:
    table.clearSelection()
    for row in rows:
        table.selectionModel().select(
            table.model().index(row, 0),
            table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
        )


def test_runs_view_lists_shows_and_compares_runs(window, qtbot, runs_dir: Path) -> None:
    make_run(runs_dir, "old", "finished", 3, 1_000, mode="finetune")
    make_run(runs_dir, "new", "cancelled", 2, 2_000, state=True)
    dialog = _open(window, qtbot)
    table = dialog.findChild(QTableWidget, "runsTable")
    assert table.rowCount() == 2
    cells = [table.item(0, c).text() for c in range(table.columnCount())]
    assert cells[1:] == ["data-new", "resnet18", "Transfer", "2/3", "80.0%", "stopped"]
    assert table.item(1, 3).text() == "Fine-tune" and table.item(1, 6).text() == "finished"

    # The newest run is selected and shown: its curves and its settings.
    assert dialog.runsCurves.point_count() == 2
    settings = dialog.findChild(QTableWidget, "runsSettingsTable")
    shown = {settings.item(r, 0).text(): settings.item(r, 1).text()
             for r in range(settings.rowCount())}
    assert shown["backbone"] == "resnet18" and shown["epochs"] == "3"
    assert shown["Dataset"].endswith("data-new")
    assert dialog.findChild(QPushButton, "runsResumeButton").isEnabled()
    compare = dialog.findChild(QPushButton, "runsCompareButton")
    assert not compare.isEnabled()

    _select(table, 0, 1)
    assert compare.isEnabled()
    compare.click()
    curves = dialog.runsCurves
    assert curves.point_count() == 2  # the first run, solid
    assert len(curves.overlays) == 4  # the second: train/val loss and accuracy, dashed
    assert list(curves.overlays[0][1].getData()[0]) == [1.0, 2.0, 3.0]
    assert "run B (" in dialog.runsCompareLabel.text()
    assert "data-old" in dialog.runsCompareLabel.text()
    _select(table, 1)
    assert curves.overlays == [] and curves.point_count() == 3


def test_resume_and_delete_from_the_runs_view(
    window, qtbot, runs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = make_run(runs_dir, "done", "finished", 3, 1_000)
    stopped = make_run(runs_dir, "stopped", "cancelled", 1, 2_000, state=True)
    dialog = _open(window, qtbot)
    table, resume = dialog.runsTable, dialog.runsResumeButton
    _select(table, 1)
    assert not resume.isEnabled()  # a finished run cannot be continued

    resumed: list[str] = []
    monkeypatch.setattr(window, "resume_run", lambda path: resumed.append(path) or True)
    _select(table, 0)
    resume.click()
    assert resumed == [str(stopped)] and not dialog.isVisible()

    dialog = _open(window, qtbot)
    asked: list[str] = []

    def answer(reply):
        def question(_parent, _title, text, *_args):
            asked.append(text)
            return reply
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    _select(dialog.runsTable, 0, 1)
    assert dialog.delete_selected() == [] and done.exists() and stopped.exists()
    # The run this window is training is refused, without asking.
    monkeypatch.setattr(window.training, "is_running", lambda: True)
    monkeypatch.setattr(window.training, "run_dir", str(stopped))
    _select(dialog.runsTable, 0)
    assert dialog.delete_selected() == [] and len(asked) == 1
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None)
    monkeypatch.setattr(window.training, "is_running", lambda: False)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    _select(dialog.runsTable, 0, 1)
    assert dialog.delete_selected() == [str(stopped), str(done)]
    assert not done.exists() and not stopped.exists()
    assert dialog.runsTable.rowCount() == 0 and "2 run" in asked[-1]


def test_finished_runs_beyond_the_retention_are_pruned_after_a_run(
    window, qtbot, runs_dir: Path
) -> None:
    from tlgui.gui.preference_store import RUN_RETENTION_KEY

    old = [make_run(runs_dir, f"done{i}", "finished", 1, 1_000 + i) for i in range(3)]
    stopped = make_run(runs_dir, "stopped", "cancelled", 1, 500, state=True)
    window.settings.setValue(RUN_RETENTION_KEY, 0)
    window.training.runFinished.emit(None, STOPPED)
    qtbot.wait(200)
    assert all(p.exists() for p in old)  # 0 keeps every run

    window.settings.setValue(RUN_RETENTION_KEY, 2)
    window.training.runFinished.emit(None, STOPPED)
    qtbot.waitUntil(lambda: not old[0].exists(), timeout=10_000)
    assert old[1].exists() and old[2].exists() and stopped.exists()
