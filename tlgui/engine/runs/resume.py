"""The one check that a run folder can be resumed, shared by the CLI and the GUI."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..config import DEFAULT_VAL_SPLIT, TrainConfig
from .folder import RunError, RunFolder

if TYPE_CHECKING:
    from ..data import DatasetScan


@dataclass(frozen=True)
class ResumePlan:
    """What continuing a run needs, checked once for the CLI and the GUI (:meth:`load`).

    ``config`` is the run's own, validated, with only where it runs (device, loader workers)
    replaced on request: a run may continue on another machine. ``data`` and ``out`` are the
    run's unless given (the dataset folder may have moved); ``val_split`` is the run's, or
    :data:`~.config.DEFAULT_VAL_SPLIT` when it recorded none (its dataset has a val/ folder,
    so the split is never used). Torch-free: safe on the GUI thread.
    """

    run: RunFolder
    config: TrainConfig
    data: str
    out: str | None
    val_split: float

    @classmethod
    def load(
        cls,
        run_dir: str | os.PathLike[str],
        *,
        data: str | None = None,
        out: str | None = None,
        device: str = "auto",
        workers: int = -1,
    ) -> ResumePlan:
        """Check that ``run_dir`` can be resumed; :class:`RunError` with a one-line reason if
        not (no run, damaged or newer ``run.json``, unusable settings, no finished epoch, no
        or a vanished dataset folder)."""
        run = RunFolder.open(run_dir)
        meta = run.meta()
        try:
            config = TrainConfig.from_dict(meta["config"])
            config.validate()
        except (TypeError, ValueError) as exc:
            raise RunError(f"the settings of the run in {run.path} are not usable: {exc}") from None
        if device != "auto":
            config = replace(config, device=device)
        if workers != -1:
            config = replace(config, workers=workers)
        if not run.has_state():
            raise RunError(f"{run.path} has no finished epoch to resume from")
        recorded = meta.get("data")
        if data is None:
            if not isinstance(recorded, str) or not recorded:
                raise RunError(f"the run in {run.path} does not record its dataset folder")
            if not os.path.isdir(recorded):
                raise RunError(f"the dataset folder of this run is gone: {recorded}")
            data = recorded
        recorded_out = meta.get("out")
        if out is None and isinstance(recorded_out, str) and recorded_out:
            out = recorded_out
        split = meta.get("val_split")
        usable = isinstance(split, int | float) and not isinstance(split, bool) and 0 <= split < 1
        return cls(run, config, data, out, float(split) if usable else DEFAULT_VAL_SPLIT)

    def require_out(self) -> str:
        """The bundle path; :class:`RunError` when neither the run nor the caller gave one."""
        if not self.out:
            raise RunError(f"the run in {self.run.path} has no --out; give --out")
        return self.out

    def scan(self, workers: int | None = None) -> DatasetScan:
        """Scan the dataset with the run's split and seed, and check that its classes are
        the ones the run trained on (:class:`~.data.DataError` or :class:`RunError`)."""
        from ..data import scan_dataset

        # A run recorded before the setting existed split without grouping duplicates.
        keep = "keep_duplicates_together" in self.run.meta().get("config", {})
        scan = scan_dataset(
            self.data,
            val_split=self.val_split,
            seed=self.config.seed,
            workers=workers,
            keep_together=keep and self.config.keep_duplicates_together,
        )
        classes = self.run.meta().get("classes")
        if isinstance(classes, list) and classes and classes != list(scan.classes):
            raise RunError(
                "the dataset's classes changed since the run started "
                f"({', '.join(map(str, classes))}); cannot resume"
            )
        return scan
