"""The loss, optimizer and learning-rate schedule a run's config asks for."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..config import TrainConfig
from ..model import TransferModel, param_groups


def make_criterion(
    config: TrainConfig, class_counts: Sequence[int], device: torch.device
) -> nn.Module:
    """Cross-entropy with the config's label smoothing; with ``class_weighted``, each class
    weighted by the inverse of its share of the training pictures."""
    weight = None
    if config.class_weighted:
        counts = torch.tensor(list(class_counts), dtype=torch.float32)
        weight = (counts.sum() / (len(counts) * counts.clamp(min=1))).to(device)
    return nn.CrossEntropyLoss(weight=weight, label_smoothing=config.label_smoothing)


def make_optimizer(
    config: TrainConfig, model: TransferModel, lr_head: float, device: torch.device
) -> torch.optim.Optimizer:
    """The config's optimizer over :func:`~tlgui.engine.model.param_groups` (the backbone's
    groups only while it trains)."""
    groups = param_groups(model, lr_head, config.lr_backbone, config.weight_decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=lr_head, momentum=0.9, nesterov=True)
    if config.optimizer == "adam":
        # Adam's weight decay is L2 in the gradient; the groups' numbers keep meaning "decay".
        return torch.optim.Adam(groups, lr=lr_head)
    # The fused kernel updates every parameter in a few launches (CUDA only).
    return torch.optim.AdamW(groups, lr=lr_head, fused=device.type == "cuda" or None)


def make_scheduler(
    config: TrainConfig, optimizer: torch.optim.Optimizer, epochs: int, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """A per-step schedule over ``epochs`` epochs (``step`` decays per third of them, counted
    in steps); ``None`` for ``scheduler="none"``."""
    total = max(1, epochs * steps_per_epoch)
    if config.scheduler == "none":
        return None
    if config.scheduler == "step":
        step = max(1, (epochs // 3 or 1) * steps_per_epoch)
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step, gamma=0.1)
    if config.scheduler == "onecycle":
        # OneCycleLR needs at least one step up and one down: tiny runs get 4 slots.
        slots = max(total, 4)
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=[g["lr"] for g in optimizer.param_groups],
            total_steps=slots,
            pct_start=min(0.5, max(0.25, 2.0 / slots)),
        )
    warmup = max(1, min(steps_per_epoch, total // 10))

    def cosine(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, cosine)


__all__ = ["make_criterion", "make_optimizer", "make_scheduler"]
