"""The fit loop: transfer / fine-tune / staged, callbacks, early stopping, cooperative cancel.

Speed levers that matter on a laptop CPU (measured in ``benchmarks/bench_train.py``):

* In transfer mode the frozen backbone's output for the deterministic eval transform never
  changes, so the validation features are computed once; without augmentation the training
  features too, and every later epoch trains only the head on cached vectors.
* The frozen part runs under ``torch.inference_mode`` and ``channels_last``.

``cache_features=False`` runs the same computation the plain way (backbone every batch); a test
proves both give the same metrics for the same seed.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import random
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from . import augment
from .backbones import WeightsError, get_info
from .config import TrainConfig
from .data import (
    DatasetScan,
    DecodedCache,
    ImageBank,
    ImageDataset,
    Sample,
    SkippedFile,
    collate_skip,
    load_image,
)
from .events import (
    BatchEnd,
    Callback,
    DownloadProgress,
    EpochEnd,
    EpochStart,
    ErrorEvent,
    FitEnd,
    FitStart,
    Skipped,
)
from .frozen import fold_batchnorm
from .memory import reuse_freed_memory
from .metrics import EvalReport, make_report
from .model import TransferModel, build_model, group_lrs, param_groups
from .rng import global_rng_draws
from .runs import RunError, RunFolder, rng_state, set_rng_state


class TrainingError(RuntimeError):
    """A run cannot go on; the message is one line for the user."""


class CancelToken:
    """Cooperative cancel: the trainer checks it at every batch."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class _Cancelled(Exception):
    pass


@dataclass
class FitResult:
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

    def summary(self) -> dict[str, Any]:
        """Same keys as the CLI's ``done`` event (minus ``checkpoint``)."""
        return {
            "best_epoch": self.best_epoch,
            "best_val_acc": self.best_val_acc,
            "stopped_early": self.stopped_early,
            "cancelled": self.cancelled,
        }


# --------------------------------------------------------------------------- helpers


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainingError("CUDA was requested but no CUDA device is available")
    if name == "mps" and not (torch.backends.mps.is_available()):
        raise TrainingError("MPS was requested but it is not available on this machine")
    return torch.device(name)


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"


def auto_workers(device: torch.device) -> int:
    """DataLoader workers. On a small CPU machine, workers steal cores from the backbone's
    intra-op threads, so decoding in-process is as fast (benchmarks/bench_train.py)."""
    import os

    cores = os.cpu_count() or 1
    if device.type == "cpu":
        return 0 if cores <= 4 else min(4, cores // 4)
    return min(8, max(2, cores - 2))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    with global_rng_draws():  # not while the preview has the generator (see .rng)
        torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % (2**32))
    except ImportError:  # pragma: no cover - numpy ships with torch wheels
        pass


def is_oom(exc: BaseException) -> bool:
    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text or "not enough memory" in text
    )


class _Dispatch:
    """Calls a hook on every callback; a failing callback never kills the run silently."""

    def __init__(self, callbacks: Iterable[Callback]) -> None:
        self.callbacks = list(callbacks)

    def __call__(self, hook: str, event: Any) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(event)


class _DeviceBatches:
    """Stands in for the DataLoader on the GPU path: the same ``(x, y, idx, bad)`` batches,
    with ``x`` and ``y`` already on the device, built from an :class:`ImageBank`.

    The bank rows, labels and picture sizes of a whole pass go to the device in one copy when
    iteration starts; each batch is then one gather plus :func:`augment.device_batch`, with no
    host-device copy that would make the CPU wait for the GPU."""

    def __init__(self, bank: ImageBank, samples: Sequence[Sample], batches: list[list[int]],
                 spec: augment.AugmentSpec | None, info, generator: torch.Generator) -> None:
        self.bank, self.samples, self.batches = bank, samples, batches
        self.spec, self.info, self.generator = spec, info, generator

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self):
        bank = self.bank
        plan = []  # per batch: (sample indices held in the bank, skipped files)
        for batch in self.batches:
            paths = [self.samples[i].path for i in batch]
            plan.append(([i for i, p in zip(batch, paths, strict=True) if p in bank.index],
                         [SkippedFile(p, bank.failed[p]) for p in paths if p in bank.failed]))
        flat = [i for good, _bad in plan for i in good]
        where = [bank.index[self.samples[i].path] for i in flat]
        dev = bank.device
        rows = torch.tensor([r for _b, r in where], dtype=torch.long).to(dev)
        labels = torch.tensor([self.samples[i].label for i in flat], dtype=torch.long).to(dev)
        hw = torch.tensor([bank.sizes[self.samples[i].path] for i in flat],
                          dtype=torch.float32).to(dev)
        start = 0
        for good, bad in plan:
            if not good:
                yield None, None, None, bad
                continue
            part = slice(start, start + len(good))
            start += len(good)
            blocks = [b for b, _r in where[part]]
            if all(b == blocks[0] for b in blocks):  # the usual case: one split, one block
                x = bank.blocks[blocks[0]].index_select(0, rows[part])
            else:
                x = torch.stack([bank.blocks[b][r] for b, r in where[part]])
            x = augment.device_batch(x, hw[part], self.spec, self.info.input_size,
                                     self.info.mean, self.info.std, self.generator)
            yield x, labels[part], torch.tensor(good, dtype=torch.long), bad


class _LossReader:
    """Hands each step's loss to the ``on_batch_end`` listeners without stalling a GPU.

    On CPU a loss is read at once. On CUDA ``loss.item()`` would make the CPU wait until the
    GPU has finished *everything* queued so far, so it could not queue the next step meanwhile
    (at batch 32 that idles the GPU for most of each step). Instead each loss is copied to
    pinned host memory behind an event, and read after the next step has been queued: the
    listeners get every batch's loss, one step late."""

    def __init__(self, device: torch.device) -> None:
        self.lag = device.type == "cuda"
        self.pending: list[tuple[int, torch.Tensor, Any]] = []

    def push(self, batch: int, loss: torch.Tensor) -> list[tuple[int, float]]:
        if not self.lag:
            return [(batch, float(loss))]
        host = torch.empty((), dtype=torch.float32, pin_memory=True)
        host.copy_(loss, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        self.pending.append((batch, host, event))
        return self._read(keep=1)

    def flush(self) -> list[tuple[int, float]]:
        return self._read(keep=0)

    def _read(self, keep: int) -> list[tuple[int, float]]:
        out = []
        while len(self.pending) > keep:
            batch, host, event = self.pending.pop(0)
            event.synchronize()  # waits for that step only, not for the ones queued after it
            out.append((batch, float(host)))
        return out


# --------------------------------------------------------------------------- the trainer


class Trainer:
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
        config.validate()
        if resume and run_dir is None:
            raise ValueError("resume needs the run folder to resume from")
        self.run = RunFolder(run_dir) if run_dir is not None else None
        self.resume = resume
        self.scan = scan
        self.config = config
        self.emit = _Dispatch(callbacks)
        self.cancel = cancel or CancelToken()
        self.info = get_info(config.backbone)
        self.classes = list(scan.classes)
        self.skipped: list[Skipped] = []
        self._skipped_paths: set[str] = set()
        self.device = resolve_device(config.device)
        self.workers = config.workers if config.workers >= 0 else auto_workers(self.device)
        self.use_amp = config.amp and self.device.type == "cuda"
        self.amp_dtype = (
            torch.bfloat16
            if self.use_amp and torch.cuda.is_bf16_supported()
            else torch.float16
        )
        self.memory_format = (
            torch.channels_last if config.channels_last else torch.contiguous_format
        )
        self.eval_tf = augment.eval_transform(self.info.input_size, self.info.mean, self.info.std)
        # Two train transforms: a backbone that trains gets crops at the spec's training
        # resolution (FixRes); a frozen one cannot adapt to a change of scale between its train
        # and eval views (measured: efficientnet_lite0 transfer lost ~3 points at 0.8), so it
        # gets full-size crops.
        spec = config.augment_spec
        specs = {True: replace(spec, resolution=1.0), False: spec}
        self._train_tfs = {
            frozen: augment.train_transform(s, self.info.input_size, self.info.mean,
                                            self.info.std) if spec.enabled else self.eval_tf
            for frozen, s in specs.items()
        }
        # The on-device equivalent of each transform the CPU path runs (None: the eval view).
        self._device_specs = {id(tf): specs[frozen] for frozen, tf in self._train_tfs.items()}
        self._device_specs[id(self.eval_tf)] = None
        self._feature_cache: dict[str, dict[int, torch.Tensor]] = {}
        self._decoded: DecodedCache | None = None

    # ------------------------------------------------------------------ small pieces

    def train_transform(self, frozen: bool):
        """The transform of training pictures while the backbone is ``frozen`` or trains: the
        eval view when augmentation is off."""
        return self._train_tfs[frozen]

    def _report_skipped(self, bad: Iterable) -> None:
        for item in bad:
            if item.path not in self._skipped_paths:
                self._skipped_paths.add(item.path)
                ev = Skipped(item.path, item.reason)
                self.skipped.append(ev)
                self.emit("on_skipped", ev)

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise _Cancelled

    # Devices whose runs keep decoded pictures on the device and augment there (ImageBank);
    # the bank takes at most this fraction of the device's memory (CUDA) or these bytes (CPU,
    # where decoding is cheap next to the backbone and the bank is only used by tests).
    bank_devices: tuple[str, ...] = ("cuda",)
    bank_fraction: float = 0.25
    bank_cpu_bytes: int = 256 * 2**20
    # Decoded pictures kept between epochs on the CPU path (:class:`DecodedCache`): ~450
    # typical 500 x 375 photos, or ~110 phone photos decoded at reduced scale.
    decoded_cache_bytes: int = 256 * 2**20

    def _image_bank(self) -> ImageBank:
        bank = getattr(self, "_bank", None)
        if bank is None:
            if self.device.type == "cuda":
                total = torch.cuda.get_device_properties(self.device).total_memory
                budget = int(total * self.bank_fraction)
            else:
                budget = self.bank_cpu_bytes
            side = 2 * self.info.input_size  # enough for a half-side random crop at full res
            bank = self._bank = ImageBank(self.device, budget, side, max(2, os.cpu_count() or 2))
        return bank

    def _loader(self, samples: Sequence[Sample], transform, order: Sequence[int] | None,
                batch_size: int, key: str) -> DataLoader | _DeviceBatches:
        """Batches in exactly ``order`` (or file order), so cached and uncached runs match.

        On a GPU the pictures are decoded once into an :class:`ImageBank` and the train/eval
        transform runs on the device, batched (:func:`augment.device_batch`); a split that does
        not fit the bank's budget streams from disk through the DataLoader instead."""
        idx = list(order) if order is not None else list(range(len(samples)))
        batches = [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]
        # A private generator: creating a loader must not draw from the global RNG, or the
        # dropout masks would depend on how many loaders a run happened to create. Seeded by
        # purpose (split + epoch), so worker-side augmentation is reproducible too.
        generator = torch.Generator().manual_seed(zlib.crc32(f"{self.config.seed}:{key}".encode()))
        if id(transform) in self._device_specs and self.device.type in self.bank_devices:
            bank = self._image_bank()
            paths = [s.path for s in samples]
            if bank.holds(paths) or bank.add(paths):
                return _DeviceBatches(bank, samples, batches, self._device_specs[id(transform)],
                                      self.info, generator)
        # JPEGs decode at a reduced scale (``draft``) as long as the short side stays at least
        # twice the input size: a crop of a quarter of the picture still has the input's
        # resolution, and a 12-megapixel phone photo decodes ~10x faster.
        load = functools.partial(load_image, max_side=2 * self.info.input_size)
        if self.workers == 0 and not key.startswith(("features:", "calibrate")):
            # Passes that come back every epoch read decoded pictures from RAM (worker
            # processes would each hold a copy, so only in-process loading uses it).
            if self._decoded is None:
                self._decoded = DecodedCache(load, self.decoded_cache_bytes)
            load = self._decoded
        return DataLoader(
            ImageDataset(samples, transform, load),
            batch_sampler=batches,
            num_workers=self.workers,
            collate_fn=collate_skip,
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
            generator=generator,
        )

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(self.device, non_blocking=True).contiguous(memory_format=self.memory_format)

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=self.use_amp)

    def _criterion(self) -> nn.Module:
        weight = None
        if self.config.class_weighted:
            counts = torch.tensor(self.scan.class_counts("train"), dtype=torch.float32)
            weight = counts.sum() / (len(counts) * counts.clamp(min=1))
            weight = weight.to(self.device)
        return nn.CrossEntropyLoss(weight=weight, label_smoothing=self.config.label_smoothing)

    def _make_optimizer(self, model: TransferModel, lr_head: float) -> torch.optim.Optimizer:
        cfg = self.config
        groups = param_groups(model, lr_head, cfg.lr_backbone, cfg.weight_decay)
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(groups, lr=lr_head, momentum=0.9, nesterov=True)
        if cfg.optimizer == "adam":
            # Adam's weight decay is L2 in the gradient; keep the same numbers meaning "decay".
            return torch.optim.Adam(groups, lr=lr_head)
        # The fused kernel updates every parameter in a few launches (CUDA only).
        return torch.optim.AdamW(groups, lr=lr_head, fused=self.device.type == "cuda" or None)

    def _make_scheduler(self, optimizer, epochs: int, steps_per_epoch: int):
        """Per-step schedulers (``step`` decays per epoch, expressed in steps)."""
        cfg = self.config
        total = max(1, epochs * steps_per_epoch)
        if cfg.scheduler == "none":
            return None
        if cfg.scheduler == "step":
            step = max(1, (epochs // 3 or 1) * steps_per_epoch)
            return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step, gamma=0.1)
        if cfg.scheduler == "onecycle":
            # OneCycleLR needs at least one step up and one down: tiny runs get 4 slots.
            slots = max(total, 4)
            return torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=[g["lr"] for g in optimizer.param_groups], total_steps=slots,
                pct_start=min(0.5, max(0.25, 2.0 / slots)),
            )
        warmup = max(1, min(steps_per_epoch, total // 10))

        def cosine(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            progress = (step - warmup) / max(1, total - warmup)
            return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

        return torch.optim.lr_scheduler.LambdaLR(optimizer, cosine)

    def _epoch_order(self, n: int, epoch: int) -> list[int]:
        g = torch.Generator().manual_seed(self.config.seed * 100_003 + epoch)
        return torch.randperm(n, generator=g).tolist()

    # ------------------------------------------------------------------ feature cache

    def _frozen_backbone(self, model: TransferModel) -> nn.Module:
        """The frozen backbone with BatchNorm folded into its convs (see :mod:`.frozen`), built
        once per model while it is frozen; the plain path (``cache_features=False``) and a
        training backbone use ``model.backbone`` itself. Rebuilt if the weights were replaced
        (resume loads a state dict after the model is built)."""
        if not (self.config.cache_features and model.backbone_frozen):
            return model.backbone
        tensors = [*model.backbone.parameters(), *model.backbone.buffers()]
        # _version counts in-place writes (load_state_dict copies into the same storage).
        stamp = (id(model), tuple((t.data_ptr(), t._version) for t in tensors))
        cached = getattr(self, "_folded", None)
        if cached is None or cached[0] != stamp:
            with torch.inference_mode(False), torch.no_grad():  # normal tensors, reusable
                net, _pairs = fold_batchnorm(model.backbone)
            net = net.to(self.device, memory_format=self.memory_format)
            self._folded = (stamp, net)
        return self._folded[1]

    def _inference_batch(self) -> int:
        """Batch size of the passes without gradients (frozen features, evaluation). On a GPU a
        larger batch means fewer launches. On the CPU the training batch size, but at least
        ``min_inference_batch``: a larger one was no faster (resnet18 frozen forward: 28-33
        ms/image at 32, 35 at 64) and, with freed blocks kept for reuse during a run (see
        :mod:`.memory`), its twice-as-large activations raised efficientnet_lite0's peak RSS
        (transfer + augmentation, 2 epochs: 2023 MB at 64, 1551 MB at 32); a smaller one is
        slower (resnet18: 64 ms/image at 1, 50 at 2, 37 at 8, 32 at 16 and 31 at 32)."""
        bs = self.config.batch_size
        if self.device.type in self.large_inference_devices:
            return max(bs, 64)
        return max(bs, self.min_inference_batch)

    # Devices whose passes without gradients run at least 64 pictures per batch; elsewhere
    # they run the training batch size, floored here.
    large_inference_devices: tuple[str, ...] = ("cuda",)
    min_inference_batch: int = 16

    # Training pictures a random-start backbone's BatchNorm statistics are estimated from.
    calibrate_pictures: int = 64

    def _calibrate_batchnorm(self, model: TransferModel) -> None:
        """Give a randomly initialised backbone that is about to be frozen BatchNorm statistics
        of the user's pictures.

        Its running statistics are still the initial mean 0 / variance 1, so in eval mode no
        layer is normalised and the features' scale drifts from layer to layer (the plain
        recipe only escapes this by running its frozen backbone in train mode). Estimated on
        ``calibrate_pictures`` training pictures (eval view, a fixed seeded draw) with torch's
        ``update_bn``; reported as the ``features`` phase of epoch 1. Pretrained backbones keep
        their ImageNet statistics (nothing happens unless ``weights`` is ``"none"``)."""
        if self.config.weights != "none":
            return
        samples = self.scan.splits["train"]
        order = self._epoch_order(len(samples), 0)[: self.calibrate_pictures]
        # One batch of all the pictures on every device (not ``_inference_batch``): update_bn
        # then sees their exact batch statistics, whatever the training batch size.
        bs = max(self.config.batch_size, self.calibrate_pictures)
        loader = self._loader(samples, self.eval_tf, order, bs, "calibrate")
        t0 = time.perf_counter()

        def batches():
            for b, (x, _y, _idx, bad) in enumerate(loader):
                self._check_cancel()
                self._report_skipped(bad)
                if x is not None:
                    yield self._to_device(x)
                self.emit("on_batch_end", BatchEnd(1, "features", b + 1, len(loader), 0.0,
                                                   time.perf_counter() - t0))

        with self._autocast():
            torch.optim.swa_utils.update_bn(batches(), model.backbone)

    @torch.inference_mode()
    def _features(self, model: TransferModel, split: str, epoch: int) -> dict[int, torch.Tensor]:
        """Frozen-backbone outputs for ``split`` under the eval transform, computed once."""
        if split in self._feature_cache:
            return self._feature_cache[split]
        samples = self.scan.splits[split]
        loader = self._loader(samples, self.eval_tf, None, self._inference_batch(),
                              f"features:{split}")
        feats: dict[int, torch.Tensor] = {}
        t0 = time.perf_counter()
        model.backbone.eval()
        backbone = self._frozen_backbone(model)
        for b, (x, _y, idx, bad) in enumerate(loader):
            self._check_cancel()
            self._report_skipped(bad)
            if x is not None:
                with self._autocast():
                    f = backbone(self._to_device(x)).float().cpu()
                for i, row in zip(idx.tolist(), f, strict=True):
                    feats[i] = row.clone()
            self.emit("on_batch_end", BatchEnd(epoch, "features", b + 1, len(loader), 0.0,
                                               time.perf_counter() - t0))
        self._feature_cache[split] = feats
        return feats

    # ------------------------------------------------------------------ passes

    def _train_epoch(self, model, optimizer, scheduler, criterion, epoch, t0, use_cache):
        model.train()
        samples = self.scan.splits["train"]
        order = self._epoch_order(len(samples), epoch)
        bs = self.config.batch_size
        total_loss, correct, seen = 0.0, 0, 0
        scaler = self._scaler
        reader = _LossReader(self.device)

        if use_cache:
            feats = self._features(model, "train", epoch)
            order = [i for i in order if i in feats]
            batches = [order[i : i + bs] for i in range(0, len(order), bs)]
            labels = torch.tensor([s.label for s in samples])
            iterator = (
                (torch.stack([feats[i] for i in b]), labels[b], None) for b in batches
            )
            n_batches = len(batches)
        else:
            loader = self._loader(samples, self.train_transform(model.backbone_frozen),
                                  order, bs, f"train:{epoch}")
            iterator = ((x, y, bad) for x, y, _i, bad in loader)
            n_batches = len(loader)

        for b, (x, y, bad) in enumerate(iterator):
            self._check_cancel()
            if bad:
                self._report_skipped(bad)
            if x is None:
                continue
            y = y.to(self.device, non_blocking=True)
            if use_cache:
                with self._autocast(), global_rng_draws():  # dropout; see .rng
                    logits = model.head(x.to(self.device))
                    loss = criterion(logits.float(), y)
            else:
                x = self._to_device(x)
                with self._autocast(), global_rng_draws():
                    if model.backbone_frozen and self.config.cache_features:
                        # Speed path: folded BN, inference mode; clone() turns the inference
                        # tensor into a normal one the head's autograd may save.
                        with torch.inference_mode():
                            f = self._frozen_backbone(model)(x)
                        logits = model.head(f.float().clone())
                    elif model.backbone_frozen:
                        with torch.no_grad():
                            f = model.backbone(x)
                        logits = model.head(f.float())
                    else:
                        logits = model(x)
                    loss = criterion(logits.float(), y)
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()
                optimizer.step()
            if scheduler is not None:
                scheduler.step()
            n = y.numel()
            loss = loss.detach()
            total_loss = total_loss + loss * n  # summed on the device: no sync per step
            correct = correct + (logits.argmax(1) == y).sum()
            seen += n
            for done, value in reader.push(b + 1, loss):
                self.emit("on_batch_end", BatchEnd(epoch, "train", done, n_batches, value,
                                                   time.perf_counter() - t0))
        for done, value in reader.flush():
            self.emit("on_batch_end", BatchEnd(epoch, "train", done, n_batches, value,
                                               time.perf_counter() - t0))
        if seen == 0:
            raise TrainingError("no training image could be read")
        return float(total_loss) / seen, int(correct) / seen

    # Devices where evaluating a trainable backbone goes through a BatchNorm-folded copy, built
    # per evaluation (its weights change every epoch). On CPU folding takes ~0.1 s and makes the
    # pass over the validation pictures ~1.5x faster; on a GPU that pass takes milliseconds.
    fold_eval_devices: tuple[str, ...] = ("cpu",)

    def _eval_net(self, model: TransferModel):
        """The module :meth:`evaluate` runs on pictures (the outputs equal ``model``'s)."""
        if (model.backbone_frozen or not self.config.cache_features
                or self.device.type not in self.fold_eval_devices):
            return model
        with torch.inference_mode(False), torch.no_grad():
            backbone, _pairs = fold_batchnorm(model.backbone)
        backbone = backbone.to(self.device, memory_format=self.memory_format)
        return nn.Sequential(backbone, model.head).eval()

    @torch.inference_mode()
    def evaluate(self, model: TransferModel, split: str, epoch: int = 0,
                 t0: float | None = None, keep_samples: bool = False) -> EvalReport:
        """Loss/accuracy/confusion on ``split``; cached features when the backbone is frozen."""
        model.eval()
        samples = self.scan.splits[split]
        crit = nn.CrossEntropyLoss(reduction="none")
        t0 = t0 if t0 is not None else time.perf_counter()
        y_true: list[int] = []
        y_pred: list[int] = []
        losses: list[float] = []
        records: list[dict] = []
        bs = self._inference_batch()

        parts: list[tuple[torch.Tensor, torch.Tensor, list[int]]] = []

        def consume(logits: torch.Tensor, y: torch.Tensor, idx: list[int]) -> None:
            parts.append((logits.float(), y, idx))  # read back once, after the last batch

        if model.backbone_frozen and self.config.cache_features:
            feats = self._features(model, split, epoch)
            order = sorted(feats)
            labels = torch.tensor([s.label for s in samples])
            batches = [order[i : i + bs] for i in range(0, len(order), bs)]
            for b, chunk in enumerate(batches):
                self._check_cancel()
                x = torch.stack([feats[i] for i in chunk]).to(self.device)
                with self._autocast():
                    logits = model.head(x)
                consume(logits, labels[chunk], chunk)
                self.emit("on_batch_end", BatchEnd(epoch, "val", b + 1, len(batches), 0.0,
                                                   time.perf_counter() - t0))
        else:
            loader = self._loader(samples, self.eval_tf, None, bs, f"eval:{split}:{epoch}")
            net = self._eval_net(model)
            for b, (x, y, idx, bad) in enumerate(loader):
                self._check_cancel()
                self._report_skipped(bad)
                if x is None:
                    continue
                with self._autocast():
                    logits = net(self._to_device(x))
                consume(logits, y, idx.tolist())
                self.emit("on_batch_end", BatchEnd(epoch, "val", b + 1, len(loader), 0.0,
                                                   time.perf_counter() - t0))
        if parts:
            logits = torch.cat([lg for lg, _y, _i in parts])
            y = torch.cat([t.to(logits.device) for _lg, t, _i in parts])
            per = crit(logits, y).cpu()
            probs = logits.softmax(1).cpu()
            y_true = y.cpu().tolist()
            y_pred = probs.argmax(1).tolist()
            losses = per.tolist()
            if keep_samples:
                idx = [i for _lg, _y, chunk in parts for i in chunk]
                for i, t, p, pr, lo in zip(idx, y_true, y_pred, probs.max(1).values.tolist(),
                                           losses, strict=True):
                    records.append({"path": samples[i].path, "true": t, "pred": p,
                                    "prob": pr, "loss": lo})
        loss = sum(losses) / len(losses) if losses else float("nan")
        return make_report(split, self.classes, y_true, y_pred, loss, records)

    # ------------------------------------------------------------------ fit

    def _build(self) -> TransferModel:
        def progress(done: int, total: int) -> bool:
            self.emit("on_download", DownloadProgress(self.config.backbone, done, total))
            return not self.cancel.cancelled

        with global_rng_draws():  # the layers' random initial weights (see .rng)
            model = build_model(self.config.backbone, len(self.classes), self.config.weights,
                                self.config.dropout, progress=progress)
        return model.to(self.device, memory_format=self.memory_format)

    def fit(self) -> FitResult:
        try:
            with reuse_freed_memory():  # big activations reused batch after batch (see .memory)
                result = self._fit()
        except _Cancelled:  # cancelled before the first epoch finished
            self._set_status("cancelled")
            raise
        except (TrainingError, WeightsError) as exc:
            kind = "weights" if isinstance(exc, WeightsError) else "error"
            self._set_status("failed", str(exc))
            self.emit("on_exception", ErrorEvent(str(exc), kind))
            raise
        except Exception as exc:
            if is_oom(exc):
                msg = (f"out of memory at batch size {self.config.batch_size}: try a smaller "
                       "batch size or a smaller input size (or a smaller backbone)")
                self._set_status("failed", msg)
                self.emit("on_exception", ErrorEvent(msg, "memory"))
                raise TrainingError(msg) from exc
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self._set_status("failed", f"{type(exc).__name__}: {first}")
            self.emit("on_exception", ErrorEvent(f"{type(exc).__name__}: {first}", "error"))
            raise
        self._set_status("cancelled" if result.cancelled else "finished")
        return result

    # ------------------------------------------------------------------ run folder

    def _set_status(self, status: str, error: str | None = None) -> None:
        """Record how the run ended in ``run.json`` (never hides the original error)."""
        if self.run is None:
            return
        fields: dict[str, Any] = {"status": status}
        if error is not None:
            fields["error"] = error
        with contextlib.suppress(OSError):
            self.run.write_meta(**fields)

    def _phase_optimizer(self, model: TransferModel, frozen: bool, frozen_epochs: int,
                         steps: int):
        """Freeze/unfreeze and build the optimizer and scheduler of one phase (the whole run,
        or staged mode's frozen and unfrozen parts)."""
        cfg = self.config
        model.freeze_backbone(frozen)
        phase_epochs = frozen_epochs if frozen else cfg.epochs - frozen_epochs
        lr_head = cfg.lr_head if (frozen or cfg.mode == "finetune") else cfg.lr_head / 2
        optimizer = self._make_optimizer(model, lr_head)
        return optimizer, self._make_scheduler(optimizer, phase_epochs, steps)

    def _save_state(self, loop: dict[str, Any], model: TransferModel, optimizer,
                    scheduler) -> None:
        """Write the run's ``last.pt`` and ``run.json`` at the end of an epoch."""
        assert self.run is not None
        # Saved as they are (torch.save copes with any device; loading maps to the CPU).
        current = {k: v.detach() for k, v in model.state_dict().items()}
        best = loop["best_state"]
        # Only the tensors that differ from the current weights (the head, in transfer mode):
        # the frozen backbone is not stored twice.
        best_diff = None if best is None else {
            k: v for k, v in best.items()
            if k not in current or not torch.equal(v, current[k].to(v.device))}
        history = [e.to_json() for e in loop["history"]]
        self.run.save_state({
            "epoch": loop["epoch"], "finished": loop["finished"],
            "stopped_early": loop["stopped_early"], "model": current,
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "scaler": self._scaler.state_dict() if self._scaler is not None else None,
            "best_diff": best_diff,
            "best_key": list(loop["best_key"]) if loop["best_key"] is not None else None,
            "best_epoch": loop["best_epoch"], "best_acc": float(loop["best_acc"]),
            "bad_epochs": loop["bad_epochs"], "history": history, "rng": rng_state(),
            "config": self.config.to_dict(), "classes": list(self.classes),
            "data": os.path.abspath(self.scan.root), "val_fraction": self.scan.val_fraction,
            "n_train": len(self.scan.splits["train"]),
        })
        self.run.write_meta(status="running", epoch=loop["epoch"], history=history,
                            classes=list(self.classes), best_epoch=loop["best_epoch"],
                            best_val_acc=float(loop["best_acc"]))

    def _restore(self, model: TransferModel, frozen_epochs: int, steps: int) -> dict[str, Any]:
        """Load ``last.pt`` into ``model`` and rebuild the loop state saved with it."""
        assert self.run is not None
        cfg = self.config
        try:
            state = self.run.load_state()
        except RunError as exc:
            raise TrainingError(str(exc)) from None
        if list(state.get("classes", [])) != self.classes:
            raise TrainingError("the dataset's classes changed since the run started "
                                f"({', '.join(map(str, state.get('classes', [])))}); "
                                "cannot resume")
        # Through from_dict, so a field added since the run started takes its default.
        saved = {k: v for k, v in TrainConfig.from_dict(dict(state.get("config", {})))
                 .to_dict().items() if k not in ("device", "workers")}
        mine = {k: v for k, v in cfg.to_dict().items() if k not in ("device", "workers")}
        if saved != mine:
            changed = sorted(k for k in mine if saved.get(k) != mine[k])
            raise TrainingError(f"the settings differ from the run's ({', '.join(changed)}); "
                                "resume with the run's own settings")
        model.load_state_dict(state["model"])
        last = int(state["epoch"])
        optimizer, scheduler = self._phase_optimizer(model, last <= frozen_epochs,
                                                     frozen_epochs, steps)
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
        if self._scaler is not None and state.get("scaler") is not None:
            self._scaler.load_state_dict(state["scaler"])
        best_state = None
        if state.get("best_diff") is not None:
            best_state = {k: v.detach().to("cpu", copy=True)
                          for k, v in model.state_dict().items()}
            best_state.update(state["best_diff"])
        history = [EpochEnd(**{**d, "lr": tuple(d["lr"])}) for d in state["history"]]
        # The frozen-feature cache is not saved; compute it now, before restoring the RNG
        # states, so the resumed epochs draw exactly the random numbers they would have.
        nxt = last + 1
        if not state["finished"] and nxt <= frozen_epochs and cfg.cache_features:
            self._features(model, "val", nxt)
            if not self._augmenting:
                self._features(model, "train", nxt)
        set_rng_state(state["rng"])
        for ev in history:  # replay, so a listener sees the whole run
            self.emit("on_epoch_end", ev)
        return {
            "optimizer": optimizer, "scheduler": scheduler, "history": history,
            "best_state": best_state,
            "best_key": tuple(state["best_key"]) if state.get("best_key") else None,
            "best_epoch": int(state["best_epoch"]), "best_acc": float(state["best_acc"]),
            "bad_epochs": int(state["bad_epochs"]),
            "stopped_early": bool(state["stopped_early"]),
            "start": cfg.epochs + 1 if state["finished"] else nxt,
        }

    def _fit(self) -> FitResult:
        cfg = self.config
        seed_everything(cfg.seed)
        t_start = time.perf_counter()
        self._augmenting = cfg.augment_spec.enabled
        self._scaler = (
            torch.amp.GradScaler("cuda")
            if self.use_amp and self.amp_dtype == torch.float16
            else None
        )
        n_test = len(self.scan.splits.get("test", []))
        cached_any = cfg.cache_features and cfg.mode in ("transfer", "staged")
        self.emit("on_fit_start", FitStart(
            cfg.epochs, len(self.scan.splits["train"]), len(self.scan.splits["val"]), n_test,
            tuple(self.classes), device_description(self.device), cfg.backbone, cfg.mode,
            cached_any,
        ))
        try:
            model = self._build()
        except _Cancelled:
            raise TrainingError("cancelled while preparing the model") from None
        criterion = self._criterion()

        frozen_epochs = {"transfer": cfg.epochs, "finetune": 0,
                         "staged": min(cfg.freeze_epochs, cfg.epochs)}[cfg.mode]
        if frozen_epochs and not self.resume:
            try:  # (a resumed run restores the statistics from its checkpoint)
                self._calibrate_batchnorm(model)
            except _Cancelled:
                raise TrainingError("cancelled while preparing the model") from None
        history: list[EpochEnd] = []
        best_state: dict[str, torch.Tensor] | None = None
        best_key: tuple[float, float] | None = None
        best_epoch, best_acc, bad_epochs = 0, 0.0, 0
        stopped_early = cancelled = False
        optimizer = scheduler = None
        steps = max(1, math.ceil(len(self.scan.splits["train"]) / cfg.batch_size))
        start = 1
        if self.run is not None and not self.resume:
            self.run.write_meta(config=cfg.to_dict(), data=os.path.abspath(self.scan.root),
                                val_split=self.scan.val_fraction, classes=list(self.classes),
                                status="running")
        if self.resume:
            try:
                r = self._restore(model, frozen_epochs, steps)
            except _Cancelled:
                raise TrainingError("cancelled while resuming") from None
            optimizer, scheduler, history = r["optimizer"], r["scheduler"], r["history"]
            best_state, best_key, best_epoch = r["best_state"], r["best_key"], r["best_epoch"]
            best_acc, bad_epochs, stopped_early = r["best_acc"], r["bad_epochs"], \
                r["stopped_early"]
            start = r["start"]

        try:
            for epoch in range(start, cfg.epochs + 1):
                frozen = epoch <= frozen_epochs
                if optimizer is None or (not frozen and model.backbone_frozen):
                    # (Re)build the optimizer at the start and when staged mode unfreezes.
                    optimizer, scheduler = self._phase_optimizer(model, frozen, frozen_epochs,
                                                                 steps)
                t0 = time.perf_counter()
                self.emit("on_epoch_start", EpochStart(epoch, cfg.epochs, frozen))
                use_cache = frozen and cfg.cache_features and not self._augmenting
                lrs = tuple(group_lrs(optimizer))
                train_loss, train_acc = self._train_epoch(
                    model, optimizer, scheduler, criterion, epoch, t0, use_cache)
                report = self.evaluate(model, "val", epoch, t0)
                key = ((report.accuracy, -report.loss) if cfg.monitor == "val_acc"
                       else (-report.loss, report.accuracy))
                improved = best_key is None or (
                    key[0] > best_key[0] + cfg.min_delta
                    or (key[0] >= best_key[0] - 1e-12 and key[1] > best_key[1])
                )
                if improved:
                    best_key, best_epoch, best_acc, bad_epochs = key, epoch, report.accuracy, 0
                    # A copy on the model's device: no device-to-host transfer mid-run.
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    bad_epochs += 1
                ev = EpochEnd(epoch, cfg.epochs, train_loss, train_acc, report.loss,
                              report.accuracy, lrs, time.perf_counter() - t0, improved)
                history.append(ev)
                stop = bool(cfg.patience and bad_epochs >= cfg.patience and epoch < cfg.epochs)
                if self.run is not None:  # saved before it is reported: a kill loses nothing
                    self._save_state(
                        {"epoch": epoch, "finished": stop or epoch == cfg.epochs,
                         "stopped_early": stop, "history": history, "best_state": best_state,
                         "best_key": best_key, "best_epoch": best_epoch, "best_acc": best_acc,
                         "bad_epochs": bad_epochs}, model, optimizer, scheduler)
                self.emit("on_epoch_end", ev)
                if stop:
                    stopped_early = True
                    break
        except _Cancelled:
            cancelled = True

        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        reports: dict[str, EvalReport] = {}
        if history and not cancelled:
            try:
                for split in ("val", "test"):
                    if self.scan.splits.get(split):
                        reports[split] = self.evaluate(model, split, keep_samples=True)
            except _Cancelled:
                cancelled = True
        model = model.to("cpu", memory_format=torch.contiguous_format)
        seconds = time.perf_counter() - t_start
        result = FitResult(model, cfg, self.classes, history, best_epoch, best_acc,
                           stopped_early, cancelled, seconds, reports, self.skipped)
        self.emit("on_fit_end", FitEnd(best_epoch, best_acc, stopped_early, cancelled,
                                       len(history), seconds))
        return result


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
    "fit",
    "resolve_device",
]
