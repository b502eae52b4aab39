"""Decoded pictures kept for the rest of a run: :class:`DecodedCache` in RAM (CPU path) and
:class:`ImageBank` on the training device (GPU path)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from .images import ImageLoadError, load_image


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


class ImageBank:
    """Decoded pictures kept as ``uint8`` on one device (the GPU path), so each file is decoded
    once per run instead of once per epoch, and a whole batch can be cropped and augmented on
    the device in a few kernels (:func:`tlgui.engine.augment.device.device_batch`).

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
        x = F.interpolate(
            x, size=(self.side, self.side), mode="bilinear", antialias=True, align_corners=False
        )
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
        block = torch.empty(
            (len(todo), 3, self.side, self.side), dtype=torch.uint8, device=self.device
        )
        b = len(self.blocks)
        chunk = 4 * self.workers  # decoded pictures waiting for the device stay few
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                for row, (path, item) in enumerate(
                    zip(part, pool.map(self._decode, part), strict=True), start
                ):
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
