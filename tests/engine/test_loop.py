"""The loop's parts: the resume file is the sum of their states, in the long-standing keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from tests.helpers import make_dataset
from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.train.callbacks import LoopCallback
from tlgui.engine.train.loop import FitLoop
from tlgui.engine.trainer import TrainConfig

# What last.pt has always held (run folders written by earlier versions resume with these).
RESUME_KEYS = {
    "epoch",
    "finished",
    "stopped_early",
    "model",
    "optimizer",
    "scheduler",
    "scaler",
    "best_diff",
    "best_key",
    "best_epoch",
    "best_acc",
    "bad_epochs",
    "history",
    "rng",
    "config",
    "classes",
    "data",
    "val_fraction",
    "n_train",
    "world_size",
}
CFG = TrainConfig(
    backbone="efficientnet_lite0",
    weights="imagenet",
    batch_size=4,
    workers=0,
    mode="staged",
    freeze_epochs=1,
    epochs=2,
    patience=0,
    augment=preset("none").to_dict(),
)


def test_the_resume_file_is_the_sum_of_the_parts_states(tmp_path: Path) -> None:
    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=3, n_val=2))
    loop = FitLoop(scan, CFG, run_dir=tmp_path / "run")
    loop.run()
    saved = torch.load(tmp_path / "run" / "last.pt", map_location="cpu", weights_only=True)
    assert set(saved) - {"format", "format_version"} == RESUME_KEYS
    parts = [loop.step.state_dict()] + [part.state_dict() for part in loop.callbacks]
    owned = [key for part in parts for key in part]
    assert len(owned) == len(set(owned))  # each key has one owner
    loop_keys = {"epoch", "finished", "model", "history"}
    run_keys = {"rng", "config", "classes", "data", "val_fraction", "n_train", "world_size"}
    assert set(owned) | loop_keys | run_keys == RESUME_KEYS
    assert saved["epoch"] == 2 and saved["finished"] and len(saved["history"]) == 2
    assert saved["scheduler"]["last_epoch"] > 0  # the unfrozen phase's scheduler


def test_parts_see_the_loop_in_order(tmp_path: Path) -> None:
    """A part added to the loop hears every hook once per occasion, in the loop's order."""
    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=2, n_val=1))
    heard: list[str] = []

    class Listen(LoopCallback):
        def on_fit_start(self, loop) -> None:
            heard.append("fit_start")

        def on_epoch_start(self, loop, epoch) -> None:
            heard.append(f"epoch_start {epoch}")

        def on_train_batch_end(self, loop, batch, loss) -> None:
            heard.append(f"batch {batch}")

        def on_validation_end(self, loop, epoch, report) -> None:
            heard.append(f"validated {epoch} best={loop.state.epoch_is_best}")

        def on_epoch_end(self, loop, event) -> None:
            heard.append(f"epoch_end {event.epoch}")

        def on_train_end(self, loop) -> None:
            heard.append("train_end")

        def on_fit_end(self, loop) -> None:
            heard.append("fit_end")

    loop = FitLoop(scan, replace(CFG, mode="transfer"))
    loop.callbacks.append(Listen())
    result = loop.run()
    assert heard == [
        "fit_start",
        "epoch_start 1",
        "batch 1",
        "validated 1 best=True",
        "epoch_end 1",
        "epoch_start 2",
        "batch 1",
        f"validated 2 best={result.best_epoch == 2}",
        "epoch_end 2",
        "train_end",
        "fit_end",
    ]
    assert result.summary() == {
        "best_epoch": result.best_epoch,
        "best_val_acc": result.best_val_acc,
        "stopped_early": False,
        "cancelled": False,
    }
