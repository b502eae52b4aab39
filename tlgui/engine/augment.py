"""Augmentation: a JSON-serialisable :class:`AugmentSpec` <-> ``torchvision.transforms.v2``.

The same preset objects serve training, the GUI's preview and prediction (eval pipeline), so
what the user sees in the preview is exactly what the model is trained on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from PIL import Image

POLICIES = ("none", "trivialaugment", "randaugment", "autoaugment")
PRESET_NAMES = ("none", "light", "default", "strong")


@dataclass(frozen=True)
class AugmentSpec:
    """Every knob of the train-time pipeline. ``enabled=False`` means: train on the eval
    transform (no augmentation at all)."""

    enabled: bool = True
    scale_min: float = 0.25
    scale_max: float = 1.0
    ratio_min: float = 3 / 4
    ratio_max: float = 4 / 3
    hflip: float = 0.5
    vflip: float = 0.0
    rotation: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    hue: float = 0.0
    grayscale: float = 0.0
    blur: float = 0.0
    erasing: float = 0.0
    policy: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AugmentSpec:
        known = {f.name for f in fields(cls)}
        spec = cls(**{k: v for k, v in data.items() if k in known})
        spec.validate()
        return spec

    def validate(self) -> None:
        if not 0 < self.scale_min <= self.scale_max <= 1:
            raise ValueError("crop scale must satisfy 0 < min <= max <= 1")
        if not 0 < self.ratio_min <= self.ratio_max:
            raise ValueError("crop ratio must satisfy 0 < min <= max")
        for name in ("hflip", "vflip", "grayscale", "blur", "erasing"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} is a probability in [0, 1]")
        if not 0 <= self.hue <= 0.5:
            raise ValueError("hue must be in [0, 0.5]")
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}")


def preset(name: str) -> AugmentSpec:
    """Named presets. ``default`` is what a first run uses: crops + flips + mild colour."""
    base = AugmentSpec()
    if name == "none":
        return replace(base, enabled=False)
    if name == "light":
        return replace(base, scale_min=0.6, hflip=0.5)
    if name == "default":
        return replace(base, scale_min=0.25, brightness=0.2, contrast=0.2, saturation=0.2)
    if name == "strong":
        return replace(
            base,
            scale_min=0.08,
            rotation=15.0,
            brightness=0.3,
            contrast=0.3,
            saturation=0.3,
            hue=0.05,
            grayscale=0.1,
            blur=0.1,
            erasing=0.25,
            policy="trivialaugment",
        )
    raise ValueError(f"unknown augmentation preset {name!r}; choose {', '.join(PRESET_NAMES)}")


def _v2():
    from torchvision.transforms import v2

    return v2


def _normalize_tail(mean, std) -> list:
    import torch

    v2 = _v2()
    return [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean, std)]


def build_geometric(spec: AugmentSpec, size: int) -> list:
    """The PIL-side part of the train pipeline (everything before tensor conversion)."""
    v2 = _v2()
    if not spec.enabled:
        return [v2.Resize(round(size * 256 / 224)), v2.CenterCrop(size)]
    ops: list = [
        v2.RandomResizedCrop(
            size, scale=(spec.scale_min, spec.scale_max), ratio=(spec.ratio_min, spec.ratio_max),
            antialias=True,
        )
    ]
    if spec.hflip > 0:
        ops.append(v2.RandomHorizontalFlip(spec.hflip))
    if spec.vflip > 0:
        ops.append(v2.RandomVerticalFlip(spec.vflip))
    if spec.rotation > 0:
        ops.append(v2.RandomRotation(spec.rotation))
    if any((spec.brightness, spec.contrast, spec.saturation, spec.hue)):
        ops.append(v2.ColorJitter(spec.brightness, spec.contrast, spec.saturation, spec.hue))
    if spec.grayscale > 0:
        ops.append(v2.RandomGrayscale(spec.grayscale))
    if spec.blur > 0:
        ops.append(v2.RandomApply([v2.GaussianBlur(kernel_size=9, sigma=(0.1, 2.0))], p=spec.blur))
    if spec.policy == "trivialaugment":
        ops.append(v2.TrivialAugmentWide())
    elif spec.policy == "randaugment":
        ops.append(v2.RandAugment())
    elif spec.policy == "autoaugment":
        ops.append(v2.AutoAugment())
    return ops


def train_transform(spec: AugmentSpec, size: int, mean, std):
    """PIL image -> normalised float tensor, randomly augmented per ``spec``."""
    v2 = _v2()
    ops = build_geometric(spec, size) + _normalize_tail(mean, std)
    if spec.enabled and spec.erasing > 0:
        ops.append(v2.RandomErasing(p=spec.erasing, value=0))
    return v2.Compose(ops)


def eval_transform(size: int, mean, std):
    """Resize the short side to size*256/224, centre-crop ``size``, normalise."""
    v2 = _v2()
    return v2.Compose(
        [v2.Resize(round(size * 256 / 224), antialias=True), v2.CenterCrop(size)]
        + _normalize_tail(mean, std)
    )


def preview(
    image: Image.Image, spec: AugmentSpec, n: int = 8, seed: int = 0, size: int = 224
) -> list[Image.Image]:
    """``n`` augmented versions of ``image`` as PIL images, the same for the same ``seed``.

    Shows what training sees (erasing included), minus the normalisation.
    """
    import torch

    v2 = _v2()
    ops = build_geometric(spec, size) + [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    if spec.enabled and spec.erasing > 0:
        ops.append(v2.RandomErasing(p=spec.erasing, value=0))
    pipeline = v2.Compose(ops)
    to_pil = v2.ToPILImage()
    image = image.convert("RGB")
    # Work on a copy no larger than needed: keeps the preview fast on 12-megapixel photos.
    if min(image.size) > 2 * size:
        image = image.copy()
        image.thumbnail((4 * size, 4 * size))
    out = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _ in range(n):
            out.append(to_pil(pipeline(image).clamp(0, 1)))
    return out


def eval_preview(image: Image.Image, size: int = 224) -> Image.Image:
    """What the model sees at prediction time (resize + centre crop), as a PIL image."""
    v2 = _v2()
    return v2.Compose([v2.Resize(round(size * 256 / 224), antialias=True), v2.CenterCrop(size)])(
        image.convert("RGB")
    )


# --------------------------------------------------------------------------- on-device batches


def _rrc_box(h: int, w: int, spec: AugmentSpec, g) -> tuple[int, int, int, int]:
    """torchvision's RandomResizedCrop parameter draw, from generator ``g``."""
    import math

    import torch

    area = h * w
    log_lo, log_hi = math.log(spec.ratio_min), math.log(spec.ratio_max)
    for _ in range(10):
        r = torch.rand(2, generator=g).tolist()
        target = area * (spec.scale_min + (spec.scale_max - spec.scale_min) * r[0])
        aspect = math.exp(log_lo + (log_hi - log_lo) * r[1])
        cw, ch = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
        if 0 < cw <= w and 0 < ch <= h:
            i = int(torch.randint(0, h - ch + 1, (1,), generator=g))
            j = int(torch.randint(0, w - cw + 1, (1,), generator=g))
            return i, j, ch, cw
    ratio = w / h
    if ratio < spec.ratio_min:
        cw, ch = w, round(w / spec.ratio_min)
    elif ratio > spec.ratio_max:
        ch, cw = h, round(h * spec.ratio_max)
    else:
        cw, ch = w, h
    return (h - ch) // 2, (w - cw) // 2, ch, cw


def _blend(a, b, factor):
    return (factor * a + (1 - factor) * b).clamp_(0, 1)


def _gray(x):
    return (0.2989 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])


def device_batch(images: list, spec: AugmentSpec | None, size: int, mean, std, generator):
    """A normalised float batch from ``uint8`` CHW tensors that already live on the device.

    ``spec=None`` is the eval transform (short side to ``size*256/224``, centre crop);
    otherwise the train transform of ``spec``. Random crops, flips, colour jitter and
    grayscale are drawn from ``generator`` (CPU) and applied to the whole batch at once;
    rotation, hue, blur, the auto-augment policies and erasing run per picture through the
    same torchvision ops as the CPU path. Crops resize with antialiased bilinear
    interpolation on tensors, so pixels differ slightly from the PIL-based CPU path.
    """
    import torch
    import torch.nn.functional as F

    v2 = _v2()
    crops = []
    if spec is None or not spec.enabled:
        short = round(size * 256 / 224)
        for img in images:
            h, w = img.shape[-2:]
            nh, nw = (short, max(1, int(short * w / h))) if h <= w else \
                (max(1, int(short * h / w)), short)
            y = F.interpolate(img[None].float(), size=(nh, nw), mode="bilinear",
                              antialias=True, align_corners=False)
            top, left = round((nh - size) / 2.0), round((nw - size) / 2.0)
            crops.append(y[..., top:top + size, left:left + size])
        x = torch.cat(crops).div_(255).clamp_(0, 1)
    else:
        for img in images:
            i, j, ch, cw = _rrc_box(img.shape[-2], img.shape[-1], spec, generator)
            crops.append(F.interpolate(img[None, :, i:i + ch, j:j + cw].float(),
                                       size=(size, size), mode="bilinear", antialias=True,
                                       align_corners=False))
        x = torch.cat(crops).div_(255).clamp_(0, 1)
        n, dev = x.shape[0], x.device

        def draw(p: float):
            return (torch.rand(n, generator=generator) < p).to(dev).view(n, 1, 1, 1)

        if spec.hflip > 0:
            x = torch.where(draw(spec.hflip), x.flip(-1), x)
        if spec.vflip > 0:
            x = torch.where(draw(spec.vflip), x.flip(-2), x)
        per_image = []
        if spec.rotation > 0:
            per_image.append(v2.RandomRotation(spec.rotation))
        jitter = {"b": spec.brightness, "c": spec.contrast, "s": spec.saturation}
        for k in torch.randperm(3, generator=generator).tolist():
            name, amount = list(jitter.items())[k]
            if amount <= 0:
                continue
            lo, hi = max(0.0, 1 - amount), 1 + amount  # ColorJitter's factor range
            f = (lo + (hi - lo) * torch.rand(n, generator=generator)).to(dev).view(n, 1, 1, 1)
            if name == "b":
                x = (x * f).clamp_(0, 1)
            elif name == "c":
                x = _blend(x, _gray(x).mean(dim=(1, 2, 3), keepdim=True), f)
            else:
                x = _blend(x, _gray(x), f)
        if spec.hue > 0:
            per_image.append(v2.ColorJitter(hue=spec.hue))
        if spec.grayscale > 0:
            x = torch.where(draw(spec.grayscale), _gray(x).expand_as(x), x)
        if spec.blur > 0:
            per_image.append(v2.RandomApply([v2.GaussianBlur(kernel_size=9, sigma=(0.1, 2.0))],
                                            p=spec.blur))
        if spec.policy != "none":
            policy = {"trivialaugment": v2.TrivialAugmentWide, "randaugment": v2.RandAugment,
                      "autoaugment": v2.AutoAugment}[spec.policy]()
            per_image.append(v2.Compose([v2.ToDtype(torch.uint8, scale=True), policy,
                                         v2.ToDtype(torch.float32, scale=True)]))
        if per_image:
            ops = v2.Compose(per_image)
            x = torch.stack([ops(img) for img in x])
    m = torch.tensor(mean, device=x.device).view(1, 3, 1, 1)
    s = torch.tensor(std, device=x.device).view(1, 3, 1, 1)
    x = (x - m) / s
    if spec is not None and spec.enabled and spec.erasing > 0:
        erase = v2.RandomErasing(p=spec.erasing, value=0)
        x = torch.stack([erase(img) for img in x])
    return x
