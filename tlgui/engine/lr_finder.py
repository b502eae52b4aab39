"""Learning-rate range test (Smith 2015; fastai's ``lr_find``).

The head's learning rate grows exponentially from ``start_lr`` to ``end_lr`` over ``num_iter``
training batches (the train split cycled as often as needed); the loss is smoothed with a
bias-corrected exponential moving average and the test stops once it diverges (smoothed loss
above four times the lowest so far, or not finite).

**Suggestion: the steepest descent** of the smoothed loss against log(LR), looked for only
before the loss minimum. We prefer it to "minimum / 10" because it does not depend on how far
past the minimum the curve happened to run, and on small datasets (few, noisy batches) the
minimum sits right where training turns unstable. When the curve is too short to have a slope
(fewer than five points before the minimum) the suggestion falls back to minimum / 10.

The test trains a *fresh* model built from the config (or a copy of ``model`` when one is
given), so nothing the caller holds is changed. In transfer mode (and the frozen first stage of
staged mode) it trains only the head on the frozen backbone's cached features: the same pieces
:class:`~tlgui.engine.trainer.Trainer` uses, so 100 batches take a fraction of a second after
the one feature pass.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch

from .events import BatchEnd, Callback
from .memory import reuse_freed_memory
from .rng import global_rng_draws
from .trainer import CancelToken, TrainConfig, Trainer, TrainingError, _Cancelled, seed_everything

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
        return {"suggested_lr": self.suggested_lr, "lrs": list(self.lrs),
                "losses": list(self.losses)}


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


def _cycle_cached(trainer: Trainer, model, epoch_seed: int) -> Iterator[tuple]:
    """Endless (features, labels) batches from the frozen backbone's cached train features."""
    feats = trainer._features(model, "train", 0)
    labels = torch.tensor([s.label for s in trainer.scan.splits["train"]])
    bs = trainer.config.batch_size
    epoch = epoch_seed
    while True:
        order = [i for i in trainer._epoch_order(len(labels), epoch) if i in feats]
        if not order:
            raise TrainingError("no training image could be read")
        for i in range(0, len(order), bs):
            chunk = order[i : i + bs]
            yield torch.stack([feats[j] for j in chunk]), labels[chunk]
        epoch += 1


def _cycle_images(trainer: Trainer, frozen: bool, epoch_seed: int) -> Iterator[tuple]:
    """Endless (images, labels) batches through the train transform (the one training uses
    while the backbone is ``frozen`` or not), reshuffled each pass."""
    samples = trainer.scan.splits["train"]
    tf = trainer.train_transform(frozen)
    epoch = epoch_seed
    while True:
        seen = 0
        loader = trainer._loader(samples, tf, trainer._epoch_order(len(samples), epoch),
                                 trainer.config.batch_size, f"lr_find:{epoch}")
        for x, y, _idx, bad in loader:
            trainer._report_skipped(bad)
            if x is not None:
                seen += 1
                yield x, y
        if not seen:
            raise TrainingError("no training image could be read")
        epoch += 1


@reuse_freed_memory()  # as a training run (see .memory)
def find_lr(
    scan,
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    num_iter: int = 100,
    start_lr: float = 1e-7,
    end_lr: float = 10,
    model=None,
) -> LrFindResult:
    """Run the range test on ``scan`` with ``config``'s backbone, mode, optimizer and batch
    size. ``model`` (optional, e.g. a trained one) is copied, never changed. Reports a
    :class:`BatchEnd` with phase ``"lr_find"`` per batch through ``callbacks``."""
    if not 0 < start_lr < end_lr:
        raise ValueError("the range test needs 0 < start LR < end LR")
    if num_iter < 2:
        raise ValueError("the range test needs at least 2 batches")
    trainer = Trainer(scan, config, callbacks, cancel)
    seed_everything(config.seed)
    fresh = model is None
    model = trainer._build() if fresh else copy.deepcopy(model).to(trainer.device)
    frozen = config.mode in ("transfer", "staged")
    model.freeze_backbone(frozen)
    model.train()
    criterion = trainer._criterion()
    optimizer = trainer._make_optimizer(model, config.lr_head)
    # Discriminative LRs keep their ratio to the head's: every group scales together.
    ratios = [g["lr"] / config.lr_head for g in optimizer.param_groups]
    gamma = (end_lr / start_lr) ** (1 / (num_iter - 1))
    use_cache = frozen and config.cache_features
    lrs: list[float] = []
    losses: list[float] = []
    raw: list[float] = []
    avg, best = 0.0, math.inf
    diverged = cancelled = False
    t0 = time.perf_counter()
    try:
        if frozen and fresh:
            trainer._calibrate_batchnorm(model)  # as training does for a frozen random start
        batches = (_cycle_cached(trainer, model, 0) if use_cache
                   else _cycle_images(trainer, frozen, 0))
        for it in range(num_iter):
            trainer._check_cancel()
            lr = start_lr * gamma**it
            for g, r in zip(optimizer.param_groups, ratios, strict=True):
                g["lr"] = lr * r
            x, y = next(batches)
            y = y.to(trainer.device)
            with global_rng_draws():  # dropout, as in training (see .rng)
                if use_cache:
                    logits = model.head(x.to(trainer.device))
                elif frozen:
                    with torch.no_grad():
                        f = model.backbone(trainer._to_device(x))
                    logits = model.head(f.float())
                else:
                    logits = model(trainer._to_device(x))
            loss = criterion(logits.float(), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            value = loss.item()
            raw.append(value)
            avg = SMOOTHING * avg + (1 - SMOOTHING) * value
            smoothed = avg / (1 - SMOOTHING ** (it + 1))
            lrs.append(lr)
            losses.append(smoothed)
            trainer.emit("on_batch_end", BatchEnd(0, PHASE, it + 1, num_iter, value,
                                                  time.perf_counter() - t0))
            if not math.isfinite(smoothed) or (it > 0 and smoothed > DIVERGE_FACTOR * best):
                diverged = True
                break
            best = min(best, smoothed)
    except _Cancelled:
        cancelled = True
    if diverged and len(lrs) > 1:
        # The diverging point says nothing about a good LR; keep the curve up to it.
        lrs, losses = lrs[:-1], losses[:-1]
    return LrFindResult(lrs, losses, suggest_lr(lrs, losses), raw, diverged, cancelled)


__all__ = ["LrFindResult", "find_lr", "suggest_lr"]
