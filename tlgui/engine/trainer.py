"""Training, the way the CLI, the GUI and scripts call it: ``fit(scan, config, ...)`` or
``Trainer(...).fit()``.

Three modes: **transfer** (the pretrained backbone frozen, only the new head trains),
**finetune** (every layer trains, the backbone at a smaller learning rate) and **staged** (a
few frozen epochs, then fine-tuning). The run reports through the callbacks' hooks
(:class:`~tlgui.engine.events.Callback`) and stops cooperatively when its
:class:`CancelToken` is set. The loop itself is built from parts in :mod:`tlgui.engine.train`;
this module keeps the names other code imports.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch

from .config import TrainConfig
from .data import DatasetScan
from .events import Callback
from .train.loop import FitLoop
from .train.runtime import (
    CancelToken,
    TrainingError,
    auto_workers,
    device_description,
    resolve_device,
    seed_everything,
)
from .train.state import FitResult


class Trainer:
    """One training run; see :class:`~tlgui.engine.train.loop.FitLoop` for the arguments."""

    def __init__(
        self,
        scan: DatasetScan,
        config: TrainConfig,
        callbacks: Sequence[Callback] = (),
        cancel: CancelToken | None = None,
        run_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
    ) -> None:
        """``run_dir``: save a resume checkpoint there after every epoch (see
        :mod:`tlgui.engine.runs`); ``resume=True`` continues the run saved there."""
        self.loop = FitLoop(scan, config, callbacks, cancel, run_dir, resume)

    @property
    def device(self) -> torch.device:
        return self.loop.runtime.device

    def fit(self) -> FitResult:
        """Run the whole fit; raises :class:`TrainingError` (one line) when it cannot go on."""
        return self.loop.run()


def fit(
    scan: DatasetScan,
    config: TrainConfig | None = None,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> FitResult:
    """Train on ``scan`` with ``config``; see :class:`Trainer` (and :mod:`.runs` for
    ``run_dir``/``resume``)."""
    return Trainer(scan, config or TrainConfig(), callbacks, cancel, run_dir, resume).fit()


__all__ = [
    "CancelToken",
    "FitResult",
    "TrainConfig",
    "Trainer",
    "TrainingError",
    "auto_workers",
    "device_description",
    "fit",
    "resolve_device",
    "seed_everything",
]
