"""Learning-rate range test (Smith 2015; fastai's ``lr_find``).

The head's learning rate grows exponentially from ``start_lr`` to ``end_lr`` over ``num_iter``
training batches (the train split cycled as often as needed); the loss is smoothed with a
bias-corrected exponential moving average and the test stops once it diverges (smoothed loss
above four times the lowest so far, or not finite).

**Suggestion: the steepest descent** of the smoothed loss against log(LR), looked for only
before the loss minimum. It does not depend on how far past the minimum the curve happened to
run, and on small datasets (few, noisy batches) the minimum sits right where training turns
unstable. When the curve is too short to have a slope (fewer than five points before the
minimum) the suggestion falls back to minimum / 10.

The test trains a *fresh* model built from the config (or a copy of ``model`` when one is
given), so nothing the caller holds is changed. It runs through the training loop's own batch
loop and step (:meth:`~tlgui.engine.train.loop.FitLoop.train_pass`,
:class:`~tlgui.engine.train.step.TrainStep`) with an :class:`LrRangeTest` callback that sets
the learning rate before each step and stops the loop, as Lightning's LR finder does: the
batches, precision, gradient scaling and frozen-backbone path (cached features, or the
BatchNorm-folded backbone) are training's.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from .config import TrainConfig
from .data import DatasetScan
from .events import BatchEnd, Callback
from .model import TransferModel
from .train.callbacks import LoopCallback
from .train.loop import FitLoop
from .train.optim import make_optimizer
from .train.runtime import Cancelled, CancelToken, EventBus, seed_everything

SMOOTHING = 0.98  # EMA factor for the loss (fastai's default)
DIVERGE_FACTOR = 4.0
PHASE = "lr_find"  # BatchEnd.phase of the range test's batches


@dataclass
class LrFindResult:
    """``lrs`` (head LR per batch) and their smoothed ``losses``; ``suggested_lr`` is NaN only
    when the test was cancelled before it had enough points."""

    lrs: list[float]
    losses: list[float]
    suggested_lr: float
    raw_losses: list[float] = field(default_factory=list)
    diverged: bool = False
    cancelled: bool = False

    def to_json(self) -> dict:
        return {
            "suggested_lr": self.suggested_lr,
            "lrs": list(self.lrs),
            "losses": list(self.losses),
        }


def suggest_lr(lrs: Sequence[float], losses: Sequence[float]) -> float:
    """Steepest descent of ``losses`` against log(lr) before their minimum (see module doc)."""
    if not lrs:
        return float("nan")
    finite = [i for i, v in enumerate(losses) if math.isfinite(v)]
    if not finite:
        return float("nan")
    i_min = min(finite, key=lambda i: losses[i])
    if i_min < 4:
        return float(lrs[i_min]) / 10
    # Skip the first points: the EMA's bias correction still dominates there.
    start = min(i_min - 3, max(1, len(lrs) // 10))
    best, best_slope = i_min, math.inf
    for i in range(start, i_min):
        slope = (losses[i + 1] - losses[i - 1]) / (math.log(lrs[i + 1]) - math.log(lrs[i - 1]))
        if slope < best_slope:
            best, best_slope = i, slope
    return float(lrs[best])


class LrRangeTest(LoopCallback):
    """The range test as a loop callback: before each training step it sets the learning
    rates (every group keeps its ratio to the head's), after it records the loss, and it asks
    the loop to stop after ``num_iter`` steps or when the smoothed loss diverges."""

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        lr_head: float,
        start_lr: float,
        end_lr: float,
        num_iter: int,
        events: EventBus,
    ) -> None:
        self.optimizer, self.events = optimizer, events
        self.ratios = [g["lr"] / lr_head for g in optimizer.param_groups]
        self.start_lr, self.num_iter = start_lr, num_iter
        self.gamma = (end_lr / start_lr) ** (1 / (num_iter - 1))
        self.planned: list[float] = []  # the LR of every step started
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.raw: list[float] = []
        self.average, self.lowest = 0.0, math.inf
        self.diverged = False
        self.started = time.perf_counter()

    def on_train_batch_start(self, loop: FitLoop, batch: int) -> None:
        lr = self.start_lr * self.gamma ** len(self.planned)
        for group, ratio in zip(self.optimizer.param_groups, self.ratios, strict=True):
            group["lr"] = lr * ratio
        self.planned.append(lr)
        if len(self.planned) == self.num_iter:
            loop.state.should_stop = True

    def on_train_batch_end(self, loop: FitLoop, batch: int, loss: float) -> None:
        if self.diverged:  # a step queued before the divergence was seen (CUDA)
            return
        it = len(self.raw)
        self.raw.append(loss)
        self.average = SMOOTHING * self.average + (1 - SMOOTHING) * loss
        smoothed = self.average / (1 - SMOOTHING ** (it + 1))
        self.lrs.append(self.planned[it])
        self.losses.append(smoothed)
        self.events.emit(
            "on_batch_end",
            BatchEnd(0, PHASE, it + 1, self.num_iter, loss, time.perf_counter() - self.started),
        )
        if not math.isfinite(smoothed) or (it > 0 and smoothed > DIVERGE_FACTOR * self.lowest):
            self.diverged = True
            loop.state.should_stop = True
        self.lowest = min(self.lowest, smoothed)

    def result(self, cancelled: bool) -> LrFindResult:
        lrs, losses = self.lrs, self.losses
        if self.diverged and len(lrs) > 1:
            # The diverging point says nothing about a good LR; keep the curve up to it.
            lrs, losses = lrs[:-1], losses[:-1]
        return LrFindResult(
            lrs, losses, suggest_lr(lrs, losses), self.raw, self.diverged, cancelled
        )


def find_lr(
    scan: DatasetScan,
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    num_iter: int = 100,
    start_lr: float = 1e-7,
    end_lr: float = 10,
    model: TransferModel | None = None,
) -> LrFindResult:
    """Run the range test on ``scan`` with ``config``'s backbone, mode, optimizer and batch
    size. ``model`` (optional, e.g. a trained one) is copied, never changed. Reports a
    :class:`BatchEnd` with phase ``"lr_find"`` per batch through ``callbacks``."""
    if not 0 < start_lr < end_lr:
        raise ValueError("the range test needs 0 < start LR < end LR")
    if num_iter < 2:
        raise ValueError("the range test needs at least 2 batches")
    loop = FitLoop(scan, config, callbacks, cancel)
    seed_everything(config.seed)
    runtime = loop.runtime
    fresh = model is None
    net = (
        loop.build_model()
        if model is None
        else copy.deepcopy(model).to(runtime.device, memory_format=runtime.memory_format)
    )
    frozen = config.mode in ("transfer", "staged")
    net.freeze_backbone(frozen)
    optimizer = make_optimizer(config, net, config.lr_head, runtime.device)
    loop.step.attach(optimizer, None)  # the range test sets the learning rate itself
    test = LrRangeTest(optimizer, config.lr_head, start_lr, end_lr, num_iter, loop.events)
    cancelled = False
    try:
        if frozen and fresh:
            loop.features.calibrate(net)  # as training does for a frozen random start
        passes = 0
        while not loop.state.should_stop:
            loop.train_pass(net, passes, callbacks=[test])
            passes += 1
    except Cancelled:
        cancelled = True
    return test.result(cancelled)


__all__ = ["LrFindResult", "LrRangeTest", "find_lr", "suggest_lr"]
