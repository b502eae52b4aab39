"""The torch ``Dataset`` over scanned samples and its collate function. A picture that fails
to load is carried to the trainer as a :class:`~.scan.SkippedFile`: a bad file never stops a
run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PIL import Image

from ..rng import global_rng_draws
from .images import ImageLoadError, load_image
from .scan import Sample, SkippedFile


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
