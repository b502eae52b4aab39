"""On-device augmentation: the CPU training pipeline's ops, batched on the device.

:class:`~tlgui.engine.data.ImageBank` keeps decoded pictures on the device; :func:`device_batch`
turns a gathered batch of them into the normalised tensor the network takes. It applies the
ops of :func:`tlgui.engine.augment.train_transform` in the same order, with the same parameter
distributions: random resized crop, flips, rotation, colour jitter (brightness, contrast,
saturation and hue in a random order per picture), grayscale, blur, the automatic policy,
normalisation, erasing. Its pixels differ from the CPU pipeline's by resampling (one
``roi_align`` from the bank instead of PIL's resize) and rounding only.

Random numbers (see :mod:`tlgui.engine.rng`): every draw comes from the caller's private
generator. The batched steps draw from a device generator seeded from it, so nothing waits for
the GPU; the per-picture torchvision steps (rotation, blur, policy, erasing) draw inside
:func:`~tlgui.engine.rng.seeded_global_draws`, seeded from it too.
"""

from __future__ import annotations

import functools
import math

import torch
from torchvision.ops import roi_align
from torchvision.transforms import v2

from ..rng import seeded_global_draws
from . import AugmentSpec, train_side

_SEED_RANGE = 2**62


def _rrc_boxes(hw, spec: AugmentSpec, g, tries: int = 10):
    """torchvision's RandomResizedCrop draw for a whole batch at once, on ``hw``'s device.

    ``hw`` is ``[B, 2]`` (height, width). Like ``RandomResizedCrop.get_params``: up to ``tries``
    candidates per picture (area fraction uniform in the scale range, aspect log-uniform), the
    first that fits wins, else a centre crop with the aspect ratio clamped. Returns ``(top,
    left, height, width)`` float tensors of shape ``[B]``, drawn from ``g`` with no host sync.
    """
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
    return (
        torch.tensor(mean, device=device).view(1, 3, 1, 1),
        torch.tensor(std, device=device).view(1, 3, 1, 1),
    )


def crop_batch(x, hw, boxes, size: int):
    """Crop ``boxes`` (``top, left, height, width`` in each picture's own ``hw`` coordinates)
    out of the stretched ``[B, 3, S, S]`` bank pictures ``x`` and resize them to ``size``,
    all pictures in one ``roi_align`` call. Each output pixel averages the bank pixels under
    it (adaptive sampling), so shrinking is antialiased."""
    top, left, ch, cw = boxes
    side = x.shape[-1]
    sy, sx = side / hw[:, 0], side / hw[:, 1]
    rois = torch.stack(
        [
            torch.arange(x.shape[0], device=x.device, dtype=torch.float32),
            left * sx,
            top * sy,
            (left + cw) * sx,
            (top + ch) * sy,
        ],
        dim=1,
    )
    return roi_align(
        x.float(),
        rois,
        output_size=(size, size),
        spatial_scale=1.0,
        sampling_ratio=-1,
        aligned=True,
    )


def _blend(a: torch.Tensor, b: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    return (factor * a + (1 - factor) * b).clamp_(0, 1)


def _gray(x: torch.Tensor) -> torch.Tensor:
    return 0.2989 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


@functools.lru_cache(maxsize=8)
def _hsv_sectors(device: torch.device) -> torch.Tensor:
    """Which of ``(v, p, q, t)`` is red, green and blue in each of the six hue sectors."""
    return torch.tensor([[0, 2, 1, 1, 3, 0], [3, 0, 0, 2, 1, 1], [1, 1, 3, 0, 0, 2]], device=device)


def shift_hue(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """torchvision's ``adjust_hue`` with one shift per picture: float RGB ``[B, 3, H, W]`` in
    [0, 1], ``shift`` ``[B]`` in turns of the colour circle (-0.5 to 0.5)."""
    r, g, b = x.unbind(1)
    maxc, minc = x.amax(1), x.amin(1)
    chroma = maxc - minc
    flat = chroma == 0
    ones = torch.ones_like(maxc)
    s = chroma / torch.where(flat, ones, maxc)
    div = torch.where(flat, ones, chroma)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    h = torch.where(maxc == r, bc - gc, torch.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = (h / 6.0 + 1.0 + shift.view(-1, 1, 1)) % 1.0
    h6 = h * 6.0
    sector = torch.floor(h6)
    f = h6 - sector
    v = maxc
    p = (v * (1.0 - s)).clamp(0, 1)
    q = (v * (1.0 - s * f)).clamp(0, 1)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0, 1)
    pick = _hsv_sectors(x.device)[:, sector.long() % 6].movedim(0, 1)
    return torch.stack((v, p, q, t), 1).gather(1, pick)


def _colour_op(op: int, x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """ColorJitter's op ``op`` (brightness, contrast, saturation, hue) with per-picture
    factors, on float RGB in [0, 1]."""
    f = factor.view(-1, 1, 1, 1)
    if op == 0:
        return (x * f).clamp(0, 1)
    if op == 1:
        return _blend(x, _gray(x).mean(dim=(1, 2, 3), keepdim=True), f)
    if op == 2:
        return _blend(x, _gray(x), f)
    return shift_hue(x, factor)


def colour_jitter(x: torch.Tensor, spec: AugmentSpec, g: torch.Generator) -> torch.Tensor:
    """``ColorJitter(brightness, contrast, saturation, hue)`` per picture, batched: factors
    uniform in ColorJitter's ranges and the four ops in a random order per picture (each
    position of the order applies, to every picture, the op that picture drew there)."""
    amounts = (spec.brightness, spec.contrast, spec.saturation, spec.hue)
    if not any(amounts):
        return x
    n, dev = x.shape[0], x.device

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, generator=g, device=dev)

    order = torch.rand((n, 4), generator=g, device=dev).argsort(1)
    factors = [uniform(max(0.0, 1 - a), 1 + a) if a > 0 else None for a in amounts[:3]]
    factors.append(uniform(-spec.hue, spec.hue) if spec.hue > 0 else None)
    for position in range(4):
        for op, factor in enumerate(factors):
            if factor is not None:
                chosen = (order[:, position] == op).view(n, 1, 1, 1)
                x = torch.where(chosen, _colour_op(op, x, factor), x)
    return x


def _each(x: torch.Tensor, op) -> torch.Tensor:
    """``op`` (a torchvision transform) applied to every picture on its own."""
    return torch.stack([op(img) for img in x])


def device_batch(
    x: torch.Tensor,
    hw: torch.Tensor,
    spec: AugmentSpec | None,
    size: int,
    mean,
    std,
    generator: torch.Generator,
) -> torch.Tensor:
    """A normalised float batch from :class:`~tlgui.engine.data.ImageBank` pictures.

    ``x`` is ``uint8 [B, 3, S, S]`` (stretched bank pictures) and ``hw`` their true heights and
    widths (``[B, 2]``), both on the device. ``spec=None`` (or a disabled spec) is the eval
    transform (short side to ``size*256/224``, centre crop); otherwise the train transform of
    ``spec``, crops :func:`~tlgui.engine.augment.train_side` pixels wide. ``generator`` is the
    caller's private CPU generator: the same generator state gives the same batch.
    """
    dev = x.device
    hw = hw.to(dev, torch.float32)
    m, s = _channel_constants(tuple(mean), tuple(std), dev)
    if spec is None or not spec.enabled:
        x = crop_batch(x, hw, _eval_boxes(hw, size), size).div_(255).clamp_(0, 1)
        return x.sub_(m).div_(s)
    if generator.device == dev:
        g = generator
    else:
        g = torch.Generator(dev).manual_seed(
            int(torch.randint(0, _SEED_RANGE, (1,), generator=generator))
        )
    per_picture = int(torch.randint(0, _SEED_RANGE, (1,), generator=generator))
    x = crop_batch(x, hw, _rrc_boxes(hw, spec, g), train_side(spec, size)).div_(255).clamp_(0, 1)
    n = x.shape[0]

    def draw(p: float) -> torch.Tensor:
        return (torch.rand(n, generator=g, device=dev) < p).view(n, 1, 1, 1)

    if spec.hflip > 0:
        x = torch.where(draw(spec.hflip), x.flip(-1), x)
    if spec.vflip > 0:
        x = torch.where(draw(spec.vflip), x.flip(-2), x)
    with seeded_global_draws(per_picture):
        if spec.rotation > 0:
            x = _each(x, v2.RandomRotation(spec.rotation))
        x = colour_jitter(x, spec, g)
        if spec.grayscale > 0:
            x = torch.where(draw(spec.grayscale), _gray(x).expand_as(x), x)
        late = []
        if spec.blur > 0:
            late.append(
                v2.RandomApply([v2.GaussianBlur(kernel_size=9, sigma=(0.1, 2.0))], p=spec.blur)
            )
        if spec.policy != "none":
            policy = {
                "trivialaugment": v2.TrivialAugmentWide,
                "randaugment": v2.RandAugment,
                "autoaugment": v2.AutoAugment,
            }[spec.policy]()
            late.append(
                v2.Compose(
                    [
                        v2.ToDtype(torch.uint8, scale=True),
                        policy,
                        v2.ToDtype(torch.float32, scale=True),
                    ]
                )
            )
        if late:
            x = _each(x, v2.Compose(late))
        x = x.sub_(m).div_(s)
        if spec.erasing > 0:
            x = _each(x, v2.RandomErasing(p=spec.erasing, value=0))
    return x


__all__ = ["colour_jitter", "crop_batch", "device_batch", "shift_hue"]
