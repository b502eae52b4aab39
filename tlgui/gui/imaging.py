"""PIL <-> Qt image conversion and thumbnail decoding (safe to call on worker threads: only
``QImage`` is used there, never ``QPixmap``)."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage

from ..engine.data import load_image


def pil_to_qimage(img: Image.Image) -> QImage:
    """A deep-copied ``QImage`` so the PIL buffer can go away."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    data = img.tobytes("raw", "RGB")
    qimg = QImage(data, img.width, img.height, img.width * 3, QImage.Format.Format_RGB888)
    return qimg.copy()


def qimage_to_pil(qimg: QImage) -> Image.Image:
    qimg = qimg.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = qimg.width(), qimg.height(), qimg.bytesPerLine()
    raw = bytes(qimg.constBits())[: bpl * h]
    return Image.frombuffer("RGB", (w, h), raw, "raw", "RGB", bpl, 1).copy()


def thumbnail(path: str, side: int) -> QImage:
    """Decode ``path`` (JPEG at reduced scale) into a thumbnail at most ``side`` px."""
    img = load_image(path, max_side=side * 2)
    img.thumbnail((side, side))
    return pil_to_qimage(img)


def thumbnails(paths: list[str], side: int) -> list[tuple[str, QImage | None]]:
    """Thumbnails for ``paths``; unreadable ones come back as ``None``."""
    out: list[tuple[str, QImage | None]] = []
    for p in paths:
        try:
            out.append((p, thumbnail(p, side)))
        except OSError:
            out.append((p, None))
    return out
