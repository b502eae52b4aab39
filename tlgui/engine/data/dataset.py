"""The torch ``Dataset`` over scanned samples and its collate function. A picture that fails
to load is carried to the trainer as a :class:`~.scan.SkippedFile`: a bad file never stops a
run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PIL import Image

from ..rng import global_rng_draws, seeded_global_draws
from .images import ImageLoadError, load_image
from .scan import Sample, SkippedFile


class ImageDataset:
    """``torch.utils.data.Dataset`` over samples; a file that fails to load yields ``None`` so
    that :func:`collate_skip` can drop it and report it (the run goes on).

    ``seeds`` (one per sample, for a random transform): sample ``i``'s transform draws its
    random numbers from ``seeds[i]`` (:func:`~tlgui.engine.rng.seeded_global_draws`), so its
    picture is the same whichever thread or process transforms it, and in whatever order.
    Without seeds the transform takes the global generator's next numbers, under the lock."""

    def __init__(
        self,
        samples: Sequence[Sample],
        transform: Callable[[Image.Image], object],
        loader: Callable[[str], Image.Image] = load_image,
        seeds: Sequence[int] | None = None,
    ) -> None:
        self.samples = list(samples)
        self.transform = transform
        self.loader = loader
        if seeds is not None and len(seeds) != len(self.samples):
            raise ValueError(f"{len(seeds)} seeds for {len(self.samples)} samples")
        self.seeds = seeds

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        s = self.samples[i]
        try:
            img = self.loader(s.path)
        except ImageLoadError as exc:
            return (None, s.label, i, SkippedFile(s.path, str(exc)))
        draws = global_rng_draws() if self.seeds is None else seeded_global_draws(self.seeds[i])
        with draws:  # see ..rng
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
