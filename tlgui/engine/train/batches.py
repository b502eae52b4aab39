"""The batch source: where a pass's batches come from, in which order, and which share of them
this process takes.

Every pass of a run (training, evaluation, the frozen-feature pass, BatchNorm calibration) gets
its batches here, as ``(x, y, idx, bad)``: inputs, labels, the samples' indices in the split
and the files that could not be read (:class:`~tlgui.engine.data.SkippedFile`). Three kinds:

* pictures through a :class:`~torch.utils.data.DataLoader` and the view's CPU transform (a batch
  ahead on a thread, :class:`~tlgui.engine.data.prefetch.Prefetched`, when they load in this
  process; a random view's pictures are seeded one by one, see :mod:`tlgui.engine.rng`);
* pictures from an :class:`~tlgui.engine.data.ImageBank` on the device, augmented there
  (:class:`DeviceBatches`, GPU runs): each file is decoded once per run;
* the frozen backbone's cached features (:class:`FeatureBatches`).

:meth:`BatchSource.shard` is the one place that decides which samples this process handles;
every kind of batch goes through it. Under ``torchrun`` (:mod:`.distributed`) a training pass
has ``DistributedSampler``'s semantics: the epoch's order is padded with its first samples to a
multiple of the number of processes, so every process runs the same number of steps, and each
takes every ``world_size``-th sample from its rank on; the order is the same seeded permutation
in every process, new each epoch. ``TrainConfig.batch_size`` stays the batch of one step: each
process takes its share (:attr:`BatchSource.train_batch`), so a step averages the gradients of
the same pictures as one process would (when the batch divides evenly).
"""

from __future__ import annotations

import functools
import math
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import torch
from torch.utils.data import DataLoader

from .. import augment
from ..augment.device import device_batch
from ..data import (
    DecodedCache,
    ImageBank,
    ImageDataset,
    Sample,
    SkippedFile,
    collate_skip,
    load_for_network,
)
from ..data.prefetch import Prefetched
from .distributed import Distributed
from .runtime import Runtime

Batch = tuple[Any, Any, Any, list[SkippedFile]]


class Share(Enum):
    """Which samples of a pass a process takes when a run has several processes."""

    TRAIN = "train"  # padded to equal shares: every process runs the same number of steps
    SPLIT = "split"  # each sample in exactly one process (results are gathered afterwards)
    ALL = "all"  # every process takes every sample (BatchNorm calibration)


@dataclass(frozen=True)
class View:
    """How a pass shows pictures to the network: ``transform`` (PIL image -> normalised
    tensor) on the CPU path, and ``spec``, the same augmentation on the device path (``None``:
    the eval view)."""

    transform: Callable[[Any], torch.Tensor]
    spec: augment.AugmentSpec | None


@dataclass(frozen=True)
class Views:
    """The eval view and the two training views of a run.

    A backbone that trains gets crops at the spec's training resolution (see
    :func:`~tlgui.engine.augment.train_side`); a frozen one cannot adapt to a change of scale
    between its training and eval views, so it gets full-size crops. Without augmentation
    both training views are the eval view."""

    eval: View
    frozen_train: View
    training_train: View

    @classmethod
    def create(
        cls, spec: augment.AugmentSpec, input_size: int, mean: Sequence[float], std: Sequence[float]
    ) -> Views:
        eval_view = View(augment.eval_transform(input_size, mean, std), None)
        if not spec.enabled:
            return cls(eval_view, eval_view, eval_view)

        def train_view(s: augment.AugmentSpec) -> View:
            return View(augment.train_transform(s, input_size, mean, std), s)

        return cls(eval_view, train_view(replace(spec, resolution=1.0)), train_view(spec))

    def train(self, frozen: bool) -> View:
        return self.frozen_train if frozen else self.training_train


class DeviceBatches:
    """Batches like the DataLoader's, with ``x`` and ``y`` already on the device, built from
    an :class:`~tlgui.engine.data.ImageBank`.

    The bank rows, labels and picture sizes of a whole pass go to the device in one copy when
    iteration starts; each batch is then one gather plus
    :func:`~tlgui.engine.augment.device.device_batch`, with no host-device copy that would make
    the CPU wait for the GPU."""

    def __init__(
        self,
        bank: ImageBank,
        samples: Sequence[Sample],
        batches: list[list[int]],
        view: View,
        input_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        generator: torch.Generator,
    ) -> None:
        self.bank, self.samples, self.batches, self.view = bank, samples, batches, view
        self.input_size, self.mean, self.std = input_size, tuple(mean), tuple(std)
        self.generator = generator

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[Batch]:
        bank = self.bank
        plan = []  # per batch: (sample indices held in the bank, skipped files)
        for batch in self.batches:
            paths = [self.samples[i].path for i in batch]
            held = [i for i, p in zip(batch, paths, strict=True) if p in bank.index]
            plan.append((held, [SkippedFile(p, bank.failed[p]) for p in paths if p in bank.failed]))
        flat = [i for good, _bad in plan for i in good]
        where = [bank.index[self.samples[i].path] for i in flat]
        dev = bank.device
        rows = torch.tensor([r for _b, r in where], dtype=torch.long).to(dev)
        labels = torch.tensor([self.samples[i].label for i in flat], dtype=torch.long).to(dev)
        hw = torch.tensor([bank.sizes[self.samples[i].path] for i in flat], dtype=torch.float32).to(
            dev
        )
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
            x = device_batch(
                x, hw[part], self.view.spec, self.input_size, self.mean, self.std, self.generator
            )
            yield x, labels[part], torch.tensor(good, dtype=torch.long), bad


class FeatureBatches:
    """Batches of cached frozen-backbone features (``{sample index: feature vector}``) in a
    given order; samples without a feature (unreadable files) are left out."""

    def __init__(
        self, feats: dict[int, torch.Tensor], labels: torch.Tensor, chunks: list[list[int]]
    ) -> None:
        self.feats, self.labels, self.chunks = feats, labels, chunks

    def __len__(self) -> int:
        return len(self.chunks)

    def __iter__(self) -> Iterator[Batch]:
        for chunk in self.chunks:
            x = torch.stack([self.feats[i] for i in chunk])
            yield x, self.labels[chunk], torch.tensor(chunk, dtype=torch.long), []


class BatchSource:
    """Batches for every pass of one run (or one evaluation); see the module docstring."""

    # Devices whose passes keep decoded pictures on the device and augment there (ImageBank);
    # the bank takes at most this fraction of the device's memory (CUDA) or these bytes (CPU,
    # where decoding is cheap next to the backbone and the bank serves tests).
    bank_devices: tuple[str, ...] = ("cuda",)
    bank_fraction: float = 0.25
    bank_cpu_bytes: int = 256 * 2**20
    # Decoded pictures kept between epochs on the CPU path (DecodedCache).
    decoded_cache_bytes: int = 256 * 2**20
    # Devices whose passes without gradients run at least 64 pictures per batch; elsewhere
    # they run the training batch size, floored here.
    large_inference_devices: tuple[str, ...] = ("cuda",)
    min_inference_batch: int = 16

    def __init__(
        self,
        runtime: Runtime,
        input_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        *,
        seed: int,
        workers: int,
        batch_size: int,
        use_bank: bool = True,
        dist: Distributed | None = None,
    ) -> None:
        """``use_bank=False`` streams every pass from disk (a single pass gains nothing from
        decoding into the bank first); ``dist``: this process's place in the run (default:
        :meth:`.Distributed.current`)."""
        self.dist = dist if dist is not None else Distributed.current()
        self.runtime = runtime
        self.input_size, self.mean, self.std = input_size, tuple(mean), tuple(std)
        self.seed, self.workers, self.batch_size = seed, workers, batch_size
        self.use_bank = use_bank
        self.bank: ImageBank | None = None
        self.decoded: DecodedCache | None = None

    # ------------------------------------------------------------------ order and share

    def epoch_order(self, n: int, epoch: int) -> list[int]:
        """The order of ``n`` training samples in ``epoch``: a permutation from a private
        generator seeded by the run's seed and the epoch (see :mod:`tlgui.engine.rng`)."""
        g = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        return torch.randperm(n, generator=g).tolist()

    def shard(self, order: Sequence[int], share: Share = Share.SPLIT) -> list[int]:
        """This process's share of a pass's sample order (see :class:`Share`): every
        ``world_size``-th index from its rank on, the order first padded with its own first
        indices for :attr:`Share.TRAIN`. With one process, the whole order."""
        order = list(order)
        world, rank = self.dist.world_size, self.dist.rank
        if world == 1 or share is Share.ALL:
            return order
        if share is Share.TRAIN and order:
            total = math.ceil(len(order) / world) * world
            while len(order) < total:  # (more than one round only when world > len(order))
                order += order[: total - len(order)]
        return order[rank::world]

    @property
    def train_batch(self) -> int:
        """This process's part of a training step's batch (``batch_size`` over the
        processes, rounded up)."""
        return math.ceil(self.batch_size / self.dist.world_size)

    def steps_per_epoch(self, n: int) -> int:
        """Training steps of an epoch over ``n`` samples (the same in every process)."""
        return max(1, math.ceil(len(self.shard(range(n), Share.TRAIN)) / self.train_batch))

    def inference_batch(self) -> int:
        """Batch size of the passes without gradients (frozen features, evaluation). On the
        devices in ``large_inference_devices`` at least 64, for fewer launches. Elsewhere the
        training batch size, floored at ``min_inference_batch``: on a CPU a larger batch is no
        faster and holds larger activations, a much smaller one is slower per picture."""
        bs = self.batch_size
        if self.runtime.device.type in self.large_inference_devices:
            return max(bs, 64)
        return max(bs, self.min_inference_batch)

    # ------------------------------------------------------------------ batches

    def images(
        self,
        samples: Sequence[Sample],
        view: View,
        order: Sequence[int] | None,
        batch_size: int,
        key: str,
        *,
        repeats: bool = False,
        share: Share = Share.SPLIT,
    ) -> DataLoader | Prefetched | DeviceBatches:
        """Batches of ``samples`` through ``view``, in ``order`` (or file order).

        ``key`` names the pass (split and epoch): it seeds the pass's private generator, so
        worker-side and on-device augmentation are reproducible and creating a loader draws
        nothing from the global generator. ``repeats``: the pass comes back every epoch, so
        decoded pictures are worth keeping in RAM (in-process loading only; worker processes
        would each hold a copy). On a bank device the pictures are decoded once into the
        :class:`~tlgui.engine.data.ImageBank` and the view runs there; a split that does not
        fit the bank's budget streams from disk instead. ``share``: this process's part of
        the pass (:meth:`shard`); with several processes each draws its own augmentation."""
        idx = self.shard(order if order is not None else range(len(samples)), share)
        batches = [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]
        if self.dist.active:
            key = f"{key}:rank{self.dist.rank}"
        generator = torch.Generator().manual_seed(zlib.crc32(f"{self.seed}:{key}".encode()))
        if self.use_bank and self.runtime.device.type in self.bank_devices:
            bank = self.image_bank()
            paths = [s.path for s in samples]
            if bank.holds(paths) or bank.add(paths):
                return DeviceBatches(
                    bank, samples, batches, view, self.input_size, self.mean, self.std, generator
                )
        load: Callable[[str], Any] = functools.partial(
            load_for_network, input_size=self.input_size
        )
        if self.workers == 0 and repeats:
            if self.decoded is None:
                self.decoded = DecodedCache(load, self.decoded_cache_bytes)
            load = self.decoded
        # A random view seeds each picture from the pass's generator (see ..rng): the pictures
        # do not depend on which thread or worker transforms them, or when.
        seeds = None
        if view.spec is not None:
            seeds = torch.randint(2**62, (len(samples),), generator=generator).tolist()
        loader = DataLoader(
            ImageDataset(samples, view.transform, load, seeds),
            batch_sampler=batches,
            num_workers=self.workers,
            collate_fn=collate_skip,
            pin_memory=self.runtime.device.type == "cuda",
            persistent_workers=False,
            generator=generator,
        )
        # In-process loading runs a batch ahead on a thread (data.prefetch).
        return Prefetched(loader) if self.workers == 0 else loader

    def features(
        self,
        feats: dict[int, torch.Tensor],
        samples: Sequence[Sample],
        order: Sequence[int],
        batch_size: int,
        share: Share = Share.SPLIT,
    ) -> FeatureBatches:
        """Batches of the cached ``feats`` of ``samples`` in ``order`` (this process's
        ``share`` of it)."""
        mine = [i for i in self.shard(order, share) if i in feats]
        labels = torch.tensor([s.label for s in samples], dtype=torch.long)
        chunks = [mine[i : i + batch_size] for i in range(0, len(mine), batch_size)]
        return FeatureBatches(feats, labels, chunks)

    def image_bank(self) -> ImageBank:
        """The run's bank, created on first use with the device's budget."""
        if self.bank is None:
            device = self.runtime.device
            if device.type == "cuda":
                total = torch.cuda.get_device_properties(device).total_memory
                budget = int(total * self.bank_fraction)
            else:
                budget = self.bank_cpu_bytes
            side = 2 * self.input_size  # enough for a half-side random crop at full resolution
            self.bank = ImageBank(device, budget, side, max(2, os.cpu_count() or 2))
        return self.bank


__all__ = ["Batch", "BatchSource", "DeviceBatches", "FeatureBatches", "Share", "View", "Views"]
