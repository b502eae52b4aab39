"""The Augment step's parts that are not widgets: the table of its controls (one per
``AugmentSpec`` knob), which preset a spec is, and the preview work that runs on pool threads
(decoding the sample, rendering the tiles)."""

from __future__ import annotations

from dataclasses import fields

from PIL import Image
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QImage

from ...engine import augment
from ...engine.augment import PRESET_NAMES, AugmentSpec
from ...engine.data import load_image
from ..imaging import pil_to_qimage
from ..warm_up import import_engine

TILES = 8
INPUT_SIZE = 224
PRESET_TOLERANCE = 0.006  # spin boxes show two decimals: closer than this is the same value


def _N(text: str) -> str:
    """Mark a label for translation (looked up with the page's ``tr`` at use)."""
    return QT_TRANSLATE_NOOP("AugmentPage", text)


# Group -> (field, label, maximum, step, tooltip); the minimum is in KNOB_MINIMA (else 0).
KNOBS: dict[str, list[tuple[str, str, float, float, str]]] = {
    "crop": [
        (
            "scale_min",
            _N("Smallest crop (share of area)"),
            1.0,
            0.05,
            _N("RandomResizedCrop keeps between this and the largest share of the picture"),
        ),
        ("scale_max", _N("Largest crop"), 1.0, 0.05, ""),
        ("ratio_min", _N("Narrowest aspect ratio"), 4.0, 0.05, ""),
        ("ratio_max", _N("Widest aspect ratio"), 4.0, 0.05, ""),
        (
            "resolution",
            _N("Training resolution (share of input size)"),
            1.0,
            0.05,
            _N(
                "While the backbone trains (fine-tune), crops of 0.8 of the input size "
                "(176 of 224 pixels) train about 1.6x faster, and since random crops zoom "
                "in, objects then look as large as prediction shows them. A frozen "
                "backbone always gets full-size crops."
            ),
        ),
    ],
    "geometry": [
        ("hflip", _N("Horizontal flip (probability)"), 1.0, 0.05, ""),
        (
            "vflip",
            _N("Vertical flip (probability)"),
            1.0,
            0.05,
            _N("Only for pictures without an up and down, e.g. microscopy"),
        ),
        ("rotation", _N("Rotation (± degrees)"), 180.0, 5.0, ""),
    ],
    "colour": [
        ("brightness", _N("Brightness"), 1.0, 0.05, ""),
        ("contrast", _N("Contrast"), 1.0, 0.05, ""),
        ("saturation", _N("Saturation"), 1.0, 0.05, ""),
        ("hue", _N("Hue"), 0.5, 0.01, ""),
        ("grayscale", _N("Greyscale (probability)"), 1.0, 0.05, ""),
    ],
    "other": [
        ("blur", _N("Blur (probability)"), 1.0, 0.05, ""),
        (
            "erasing",
            _N("Random erasing (probability)"),
            1.0,
            0.05,
            _N("Blanks a random rectangle: makes the model look at more than one spot"),
        ),
    ],
}
KNOB_MINIMA = {
    "scale_min": 0.01,
    "scale_max": 0.01,
    "ratio_min": 0.01,
    "ratio_max": 0.01,
    "resolution": 0.5,
}


def matching_preset(spec: AugmentSpec) -> str | None:
    """The preset ``spec`` equals (numbers as the controls show them), if any."""
    for name in PRESET_NAMES:
        p = augment.preset(name)
        if not spec.enabled or not p.enabled:
            if spec.enabled == p.enabled:
                return name
            continue
        if all(
            abs(getattr(p, f.name) - getattr(spec, f.name)) < PRESET_TOLERANCE
            if isinstance(getattr(p, f.name), float)
            else getattr(p, f.name) == getattr(spec, f.name)
            for f in fields(p)
        ):
            return name
    return None


def load_sample(path: str) -> Image.Image:
    """Job function: the sample photo, shrunk once to twice the input size so each re-render
    is cheap."""
    img = load_image(path, max_side=INPUT_SIZE * 2)
    if min(img.size) > INPUT_SIZE * 2:
        scale = INPUT_SIZE * 2 / min(img.size)
        img = img.resize(
            (round(img.width * scale), round(img.height * scale)), Image.Resampling.BILINEAR
        )
    return img


def render(
    image: Image.Image, spec: AugmentSpec, seed: int, n: int = TILES
) -> tuple[list[QImage], QImage]:
    """Job function: ``n`` augmented tiles and the eval view."""
    import_engine()
    tiles = [
        pil_to_qimage(t) for t in augment.preview(image, spec, n=n, seed=seed, size=INPUT_SIZE)
    ]
    return tiles, pil_to_qimage(augment.eval_preview(image, INPUT_SIZE))
