""" "Try a picture": one real image through the network before any training.

What it shows is the recipe's first check (are the pre- and postprocessing and the output what
they should be?): the input tensor after the eval view, the backbone's features, the new
head's output and its (untrained) probabilities, and, for an ImageNet backbone, the answer of
the pretrained network before its output layer was replaced.

The image goes through :class:`~tlgui.engine.predict.Predictor` (the eval transform, softmax,
top-k) with the model the trainer would start from (:func:`.structure.new_model`); a hook on
the new head sees the features it gets and the logits it gives on the way. The
ImageNet answer needs no second network: each feature extractor of
:mod:`tlgui.engine.backbones` ends exactly where the pretrained network's last linear layer
began, so that layer, read from the same weights file, turns the same features into the
ImageNet logits. The 1000 class names are torchvision's (shipped with it, no download).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..backbones import BackboneInfo, ProgressFn, _load_state_file, get_info
from ..config import TrainConfig
from ..data import load_image
from ..model import TransferModel
from ..predict import Predictor
from .structure import new_model

IMAGENET_CLASSES = 1000


@dataclass(frozen=True)
class TensorStats:
    shape: tuple[int, ...]
    min: float
    max: float
    mean: float
    std: float

    @classmethod
    def of(cls, x: torch.Tensor) -> TensorStats:
        x = x.detach().float()
        return cls(
            tuple(x.shape),
            float(x.min()),
            float(x.max()),
            float(x.mean()),
            float(x.std()) if x.numel() > 1 else 0.0,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "shape": list(self.shape),
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "std": self.std,
        }


@dataclass(frozen=True)
class PictureReport:
    """``head``: every class with the new head's probability, most probable first;
    ``imagenet_top5``: ``None`` when there is no pretrained ImageNet answer, and then
    ``imagenet_note`` says why."""

    path: str
    input: TensorStats
    features_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    head: tuple[tuple[str, float], ...]
    imagenet_top5: tuple[tuple[str, float], ...] | None
    imagenet_note: str | None

    def to_json(self) -> dict[str, Any]:
        def pairs(items: Any) -> list[dict[str, Any]]:
            return [{"label": label, "prob": prob} for label, prob in items]

        out: dict[str, Any] = {
            "shape": list(self.output_shape),
            "features_shape": list(self.features_shape),
            "head_probs": pairs(self.head),
            "imagenet_top5": None if self.imagenet_top5 is None else pairs(self.imagenet_top5),
        }
        if self.imagenet_note:
            out["imagenet_note"] = self.imagenet_note
        return {"image": self.path, "input": self.input.to_json(), "output": out}


def imagenet_labels(info: BackboneInfo) -> list[str]:
    """The ImageNet-1k class names in the pretrained classifiers' order (torchvision's list;
    EfficientNet-Lite uses the same order)."""
    from torchvision import models

    weights = getattr(models, info.tv_weights or "ResNet18_Weights").IMAGENET1K_V1
    return list(weights.meta["categories"])


def imagenet_layer(config: TrainConfig) -> tuple[nn.Linear | None, str | None]:
    """The pretrained network's ImageNet output layer (the one the new head replaces), or
    ``None`` and the reason there is none."""
    if config.weights != "imagenet":
        return None, "the backbone does not start from ImageNet weights"
    info = get_info(config.backbone)
    path = info.weights_file()
    if path is None or not path.is_file():
        return None, f"the ImageNet weights of {config.backbone} are not on this computer"
    state = _load_state_file(path)
    shape = (IMAGENET_CLASSES, info.num_features)
    key = next(
        (k for k, v in state.items() if k.endswith("weight") and tuple(v.shape) == shape), None
    )
    bias = key and state.get(key.removesuffix("weight") + "bias")
    if key is None or bias is None:
        return None, f"the weights file of {config.backbone} holds no ImageNet output layer"
    layer = nn.Linear(info.num_features, IMAGENET_CLASSES)
    layer.load_state_dict({"weight": state[key], "bias": bias})
    return layer.eval(), None


def try_picture(
    config: TrainConfig,
    class_names: list[str],
    image_path: str | os.PathLike[str],
    model: TransferModel | None = None,
    progress: ProgressFn | None = None,
) -> PictureReport:
    """Run the picture at ``image_path`` through the model a run of ``config`` on
    ``class_names`` starts from (``model``, or a new one with the config's weights; a
    download reports to ``progress``). Raises :class:`~tlgui.engine.data.ImageLoadError` for
    an unreadable picture, :class:`~tlgui.engine.backbones.WeightsError` for weights that
    cannot be had."""
    image = load_image(image_path)
    info = get_info(config.backbone)
    model = model if model is not None else new_model(config, len(class_names), progress=progress)
    predictor = Predictor(
        model, class_names, info.input_size, info.mean, info.std, inference_backend="torch"
    )
    x = predictor.transform(image)[None]  # what the predictor feeds the network (below)
    seen: dict[str, torch.Tensor] = {}

    def keep(_head: nn.Module, inputs: tuple[torch.Tensor, ...], logits: torch.Tensor) -> None:
        seen["features"], seen["logits"] = inputs[0], logits

    hook = model.head.register_forward_hook(keep)
    try:
        (pred,) = predictor.predict_images([image], [str(image_path)], top_k=len(class_names))
    finally:
        hook.remove()
    features, logits = seen["features"], seen["logits"]
    layer, note = imagenet_layer(config)
    top5 = None
    if layer is not None:
        with torch.inference_mode():
            probs = layer(features).softmax(1)[0]
        values, idx = probs.topk(5)
        labels = imagenet_labels(info)
        top5 = tuple((labels[i], float(v)) for v, i in zip(values, idx.tolist(), strict=True))
    return PictureReport(
        str(image_path),
        TensorStats.of(x),
        tuple(features.shape),
        tuple(logits.shape),
        pred.top,
        top5,
        note,
    )


__all__ = ["PictureReport", "TensorStats", "imagenet_labels", "imagenet_layer", "try_picture"]
