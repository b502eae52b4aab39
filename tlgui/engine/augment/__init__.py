"""Augmentation: a JSON-serialisable :class:`AugmentSpec` <-> ``torchvision.transforms.v2``.

One description of what training does to a picture serves every consumer:

* the CPU training pipeline (:func:`train_transform`) and the preview (:func:`preview`) are
  built from the same ops with the same parameters (:func:`build_geometric`); the preview only
  leaves out the normalisation and always shows full-size crops;
* the on-device pipeline of GPU runs (:func:`tlgui.engine.augment.device.device_batch`)
  applies the same ops in the same order with the same parameter distributions, batched on
  the device; its pixels differ from the CPU pipeline's by resampling and rounding only;
* prediction and evaluation use :func:`eval_transform`, whose view :func:`eval_preview` shows.

So what the preview shows is what training does to a picture, whichever device trains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from PIL import Image

from ..rng import seeded_global_draws

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


def _to_tensor_head() -> list:
    """First step of every pipeline: the decoded picture becomes a uint8 tensor, so the crops,
    resizes and colour changes after it run on torch's vectorised uint8 kernels (about twice as
    fast as PIL's resampling here; the pixels agree with PIL's to one level of 255)."""
    return [_v2().ToImage()]


def _normalize_tail(mean, std) -> list:
    import torch

    v2 = _v2()
    return [v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean, std)]


def build_geometric(spec: AugmentSpec, size: int) -> list:
    """The geometric and colour steps of the train pipeline (on a uint8 picture, before the
    conversion to float) for a backbone whose input is ``size`` pixels; crops come out
    :func:`train_side` pixels wide."""
    v2 = _v2()
    if not spec.enabled:
        return [v2.Resize(round(size * 256 / 224)), v2.CenterCrop(size)]
    ops: list = [
        v2.RandomResizedCrop(
            train_side(spec, size),
            scale=(spec.scale_min, spec.scale_max),
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
    ops = _to_tensor_head() + build_geometric(spec, size) + _normalize_tail(mean, std)
    if spec.enabled and spec.erasing > 0:
        ops.append(v2.RandomErasing(p=spec.erasing, value=0))
    return v2.Compose(ops)


def eval_transform(size: int, mean, std):
    """Resize the short side to size*256/224, centre-crop ``size``, normalise."""
    v2 = _v2()
    return v2.Compose(
        _to_tensor_head()
        + [v2.Resize(round(size * 256 / 224), antialias=True), v2.CenterCrop(size)]
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
    ops = (
        _to_tensor_head()
        + build_geometric(replace(spec, resolution=1.0), size)
        + [v2.ToDtype(torch.float32, scale=True)]
    )
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
    with seeded_global_draws(seed):  # leaves a run's numbers alone (see ..rng)
        for _ in range(n):
            out.append(to_pil(pipeline(image).clamp(0, 1)))
    return out


def eval_preview(image: Image.Image, size: int = 224) -> Image.Image:
    """What the model sees at prediction time (resize + centre crop), as a PIL image."""
    v2 = _v2()
    return v2.Compose([v2.Resize(round(size * 256 / 224), antialias=True), v2.CenterCrop(size)])(
        image.convert("RGB")
    )
