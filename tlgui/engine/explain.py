"""Grad-CAM: where in the image the model looked for its answer.

Selvaraju et al. (2017): the gradients of the class score with respect to the backbone's last
convolutional feature map, averaged over space, weight that map's channels; the ReLU of the
weighted sum, upsampled to the input, is the heat map.

The model is never left changed: no parameter's ``requires_grad`` is touched (the gradient
reaches the feature map through an input that requires grad, so a frozen backbone works too),
``torch.autograd.grad`` fills no ``.grad``, the hook is removed and every module's train/eval
flag is restored, even when something fails.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .backbones import BACKBONES


def _find_layer(model: nn.Module, layer: str | nn.Module | None) -> nn.Module:
    """``layer`` as a module: given, a dotted path inside ``model.backbone``, or the
    registered ``cam_layer`` of the backbone the model was built with."""
    if isinstance(layer, nn.Module):
        return layer
    backbone = getattr(model, "backbone", model)
    if layer is None:
        layer = _registered_cam_layer(backbone)
    try:
        return backbone.get_submodule(layer)
    except AttributeError:
        raise ValueError(f"no layer {layer!r} in this model's backbone") from None


def _registered_cam_layer(backbone: nn.Module) -> str:
    """The registry entry whose ``cam_layer`` exists in ``backbone`` and whose feature size
    matches; the backbone's own class tells torchvision architectures apart."""
    names = {n for n, _ in backbone.named_modules()}
    kind = type(backbone).__name__.lower()
    for info in BACKBONES.values():
        family = info.name.split("_")[0].rstrip("0123456789")
        lite = info.name.startswith("efficientnet_lite") and kind == "litefeatures"
        if info.cam_layer in names and (family in kind or lite):
            return info.cam_layer
    raise ValueError(f"no Grad-CAM layer known for a {type(backbone).__name__} backbone")


def gradcam(
    model: nn.Module,
    x: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor | None = None,
    layer: str | nn.Module | None = None,
) -> torch.Tensor:
    """Heat maps in [0, 1] at the input's resolution.

    ``x`` is a normalised batch ``(N, 3, H, W)`` (gives ``(N, H, W)``) or one image
    ``(3, H, W)`` (gives ``(H, W)``). ``target`` is the class to explain per image; ``None``
    explains the predicted class.
    """
    single = x.dim() == 3
    if single:
        x = x.unsqueeze(0)
    module = _find_layer(model, layer)
    try:
        device = next(model.parameters()).device
    except StopIteration:
        device = x.device
    flags = [(m, m.training) for m in model.modules()]
    captured: list[torch.Tensor] = []

    def hook(_m: nn.Module, _inp, out) -> None:
        captured.append(out)

    handle = module.register_forward_hook(hook)
    try:
        model.eval()
        with torch.inference_mode(False), torch.enable_grad():
            inp = x.detach().clone().to(device).requires_grad_(True)
            logits = model(inp).float()
            if target is None:
                idx = logits.argmax(1)
            elif isinstance(target, int):
                idx = torch.full((len(x),), target, dtype=torch.long, device=logits.device)
            else:
                idx = torch.as_tensor(target, dtype=torch.long, device=logits.device).reshape(-1)
                if idx.numel() == 1:
                    idx = idx.expand(len(x))
            score = logits.gather(1, idx.view(-1, 1)).sum()
            # The last call: a module shared across the network (EfficientNet-Lite's one
            # activation module, stem and head) is called at the head last.
            acts = captured[-1]
            (grads,) = torch.autograd.grad(score, acts)
        acts, grads = acts.detach().float(), grads.float()
        weights = grads.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * acts).sum(1, keepdim=True))
        cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)
        cam = cam.squeeze(1)
        peak = cam.flatten(1).max(1).values.view(-1, 1, 1)
        # Per-image scaling to [0, 1]; an all-zero map (no positive evidence) stays zero.
        cam = cam / torch.where(peak > 0, peak, torch.ones_like(peak))
        cam = cam.clamp(0, 1).cpu()
    finally:
        handle.remove()
        for m, was_training in flags:
            m.training = was_training
    return cam[0] if single else cam


def _eval_geometry(image: Image.Image, input_size: int) -> tuple[Image.Image, tuple]:
    """The eval transform's resize + centre crop on the PIL image (no normalisation), and the
    crop box in original-image pixels, so a point of the crop maps back to the image."""
    from torchvision.transforms.v2 import functional as TF

    w, h = image.size
    resized = TF.resize(image, round(input_size * 256 / 224), antialias=True)
    rw, rh = resized.size
    cropped = TF.center_crop(resized, input_size)
    left = round((rw - input_size) / 2.0)
    top = round((rh - input_size) / 2.0)
    sx, sy = w / rw, h / rh
    return cropped, (left * sx, top * sy, input_size * sx, input_size * sy)


def overlay_image(base: Image.Image, heat: torch.Tensor, alpha: float = 0.45,
                  cmap: str = "jet") -> Image.Image:
    """``heat`` (H, W in [0, 1]) coloured with a matplotlib colormap, blended on ``base``."""
    import numpy as np
    from matplotlib import colormaps

    rgba = colormaps[cmap](heat.numpy())
    colour = Image.fromarray((rgba[..., :3] * 255).astype(np.uint8), "RGB")
    if colour.size != base.size:
        colour = colour.resize(base.size, Image.BILINEAR)
    return Image.blend(base.convert("RGB"), colour, alpha)


def gradcam_overlay(
    model: nn.Module,
    image: Image.Image,
    input_size: int,
    mean: Sequence[float],
    std: Sequence[float],
    target: int | None = None,
) -> tuple[Image.Image, tuple[float, float]]:
    """Grad-CAM of ``image`` overlaid on its eval-transformed version (what the model saw),
    and the heat map's peak as ``(x, y)`` fractions (0-1) of the *original* image's width and
    height (the crop's point mapped back through the centre crop), so other tools can check
    the location on the file they have."""
    from . import augment

    image = image.convert("RGB")
    x = augment.eval_transform(input_size, tuple(mean), tuple(std))(image)
    heat = gradcam(model, x, target)
    base, (left, top, cw, ch) = _eval_geometry(image, input_size)
    flat = int(heat.flatten().argmax())
    py, px = divmod(flat, heat.shape[1])
    fx = (left + (px + 0.5) / heat.shape[1] * cw) / image.width
    fy = (top + (py + 0.5) / heat.shape[0] * ch) / image.height
    peak = (min(1.0, max(0.0, fx)), min(1.0, max(0.0, fy)))
    return overlay_image(base, heat), peak


__all__ = ["gradcam", "gradcam_overlay", "overlay_image"]
