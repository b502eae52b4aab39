"""The loop's state and its result, as dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import TrainConfig
from ..events import EpochEnd, Skipped
from ..metrics import EvalReport
from ..model import TransferModel


@dataclass
class LoopState:
    """Where the loop is. ``epoch``: the epoch running, or the last one run; ``started``:
    ``time.perf_counter()`` when it started; ``batches``: batches in the current pass.
    ``should_stop``: a part asked the loop to stop after the current batch (the LR finder) or
    epoch (early stopping)."""

    epoch: int = 0
    next_epoch: int = 1
    history: list[EpochEnd] = field(default_factory=list)
    started: float = 0.0
    batches: int = 0
    epoch_is_best: bool = False
    should_stop: bool = False
    cancelled: bool = False


@dataclass
class FitResult:
    """A finished (or stopped, or cancelled) run: the model with the best epoch's weights, on
    the CPU, and what the run measured."""

    model: TransferModel
    config: TrainConfig
    classes: list[str]
    history: list[EpochEnd]
    best_epoch: int
    best_val_acc: float
    stopped_early: bool
    cancelled: bool
    seconds: float
    reports: dict[str, EvalReport]
    skipped: list[Skipped]
    # What ran the frozen backbone's no-gradient forward (BackendChoice.to_json()).
    inference_backend: dict[str, str] = field(default_factory=dict)
    # Temperature scaling fitted on the validation split after training (1: none fitted).
    temperature: float = 1.0
    # Processes the run trained in (torchrun; 1 for a plain run): the ``done`` line's world_size.
    world_size: int = 1

    def summary(self) -> dict[str, Any]:
        """The run summary: the keys of the CLI's ``done`` event (minus ``checkpoint``) and of
        the GUI's ``trainingFinished`` signal."""
        return {
            "best_epoch": self.best_epoch,
            "best_val_acc": self.best_val_acc,
            "stopped_early": self.stopped_early,
            "cancelled": self.cancelled,
        }


__all__ = ["FitResult", "LoopState"]
