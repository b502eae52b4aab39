"""Generated datasets for the dataset doctor's tests: photo-like pictures with planted problems.

Uniform generated pictures (flat colours, noise, smooth blobs) all look alike to a backbone, so
every picture here is a different crop of the one real photo in ``tests/data`` (position,
size, mirror, rotation), tinted by its class: the classes are easy, the pictures distinct.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

PHOTO = Path(__file__).parent / "data" / "chelsea.jpg"
TINTS = {"red": (1.0, 0.45, 0.45), "blue": (0.45, 0.55, 1.0), "green": (0.5, 1.0, 0.5)}


def crop_picture(path: Path, cls: str, seed: int, size: int = 128) -> Path:
    """A ``size`` px crop of the photo, chosen by ``seed``, tinted for ``cls``."""
    rng = np.random.default_rng(seed)
    with Image.open(PHOTO) as photo:
        src = photo.convert("RGB")
    w, h = src.size
    side = int(min(w, h) * rng.uniform(0.3, 0.7))
    x, y = int(rng.uniform(0, w - side)), int(rng.uniform(0, h - side))
    img = src.crop((x, y, x + side, y + side)).resize((size, size), Image.Resampling.BICUBIC)
    if rng.random() < 0.5:
        img = ImageOps.mirror(img)
    img = img.rotate(float(rng.choice([0, 90, 180, 270])))
    pixels = np.asarray(img, dtype=np.float64) * np.array(TINTS[cls])
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def make_crops_dataset(
    root: Path, n_train: int, n_val: int, classes: tuple[str, ...] = ("red", "blue", "green")
) -> Path:
    """``root/train|val/<class>/<class>_NNN.jpg``."""
    seed = 0
    for cls in classes:
        for split, n in (("train", n_train), ("val", n_val)):
            for i in range(n):
                seed += 1
                crop_picture(root / split / cls / f"{cls}_{i:03d}.jpg", cls, seed)
    return root


def plant_flip(root: Path, split: str, cls: str, index: int, to: str) -> Path:
    """Move ``<split>/<cls>/<cls>_<index>.jpg`` into the class folder ``to``: a wrong label."""
    src = root / split / cls / f"{cls}_{index:03d}.jpg"
    dst = root / split / to / src.name
    src.rename(dst)
    return dst


def plant_copies(root: Path, original: Path, cls: str) -> tuple[Path, Path]:
    """A resized (80%, quality 80) and a re-encoded (quality 50) copy of ``original`` in
    ``val/<cls>``."""
    val = root / "val" / cls
    with Image.open(original) as img:
        w, h = img.size
        img.resize((w * 4 // 5, h * 4 // 5), Image.Resampling.BICUBIC).save(
            val / "copy_resized.jpg", quality=80
        )
        img.save(val / "copy_reencoded.jpg", quality=50)
    return val / "copy_resized.jpg", val / "copy_reencoded.jpg"


def plant_identical(root: Path, original: Path, cls: str) -> Path:
    """A byte-identical copy of ``original`` in ``val/<cls>``."""
    copy = root / "val" / cls / "copy_identical.jpg"
    shutil.copyfile(original, copy)
    return copy
