"""Run folders, resume after an interruption, cancel keeping the best weights, and OOM."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from torch import nn

from tlgui.engine.augment import preset
from tlgui.engine.checkpoint import bundle_from_result, load_bundle, save_bundle
from tlgui.engine.data import scan_dataset
from tlgui.engine.events import Callback
from tlgui.engine.runs import RunError, RunFolder, runs_root
from tlgui.engine.trainer import CancelToken, TrainConfig, TrainingError, fit

FAST = dict(backbone="efficientnet_lite0", weights="imagenet", batch_size=4, workers=0)


class Recorder(Callback):
    """Records every hook call; optionally cancels at a chosen point."""

    def __init__(self, cancel: CancelToken | None = None, after_epoch: int | None = None,
                 at_batch: tuple[int, str] | None = None) -> None:
        self.calls: list[tuple[str, object]] = []
        self.cancel, self.after_epoch, self.at_batch = cancel, after_epoch, at_batch

    def _record(self, hook: str, event: object) -> None:
        self.calls.append((hook, event))

    def on_fit_start(self, e) -> None: self._record("on_fit_start", e)
    def on_epoch_start(self, e) -> None: self._record("on_epoch_start", e)
    def on_skipped(self, e) -> None: self._record("on_skipped", e)
    def on_fit_end(self, e) -> None: self._record("on_fit_end", e)
    def on_exception(self, e) -> None: self._record("on_exception", e)

    def on_epoch_end(self, e) -> None:
        self._record("on_epoch_end", e)
        if self.cancel is not None and e.epoch == self.after_epoch:
            self.cancel.cancel()

    def on_batch_end(self, e) -> None:
        self._record("on_batch_end", e)
        if self.cancel is not None and self.at_batch == (e.epoch, e.phase) and e.batch == 1:
            self.cancel.cancel()

    def of(self, hook: str) -> list:
        return [e for h, e in self.calls if h == hook]


def numbers(history) -> list[float]:
    """Everything an epoch reports except its wall time, flattened for ``approx``."""
    return [v for e in history for v in (e.epoch, e.train_loss, e.train_acc, e.val_loss,
                                         e.val_acc, *e.lr, float(e.is_best))]


def make_scan(root: Path, n_train: int, n_val: int):
    from tests.helpers import make_dataset

    return scan_dataset(make_dataset(root, n_train=n_train, n_val=n_val))


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    return make_scan(tmp_path_factory.mktemp("resume") / "data", 6, 3)


CFG = TrainConfig(epochs=3, patience=0, augment=preset("none").to_dict(), **FAST)


@pytest.fixture(scope="module")
def runs(scan, tmp_path_factory) -> dict:
    """One uninterrupted 3-epoch run and one cancelled after epoch 1 (kept pristine: tests
    resume copies of it)."""
    base = tmp_path_factory.mktemp("runs")
    whole = fit(scan, CFG, run_dir=base / "whole")
    cancel = CancelToken()
    cut = fit(scan, CFG, [Recorder(cancel, after_epoch=1)], cancel, run_dir=base / "cut")
    return {"whole": whole, "whole_dir": base / "whole", "cut": cut, "cut_dir": base / "cut"}


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_last_checkpoint_holds_plain_data_only(runs, scan) -> None:
    assert runs["cut"].cancelled and len(runs["cut"].history) == 1
    state = torch.load(runs["cut_dir"] / "last.pt", map_location="cpu", weights_only=True)
    assert state["epoch"] == 1 and not state["finished"] and len(state["history"]) == 1
    assert {"model", "optimizer", "scheduler", "rng", "best_epoch", "best_key", "bad_epochs",
            "best_diff", "config", "classes", "data", "val_fraction"} <= set(state)
    assert set(state["rng"]) >= {"torch", "python", "numpy"}
    assert state["optimizer"]["state"] and state["scheduler"]["last_epoch"] > 0
    assert state["config"] == CFG.to_dict() and state["classes"] == ["blue", "red"]
    assert Path(state["data"]) == Path(scan.root)
    meta = RunFolder.open(runs["cut_dir"]).meta()
    assert meta["config"] == CFG.to_dict() and meta["status"] == "cancelled"
    assert RunFolder.open(runs["whole_dir"]).meta()["status"] == "finished"


def test_resumed_run_ends_with_the_same_history(runs, scan, tmp_path: Path) -> None:
    run_dir = copy_run(runs["cut_dir"], tmp_path / "cut")
    rec = Recorder()
    resumed = fit(scan, CFG, [rec], run_dir=run_dir, resume=True)
    whole = runs["whole"]
    assert numbers(resumed.history) == pytest.approx(numbers(whole.history), rel=1e-6)
    assert resumed.best_epoch == whole.best_epoch and not resumed.cancelled
    for k, v in whole.model.state_dict().items():
        assert torch.allclose(v.float(), resumed.model.state_dict()[k].float(), atol=1e-6), k
    # The saved epoch is replayed for listeners; only the remaining epochs run.
    assert [e.epoch for e in rec.of("on_epoch_end")] == [1, 2, 3]
    assert [e.epoch for e in rec.of("on_epoch_start")] == [2, 3]
    meta = RunFolder.open(run_dir).meta()
    assert meta["status"] == "finished" and len(meta["history"]) == 3


def test_staged_run_resumes_across_the_unfreeze_with_augmentation(tmp_path: Path) -> None:
    """Augmentation and dropout draw random numbers and the optimizer is rebuilt when the
    backbone unfreezes: the RNG states and the phase must all come back."""
    scan = make_scan(tmp_path / "data", 2, 1)
    cfg = TrainConfig(epochs=2, mode="staged", freeze_epochs=1, patience=0,
                      augment=preset("default").to_dict(), **FAST)
    whole = fit(scan, cfg)
    cancel = CancelToken()
    fit(scan, cfg, [Recorder(cancel, after_epoch=1)], cancel, run_dir=tmp_path / "run")
    resumed = fit(scan, cfg, run_dir=tmp_path / "run", resume=True)
    assert numbers(resumed.history) == pytest.approx(numbers(whole.history), rel=1e-5)


def test_resuming_a_finished_run_runs_no_more_epochs(runs, scan, tmp_path: Path) -> None:
    run_dir = copy_run(runs["whole_dir"], tmp_path / "whole")
    rec = Recorder()
    again = fit(scan, CFG, [rec], run_dir=run_dir, resume=True)
    assert rec.of("on_epoch_start") == []
    assert numbers(again.history) == numbers(runs["whole"].history)
    assert again.reports["val"].n == len(scan.splits["val"])


def test_resume_refuses_other_settings_or_classes(runs, scan, tmp_path: Path) -> None:
    run_dir = copy_run(runs["cut_dir"], tmp_path / "cut")
    with pytest.raises(TrainingError, match="settings differ.*lr_head"):
        fit(scan, TrainConfig(**{**CFG.to_dict(), "lr_head": 0.5}), run_dir=run_dir,
            resume=True)
    other = scan_dataset(scan.root)
    other.classes = ["blue", "green"]
    with pytest.raises(TrainingError, match="classes changed"):
        fit(other, CFG, run_dir=run_dir, resume=True)
    with pytest.raises(TrainingError, match="no finished epoch"):
        fit(scan, CFG, run_dir=tmp_path / "empty", resume=True)


def test_run_folders(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "runs"))
    assert runs_root() == tmp_path / "runs"
    a, b = RunFolder.create(), RunFolder.create()
    assert a.path != b.path and a.path.parent == b.path.parent == tmp_path / "runs"
    a.start({}, "x", 0.2)
    with pytest.raises(RunError, match="already holds a run"):
        RunFolder.create(a.path)
    with pytest.raises(RunError, match="not a tlgui run folder"):
        RunFolder.open(tmp_path / "nowhere")
    (b.path / "run.json").write_text('{"format": "tlgui-run", "format_version": 99, '
                                     '"config": {}}')
    with pytest.raises(RunError, match="newer tlgui"):
        RunFolder.open(b.path)
    monkeypatch.delenv("TLGUI_RUNS_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if runs_root().is_relative_to(tmp_path):  # Linux-style data folder
        assert runs_root() == tmp_path / "xdg" / "tlgui" / "runs"


def test_cancel_within_one_batch_keeps_the_best_weights(scan, tmp_path: Path) -> None:
    one = fit(scan, TrainConfig(**{**CFG.to_dict(), "epochs": 1, "scheduler": "none"}))
    cancel = CancelToken()
    rec = Recorder(cancel, at_batch=(2, "train"))
    result = fit(scan, TrainConfig(**{**CFG.to_dict(), "scheduler": "none"}), [rec], cancel)
    assert result.cancelled and len(result.history) == 1 and result.best_epoch == 1
    # Nothing ran after the batch in which cancel was asked for.
    batches = [e for e in rec.of("on_batch_end") if e.epoch == 2]
    assert [(e.phase, e.batch) for e in batches] == [("train", 1)]
    # The model returned is the epoch-1 model (the best so far), not the half-trained one.
    for k, v in one.model.state_dict().items():
        assert torch.allclose(v.float(), result.model.state_dict()[k].float(), atol=1e-6), k
    save_bundle(bundle_from_result(result), tmp_path / "kept.pt")
    assert load_bundle(tmp_path / "kept.pt").history[0]["epoch"] == 1


@pytest.mark.parametrize("error", [
    torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB"),
])
def test_out_of_memory_stops_with_advice(scan, tmp_path: Path, monkeypatch, error) -> None:
    def oom(self, x):
        raise error

    monkeypatch.setattr(nn.Linear, "forward", oom)
    rec = Recorder()
    with pytest.raises(TrainingError) as err:
        fit(scan, TrainConfig(epochs=2, **FAST), [rec], run_dir=tmp_path / "run")
    message = str(err.value)
    assert "out of memory" in message and "smaller batch size" in message
    assert "input size" in message and "\n" not in message
    (event,) = rec.of("on_exception")
    assert event.kind == "memory" and event.message == message
    assert RunFolder.open(tmp_path / "run").meta()["status"] == "failed"


def test_cli_reports_out_of_memory_in_one_line(scan, tmp_path: Path, monkeypatch,
                                               capsys) -> None:
    from tlgui.cli import main

    def oom(self, x):
        raise torch.OutOfMemoryError("CUDA out of memory.")

    monkeypatch.setattr(nn.Linear, "forward", oom)
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "runs"))
    code = main(["train", scan.root, "--out", str(tmp_path / "m.pt"), "--epochs", "1",
                 "--batch-size", "4", "--workers", "0", "--no-augment", "--jsonl"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "smaller batch size" in err
    assert not (tmp_path / "m.pt").exists()
