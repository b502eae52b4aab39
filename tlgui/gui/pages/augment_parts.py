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


# Group -> (field, label, maximum, step, tooltip); the minimum is in KNOB_MINIMA (else 0). Labels
# and tooltips are marked for lupdate here and translated by the page's ``tr`` where shown.
KNOBS: dict[str, list[tuple[str, str, float, float, str]]] = {
    "crop": [
        (
            "scale_min",
            QT_TRANSLATE_NOOP("AugmentPage", "Smallest crop (share of area)"),
            1.0,
            0.05,
            QT_TRANSLATE_NOOP(
                "AugmentPage",
                "RandomResizedCrop keeps between this and the largest share of the picture",
            ),
        ),
        ("scale_max", QT_TRANSLATE_NOOP("AugmentPage", "Largest crop"), 1.0, 0.05, ""),
        ("ratio_min", QT_TRANSLATE_NOOP("AugmentPage", "Narrowest aspect ratio"), 4.0, 0.05, ""),
        ("ratio_max", QT_TRANSLATE_NOOP("AugmentPage", "Widest aspect ratio"), 4.0, 0.05, ""),
        (
            "resolution",
            QT_TRANSLATE_NOOP("AugmentPage", "Training resolution (share of input size)"),
            1.0,
            0.05,
            QT_TRANSLATE_NOOP(
                "AugmentPage",
                "While the backbone trains (fine-tune), crops of 0.8 of the input size "
                "(176 of 224 pixels) train about 1.6x faster, and since random crops zoom "
                "in, objects then look as large as prediction shows them. A frozen "
                "backbone always gets full-size crops.",
            ),
        ),
    ],
    "geometry": [
        ("hflip", QT_TRANSLATE_NOOP("AugmentPage", "Horizontal flip (probability)"), 1.0, 0.05, ""),
        (
            "vflip",
            QT_TRANSLATE_NOOP("AugmentPage", "Vertical flip (probability)"),
            1.0,
            0.05,
            QT_TRANSLATE_NOOP(
                "AugmentPage", "Only for pictures without an up and down, e.g. microscopy"
            ),
        ),
        ("rotation", QT_TRANSLATE_NOOP("AugmentPage", "Rotation (± degrees)"), 180.0, 5.0, ""),
    ],
    "colour": [
        ("brightness", QT_TRANSLATE_NOOP("AugmentPage", "Brightness"), 1.0, 0.05, ""),
        ("contrast", QT_TRANSLATE_NOOP("AugmentPage", "Contrast"), 1.0, 0.05, ""),
        ("saturation", QT_TRANSLATE_NOOP("AugmentPage", "Saturation"), 1.0, 0.05, ""),
        ("hue", QT_TRANSLATE_NOOP("AugmentPage", "Hue"), 0.5, 0.01, ""),
        ("grayscale", QT_TRANSLATE_NOOP("AugmentPage", "Greyscale (probability)"), 1.0, 0.05, ""),
    ],
    "other": [
        ("blur", QT_TRANSLATE_NOOP("AugmentPage", "Blur (probability)"), 1.0, 0.05, ""),
        (
            "erasing",
            QT_TRANSLATE_NOOP("AugmentPage", "Random erasing (probability)"),
            1.0,
            0.05,
            QT_TRANSLATE_NOOP(
                "AugmentPage",
                "Blanks a random rectangle: makes the model look at more than one spot",
            ),
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
