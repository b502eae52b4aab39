"""Dataset scanning, image loading and the torch ``Dataset`` the trainer uses.

A dataset folder is either ``train/`` + ``val/`` (or ``valid/`` / ``validation/``, optional
``test/``) each holding one sub-folder per class, or a plain folder of class sub-folders that
is split into train/val here (stratified, seeded).

Files are recognised by content (PIL reads the header), never by extension. Anything that
cannot be read is *skipped with a reason*, both while scanning and later while training: a bad
file never stops a run.
"""

from __future__ import annotations

import errno
import os
import random
import stat
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .rng import global_rng_draws

# Pictures above this many pixels are refused before decoding (decompression-bomb guard).
MAX_IMAGE_PIXELS = 80_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Longer side over shorter side. Resizing the short side to ~256 px would turn a 1 x 60,000
# strip into a 256 x 15,360,000 picture (12 GB): such files are refused, not resized.
MAX_ASPECT = 100
# A truncated JPEG is an error, not silently grey pixels.
ImageFile.LOAD_TRUNCATED_IMAGES = False

IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "icon\r"})
TRAIN_NAMES = ("train", "training")
VAL_NAMES = ("val", "valid", "validation")
TEST_NAMES = ("test", "testing")


class DataError(ValueError):
    """The dataset folder cannot be used; the message is one line meant for the user."""


class ImageLoadError(OSError):
    """One image could not be read; the message says why."""


@dataclass(frozen=True)
class Sample:
    path: str
    label: int


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class DatasetScan:
    """Result of :func:`scan_dataset`: class names, samples per split, skipped files."""

    root: str
    classes: list[str]
    splits: dict[str, list[Sample]]
    skipped: list[SkippedFile] = field(default_factory=list)
    val_fraction: float | None = None  # set when val was split off train

    def counts(self) -> dict[str, dict[str, int]]:
        """``{class: {split: n}}`` for every class and split."""
        table = {c: {s: 0 for s in self.splits} for c in self.classes}
        for split, samples in self.splits.items():
            for s in samples:
                table[self.classes[s.label]][split] += 1
        return table

    def class_counts(self, split: str = "train") -> list[int]:
        counts = [0] * len(self.classes)
        for s in self.splits.get(split, []):
            counts[s.label] += 1
        return counts

    def imbalance_ratio(self, split: str = "train") -> float:
        counts = [c for c in self.class_counts(split) if c > 0]
        return max(counts) / min(counts) if counts else 1.0


# --------------------------------------------------------------------------- loading


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
        return f"image too large (over {MAX_IMAGE_PIXELS:,} pixels)"
    if isinstance(exc, FileNotFoundError):
        return "file no longer exists"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, IsADirectoryError):
        return "not a regular file (a folder)"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
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
            kind = ("a folder" if stat.S_ISDIR(st.st_mode)
                    else "a named pipe" if stat.S_ISFIFO(st.st_mode)
                    else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device")
            raise ImageLoadError(f"not a regular file ({kind})")
        if st.st_size == 0:
            raise ImageLoadError("empty file (0 bytes)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def load_image(path: str | os.PathLike[str], max_side: int | None = None) -> Image.Image:
    """Decode ``path`` into an upright RGB image.

    ``max_side`` lets JPEG decode at a reduced scale (``draft``) when only a smaller picture is
    needed. Raises :class:`ImageLoadError` with a one-line reason for anything unreadable.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # PIL's notes on odd EXIF/TIFF tags
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open_regular(path) as fh, Image.open(fh) as img:
                if img.width * img.height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                if img.width < 1 or img.height < 1:
                    raise ImageLoadError("empty image")
                if _too_thin(img.width, img.height):
                    raise ImageLoadError(_thin_reason(img.width, img.height))
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
    except (Exception, Image.DecompressionBombWarning) as exc:  # PIL raises many kinds
        raise ImageLoadError(_describe(exc)) from exc


class DecodedCache:
    """``load`` with the decoded pictures kept in RAM, up to ``budget`` bytes, so a picture
    that training reads every epoch is decoded once (CPU path, in-process loading).

    First come, first kept: once the budget is spent the rest decode every time, as without
    the cache (every picture is read equally often, so evicting would only churn). A file
    that fails to load is never kept: it raises again and is reported again. Returns the
    cached image itself; the transforms never modify their input in place.
    """

    def __init__(self, load: Callable[[str], Image.Image], budget: int) -> None:
        self.load, self.budget = load, budget
        self.used = 0
        self.images: dict[str, Image.Image] = {}

    def __call__(self, path: str) -> Image.Image:
        img = self.images.get(path)
        if img is None:
            img = self.load(path)
            size = img.width * img.height * len(img.getbands())
            if self.used + size <= self.budget:
                self.images[path] = img
                self.used += size
        return img


def probe_image(path: str) -> str | None:
    """Cheap check used while scanning: returns ``None`` if PIL recognises the file as a
    picture it can decode, else the reason. Reads only the header (and verifies PNG/GIF)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # PIL's notes on odd EXIF/TIFF tags
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open_regular(path) as fh, Image.open(fh) as img:
                if img.width * img.height > MAX_IMAGE_PIXELS:
                    return f"image too large (over {MAX_IMAGE_PIXELS:,} pixels)"
                if img.width < 1 or img.height < 1:
                    return "empty image"
                if _too_thin(img.width, img.height):
                    return _thin_reason(img.width, img.height)
        return None
    except ImageLoadError as exc:
        return str(exc)
    except FileNotFoundError:
        return "broken link (its target is missing)" if os.path.islink(path) \
            else "file no longer exists"
    except (Exception, Image.DecompressionBombWarning) as exc:
        return _describe(exc)


# --------------------------------------------------------------------------- scanning


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.lower() in IGNORED_NAMES


def _list_dirs(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise DataError(f"cannot read folder {folder}: {exc.strerror or exc}") from exc
    return [Path(e.path) for e in entries if not _is_hidden(e.name) and e.is_dir()]


def _walk_files(folder: Path) -> list[str]:
    """Every non-hidden file below ``folder`` (nested folders included), loop-safe."""
    files: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            st = current.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:  # symlink loop or a folder linked twice
            continue
        seen.add(key)
        try:
            entries = list(os.scandir(current))
        except OSError:
            if current != folder:  # an unreadable sub-folder is reported, not dropped
                files.append(str(current))
            continue
        for e in entries:
            if _is_hidden(e.name):
                continue
            try:
                if e.is_dir():
                    stack.append(Path(e.path))
                else:
                    # Files, and also links to nothing, pipes and devices: the probe refuses
                    # those with a reason (without blocking), so none is dropped silently.
                    files.append(e.path)
            except OSError:
                if e.is_symlink():  # a link loop: reported by the probe as one
                    files.append(e.path)
    files.sort()
    return files


def _scan_class_folders(
    split_dir: Path, workers: int
) -> tuple[dict[str, list[str]], list[SkippedFile]]:
    """``{class name: [good files]}`` and the skipped files below one split folder."""
    per_class: dict[str, list[str]] = {}
    candidates: list[tuple[str, str]] = []
    for class_dir in _list_dirs(split_dir):
        per_class[class_dir.name] = []
        candidates.extend((class_dir.name, f) for f in _walk_files(class_dir))
    skipped: list[SkippedFile] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        reasons = pool.map(probe_image, [f for _, f in candidates], chunksize=64)
        for (name, path), reason in zip(candidates, reasons, strict=True):
            if reason is None:
                per_class[name].append(path)
            else:
                skipped.append(SkippedFile(path, reason))
    return per_class, skipped


def _find(root: Path, names: Sequence[str]) -> Path | None:
    for d in _list_dirs(root):
        if d.name.lower() in names:
            return d
    return None


def stratified_split(
    labels: Sequence[int], fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Indices for (train, val): ``fraction`` of each class to val, at least one where a class
    has two or more items. Seeded and independent of the order of classes."""
    by_class: dict[int, list[int]] = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    train, val = [], []
    for y in sorted(by_class):
        idx = by_class[y][:]
        random.Random(f"{seed}-{y}").shuffle(idx)
        n_val = round(len(idx) * fraction)
        if fraction > 0 and len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    return sorted(train), sorted(val)


def scan_dataset(
    root: str | os.PathLike[str],
    val_split: float = 0.2,
    seed: int = 0,
    workers: int | None = None,
) -> DatasetScan:
    """Scan a dataset folder (see module docstring). Raises :class:`DataError` when it is not
    usable: missing folder, fewer than two classes with images, a val/test class that train
    lacks."""
    root_path = Path(root).expanduser()
    if not root_path.is_dir():
        raise DataError(f"dataset folder not found: {root_path}")
    if not 0.0 <= val_split < 1.0:
        raise DataError(f"--val-split must be in [0, 1), got {val_split}")
    workers = workers or min(8, (os.cpu_count() or 2) * 2)

    train_dir = _find(root_path, TRAIN_NAMES)
    val_dir = _find(root_path, VAL_NAMES)
    test_dir = _find(root_path, TEST_NAMES)
    skipped: list[SkippedFile] = []
    scanned: dict[str, dict[str, list[str]]] = {}

    if train_dir is not None:
        for split, d in (("train", train_dir), ("val", val_dir), ("test", test_dir)):
            if d is not None:
                scanned[split], bad = _scan_class_folders(d, workers)
                skipped.extend(bad)
    else:
        scanned["train"], bad = _scan_class_folders(root_path, workers)
        skipped.extend(bad)

    classes = sorted(c for c, files in scanned["train"].items() if files)
    class_root = train_dir or root_path
    # A class folder without a single usable picture is left out; say so, not silently.
    skipped.extend(SkippedFile(str(class_root / c), "no readable images in this class "
                               "folder; class left out")
                   for c, files in sorted(scanned["train"].items()) if not files)
    if len(classes) < 2:
        found = ", ".join(classes) or "none"
        raise DataError(
            f"need at least two class folders with images in {train_dir or root_path} "
            f"(found {len(classes)}: {found})"
        )
    index = {c: i for i, c in enumerate(classes)}
    for split in ("val", "test"):
        extra = sorted(c for c, f in scanned.get(split, {}).items() if f and c not in index)
        if extra:
            raise DataError(f"{split} has classes that train lacks: {', '.join(extra)}")

    splits: dict[str, list[Sample]] = {}
    for split, per_class in scanned.items():
        splits[split] = [Sample(p, index[c]) for c in classes for p in per_class.get(c, [])]

    val_fraction = None
    if "val" not in splits or not splits["val"]:
        train = splits["train"]
        tr, va = stratified_split([s.label for s in train], val_split, seed)
        splits["train"] = [train[i] for i in tr]
        splits["val"] = [train[i] for i in va]
        val_fraction = val_split
    splits.setdefault("test", [])
    if not splits["test"]:
        del splits["test"]
    if not splits["val"]:
        raise DataError("no validation images: add a val/ folder or use a --val-split above 0")
    ordered = {k: splits[k] for k in ("train", "val", "test") if k in splits}
    return DatasetScan(str(root_path), classes, ordered, skipped, val_fraction)


def list_images(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Expand files and folders into the image files they hold (sorted per folder). Hidden and
    system files are ignored; non-image files are left for the loader to report."""
    out: list[str] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(_walk_files(p))
        else:
            out.append(str(p))
    return out


# --------------------------------------------------------------------------- torch Dataset


class ImageDataset:
    """``torch.utils.data.Dataset`` over samples; a file that fails to load yields ``None`` so
    that :func:`collate_skip` can drop it and report it (the run goes on)."""

    def __init__(
        self,
        samples: Sequence[Sample],
        transform: Callable[[Image.Image], object],
        loader: Callable[[str], Image.Image] = load_image,
    ) -> None:
        self.samples = list(samples)
        self.transform = transform
        self.loader = loader

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        s = self.samples[i]
        try:
            img = self.loader(s.path)
        except ImageLoadError as exc:
            return (None, s.label, i, SkippedFile(s.path, str(exc)))
        with global_rng_draws():  # random transforms; see .rng
            x = self.transform(img)
        return (x, s.label, i, None)


def collate_skip(batch):
    """Stack the good items; carry the bad ones' :class:`SkippedFile` records alongside."""
    import torch

    good = [b for b in batch if b[0] is not None]
    bad = [b[3] for b in batch if b[0] is None]
    if not good:
        return None, None, None, bad
    x = torch.stack([b[0] for b in good])
    y = torch.tensor([b[1] for b in good], dtype=torch.long)
    idx = torch.tensor([b[2] for b in good], dtype=torch.long)
    return x, y, idx, bad


# --------------------------------------------------------------------------- decoded-image bank


class ImageBank:
    """Decoded pictures kept as ``uint8`` on one device (the GPU path), so each file is decoded
    once per run instead of once per epoch, and a whole batch can be cropped and augmented on
    the device in a few kernels (:func:`tlgui.engine.augment.device_batch`).

    Every picture is stored *stretched* to ``side`` x ``side`` (``side`` is twice the network's
    input size; resized on the device, antialiased), together with its decoded height and
    width. Crop boxes are drawn in the picture's own coordinates and mapped onto the square;
    resampling the box to the output size undoes the stretch, so the crops are those of the
    unstretched picture, while the bank is one dense ``[N, 3, side, side]`` tensor per
    :meth:`add` call that a batch indexes with a single gather (fastai's "presizing": resize
    once to a fixed size larger than the output, then crop and augment whole batches on the
    GPU).

    Bounded: each picture takes ``3 * side**2`` bytes (602 KB at side 448) and the whole bank
    at most ``max_bytes``. :meth:`add` refuses a split that would not fit *before* decoding
    it, and the trainer then streams that split from disk as usual: a dataset of 20,000 photos
    never needs all its decoded pixels in memory.
    """

    def __init__(self, device, max_bytes: int, side: int = 448, workers: int = 8) -> None:
        self.device = device
        self.max_bytes = int(max_bytes)
        self.side = int(side)
        self.workers = workers
        self.blocks: list = []  # uint8 [n, 3, side, side] tensors on ``device``
        self.index: dict[str, tuple[int, int]] = {}  # path -> (block, row)
        self.sizes: dict[str, tuple[int, int]] = {}  # path -> decoded (height, width)
        self.failed: dict[str, str] = {}
        self.nbytes = 0
        self.full = False  # a split was refused: do not try again just to refuse again
        self.seconds = 0.0  # spent decoding (what the first epoch pays for the later ones)

    @property
    def item_bytes(self) -> int:
        return 3 * self.side * self.side

    def _decode(self, path: str):
        """``(HWC uint8 array, (h, w))`` or the reason it failed. Runs in the thread pool:
        decoding releases the GIL, so the pool's threads really decode in parallel."""
        import numpy as np

        try:
            img = load_image(path, max_side=self.side)
        except ImageLoadError as exc:
            return str(exc)
        return np.asarray(img, dtype=np.uint8), (img.height, img.width)

    def _stretch(self, pixels):
        """One decoded picture to ``uint8 [3, side, side]`` on the device. The resize runs
        there (antialiased bilinear), not on the CPU that is still decoding the next ones."""
        import torch
        import torch.nn.functional as F

        x = torch.from_numpy(pixels).to(self.device).permute(2, 0, 1)[None].float()
        x = F.interpolate(x, size=(self.side, self.side), mode="bilinear", antialias=True,
                          align_corners=False)
        return x[0].round_().clamp_(0, 255).to(torch.uint8)

    def add(self, paths: Sequence[str]) -> bool:
        """Decode and keep every path not yet held. ``False`` (nothing decoded, nothing kept)
        when they would take the bank over ``max_bytes``."""
        import torch

        todo = [p for p in dict.fromkeys(paths) if p not in self.index and p not in self.failed]
        if not todo:
            return True
        need = len(todo) * self.item_bytes
        if self.full or self.nbytes + need > self.max_bytes:
            self.full = True
            return False
        t0 = time.perf_counter()
        block = torch.empty((len(todo), 3, self.side, self.side), dtype=torch.uint8,
                            device=self.device)
        b = len(self.blocks)
        chunk = 4 * self.workers  # decoded pictures waiting for the device stay few
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                for row, (path, item) in enumerate(zip(part, pool.map(self._decode, part),
                                                       strict=True), start):
                    if isinstance(item, str):
                        self.failed[path] = item
                        continue
                    block[row] = self._stretch(item[0])
                    self.index[path] = (b, row)
                    self.sizes[path] = item[1]
        self.blocks.append(block)
        self.nbytes += need
        self.seconds += time.perf_counter() - t0
        return True

    def holds(self, paths: Iterable[str]) -> bool:
        return all(p in self.index or p in self.failed for p in paths)

    def image(self, path: str):
        """One held picture as stored: ``uint8 [3, side, side]`` (stretched)."""
        b, row = self.index[path]
        return self.blocks[b][row]
