"""What happens to a picture before the network sees it, and to the network's output after.

The steps are read from the transforms the engine builds for the run
(:meth:`tlgui.engine.train.batches.Views.create`: the eval view that validation and prediction
use, and the training views built from the augmentation spec), one step per
``torchvision.transforms.v2`` op, with the arguments the op object holds. The postprocessing
is what :class:`~tlgui.engine.predict.Predictor` does with the logits: softmax over the
classes (:func:`~tlgui.engine.predict.class_probabilities`), then the k most probable.
"""

from __future__ import annotations

import enum
import inspect
from dataclasses import dataclass
from typing import Any

import torch

from ..backbones import get_info
from ..config import TrainConfig
from ..train.batches import Views

# Arguments that say nothing about what the op does to a picture.
_QUIET = {"inplace"}


@dataclass(frozen=True)
class Step:
    """One op: its class name and the arguments it holds (plain JSON values)."""

    op: str
    args: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "args": self.args}

    def __str__(self) -> str:
        return f"{self.op}({', '.join(f'{k}={_text(v)}' for k, v in self.args.items())})"


@dataclass(frozen=True)
class Pipeline:
    """``preprocess``: the eval view (validation, prediction, "try a picture");
    ``training``: per training view in use (``frozen`` while the backbone is frozen,
    ``training`` while it trains), the steps a training picture goes through;
    ``postprocess``: from logits to the top-k answer."""

    preprocess: tuple[Step, ...]
    training: dict[str, tuple[Step, ...]]
    postprocess: tuple[Step, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "preprocess": [s.to_json() for s in self.preprocess],
            "train_preprocess": {k: [s.to_json() for s in v] for k, v in self.training.items()},
            "postprocess": [s.to_json() for s in self.postprocess],
        }


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of an op's argument."""
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, torch.nn.Module):  # a nested op (RandomApply's transforms)
        return describe_op(value).to_json()
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, dict) and "op" in value:
        return str(Step(value["op"], value["args"]))
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value) if isinstance(value, str) else str(value)


def describe_op(op: Any) -> Step:
    """The op's class name and the constructor arguments it keeps as attributes."""
    args: dict[str, Any] = {}
    for name in inspect.signature(type(op).__init__).parameters:
        if name in ("self", *_QUIET) or not hasattr(op, name):
            continue
        value = getattr(op, name)
        if value is not None:
            args[name] = _plain(list(value) if isinstance(value, torch.nn.ModuleList) else value)
    return Step(type(op).__name__, args)


def describe_transform(transform: Any) -> tuple[Step, ...]:
    """The steps of a ``v2.Compose`` (or a single op)."""
    ops = getattr(transform, "transforms", [transform])
    return tuple(describe_op(op) for op in ops)


def training_views(config: TrainConfig) -> dict[str, bool]:
    """Which training views a run of ``config`` uses, by whether the backbone is frozen."""
    return {
        "transfer": {"frozen": True},
        "finetune": {"training": False},
        "staged": {"frozen": True, "training": False},
    }[config.mode]


def describe_pipeline(config: TrainConfig, top_k: int) -> Pipeline:
    """The run's eval and training transforms (as :class:`~.train.batches.Views` builds them
    for its backbone and augmentation spec) and the postprocessing with ``top_k`` answers."""
    info = get_info(config.backbone)
    views = Views.create(config.augment_spec, info.input_size, info.mean, info.std)
    training = {
        name: describe_transform(views.train(frozen).transform)
        for name, frozen in training_views(config).items()
    }
    post = (Step("softmax", {"dim": 1}), Step("topk", {"k": max(1, top_k)}))
    return Pipeline(describe_transform(views.eval.transform), training, post)


__all__ = ["Pipeline", "Step", "describe_op", "describe_pipeline", "describe_transform"]
