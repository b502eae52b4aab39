"""The loop's own callbacks: parts of a run that act at named points of the loop and own
their state.

Each :class:`LoopCallback` gets the loop at every hook (fastai's and Lightning's callbacks work
the same way) and keeps its state itself; :meth:`~LoopCallback.state_dict` gives it as plain
tensors and containers, and a run's resume file (``last.pt``) is the loop's progress plus the
sum of these states (see :meth:`~.loop.FitLoop.state_dict`):

* :class:`StagedUnfreeze`: which epochs train frozen; the optimizer and scheduler of each phase
  (``optimizer``, ``scheduler``);
* :class:`EarlyStopping`: the best epoch and its weights, and the patience counter
  (``best_diff``, ``best_key``, ``best_epoch``, ``best_acc``, ``bad_epochs``,
  ``stopped_early``);
* :class:`TrainProgress`: reports each training batch's loss as a ``BatchEnd`` event;
* :class:`RunCheckpoint`: writes the run folder every epoch and restores a run from it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from ..config import TrainConfig
from ..events import BatchEnd, EpochEnd
from ..metrics import EvalReport
from ..runs import RunError, RunFolder, rng_state, set_rng_state
from .optim import make_optimizer, make_scheduler
from .runtime import TrainingError

if TYPE_CHECKING:
    from ..model import TransferModel
    from .loop import FitLoop


class LoopCallback:
    """No-op hooks; a part overrides the ones it acts on. Hooks run in the loop's thread, in
    the order of the loop's callback list."""

    def on_fit_start(self, loop: FitLoop) -> None:
        """The model is built (``loop.model``); no epoch has run in this process yet."""

    def on_epoch_start(self, loop: FitLoop, epoch: int) -> None: ...
    def on_train_batch_start(self, loop: FitLoop, batch: int) -> None: ...

    def on_train_batch_end(self, loop: FitLoop, batch: int, loss: float) -> None:
        """``loss`` of training batch ``batch``; on CUDA it arrives one step late."""

    def on_validation_end(self, loop: FitLoop, epoch: int, report: EvalReport) -> None: ...

    def on_epoch_end(self, loop: FitLoop, event: EpochEnd) -> None:
        """Before the caller's callbacks hear of the epoch."""

    def on_train_end(self, loop: FitLoop) -> None:
        """The last epoch has run (or the run was cancelled); the final evaluation follows."""

    def on_fit_end(self, loop: FitLoop) -> None:
        """The run ended normally (finished, stopped early or cancelled)."""

    def on_exception(self, loop: FitLoop, status: str, message: str | None) -> None:
        """The run ends with an exception: ``status`` ``failed`` (``message``: one line) or
        ``cancelled``."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`state_dict` gave (keys of other parts are ignored)."""


class StagedUnfreeze(LoopCallback):
    """Freezes the backbone for the first ``frozen_epochs`` epochs (all of them in transfer
    mode, none in fine-tune mode, ``freeze_epochs`` in staged mode) and builds each phase's
    optimizer and scheduler: at the first epoch, and again when staged mode unfreezes, when
    the head continues at half its learning rate next to the backbone's."""

    def __init__(self, config: TrainConfig, steps_per_epoch: int, device: torch.device) -> None:
        self.config, self.steps_per_epoch, self.device = config, steps_per_epoch, device
        self.frozen_epochs = {
            "transfer": config.epochs,
            "finetune": 0,
            "staged": min(config.freeze_epochs, config.epochs),
        }[config.mode]
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
        self._loop: FitLoop | None = None

    def frozen(self, epoch: int) -> bool:
        return epoch <= self.frozen_epochs

    def on_fit_start(self, loop: FitLoop) -> None:
        self._loop = loop

    def on_epoch_start(self, loop: FitLoop, epoch: int) -> None:
        frozen = self.frozen(epoch)
        if self.optimizer is None or (not frozen and loop.built_model.backbone_frozen):
            self._begin_phase(frozen)

    def _begin_phase(self, frozen: bool) -> None:
        assert self._loop is not None
        cfg, model = self.config, self._loop.built_model
        model.freeze_backbone(frozen)
        epochs = self.frozen_epochs if frozen else cfg.epochs - self.frozen_epochs
        lr_head = cfg.lr_head if (frozen or cfg.mode == "finetune") else cfg.lr_head / 2
        self.optimizer = make_optimizer(cfg, model, lr_head, self.device)
        self.scheduler = make_scheduler(cfg, self.optimizer, epochs, self.steps_per_epoch)
        self._loop.step.attach(self.optimizer, self.scheduler)

    def state_dict(self) -> dict[str, Any]:
        assert self.optimizer is not None
        return {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """The phase of the saved epoch, with its optimizer and scheduler states."""
        self._begin_phase(self.frozen(int(state["epoch"])))
        assert self.optimizer is not None
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])


@dataclass
class BestEpoch:
    """The best epoch so far by the monitored metric. ``key`` orders epochs: (monitored value,
    tie-breaker), larger is better; ``weights`` are the model's at that epoch."""

    key: tuple[float, float] | None = None
    epoch: int = 0
    accuracy: float = 0.0
    weights: dict[str, torch.Tensor] | None = None


class EarlyStopping(LoopCallback):
    """Keeps the best epoch's weights, asks the loop to stop after ``patience`` epochs without
    improvement (0: never), and puts the best weights back when training ends.

    Improvement: the monitored metric (``val_acc`` or ``val_loss``) beats the best by more than
    ``min_delta``, or equals it and the other one is better."""

    def __init__(self, monitor: str, min_delta: float, patience: int, epochs: int) -> None:
        self.monitor, self.min_delta = monitor, min_delta
        self.patience, self.epochs = patience, epochs
        self.best = BestEpoch()
        self.bad_epochs = 0
        self.stopped_early = False
        self._loop: FitLoop | None = None

    def on_fit_start(self, loop: FitLoop) -> None:
        self._loop = loop

    def _model(self) -> TransferModel:
        assert self._loop is not None
        return self._loop.built_model

    def on_validation_end(self, loop: FitLoop, epoch: int, report: EvalReport) -> None:
        key = (
            (report.accuracy, -report.loss)
            if self.monitor == "val_acc"
            else (-report.loss, report.accuracy)
        )
        best = self.best.key
        improved = best is None or (
            key[0] > best[0] + self.min_delta or (key[0] >= best[0] - 1e-12 and key[1] > best[1])
        )
        if improved:
            # A copy on the model's device: no device-to-host transfer mid-run.
            weights = {k: v.detach().clone() for k, v in self._model().state_dict().items()}
            self.best = BestEpoch(key, epoch, report.accuracy, weights)
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        self.stopped_early = bool(
            self.patience and self.bad_epochs >= self.patience and epoch < self.epochs
        )
        loop.state.epoch_is_best = improved
        loop.state.should_stop = self.stopped_early

    def on_train_end(self, loop: FitLoop) -> None:
        """Put the best weights back, writing only the tensors that differ: a frozen
        backbone's stay untouched, so its folded copy and ORT session stay valid."""
        if self.best.weights is None:
            return
        model = self._model()
        model.load_state_dict(self._best_diff(), strict=False)

    def _best_diff(self) -> dict[str, torch.Tensor]:
        """The best weights that differ from the model's current ones (the head, in transfer
        mode): what putting them back has to write, and what a resume file stores."""
        assert self.best.weights is not None
        current = self._model().state_dict()
        return {
            k: v
            for k, v in self.best.weights.items()
            if k not in current or not torch.equal(v, current[k].detach().to(v.device))
        }

    def state_dict(self) -> dict[str, Any]:
        # The best weights are stored as their difference from the current ones (the head, in
        # transfer mode): the frozen backbone is not stored twice.
        return {
            "best_diff": None if self.best.weights is None else self._best_diff(),
            "best_key": list(self.best.key) if self.best.key is not None else None,
            "best_epoch": self.best.epoch,
            "best_acc": float(self.best.accuracy),
            "bad_epochs": self.bad_epochs,
            "stopped_early": self.stopped_early,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Call after the model's own weights are loaded: the best ones are rebuilt from them."""
        weights = None
        if state.get("best_diff") is not None:
            weights = {
                k: v.detach().to("cpu", copy=True) for k, v in self._model().state_dict().items()
            }
            weights.update(state["best_diff"])
        saved_key = state.get("best_key")
        key = (float(saved_key[0]), float(saved_key[1])) if saved_key else None
        self.best = BestEpoch(key, int(state["best_epoch"]), float(state["best_acc"]), weights)
        self.bad_epochs = int(state["bad_epochs"])
        self.stopped_early = bool(state["stopped_early"])


class TrainProgress(LoopCallback):
    """Reports each training batch's loss to the caller's callbacks (phase ``train``)."""

    def on_train_batch_end(self, loop: FitLoop, batch: int, loss: float) -> None:
        state = loop.state
        loop.events.emit(
            "on_batch_end",
            BatchEnd(
                state.epoch,
                "train",
                batch,
                state.batches,
                loss,
                time.perf_counter() - state.started,
            ),
        )


# Settings a resumed run may change: where it runs, not what it computes.
MACHINE_SETTINGS = ("device", "workers")


class RunCheckpoint(LoopCallback):
    """Keeps a run folder (:mod:`tlgui.engine.runs`) in step with the run.

    A new run records its settings unless its starter already has (the CLI and the GUI do,
    with the bundle path). After every epoch: ``last.pt`` (the loop's state with the
    random-number states and what identifies the run's data) and then ``run.json``'s progress,
    both before the caller's callbacks hear of the epoch, so a kill loses nothing that was
    reported. At the end: how the run ended.

    With ``resume``, the run continues from ``last.pt`` instead: it must hold the dataset's
    classes and the same settings (the machine ones aside); every part gets its state back,
    the frozen features the next epoch needs are computed, then the random-number states are
    restored and the saved epochs replayed through ``on_epoch_end``.

    ``writes=False`` (every process of a distributed run but process 0): the folder is only
    read, to resume; a distributed run resumes with the number of processes it ran with."""

    def __init__(self, run: RunFolder, resume: bool, writes: bool = True) -> None:
        self.run, self.resume, self.writes = run, resume, writes

    def on_fit_start(self, loop: FitLoop) -> None:
        if self.resume:
            self._restore(loop)
        elif self.writes and not self.run.has_meta():
            self.run.start(loop.config, data=loop.scan.root, val_split=loop.scan.val_fraction)

    def on_epoch_end(self, loop: FitLoop, event: EpochEnd) -> None:
        if not self.writes:
            return
        scan = loop.scan
        state = {
            **loop.state_dict(),
            "rng": rng_state(),
            "config": loop.config.to_dict(),
            "classes": list(loop.classes),
            "data": os.path.abspath(scan.root),
            "val_fraction": scan.val_fraction,
            "n_train": len(scan.splits["train"]),
            "world_size": loop.dist.world_size,
        }
        self.run.save_state(state)
        self.run.record_epoch(
            epoch=event.epoch,
            history=state["history"],
            classes=list(loop.classes),
            best_epoch=state["best_epoch"],
            best_val_acc=state["best_acc"],
        )

    def on_fit_end(self, loop: FitLoop) -> None:
        self._finish("cancelled" if loop.state.cancelled else "finished")

    def on_exception(self, loop: FitLoop, status: str, message: str | None) -> None:
        self._finish(status, message)

    def _finish(self, status: str, error: str | None = None) -> None:
        if not self.writes:
            return
        with contextlib.suppress(OSError, RunError):  # never hides the run's own error
            self.run.finish(status, error)

    def _restore(self, loop: FitLoop) -> None:
        try:
            state = self.run.load_state()
        except RunError as exc:
            raise TrainingError(str(exc)) from None
        saved_classes = list(state.get("classes", []))
        if saved_classes != list(loop.classes):
            raise TrainingError(
                "the dataset's classes changed since the run started "
                f"({', '.join(map(str, saved_classes))}); cannot resume"
            )
        # Through from_dict, so a field added since the run started takes its default.
        saved = TrainConfig.from_dict(dict(state.get("config", {}))).to_dict()
        mine = loop.config.to_dict()
        changed = sorted(k for k in mine if k not in MACHINE_SETTINGS and saved.get(k) != mine[k])
        if changed:
            raise TrainingError(
                f"the settings differ from the run's ({', '.join(changed)}); "
                "resume with the run's own settings"
            )
        saved_world = int(state.get("world_size", 1))
        if saved_world != loop.dist.world_size:
            raise TrainingError(
                f"the run trained in {saved_world} process(es); resume it with as many "
                f"(torchrun --nproc-per-node), not {loop.dist.world_size}"
            )
        loop.load_state_dict(state)
        loop.warm_features()
        set_rng_state(state["rng"])
        loop.replay_history()


__all__ = [
    "BestEpoch",
    "EarlyStopping",
    "LoopCallback",
    "RunCheckpoint",
    "StagedUnfreeze",
    "TrainProgress",
]
