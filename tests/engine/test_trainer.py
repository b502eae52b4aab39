"""The fit loop, driven with a recording callback and no Qt."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from tlgui.engine.augment import preset
from tlgui.engine.backbones import get_info
from tlgui.engine.data import scan_dataset
from tlgui.engine.events import Callback, EpochEnd
from tlgui.engine.model import build_model, param_groups
from tlgui.engine.train import evaluate_model
from tlgui.engine.trainer import CancelToken, TrainConfig, Trainer, fit

FAST = dict(
    backbone="efficientnet_lite0",
    weights="imagenet",
    batch_size=8,
    workers=0,
    augment=preset("none").to_dict(),
)


class Recorder(Callback):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def __getattribute__(self, name: str):
        if name.startswith("on_"):
            return lambda event: self.calls.append((name, event))
        return super().__getattribute__(name)

    def of(self, hook: str) -> list:
        return [e for h, e in self.calls if h == hook]


def test_transfer_run_learns_and_reports_through_hooks(tiny_dataset: Path) -> None:
    rec = Recorder()
    scan = scan_dataset(tiny_dataset)
    result = fit(scan, TrainConfig(epochs=3, lr_head=3e-3, **FAST), [rec])
    hooks = [h for h, _ in rec.calls if h != "on_batch_end"]
    # on_backend: once, when the first epoch's feature pass builds the frozen forward.
    first = ["on_epoch_start", "on_backend", "on_epoch_end"]
    later = ["on_epoch_start", "on_epoch_end"] * 2
    assert hooks == ["on_fit_start", *first, *later, "on_fit_end"]
    (backend,) = rec.of("on_backend")
    assert backend.requested == "auto" and backend.backend in ("torch", "onnxruntime")
    start = rec.of("on_fit_start")[0]
    assert start.n_train == 16 and start.n_val == 8 and start.cached_features
    epochs = rec.of("on_epoch_end")
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert all(isinstance(v, float) for e in epochs for v in (e.train_loss, e.val_acc))
    phases = {e.phase for e in rec.of("on_batch_end")}
    assert phases == {"features", "train", "val"}
    assert result.best_val_acc == max(e.val_acc for e in epochs) >= 0.75
    val = result.reports["val"]
    assert val.n == 8 and sum(map(sum, val.confusion_matrix)) == 8
    assert set(val.per_class) == {"blue", "red"} and len(val.samples) == 8
    end = rec.of("on_fit_end")[0]
    assert end.best_epoch == result.best_epoch and not end.cancelled


def test_transfer_freezes_backbone_and_its_batchnorm(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    trainer = Trainer(scan, TrainConfig(epochs=1, cache_features=False, **FAST))
    result = trainer.fit()
    fresh = build_model("efficientnet_lite0", 2, "imagenet")
    trained = result.model.backbone.state_dict()
    for k, v in fresh.backbone.state_dict().items():
        assert torch.equal(v, trained[k]), k  # weights and BN running stats untouched
    result.model.freeze_backbone(True)
    result.model.train()
    assert not any(m.training for m in result.model.backbone.modules())
    assert result.model.head.training


def test_finetune_uses_two_learning_rates(tiny_dataset: Path) -> None:
    model = build_model("efficientnet_lite0", 2, "none")
    model.freeze_backbone(False)
    groups = param_groups(model, lr_head=1e-3, lr_backbone=1e-5, weight_decay=0.01)
    assert {g["name"]: g["lr"] for g in groups} == {"backbone": 1e-5, "head": 1e-3}
    rec = Recorder()
    cfg = TrainConfig(
        epochs=1, mode="finetune", lr_head=1e-3, lr_backbone=1e-5, scheduler="none", **FAST
    )
    fit(scan_dataset(tiny_dataset), cfg, [rec])
    assert rec.of("on_epoch_end")[0].lr == (1e-5, 1e-3)
    assert not rec.of("on_fit_start")[0].cached_features


def test_staged_unfreezes_after_the_frozen_epochs(tiny_dataset: Path) -> None:
    rec = Recorder()
    cfg = TrainConfig(
        epochs=2, mode="staged", freeze_epochs=1, scheduler="none", lr_head=1e-3, **FAST
    )
    fit(scan_dataset(tiny_dataset), cfg, [rec])
    starts = rec.of("on_epoch_start")
    assert [s.frozen for s in starts] == [True, False]
    lrs = [e.lr for e in rec.of("on_epoch_end")]
    assert lrs[0] == (1e-3,) and lrs[1] == (1e-4, 5e-4)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize("scheduler", ["none", "step", "cosine", "onecycle"])
def test_optimizers_and_schedulers_run(tiny_dataset: Path, optimizer: str, scheduler: str) -> None:
    cfg = TrainConfig(
        epochs=2,
        optimizer=optimizer,
        scheduler=scheduler,
        label_smoothing=0.1,
        class_weighted=True,
        **FAST,
    )
    result = fit(scan_dataset(tiny_dataset), cfg)
    assert len(result.history) == 2
    assert all(math.isfinite(e.train_loss) for e in result.history)


def test_same_seed_same_metrics_and_cache_matches_plain_path(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    cfg = TrainConfig(epochs=2, seed=7, **FAST)

    def metrics(history: list[EpochEnd]) -> list[tuple]:
        return [(e.train_loss, e.train_acc, e.val_loss, e.val_acc, e.lr) for e in history]

    a = fit(scan, cfg).history
    b = fit(scan, cfg).history
    plain = fit(scan, TrainConfig(epochs=2, seed=7, cache_features=False, **FAST)).history
    assert metrics(a) == metrics(b)
    for x, y in zip(a, plain, strict=True):
        assert x.train_loss == pytest.approx(y.train_loss, abs=1e-4)
        assert x.val_loss == pytest.approx(y.val_loss, abs=1e-4)
        assert (x.train_acc, x.val_acc) == (y.train_acc, y.val_acc)


def test_early_stopping_restores_the_best_weights(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    seen: dict[int, dict] = {}

    class Snap(Callback):
        def __init__(self, trainer_box: list) -> None:
            self.box = trainer_box

        def on_epoch_end(self, e: EpochEnd) -> None:
            seen[e.epoch] = {"val_loss": e.val_loss}

    # A huge LR makes later epochs worse than the first; monitor val loss, patience 1.
    cfg = TrainConfig(
        epochs=6,
        lr_head=5.0,
        optimizer="sgd",
        scheduler="none",
        patience=1,
        monitor="val_loss",
        label_smoothing=0.0,
        **FAST,
    )
    result = fit(scan, cfg, [Snap([])])
    best = min(seen, key=lambda k: seen[k]["val_loss"])
    assert result.best_epoch == best
    if result.stopped_early:
        assert len(result.history) < 6
    # The engine's one evaluation (as `tlgui evaluate` and the GUI run it) measures the restored
    # weights exactly as the run measured the best epoch.
    info = get_info(cfg.backbone)
    report = evaluate_model(
        result.model,
        result.classes,
        scan,
        "val",
        input_size=info.input_size,
        mean=info.mean,
        std=info.std,
        device=cfg.device,
    )
    assert report.loss == pytest.approx(seen[best]["val_loss"], rel=1e-4)


def test_cancel_takes_effect_within_one_batch(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    token = CancelToken()
    batches: list = []

    class Stopper(Callback):
        def on_batch_end(self, e) -> None:
            batches.append(e)
            if e.phase == "train" and e.epoch == 2:
                token.cancel()

    cfg = TrainConfig(epochs=5, cache_features=False, **FAST)
    result = fit(scan, cfg, [Stopper()], token)
    assert result.cancelled and len(result.history) == 1
    after = [b for b in batches if b.epoch == 2 and b.phase == "train"]
    assert len(after) == 1  # the batch during which cancel was asked was the last one
    assert result.best_epoch == 1


def test_file_unreadable_during_training_is_skipped(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    victim = scan.splits["train"][0].path
    Path(victim).write_bytes(b"garbage now")
    gone = scan.splits["train"][1].path
    Path(gone).unlink()
    rec = Recorder()
    result = fit(scan, TrainConfig(epochs=1, **FAST), [rec])
    reasons = {s.path: s.reason for s in rec.of("on_skipped")}
    assert set(reasons) == {victim, gone}
    assert "no longer exists" in reasons[gone]
    assert len(result.history) == 1


def test_augmented_transfer_uses_cached_val_only(tiny_dataset: Path) -> None:
    rec = Recorder()
    cfg = TrainConfig(epochs=2, **{**FAST, "augment": preset("default").to_dict()})
    fit(scan_dataset(tiny_dataset), cfg, [rec])
    features = [e for e in rec.of("on_batch_end") if e.phase == "features"]
    assert {e.epoch for e in features} == {1}  # computed once (val), reused in epoch 2
