"""Generated test images: no binary fixtures, no downloads."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {"red": (200, 40, 40), "blue": (40, 60, 200), "green": (40, 170, 60)}


def make_image(path: Path, colour: tuple[int, int, int], seed: int = 0, size: int = 64,
               fmt: str | None = None) -> Path:
    """A noisy picture dominated by ``colour`` with a random lighter shape on it."""
    rng = random.Random(seed)
    img = Image.new("RGB", (size, size), tuple(max(0, c + rng.randint(-30, 30)) for c in colour))
    d = ImageDraw.Draw(img)
    for _ in range(3):
        x0, y0 = rng.randint(0, size // 2), rng.randint(0, size // 2)
        x1, y1 = x0 + rng.randint(8, size // 2), y0 + rng.randint(8, size // 2)
        shade = tuple(min(255, c + rng.randint(20, 80)) for c in colour)
        d.ellipse((x0, y0, x1, y1), fill=shade)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt or "JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else fmt)
    return path


def make_dataset(root: Path, n_train: int = 8, n_val: int = 4, classes=("red", "blue"),
                 layout: str = "split", n_test: int = 0) -> Path:
    """``layout='split'``: root/train|val[/test]/class/*.jpg; ``'flat'``: root/class/*.jpg."""
    seed = 0
    for ci, name in enumerate(classes):
        colour = COLOURS[name]
        if layout == "flat":
            for i in range(n_train):
                make_image(root / name / f"{name}_{i:03d}.jpg", colour, seed := seed + 1)
            continue
        for split, n in (("train", n_train), ("val", n_val), ("test", n_test)):
            for i in range(n):
                make_image(root / split / name / f"{name}_{i:03d}.jpg", colour,
                           seed := seed + 1 + ci * 1000)
    return root


def curve_points(n: int):
    """``n`` epochs of a plausible run for the live curves, as ``CurvesCanvas.add_point``
    arguments: loss falls from ~1.4 to ~0.2 (tick labels change shape), accuracy rises, epoch
    10 brings two-digit x labels."""
    for e in range(1, n + 1):
        yield e, 1.4 / e**0.8, 1.5 / e**0.7, 1 - 0.5 / e, 1 - 0.55 / e, e
