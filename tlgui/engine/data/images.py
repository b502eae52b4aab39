"""Reading one picture: the size and shape limits, the non-blocking open, decoding to upright
RGB, and the header-only probe the scan uses.

Files are recognised by content (PIL reads the header), never by extension. Every failure
becomes a one-line reason (:class:`ImageLoadError`, or the probe's return value).

The limits are tlgui's own and are checked here after PIL has read the header, before any
pixel is decoded; PIL's process-wide settings (``Image.MAX_IMAGE_PIXELS``,
``ImageFile.LOAD_TRUNCATED_IMAGES``) are read by PIL as the host program left them and never
changed, so embedding the engine changes nothing for the rest of the process. With PIL's
defaults a truncated file is refused; a program that sets ``LOAD_TRUNCATED_IMAGES`` asks PIL
to fill the missing pixels, and the engine respects that choice. A picture over PIL's own
limit fails in PIL (its ``DecompressionBombError``) and is reported like one over ours.
"""

from __future__ import annotations

import errno
import os
import stat

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import one_line

# Pictures above this many pixels are refused before decoding (decompression-bomb guard).
MAX_IMAGE_PIXELS = 80_000_000
# Longer side over shorter side. Resizing the short side to ~256 px would turn a 1 x 60,000
# strip into a 256 x 15,360,000 picture (12 GB): such files are refused, not resized.
MAX_ASPECT = 100
TOO_LARGE = f"image too large (over {MAX_IMAGE_PIXELS:,} pixels)"


class ImageLoadError(OSError):
    """One image could not be read; the message says why."""


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode -> RGB. Transparency is composited on white; 16/32-bit is rescaled."""
    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        import numpy as np

        arr = np.asarray(img, dtype=np.float64)
        finite = np.isfinite(arr)  # float pictures may hold NaN/inf: they must not blacken it
        if not finite.any():
            return Image.new("RGB", img.size)
        lo, hi = float(arr[finite].min()), float(arr[finite].max())
        arr = np.where(finite, arr, lo)
        scaled = (arr - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (unrecognised content)"
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return TOO_LARGE
    if isinstance(exc, FileNotFoundError):
        return "file no longer exists"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, IsADirectoryError):
        return "not a regular file (a folder)"
    text = one_line(exc)
    if "truncated" in text.lower() or "broken data stream" in text.lower():
        return "truncated or corrupt image data"
    return text


def _too_thin(width: int, height: int) -> bool:
    return max(width, height) > MAX_ASPECT * min(width, height)


def _thin_reason(width: int, height: int) -> str:
    return f"extreme shape {width} x {height} (more than {MAX_ASPECT}:1), cannot be resized"


def _open_regular(path: str | os.PathLike[str]):
    """Open ``path`` for reading without ever blocking. ``O_NONBLOCK`` makes opening a named
    pipe return at once (a plain open waits for a writer forever, and a file can be swapped
    for one between the scan and training), and anything but a non-empty regular file is
    refused before a byte is read (a device such as /dev/zero never ends)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a folder"
                if stat.S_ISDIR(st.st_mode)
                else "a named pipe"
                if stat.S_ISFIFO(st.st_mode)
                else "a socket"
                if stat.S_ISSOCK(st.st_mode)
                else "a device"
            )
            raise ImageLoadError(f"not a regular file ({kind})")
        if st.st_size == 0:
            raise ImageLoadError("empty file (0 bytes)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _header_problem(img: Image.Image) -> str | None:
    """Why a picture is refused from its header alone (size, shape), or ``None``."""
    if img.width * img.height > MAX_IMAGE_PIXELS:
        return TOO_LARGE
    if img.width < 1 or img.height < 1:
        return "empty image"
    if _too_thin(img.width, img.height):
        return _thin_reason(img.width, img.height)
    return None


def load_image(path: str | os.PathLike[str], max_side: int | None = None) -> Image.Image:
    """Decode ``path`` into an upright RGB image.

    ``max_side`` lets JPEG decode at a reduced scale (``draft``) when only a smaller picture is
    needed. Raises :class:`ImageLoadError` with a one-line reason for anything unreadable,
    including a picture :func:`probe_image` refuses (checked before its pixels are decoded).
    """
    try:
        with _open_regular(path) as fh, Image.open(fh) as img:
            problem = _header_problem(img)
            if problem:
                raise ImageLoadError(problem)
            if max_side and img.format == "JPEG":
                img.draft("RGB", (max_side, max_side))
            img.load()
            img = ImageOps.exif_transpose(img) or img
            out = _to_rgb(img)
            if out is img:
                out = img.copy()
            return out
    except ImageLoadError:
        raise
    except Exception as exc:  # PIL raises many kinds (a warning the host made an error too)
        raise ImageLoadError(_describe(exc)) from exc


def load_for_network(path: str | os.PathLike[str], input_size: int) -> Image.Image:
    """:func:`load_image` for a network whose input is ``input_size`` pixels, as every pass
    and prediction loads: a JPEG decodes at a reduced scale (``draft``) as long as its short
    side stays at least twice the input size, so a crop of a quarter of the picture keeps the
    input's resolution, and the eval view's resize still shrinks it (a 12-megapixel photo
    decodes at a quarter of its side, several times faster)."""
    return load_image(path, max_side=2 * input_size)


def probe_image(path: str) -> str | None:
    """Cheap check used while scanning: returns ``None`` if PIL recognises the file as a
    picture it can decode, else the reason. Reads only the header."""
    try:
        with _open_regular(path) as fh, Image.open(fh) as img:
            return _header_problem(img)
    except ImageLoadError as exc:
        return str(exc)
    except FileNotFoundError:
        if os.path.islink(path):
            return "broken link (its target is missing)"
        return "file no longer exists"
    except Exception as exc:
        return _describe(exc)
