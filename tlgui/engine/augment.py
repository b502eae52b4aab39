"""Augmentation: a JSON-serialisable :class:`AugmentSpec` <-> ``torchvision.transforms.v2``.

The same preset objects serve training, the GUI's preview and prediction (eval pipeline), so
what the user sees in the preview is exactly what the model is trained on.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from PIL import Image

from .rng import GLOBAL_RNG_LOCK

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
    # Side of the training crops, as a share of the input size, while the backbone trains
    # (fine-tune; staged after unfreezing). See :func:`train_side`.
    resolution: float = 1.0

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
        if not 0.5 <= self.resolution <= 1:
            raise ValueError("training resolution must be in [0.5, 1] of the input size")
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}")


def train_side(spec: AugmentSpec, size: int) -> int:
    """The side of the training crops for a backbone whose input is ``size`` pixels, while
    that backbone trains.

    RandomResizedCrop zooms in, so at equal sides objects look larger in training than in the
    eval view; training on smaller crops undoes that ("FixRes", Touvron et al. 2019;
    torchvision's own recipes train at 176 and evaluate at 224) and costs ``resolution**2`` of
    the compute. Rounded to a multiple of 8 (176 for 0.8 x 224). A frozen backbone cannot adapt
    to the change of scale, so the trainer gives it full-size crops; without augmentation
    training uses the eval view, at the full size.
    """
    if not spec.enabled or spec.resolution >= 1:
        return size
    return max(32, round(size * spec.resolution / 8) * 8)


def preset(name: str) -> AugmentSpec:
    """Named presets. ``default`` is what a first run uses: crops + flips + mild colour. The
    augmenting presets train a backbone at 0.8 of the input size (README "Performance")."""
    base = AugmentSpec(resolution=0.8)
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
    """The PIL-side part of the train pipeline (everything before tensor conversion) for a
    backbone whose input is ``size`` pixels; crops come out :func:`train_side` pixels wide."""
    v2 = _v2()
    if not spec.enabled:
        return [v2.Resize(round(size * 256 / 224)), v2.CenterCrop(size)]
    ops: list = [
        v2.RandomResizedCrop(
            train_side(spec, size), scale=(spec.scale_min, spec.scale_max),
            ratio=(spec.ratio_min, spec.ratio_max),
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

    Shows what training sees (erasing included), minus the normalisation, always ``size``
    pixels wide: the training resolution changes how many pixels a crop has, not what is in it
    (and it only applies while the backbone trains).
    """
    import torch

    v2 = _v2()
    ops = build_geometric(replace(spec, resolution=1.0), size) + [
        v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
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
    # Under the lock a run's own draws take (see .rng); only the CPU generator is seeded and
    # restored (torch.manual_seed would reseed a GPU run's generator too, for good).
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
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


def _rrc_boxes(hw, spec: AugmentSpec, g, tries: int = 10):
    """torchvision's RandomResizedCrop draw for a whole batch at once, on ``hw``'s device.

    ``hw`` is ``[B, 2]`` (height, width). Like ``RandomResizedCrop.get_params``: up to ``tries``
    candidates per picture (area fraction uniform in the scale range, aspect log-uniform), the
    first that fits wins, else a centre crop with the aspect ratio clamped. Returns ``(top,
    left, height, width)`` float tensors of shape ``[B]``, drawn from ``g`` with no host sync.
    """
    import math

    import torch

    h, w = hw[:, 0:1], hw[:, 1:2]
    r = torch.rand((hw.shape[0], tries, 4), generator=g, device=hw.device)
    target = h * w * (spec.scale_min + (spec.scale_max - spec.scale_min) * r[..., 0])
    log_lo, log_hi = math.log(spec.ratio_min), math.log(spec.ratio_max)
    aspect = torch.exp(log_lo + (log_hi - log_lo) * r[..., 1])
    cw, ch = torch.round(torch.sqrt(target * aspect)), torch.round(torch.sqrt(target / aspect))
    ok = (cw > 0) & (cw <= w) & (ch > 0) & (ch <= h)
    top = torch.floor(r[..., 2] * (h - ch + 1))
    left = torch.floor(r[..., 3] * (w - cw + 1))
    first = ok.float().argmax(1, keepdim=True)  # the first fitting candidate (0 if none)

    def pick(t):
        return t.gather(1, first).squeeze(1)

    # The fallback: the whole picture, the aspect ratio clamped to the range.
    h, w = h.squeeze(1), w.squeeze(1)
    ratio = w / h
    fw = torch.where(ratio > spec.ratio_max, torch.round(h * spec.ratio_max), w)
    fh = torch.where(ratio < spec.ratio_min, torch.round(w / spec.ratio_min), h)
    any_ok = ok.any(1)
    ch = torch.where(any_ok, pick(ch), fh)
    cw = torch.where(any_ok, pick(cw), fw)
    top = torch.where(any_ok, pick(top), torch.floor((h - fh) / 2))
    left = torch.where(any_ok, pick(left), torch.floor((w - fw) / 2))
    return top, left, ch, cw


def _eval_boxes(hw, size: int):
    """The eval transform's crop as a box in each picture's own coordinates, with
    torchvision's exact geometry: ``Resize(short)`` (the long side truncated to an int), then
    ``CenterCrop(size)`` (offsets rounded)."""
    import torch

    h, w = hw[:, 0], hw[:, 1]
    short = round(size * 256 / 224)
    nh = torch.where(h <= w, torch.full_like(h, short), torch.floor(short * h / w))
    nw = torch.where(h <= w, torch.floor(short * w / h), torch.full_like(w, short))
    sy, sx = h / nh, w / nw
    top, left = torch.round((nh - size) / 2) * sy, torch.round((nw - size) / 2) * sx
    return top, left, size * sy, size * sx


@functools.lru_cache(maxsize=8)
def _channel_constants(mean: tuple, std: tuple, device):
    """Mean and std as ``[1, 3, 1, 1]`` tensors on ``device``, copied there once (a host-to-
    device copy per batch would make the CPU wait for the GPU)."""
    import torch

    return (torch.tensor(mean, device=device).view(1, 3, 1, 1),
            torch.tensor(std, device=device).view(1, 3, 1, 1))


def crop_batch(x, hw, boxes, size: int):
    """Crop ``boxes`` (``top, left, height, width`` in each picture's own ``hw`` coordinates)
    out of the stretched ``[B, 3, S, S]`` bank pictures ``x`` and resize them to ``size``,
    all pictures in one ``roi_align`` call. Each output pixel averages the bank pixels under
    it (adaptive sampling), so shrinking is antialiased."""
    import torch
    from torchvision.ops import roi_align

    top, left, ch, cw = boxes
    side = x.shape[-1]
    sy, sx = side / hw[:, 0], side / hw[:, 1]
    rois = torch.stack([torch.arange(x.shape[0], device=x.device, dtype=torch.float32),
                        left * sx, top * sy, (left + cw) * sx, (top + ch) * sy], dim=1)
    return roi_align(x.float(), rois, output_size=(size, size), spatial_scale=1.0,
                     sampling_ratio=-1, aligned=True)


def _blend(a, b, factor):
    return (factor * a + (1 - factor) * b).clamp_(0, 1)


def _gray(x):
    return (0.2989 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])


def device_batch(x, hw, spec: AugmentSpec | None, size: int, mean, std, generator):
    """A normalised float batch from :class:`~tlgui.engine.data.ImageBank` pictures.

    ``x`` is ``uint8 [B, 3, S, S]`` (stretched bank pictures) and ``hw`` their true heights and
    widths (``[B, 2]``), both on the device. ``spec=None`` is the eval transform (short side to
    ``size*256/224``, centre crop); otherwise the train transform of ``spec`` (crops
    :func:`train_side` pixels wide). Crops (one ``roi_align`` for the batch), flips, colour
    jitter and grayscale are drawn for the whole batch on the device, from a device generator
    seeded from ``generator`` (CPU), so nothing waits for the GPU; rotation, hue, blur, the
    auto-augment policies and erasing run per picture through the same torchvision ops as the
    CPU path. Resampling differs slightly from the PIL-based CPU path (rounding-level
    differences).
    """
    import torch

    v2 = _v2()
    dev = x.device
    hw = hw.to(dev, torch.float32)
    if generator.device == dev:
        g = generator
    else:
        g = torch.Generator(dev).manual_seed(
            int(torch.randint(0, 2**62, (1,), generator=generator)))
    if spec is None or not spec.enabled:
        x = crop_batch(x, hw, _eval_boxes(hw, size), size).div_(255).clamp_(0, 1)
    else:
        side = train_side(spec, size)
        x = crop_batch(x, hw, _rrc_boxes(hw, spec, g), side).div_(255).clamp_(0, 1)
        n = x.shape[0]

        def draw(p: float):
            return (torch.rand(n, generator=g, device=dev) < p).view(n, 1, 1, 1)

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
            f = (lo + (hi - lo) * torch.rand(n, generator=g, device=dev)).view(n, 1, 1, 1)
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
    m, s = _channel_constants(tuple(mean), tuple(std), x.device)
    x = x.sub_(m).div_(s)
    if spec is not None and spec.enabled and spec.erasing > 0:
        erase = v2.RandomErasing(p=spec.erasing, value=0)
        x = torch.stack([erase(img) for img in x])
    return x
