"""The LR range test: a finite suggestion inside the scanned range, stop on divergence, and
nothing the caller holds is changed."""

from __future__ import annotations

import math

import pytest
import torch

from tests.helpers import make_dataset
from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.lr_finder import find_lr, suggest_lr
from tlgui.engine.model import build_model
from tlgui.engine.train.step import Forward, TrainStep
from tlgui.engine.trainer import CancelToken, TrainConfig


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    root = make_dataset(
        tmp_path_factory.mktemp("lr") / "data", n_train=8, n_val=2, classes=("red", "blue", "green")
    )
    return scan_dataset(root)


class Recorder:
    def __init__(self) -> None:
        self.events = []

    def on_batch_end(self, e) -> None:
        self.events.append(e)


def test_range_test_suggests_a_finite_lr_in_range(scan):
    rec = Recorder()
    cfg = TrainConfig(batch_size=8, workers=0, augment={"enabled": False})
    result = find_lr(scan, cfg, [rec], num_iter=60, start_lr=1e-6, end_lr=10)
    assert 2 <= len(result.lrs) == len(result.losses) <= 60
    assert all(b > a for a, b in zip(result.lrs, result.lrs[1:], strict=False))
    assert result.lrs[0] == pytest.approx(1e-6)
    assert all(math.isfinite(v) for v in result.losses)
    assert math.isfinite(result.suggested_lr)
    assert 1e-6 <= result.suggested_lr <= 10
    # LR 10 on a linear head with AdamW blows the loss up: the test stops before the end.
    assert result.diverged and len(result.lrs) < 60
    lr_events = [e for e in rec.events if e.phase == "lr_find"]
    assert [e.batch for e in lr_events] == list(range(1, len(lr_events) + 1))
    assert result.to_json().keys() == {"suggested_lr", "lrs", "losses"}


def test_given_model_is_copied_not_changed(scan):
    cfg = TrainConfig(batch_size=8, workers=0, augment={"enabled": False})
    trained = build_model(cfg.backbone, len(scan.classes), cfg.weights)
    trained.freeze_backbone(True)
    trained.head[1].weight.grad = torch.ones_like(trained.head[1].weight)  # a leftover grad
    before = {k: v.clone() for k, v in trained.state_dict().items()}
    flags = [p.requires_grad for p in trained.parameters()]
    training = trained.training
    grads = [None if p.grad is None else p.grad.clone() for p in trained.parameters()]
    result = find_lr(scan, cfg, model=trained, num_iter=20)
    assert len(result.lrs) >= 2
    assert all(torch.equal(before[k], v) for k, v in trained.state_dict().items())
    assert [p.requires_grad for p in trained.parameters()] == flags
    assert trained.training == training
    for g, p in zip(grads, trained.parameters(), strict=True):
        assert (g is None and p.grad is None) or torch.equal(g, p.grad)


def test_cancel_returns_partial_result(scan):
    token = CancelToken()

    class CancelAt5:
        def on_batch_end(self, e) -> None:
            if e.phase == "lr_find" and e.batch == 5:
                token.cancel()

    cfg = TrainConfig(batch_size=8, workers=0, augment={"enabled": False})
    result = find_lr(scan, cfg, [CancelAt5()], token, num_iter=50)
    assert result.cancelled and len(result.lrs) == 5


def test_suggestion_is_the_steepest_descent_before_the_minimum():
    lrs = [10 ** (-6 + i * 0.25) for i in range(25)]
    # Flat, then a steep fall between 1e-3 and 1e-2, minimum at 1e-1, then up.
    losses = [2.0 - 1.5 / (1 + math.exp(-(math.log10(lr) + 2.5) * 4)) for lr in lrs]
    losses = [
        v if lr <= 0.1 else v + (math.log10(lr) + 1) for v, lr in zip(losses, lrs, strict=True)
    ]
    s = suggest_lr(lrs, losses)
    assert 10**-3 <= s <= 10**-2
    assert suggest_lr([1e-3, 1e-2], [1.0, 0.5]) == pytest.approx(1e-3)  # too short: min / 10


def test_bad_range_is_refused(scan):
    with pytest.raises(ValueError):
        find_lr(scan, TrainConfig(), start_lr=1.0, end_lr=0.1)


@pytest.mark.parametrize(
    ("mode", "augmentation", "path"),
    [
        ("transfer", "none", Forward.FEATURES),
        ("staged", "default", Forward.FOLDED),
        ("finetune", "none", Forward.WHOLE),
    ],
)
def test_the_range_test_trains_through_the_loops_step(scan, monkeypatch, mode, augmentation, path):
    """Every range-test batch is one call of the training loop's TrainStep, on the path
    training takes in that mode (cached features; the BatchNorm-folded frozen backbone; the
    whole model), at the learning rate the range test set for it."""
    calls: list[tuple[Forward, float]] = []
    real = TrainStep.__call__

    def spy(self, model, x, y, kind):
        calls.append((kind, self.optimizer.param_groups[-1]["lr"]))
        return real(self, model, x, y, kind)

    monkeypatch.setattr(TrainStep, "__call__", spy)
    cfg = TrainConfig(batch_size=4, workers=0, mode=mode, augment=preset(augmentation).to_dict())
    result = find_lr(scan, cfg, num_iter=4, start_lr=1e-5, end_lr=1e-2)
    assert [kind for kind, _lr in calls] == [path] * len(result.raw_losses) == [path] * 4
    assert result.lrs == pytest.approx([lr for _kind, lr in calls][: len(result.lrs)])
    assert result.lrs[0] == pytest.approx(1e-5) and result.lrs[-1] == pytest.approx(1e-2)
