"""The trained model: pretrained feature extractor + new head; freezing and LR groups.

``TransferModel`` is a plain ``nn.Module`` whose ``forward`` takes a normalised image batch and
returns logits, so it can be exported (TorchScript/ONNX) as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from .backbones import ProgressFn, build_backbone, get_info

if TYPE_CHECKING:
    from collections.abc import Iterator

from .config import MODES  # noqa: F401  (re-exported)


class TransferModel(nn.Module):
    def __init__(
        self, backbone: nn.Module, num_features: int, num_classes: int, dropout: float = 0.2
    ) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(num_features, num_classes))
        self.backbone_frozen = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))

    def freeze_backbone(self, frozen: bool = True) -> None:
        """Frozen: no gradients for the backbone and its BatchNorm statistics kept as they are
        (the backbone stays in eval mode even when the model is put in train mode)."""
        self.backbone_frozen = frozen
        for p in self.backbone.parameters():
            p.requires_grad_(not frozen)
        self.train(self.training)

    def train(self, mode: bool = True) -> TransferModel:
        super().train(mode)
        if self.backbone_frozen:
            self.backbone.eval()
        return self


def build_model(
    backbone: str,
    num_classes: int,
    weights: str = "imagenet",
    dropout: float = 0.2,
    progress: ProgressFn | None = None,
) -> TransferModel:
    info = get_info(backbone)
    features = build_backbone(backbone, weights, progress=progress)
    return TransferModel(features, info.num_features, num_classes, dropout)


def _decay_split(params: Iterator[tuple[str, nn.Parameter]]) -> tuple[list, list]:
    """Biases and norm weights get no weight decay (the usual, measured-better practice)."""
    decay, no_decay = [], []
    for _, p in params:
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 else decay).append(p)
    return decay, no_decay


def param_groups(
    model: TransferModel, lr_head: float, lr_backbone: float | None, weight_decay: float
) -> list[dict]:
    """Optimizer groups: always the head; the backbone too unless it is frozen. The first
    groups are the backbone's (small LR), the last the head's (large LR)."""
    groups: list[dict] = []
    if not model.backbone_frozen and lr_backbone:
        d, nd = _decay_split(model.backbone.named_parameters())
        groups.append({"params": d, "lr": lr_backbone, "weight_decay": weight_decay,
                       "name": "backbone"})
        groups.append({"params": nd, "lr": lr_backbone, "weight_decay": 0.0,
                       "name": "backbone"})
    d, nd = _decay_split(model.head.named_parameters())
    groups.append({"params": d, "lr": lr_head, "weight_decay": weight_decay, "name": "head"})
    groups.append({"params": nd, "lr": lr_head, "weight_decay": 0.0, "name": "head"})
    return [g for g in groups if g["params"]]


def group_lrs(optimizer: torch.optim.Optimizer) -> list[float]:
    """One LR per named group (backbone, head), as reported in events."""
    seen: dict[str, float] = {}
    for g in optimizer.param_groups:
        seen.setdefault(g.get("name", str(len(seen))), float(g["lr"]))
    return list(seen.values())
