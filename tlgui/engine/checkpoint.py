"""The model bundle: one ``.pt`` file with the state dict and everything needed to use it.

Written atomically (temp file in the same folder + ``os.replace``) and read only with
``torch.load(weights_only=True)``: a file carrying a pickled object is refused unread.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from .backbones import get_info
from .fileio import FileFormatError, atomic_write, load_torch_file

FORMAT = "tlgui-bundle"
FORMAT_VERSION = 1


class BundleError(ValueError):
    """The file is not a usable tlgui bundle; the message is one line for the user."""


@dataclass
class Bundle:
    backbone: str
    classes: list[str]
    state_dict: dict[str, torch.Tensor]
    input_size: int
    mean: list[float]
    std: list[float]
    augment: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    # Temperature scaling fitted on the validation split (tlgui.engine.calibration); 1 (the
    # raw softmax) for bundles written before it was stored.
    temperature: float = 1.0
    tlgui_version: str = __version__
    format_version: int = FORMAT_VERSION

    @property
    def eval_transform_spec(self) -> dict:
        return {"resize": round(self.input_size * 256 / 224), "center_crop": self.input_size,
                "mean": list(self.mean), "std": list(self.std)}

    def to_payload(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "tlgui_version": self.tlgui_version,
            "backbone": self.backbone,
            "classes": list(self.classes),
            "input_size": self.input_size,
            "mean": list(self.mean),
            "std": list(self.std),
            "eval_transform": self.eval_transform_spec,
            "augment": self.augment,
            "config": self.config,
            "history": self.history,
            "metrics": self.metrics,
            "temperature": self.temperature,
            "state_dict": self.state_dict,
        }

    def build_model(self):
        """The trained ``TransferModel`` (eval mode, CPU)."""
        from .model import TransferModel, build_model

        model: TransferModel = build_model(self.backbone, len(self.classes), weights="none",
                                           dropout=float(self.config.get("dropout", 0.2)))
        try:
            model.load_state_dict(self.state_dict)
        except RuntimeError as exc:
            raise BundleError(f"bundle weights do not fit {self.backbone} with "
                              f"{len(self.classes)} classes") from exc
        return model.eval()

    def info(self) -> dict[str, Any]:
        """Everything but the weights (what ``tlgui info --json`` prints)."""
        d = self.to_payload()
        d.pop("state_dict")
        d["parameters"] = int(sum(v.numel() for v in self.state_dict.values()))
        return d


def bundle_from_result(result) -> Bundle:
    """Bundle a :class:`~tlgui.engine.trainer.FitResult`."""
    info = get_info(result.config.backbone)
    metrics = {split: rep.to_json() for split, rep in result.reports.items()}
    metrics["best_epoch"] = result.best_epoch
    metrics["best_val_acc"] = result.best_val_acc
    if result.inference_backend:  # {"name", "requested", "reason"}; absent in older bundles
        metrics["inference_backend"] = dict(result.inference_backend)
    return Bundle(
        backbone=result.config.backbone,
        classes=list(result.classes),
        state_dict={k: v.detach().cpu() for k, v in result.model.state_dict().items()},
        input_size=info.input_size,
        mean=list(info.mean),
        std=list(info.std),
        augment=dict(result.config.augment),
        config=result.config.to_dict(),
        history=[e.to_json() for e in result.history],
        metrics=metrics,
        temperature=result.temperature,
    )


def save_bundle(bundle: Bundle, path: str | os.PathLike[str]) -> None:
    payload = bundle.to_payload()
    atomic_write(path, lambda f: torch.save(payload, f))


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    path = Path(path)
    if not path.is_file():
        raise BundleError(f"model file not found: {path}")
    try:
        payload = load_torch_file(path, FORMAT, FORMAT_VERSION)
    except FileFormatError as exc:
        raise BundleError(
            {
                "code": f"refused {path.name}: not a tlgui model bundle (it holds code or "
                "objects that are not plain data, which is never loaded)",
                "damaged": f"{path.name} is not a tlgui model bundle ({exc.detail})",
                "format": f"{path.name} is not a tlgui model bundle",
                "newer": f"{path.name} was written by a newer tlgui (format {exc.detail}); "
                "please upgrade",
            }[exc.kind]
        ) from None
    backbone = payload.get("backbone")
    try:
        get_info(backbone)
    except (TypeError, ValueError):
        raise BundleError(f"{path.name} needs backbone {backbone!r}, which this tlgui does not "
                          "have; please upgrade") from None
    try:
        bundle = Bundle(
            backbone=payload["backbone"],
            classes=[str(c) for c in payload["classes"]],
            state_dict=payload["state_dict"],
            input_size=int(payload["input_size"]),
            mean=[float(v) for v in payload["mean"]],
            std=[float(v) for v in payload["std"]],
            augment=payload.get("augment", {}),
            config=payload.get("config", {}),
            history=payload.get("history", []),
            metrics=payload.get("metrics", {}),
            temperature=float(payload.get("temperature", 1.0)),
            tlgui_version=str(payload.get("tlgui_version", "?")),
            format_version=int(payload["format_version"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{path.name} is a damaged tlgui bundle ({exc})") from None
    if len(bundle.classes) < 2 or not isinstance(bundle.state_dict, dict):
        raise BundleError(f"{path.name} is a damaged tlgui bundle")
    if not (math.isfinite(bundle.temperature) and bundle.temperature > 0):
        raise BundleError(f"{path.name} is a damaged tlgui bundle (temperature "
                          f"{bundle.temperature})")
    head = bundle.state_dict.get("head.1.weight")
    if isinstance(head, torch.Tensor) and (head.ndim != 2 or head.shape[0] != len(bundle.classes)):
        raise BundleError(f"{path.name} is inconsistent: it lists {len(bundle.classes)} classes "
                          f"but its weights have {head.shape[0] if head.ndim else 0} outputs")
    return bundle
