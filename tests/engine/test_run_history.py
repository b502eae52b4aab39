"""Run history on disk: ``metrics.csv`` beside ``run.json`` (Lightning's CSVLogger columns,
right across a resume), the run listing, and deleting runs (one, or pruning by retention)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tlgui.engine.augment import preset
from tlgui.engine.config import TrainConfig
from tlgui.engine.events import Callback
from tlgui.engine.runs import (
    METRICS_FILE,
    RunError,
    RunFolder,
    delete_run,
    list_runs,
    prune_runs,
    read_metrics,
)
from tlgui.engine.runs.csv_log import lr_column, metric_rows

# Transfer mode, features cached and the torch backend: a run costs about a second of CPU.
CFG = TrainConfig(
    epochs=2,
    patience=0,
    scheduler="none",
    augment=preset("none").to_dict(),
    backbone="efficientnet_lite0",
    weights="imagenet",
    batch_size=4,
    workers=0,
    inference_backend="torch",
)


class CancelAfterFirstEpoch(Callback):
    def __init__(self, token) -> None:
        self.token = token

    def on_epoch_end(self, event) -> None:
        self.token.cancel()


def test_metrics_csv_follows_the_history_across_a_resume(tmp_path: Path) -> None:
    from tests.helpers import make_dataset
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import CancelToken, fit

    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=3, n_val=1))
    run_dir = tmp_path / "run"
    token = CancelToken()
    fit(scan, CFG, [CancelAfterFirstEpoch(token)], token, run_dir=run_dir)
    assert [r["epoch"] for r in read_metrics(run_dir / METRICS_FILE)] == ["1"]

    fit(scan, CFG, run_dir=run_dir, resume=True)
    meta = RunFolder.open(run_dir).meta()
    assert meta["status"] == "finished" and len(meta["history"]) == 2
    with open(run_dir / METRICS_FILE, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr-AdamW/head"]
    rows = read_metrics(run_dir / METRICS_FILE)
    assert [r["epoch"] for r in rows] == ["1", "2"]  # the resumed epoch is not repeated
    for row, h in zip(rows, meta["history"], strict=True):
        for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
            assert float(row[key]) == h[key]
        assert float(row["lr-AdamW/head"]) == pytest.approx(CFG.lr_head)


def test_lr_columns_follow_the_optimizers_group_order() -> None:
    """An epoch's ``lr`` list is the engine's ``group_lrs``: the backbone's rate (while it
    trains) before the head's; the columns name them in that order."""
    import torch

    from tlgui.engine.model import build_model, group_lrs
    from tlgui.engine.train.optim import make_optimizer

    model = build_model("efficientnet_lite0", 2, "none")
    config = TrainConfig(lr_backbone=1e-4, lr_head=3e-3, optimizer="sgd")
    for frozen, names in ((False, ["lr-SGD/backbone", "lr-SGD/head"]), (True, ["lr-SGD/head"])):
        model.freeze_backbone(frozen)
        optimizer = make_optimizer(config, model, config.lr_head, torch.device("cpu"))
        epoch = {"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "val_loss": 1.0,
                 "val_acc": 0.5, "lr": group_lrs(optimizer)}
        header, rows = metric_rows([epoch], config.optimizer)
        assert header[5:] == names
        expected = [1e-4, 3e-3] if not frozen else [3e-3]
        assert [rows[0][n] for n in names] == pytest.approx(expected)


def test_metric_rows_name_each_optimizer_like_lightning() -> None:
    history = [
        {"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "val_loss": 0.9, "val_acc": 0.6,
         "lr": [0.01]},
        {"epoch": 2, "train_loss": 0.5, "train_acc": 0.8, "val_loss": 0.7, "val_acc": 0.7,
         "lr": [0.001, 0.005]},
    ]
    header, rows = metric_rows(history, "sgd")
    assert header[-2:] == ["lr-SGD/backbone", "lr-SGD/head"]
    assert rows[0]["lr-SGD/head"] == 0.01 and "lr-SGD/backbone" not in rows[0]
    assert rows[1] == {**{k: history[1][k] for k in header[:5]},
                       "lr-SGD/backbone": 0.001, "lr-SGD/head": 0.005}
    assert lr_column("adam", "head") == "lr-Adam/head"


@pytest.mark.slow
def test_lr_column_names_match_lightnings_learning_rate_monitor() -> None:
    """The names LearningRateMonitor gives an optimizer whose groups are named."""
    torch = pytest.importorskip("torch")
    lr_monitor = pytest.importorskip("lightning.pytorch.callbacks.lr_monitor")
    from collections import defaultdict

    for name, cls in (("sgd", torch.optim.SGD), ("adamw", torch.optim.AdamW)):
        groups = [
            {"params": [torch.nn.Parameter(torch.zeros(1))], "name": "backbone"},
            {"params": [torch.nn.Parameter(torch.zeros(1))], "name": "head"},
        ]
        monitor = lr_monitor.LearningRateMonitor()
        names, _ = monitor._find_names_from_optimizers([cls(groups, lr=0.1)], [], defaultdict(int))
        assert names == [[lr_column(name, "backbone"), lr_column(name, "head")]]


def _run(root: Path, name: str, status: str, mtime: int, state: bool = False) -> Path:
    run = RunFolder.create(root / name)
    run.start(TrainConfig(epochs=3, mode="finetune"), root / "data", 0.2)
    history = [{"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "val_loss": 0.8,
                "val_acc": 0.75, "lr": [1e-4, 1e-3], "seconds": 1.0, "is_best": True}]
    run.record_epoch(epoch=1, history=history, classes=["a", "b"], best_epoch=1,
                     best_val_acc=0.75)
    run.write_meta(status=status)
    if state:
        run.last_path.write_bytes(b"state")
    os.utime(run.meta_path, (mtime, mtime))
    return run.path


def test_listing_and_pruning_keep_what_can_still_be_used(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    finished = [_run(root, f"done{i}", "finished", 1_000 + i) for i in range(4)]
    stopped = _run(root, "stopped", "cancelled", 500, state=True)
    failed = _run(root, "failed", "failed", 400)
    killed = _run(root, "killed", "running", 300, state=True)
    (root / "junk").mkdir()
    (root / "junk" / "run.json").write_text("not json")
    (root / "notes").mkdir()
    (finished[0] / "my-model.pt").write_bytes(b"kept")  # the user's own file in a run folder

    runs = list_runs(root)
    assert [Path(r.path).name for r in runs] == [
        "done3", "done2", "done1", "done0", "stopped", "failed", "killed",
    ]
    assert runs[0].mode == "finetune" and runs[0].best_val_acc == 0.75
    assert runs[0].epochs_done == 1 and runs[0].epochs_total == 3
    assert [r.resumable for r in runs[-3:]] == [True, False, True]

    assert prune_runs(root, 0) == []  # 0 keeps everything
    assert prune_runs(root, 2) == [finished[1], finished[0]]
    assert finished[2].is_dir() and finished[3].is_dir()
    assert not finished[1].exists()
    assert sorted(p.name for p in finished[0].iterdir()) == ["my-model.pt"]
    for kept in (stopped, failed, killed, root / "junk", root / "notes"):
        assert kept.is_dir()
    assert prune_runs(root, 2) == []  # nothing more to do
    assert [Path(r.path).name for r in list_runs(root)] == [
        "done3", "done2", "stopped", "failed", "killed",
    ]


def test_delete_run_removes_the_run_files_and_reports_failures(tmp_path: Path) -> None:
    path = _run(tmp_path, "run", "cancelled", 1_000, state=True)
    assert sorted(p.name for p in path.iterdir()) == ["last.pt", "metrics.csv", "run.json"]
    (path / ".run.json.abc123.tmp").write_bytes(b"{")  # an interrupted atomic write
    assert delete_run(path) is True and not path.exists()
    with pytest.raises(RunError, match="cannot delete") as info:
        delete_run(tmp_path / "gone")
    assert "\n" not in str(info.value)


def test_metrics_csv_is_rewritten_not_appended(tmp_path: Path) -> None:
    path = _run(tmp_path, "run", "running", 1_000)
    run = RunFolder(path)
    meta = run.meta()
    run.record_epoch(epoch=1, history=meta["history"], classes=["a", "b"], best_epoch=1,
                     best_val_acc=0.75)  # the same epoch recorded again, as after a resume
    assert len(read_metrics(path / METRICS_FILE)) == 1
    assert json.loads(run.meta_path.read_text())["epoch"] == 1
