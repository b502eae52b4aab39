"""The fit -> epoch -> batch loop.

:meth:`FitLoop.fit` builds the model, runs the epochs and evaluates the result;
:meth:`FitLoop.run_epoch` trains one epoch and validates it; :meth:`FitLoop.train_pass` is the
batch loop: it takes batches from the :class:`~.batches.BatchSource`, trains each through the
:class:`~.step.TrainStep` and checks the cancel token before every batch.

Two kinds of listeners:

* the caller's callbacks get the immutable events of :mod:`tlgui.engine.events`, in this order:
  ``on_fit_start``, ``on_download`` (while weights download), then per epoch
  ``on_epoch_start``, ``on_batch_end`` (phases ``features``, ``train``, ``val``),
  ``on_epoch_end``, then ``on_fit_end``; ``on_skipped`` once per unreadable file, when it is
  met; ``on_backend`` when a frozen phase's forward is built or released; ``on_exception``
  when the run fails;
* the loop's own parts (:mod:`.callbacks`) get the loop itself at named hooks and own the state
  a resume file holds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import torch

from ..backbones import WeightsError, get_info
from ..config import TrainConfig
from ..data import DatasetScan
from ..data.exclude import without_excluded
from ..errors import with_type
from ..events import (
    Callback,
    DownloadProgress,
    EpochEnd,
    EpochStart,
    ErrorEvent,
    FitEnd,
    FitStart,
)
from ..feature_store import FeatureStore
from ..metrics import EvalReport
from ..model import TransferModel, build_model, group_lrs
from ..rng import global_rng_draws
from ..runs import RunFolder
from .batches import BatchSource, Share, Views
from .callbacks import EarlyStopping, LoopCallback, RunCheckpoint, StagedUnfreeze, TrainProgress
from .distributed import Distributed
from .evaluate import Evaluator
from .features import FeatureCache
from .optim import make_criterion
from .runtime import (
    Cancelled,
    CancelToken,
    EventBus,
    Runtime,
    TrainingError,
    auto_workers,
    device_description,
    is_oom,
    seed_everything,
)
from .state import FitResult, LoopState
from .step import Forward, LossReader, TrainStep


class FitLoop:
    """One training run of ``config`` on ``scan``, reporting to ``callbacks``.

    ``run_dir``: keep the run's folder there (a resume checkpoint after every epoch, see
    :class:`~.callbacks.RunCheckpoint`); ``resume=True`` continues the run saved there."""

    def __init__(
        self,
        scan: DatasetScan,
        config: TrainConfig,
        callbacks: Sequence[Callback] = (),
        cancel: CancelToken | None = None,
        run_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
    ) -> None:
        config.validate()
        if resume and run_dir is None:
            raise ValueError("resume needs the run folder to resume from")
        scan = without_excluded(scan, config.exclude)  # the one place a run leaves files out
        self.scan, self.config, self.resume = scan, config, resume
        self.classes = list(scan.classes)
        self.info = get_info(config.backbone)
        self.dist = Distributed.current()  # one of several processes under torchrun?
        self.events = EventBus(callbacks, cancel, watch=self.dist.check_peers)
        self.runtime = Runtime.create(config.device, config.amp, config.channels_last)
        device = self.runtime.device
        info = self.info
        self.augmenting = config.augment_spec.enabled
        self.views = Views.create(config.augment_spec, info.input_size, info.mean, info.std)
        workers = config.workers if config.workers >= 0 else auto_workers(device)
        self.batches = BatchSource(
            self.runtime,
            info.input_size,
            info.mean,
            info.std,
            seed=config.seed,
            workers=workers,
            batch_size=config.batch_size,
            dist=self.dist,
        )
        self.batches.decoded_cache_bytes = config.decoded_cache_mb * 2**20
        self.features = FeatureCache(
            self.runtime,
            self.batches,
            self.views.eval,
            self.events,
            scan.splits,
            cache_features=config.cache_features,
            random_start=config.weights == "none",
            batch_size=config.batch_size,
            inference_backend=config.inference_backend,
            store=FeatureStore.default() if config.cache_features else None,
        )
        self.evaluator = Evaluator(
            self.runtime,
            self.batches,
            self.events,
            self.classes,
            self.views.eval,
            scan.splits,
            features=self.features if config.cache_features else None,
            fold=config.cache_features,
        )
        criterion = make_criterion(config, scan.class_counts("train"), device)
        self.step = TrainStep(
            self.runtime, criterion, self.features.frozen_backbone, parallel=self.dist.replica
        )
        steps = self.batches.steps_per_epoch(len(scan.splits["train"]))
        self.phases = StagedUnfreeze(config, steps, device)
        self.early = EarlyStopping(config.monitor, config.min_delta, config.patience, config.epochs)
        self.callbacks: list[LoopCallback] = [self.phases, self.early, TrainProgress()]
        if run_dir is not None:  # last: it saves what the others hold
            self.callbacks.append(RunCheckpoint(RunFolder(run_dir), resume, self.dist.is_main))
        self.state = LoopState()
        self.model: TransferModel | None = None

    # ------------------------------------------------------------------ model

    def build_model(self) -> TransferModel:
        """The config's model on the run's device; weights downloads report progress and stop
        when the run is cancelled."""

        def progress(done: int, total: int) -> bool:
            self.events.emit("on_download", DownloadProgress(self.config.backbone, done, total))
            return not self.events.cancel.cancelled

        cfg = self.config
        # (Process 0 of each machine first: it downloads the weights the others then read.)
        with self.dist.local_main_first(), global_rng_draws():  # new layers' random weights
            model = build_model(
                cfg.backbone, len(self.classes), cfg.weights, cfg.dropout, progress=progress
            )
        return model.to(self.runtime.device, memory_format=self.runtime.memory_format)

    @property
    def built_model(self) -> TransferModel:
        if self.model is None:
            raise RuntimeError("the loop has not built its model yet")
        return self.model

    # ------------------------------------------------------------------ fit

    def run(self) -> FitResult:
        """:meth:`fit`, recording how it ended: a failure is reported through
        ``on_exception`` (kind ``weights``, ``memory`` or ``error``), and running out of
        memory becomes a :class:`~.runtime.TrainingError` with advice."""
        try:
            return self.fit()
        except Cancelled:  # cancelled before any epoch could end
            self._hooks("on_exception", "cancelled", None)
            raise
        except (TrainingError, WeightsError) as exc:
            self._failed(str(exc), "weights" if isinstance(exc, WeightsError) else "error")
            raise
        except Exception as exc:
            peer = self.dist.peer_failure()
            if peer is not None:  # another process failed first: report its message
                self._failed(str(peer), "error")
                raise peer from exc
            if is_oom(exc):
                message = (
                    f"out of memory at batch size {self.config.batch_size}: try a "
                    "smaller batch size or a smaller input size (or a smaller backbone)"
                )
                self._failed(message, "memory")
                raise TrainingError(message) from exc
            self._failed(with_type(exc), "error")
            raise

    def _failed(self, message: str, kind: str) -> None:
        self.dist.publish_failure(message)
        self._hooks("on_exception", "failed", message)
        self.events.emit("on_exception", ErrorEvent(message, kind))

    def fit(self) -> FitResult:
        """Seed, build the model, run the epochs, put the best weights back, fit the
        temperature of its probabilities on the validation split and evaluate it (with
        per-image records); the model comes back on the CPU."""
        cfg, state = self.config, self.state
        seed_everything(cfg.seed)
        t_start = time.perf_counter()
        n_test = len(self.scan.splits.get("test", []))
        cached_any = cfg.cache_features and cfg.mode in ("transfer", "staged")
        self.events.emit(
            "on_fit_start",
            FitStart(
                cfg.epochs,
                len(self.scan.splits["train"]),
                len(self.scan.splits["val"]),
                n_test,
                tuple(self.classes),
                device_description(self.runtime.device),
                cfg.backbone,
                cfg.mode,
                cached_any,
            ),
        )
        try:
            model = self.model = self.build_model()
            if self.phases.frozen_epochs and not self.resume:  # (resume restores them)
                self.features.calibrate(model)
        except Cancelled:
            raise TrainingError("cancelled while preparing the model") from None
        try:
            self._hooks("on_fit_start")
        except Cancelled:
            raise TrainingError("cancelled while resuming") from None
        try:
            for epoch in range(state.next_epoch, cfg.epochs + 1):
                self.run_epoch(model, epoch)
                if state.should_stop:
                    break
        except Cancelled:
            state.cancelled = True
        self._hooks("on_train_end")
        model.eval()
        reports: dict[str, EvalReport] = {}
        temperature = 1.0
        if state.history and not state.cancelled:
            try:
                reports, temperature = self.evaluator.calibrated_reports(model)
            except Cancelled:
                state.cancelled = True
        model = model.to("cpu", memory_format=torch.contiguous_format)
        seconds = time.perf_counter() - t_start
        best = self.early.best
        result = FitResult(
            model,
            cfg,
            self.classes,
            state.history,
            best.epoch,
            best.accuracy,
            self.early.stopped_early,
            state.cancelled,
            seconds,
            reports,
            self.events.skipped,
            self.features.recorded_choice(),
            temperature,
            world_size=self.dist.world_size,
        )
        self.events.emit(
            "on_fit_end",
            FitEnd(
                best.epoch,
                best.accuracy,
                self.early.stopped_early,
                state.cancelled,
                len(state.history),
                seconds,
            ),
        )
        self._hooks("on_fit_end")
        return result

    def run_epoch(self, model: TransferModel, epoch: int) -> EpochEnd:
        """Train and validate one epoch; the parts decide the phase (before it) and whether
        it is the best and the last (after validation)."""
        cfg, state = self.config, self.state
        self._hooks("on_epoch_start", epoch)
        t0 = time.perf_counter()
        state.epoch, state.started = epoch, t0
        self.events.emit("on_epoch_start", EpochStart(epoch, cfg.epochs, self.phases.frozen(epoch)))
        assert self.step.optimizer is not None
        lrs = tuple(group_lrs(self.step.optimizer))
        train_loss, train_acc = self.train_pass(model, epoch)
        report = self.evaluator.evaluate(model, "val", epoch=epoch, t0=t0)
        self._hooks("on_validation_end", epoch, report)
        event = EpochEnd(
            epoch,
            cfg.epochs,
            train_loss,
            train_acc,
            report.loss,
            report.accuracy,
            lrs,
            time.perf_counter() - t0,
            state.epoch_is_best,
        )
        state.history.append(event)
        self._hooks("on_epoch_end", event)
        self.events.emit("on_epoch_end", event)
        return event

    def train_pass(
        self, model: TransferModel, epoch: int, callbacks: Sequence[LoopCallback] | None = None
    ) -> tuple[float, float]:
        """One pass over the training split in ``epoch``'s order: the batch loop. Returns the
        mean loss and the accuracy. ``callbacks``: the parts whose batch hooks run (default:
        the loop's). Stops early when a part sets ``state.should_stop``."""
        parts = self.callbacks if callbacks is None else callbacks
        model.train()
        frozen = model.backbone_frozen
        if not frozen:
            self.features.release()  # the frozen phase's ORT session, if any
        samples = self.scan.splits["train"]
        order = self.batches.epoch_order(len(samples), epoch)
        bs = self.batches.train_batch  # this process's part of each step's batch
        cached = frozen and self.config.cache_features and not self.augmenting
        if cached:
            feats = self.features.features(model, "train", epoch)
            batches: Any = self.batches.features(feats, samples, order, bs, Share.TRAIN)
        else:
            view = self.views.train(frozen)
            batches = self.batches.images(
                samples, view, order, bs, f"train:{epoch}", repeats=True, share=Share.TRAIN
            )
        kind = Forward.choose(frozen=frozen, cached=cached, fold=self.config.cache_features)
        self.state.batches = len(batches)
        reader = LossReader(self.runtime.device)
        total_loss: Any = 0.0  # summed on the device: no sync per step
        correct: Any = 0
        seen = 0
        for b, (x, y, _idx, bad) in enumerate(batches):
            if self.state.should_stop:
                break
            self.events.check_cancel()
            self.events.report_skipped(bad)
            if x is None:
                continue
            for part in parts:
                part.on_train_batch_start(self, b + 1)
            out = self.step(model, x, y, kind)
            total_loss = total_loss + out.loss * out.n
            correct = correct + out.correct
            seen += out.n
            for done, value in reader.push(b + 1, out.loss):
                for part in parts:
                    part.on_train_batch_end(self, done, value)
        for done, value in reader.flush():
            for part in parts:
                part.on_train_batch_end(self, done, value)
        total_loss, correct, seen = self.dist.sum(total_loss, correct, seen)  # all processes'
        if not frozen:  # (a frozen backbone's buffers never change: left untouched)
            self.dist.sync_buffers(model)
        if seen == 0:
            raise TrainingError("no training image could be read")
        return total_loss / seen, correct / seen

    # ------------------------------------------------------------------ resume state

    def state_dict(self) -> dict[str, Any]:
        """The loop's progress (``epoch``, ``finished``, ``model``, ``history``) plus the state
        of the step and of every part."""
        cfg, state = self.config, self.state
        out: dict[str, Any] = {
            "epoch": state.epoch,
            "finished": state.should_stop or state.epoch == cfg.epochs,
            # As they are: torch.save copes with any device; loading maps to the CPU.
            "model": {k: v.detach() for k, v in self.built_model.state_dict().items()},
            "history": [e.to_json() for e in state.history],
        }
        out.update(self.step.state_dict())
        for part in self.callbacks:
            out.update(part.state_dict())
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`state_dict`: the model's weights first, then the parts (the best
        weights are kept as a difference from the current ones)."""
        self.built_model.load_state_dict(state["model"])
        for part in self.callbacks:
            part.load_state_dict(state)
        self.step.load_state_dict(state)
        last = int(state["epoch"])
        self.state.epoch = last
        self.state.next_epoch = self.config.epochs + 1 if state["finished"] else last + 1
        self.state.history = [EpochEnd(**{**d, "lr": tuple(d["lr"])}) for d in state["history"]]

    def warm_features(self) -> None:
        """Compute the frozen features the next epoch reads (a resumed run's feature cache
        starts empty)."""
        nxt = self.state.next_epoch
        if nxt <= self.config.epochs and self.phases.frozen(nxt) and self.config.cache_features:
            splits = ["val"] if self.augmenting else ["val", "train"]
            self.features.warm(self.built_model, nxt, splits)

    def replay_history(self) -> None:
        """Report the epochs run before a resume, so a listener sees the whole run."""
        for event in self.state.history:
            self.events.emit("on_epoch_end", event)

    def _hooks(self, hook: str, *args: Any) -> None:
        for part in self.callbacks:
            getattr(part, hook)(self, *args)


__all__ = ["FitLoop"]
