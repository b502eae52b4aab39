"""The run configuration: a plain, JSON-serialisable dataclass with measured defaults.

Torch-free, so the CLI's ``--help`` and the GUI can read the defaults without loading torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from . import augment
from .backbones import get_info

MODES = ("transfer", "finetune", "staged")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULERS = ("none", "step", "cosine", "onecycle")
MONITORS = ("val_acc", "val_loss")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run. JSON-serialisable (``to_dict``/``from_dict``).

    Defaults were chosen by measurement (see README "Defaults"): AdamW, cosine schedule with
    warm-up, head LR 3e-3 (backbone 1e-4 when it trains), label smoothing 0.1
    (``benchmarks/defaults_sweep.py``).
    """

    backbone: str = "efficientnet_lite0"
    weights: str = "imagenet"
    mode: str = "transfer"
    epochs: int = 10
    batch_size: int = 32
    lr_head: float = 3e-3
    lr_backbone: float = 1e-4
    optimizer: str = "adamw"
    weight_decay: float = 0.01
    scheduler: str = "cosine"
    label_smoothing: float = 0.1
    class_weighted: bool = False
    dropout: float = 0.2
    freeze_epochs: int = 1  # staged mode: frozen epochs before unfreezing
    patience: int = 5  # 0 = no early stopping
    monitor: str = "val_acc"
    min_delta: float = 0.0
    augment: dict = field(default_factory=lambda: augment.preset("default").to_dict())
    seed: int = 0
    device: str = "auto"
    workers: int = -1  # -1 = auto
    cache_features: bool = True
    channels_last: bool = True
    amp: bool = True  # mixed precision on CUDA

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def validate(self) -> None:
        get_info(self.backbone)
        checks = [
            (self.mode in MODES, f"mode must be one of {', '.join(MODES)}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (self.scheduler in SCHEDULERS, f"scheduler must be one of {', '.join(SCHEDULERS)}"),
            (self.monitor in MONITORS, f"monitor must be one of {', '.join(MONITORS)}"),
            (self.epochs >= 1, "epochs must be at least 1"),
            (self.batch_size >= 1, "batch size must be at least 1"),
            (self.lr_head > 0, "head learning rate must be positive"),
            (self.lr_backbone > 0, "backbone learning rate must be positive"),
            (0 <= self.label_smoothing < 1, "label smoothing must be in [0, 1)"),
            (self.patience >= 0, "patience must be 0 (off) or more"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        augment.AugmentSpec.from_dict(self.augment)

    @property
    def augment_spec(self) -> augment.AugmentSpec:
        return augment.AugmentSpec.from_dict(self.augment)
