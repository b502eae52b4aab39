"""The frozen backbone's side of a run: its BatchNorm-folded copy, its cached outputs per split,
and the BatchNorm calibration of a randomly initialised backbone.

In transfer mode (and staged mode's frozen epochs) the frozen backbone's output for the eval
view never changes, so the validation features are computed once; without augmentation the
training features too, and every later epoch trains only the head on cached vectors. The
frozen part runs BatchNorm-folded (:mod:`tlgui.engine.frozen`), in inference mode and in the
run's memory format; on the CPU that folded copy is exported once per frozen phase to ONNX
Runtime when ``TrainConfig.inference_backend`` allows it (:mod:`tlgui.engine.onnx_backend`
decides, checking ORT against torch on the phase's first batch), and the choice is reported
as a :class:`~tlgui.engine.events.BackendChosen` event. ``TrainConfig.cache_features=False``
turns all of this off and runs the same computation the plain way on torch; the results agree
to float rounding.

With a :class:`~tlgui.engine.feature_store.FeatureStore`, the cached features also persist on
disk: a feature pass takes what the store holds for the backbone's current weights and the
split's files (from an earlier run, or from the dataset doctor, which runs this same pass) and
computes only the rest, which it adds to the store.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ..data import Sample
from ..events import BackendChosen, BatchEnd
from ..feature_store import FeatureStore, file_identity, model_key
from ..frozen import fold_batchnorm
from ..model import TransferModel
from ..onnx_backend import BackendChoice, BackendError, Forward, frozen_forward
from .batches import BatchSource, Share, View
from .runtime import EventBus, Runtime, TrainingError

# Devices where evaluating a backbone that trains goes through a BatchNorm-folded copy built
# per evaluation (its weights change every epoch): folding is cheap next to a pass over the
# validation pictures on a CPU, and buys little where that pass takes milliseconds.
FOLD_EVAL_DEVICES: tuple[str, ...] = ("cpu",)


def evaluation_network(model: TransferModel, runtime: Runtime, fold: bool) -> nn.Module:
    """The module an evaluation runs on pictures; its outputs equal ``model``'s (to float
    rounding). A BatchNorm-folded copy when ``fold`` and the backbone trains on a
    :data:`FOLD_EVAL_DEVICES` device, else ``model`` itself."""
    if model.backbone_frozen or not fold or runtime.device.type not in FOLD_EVAL_DEVICES:
        return model
    with torch.inference_mode(False), torch.no_grad():
        backbone, _pairs = fold_batchnorm(model.backbone)
    backbone = backbone.to(runtime.device, memory_format=runtime.memory_format)
    return nn.Sequential(backbone, model.head).eval()


@dataclass(frozen=True)
class _FoldedCopy:
    """A folded copy of one model's frozen backbone, the weights it was folded from, and the
    forward that runs it (ORT's session on its export, or the copy itself)."""

    model: weakref.ref[TransferModel]
    stamp: tuple[tuple[int, int], ...]
    net: nn.Module
    forward: Forward


def _weights_stamp(model: TransferModel) -> tuple[tuple[int, int], ...]:
    """Identifies the backbone's current weights: storage and in-place write count per tensor
    (``load_state_dict`` copies into the same storage and bumps ``_version``). Floating-point
    tensors only: BatchNorm's integer ``num_batches_tracked`` plays no part in an eval-mode
    forward, and ``load_state_dict`` rewrites it even when it is not in the state dict."""
    tensors = [*model.backbone.parameters(), *model.backbone.buffers()]
    return tuple((t.data_ptr(), t._version) for t in tensors if t.is_floating_point())


class FeatureCache:
    """See the module docstring. One per run: the cached features belong to the run's model
    and splits."""

    # Training pictures a random-start backbone's BatchNorm statistics are estimated from.
    calibrate_pictures: int = 64

    def __init__(
        self,
        runtime: Runtime,
        batches: BatchSource,
        eval_view: View,
        events: EventBus,
        splits: dict[str, list[Sample]],
        *,
        cache_features: bool,
        random_start: bool,
        batch_size: int,
        inference_backend: str = "auto",
        store: FeatureStore | None = None,
        weights_fixed: bool = False,
    ) -> None:
        """``cache_features``: the speed paths are on; ``random_start``: the backbone starts
        from random weights (``weights="none"``) and needs :meth:`calibrate`;
        ``inference_backend``: ``TrainConfig.inference_backend``; ``store``: the on-disk
        feature store to read and add to (None: none); ``weights_fixed``: no weight changes
        while this cache lives (evaluating a trained model), so every backbone forward is a
        no-gradient one and goes through :meth:`frozen_backbone`, frozen or not."""
        self.runtime, self.batches, self.eval_view, self.events = (
            runtime,
            batches,
            eval_view,
            events,
        )
        self.splits = splits
        self.cache_features, self.random_start = cache_features, random_start
        self.batch_size = batch_size
        self.inference_backend = inference_backend
        self.store = store
        self.weights_fixed = weights_fixed
        self.from_store = 0  # features the store supplied so far
        self.cached: dict[str, dict[int, torch.Tensor]] = {}
        self._folded: _FoldedCopy | None = None
        self._key: tuple[weakref.ref[TransferModel], tuple[tuple[int, int], ...], str] | None = None
        self.choice: BackendChoice | None = None  # the latest frozen phase's backend

    def frozen_backbone(self, model: TransferModel, batch: torch.Tensor) -> Forward:
        """What runs ``model``'s backbone on ``batch`` (on the device, in inference mode)
        while it is frozen: with the speed paths on, the BatchNorm-folded copy, on ORT where
        :func:`~tlgui.engine.onnx_backend.frozen_forward` chose it (``batch`` is its check
        batch); built once per model and weights, rebuilt when they change. Otherwise, or
        while the backbone trains, ``model.backbone`` itself on torch. Raises
        :class:`~.runtime.TrainingError` when ``onnxruntime`` was forced and cannot run this
        backbone."""
        if not (self.cache_features and (model.backbone_frozen or self.weights_fixed)):
            return model.backbone
        stamp = _weights_stamp(model)
        folded = self._folded
        if folded is None or folded.model() is not model or folded.stamp != stamp:
            self._folded = None  # an old ORT session goes before the new one is built
            with torch.inference_mode(False), torch.no_grad():  # normal tensors, reusable
                net, _pairs = fold_batchnorm(model.backbone)
            net = net.to(self.runtime.device, memory_format=self.runtime.memory_format)
            try:
                forward, choice = frozen_forward(
                    net, tuple(batch.shape[-2:]), self.inference_backend, check_batch=batch
                )
            except BackendError as exc:  # onnxruntime was forced and cannot run it
                raise TrainingError(str(exc)) from None
            folded = self._folded = _FoldedCopy(weakref.ref(model), stamp, net, forward)
            self._report(choice)
        return folded.forward

    def release(self) -> None:
        """Drop the folded copy and its ORT session: the backbone trains from now on, its
        forward needs gradients, so torch runs it (reported when ORT ran until now)."""
        if self._folded is None:
            return
        self._folded = None
        choice = self.choice
        if choice is not None and choice.name != "torch":
            reason = "the backbone trains (gradients flow through it)"
            self._report(BackendChoice("torch", choice.requested, reason), record=False)

    def _report(self, choice: BackendChoice, record: bool = True) -> None:
        if record:
            self.choice = choice
        self.events.emit("on_backend", BackendChosen(choice.name, choice.requested, choice.reason))

    def recorded_choice(self) -> dict[str, str]:
        """What ran the frozen backbone's no-gradient forward in this run (the latest frozen
        phase's choice), for the run's record and the bundle."""
        if self.choice is not None:
            return self.choice.to_json()
        return BackendChoice("torch", self.inference_backend, "no frozen-backbone pass").to_json()

    def store_key(self, model: TransferModel) -> str:
        """The feature store's key for ``model``'s frozen backbone with its current weights
        under this cache's eval view, device and precision (computed once per weights)."""
        stamp = _weights_stamp(model)
        held = self._key
        if held is not None and held[0]() is model and held[1] == stamp:
            return held[2]
        runtime, batches = self.runtime, self.batches
        precision = str(runtime.amp_dtype) if runtime.use_amp else "float32"
        key = model_key(
            model.backbone,
            batches.input_size,
            batches.mean,
            batches.std,
            runtime.device.type,
            precision,
        )
        self._key = (weakref.ref(model), stamp, key)
        return key

    @torch.inference_mode()
    def features(self, model: TransferModel, split: str, epoch: int) -> dict[int, torch.Tensor]:
        """Frozen-backbone outputs of ``split`` under the eval view (``{sample index: vector}``,
        on the CPU), computed once: the store's (if any) for the files it holds, the rest
        computed, reported as the ``features`` phase of ``epoch``, and added to the store."""
        if split in self.cached:
            return self.cached[split]
        samples = self.splits[split]
        feats: dict[int, torch.Tensor] = {}
        key, identities = None, []
        if self.store is not None and self.cache_features and model.backbone_frozen:
            key = self.store_key(model)
            identities = [file_identity(s.path) for s in samples]
            feats = self.store.get(key, identities)
            self.from_store += len(feats)
        # Under torchrun: the same list in every process, whatever each found in the store;
        # each computes (and stores) its share of it, then all get every share.
        missing = self.batches.dist.union([i for i in range(len(samples)) if i not in feats])
        if missing:
            new = self._compute(model, samples, missing, split, epoch)
            if key is not None and new:
                done = sorted(new)
                self.store.put(  # type: ignore[union-attr]
                    key, [identities[i] for i in done], torch.stack([new[i] for i in done])
                )
            feats.update(self.batches.dist.gather_features(new))
        self.cached[split] = feats
        return feats

    def _compute(
        self, model: TransferModel, samples: list[Sample], order: list[int], split: str, epoch: int
    ) -> dict[int, torch.Tensor]:
        """The frozen backbone's outputs for ``samples[i]``, ``i`` in ``order`` (unreadable
        files reported and left out)."""
        loader = self.batches.images(
            samples, self.eval_view, order, self.batches.inference_batch(), f"features:{split}"
        )
        feats: dict[int, torch.Tensor] = {}
        t0 = time.perf_counter()
        model.backbone.eval()
        for b, (x, _y, idx, bad) in enumerate(loader):
            self.events.check_cancel()
            self.events.report_skipped(bad)
            if x is not None:
                x = self.runtime.to_device(x)
                with self.runtime.autocast():
                    f = self.frozen_backbone(model, x)(x).float().cpu()
                for i, row in zip(idx.tolist(), f, strict=True):
                    feats[i] = row.clone()
            self.events.emit(
                "on_batch_end",
                BatchEnd(epoch, "features", b + 1, len(loader), 0.0, time.perf_counter() - t0),
            )
        return feats

    def calibrate(self, model: TransferModel) -> None:
        """Give a randomly initialised backbone that is about to be frozen BatchNorm statistics
        of the user's pictures.

        Its running statistics are still the initial mean 0 / variance 1, so in eval mode no
        layer is normalised and the features' scale drifts from layer to layer. They are
        estimated on ``calibrate_pictures`` training pictures (eval view, a fixed seeded draw)
        with torch's ``update_bn``, in one batch, so they are those pictures' exact statistics
        whatever the training batch size; reported as the ``features`` phase of epoch 1.
        Pretrained backbones keep their ImageNet statistics (nothing happens)."""
        if not self.random_start:
            return
        samples = self.splits["train"]
        order = self.batches.epoch_order(len(samples), 0)[: self.calibrate_pictures]
        size = max(self.batch_size, self.calibrate_pictures)
        # Every process calibrates on the same pictures: their frozen backbones stay equal.
        loader = self.batches.images(
            samples, self.eval_view, order, size, "calibrate", share=Share.ALL
        )
        t0 = time.perf_counter()

        def batches() -> Iterator[torch.Tensor]:
            for b, (x, _y, _idx, bad) in enumerate(loader):
                self.events.check_cancel()
                self.events.report_skipped(bad)
                if x is not None:
                    yield self.runtime.to_device(x)
                self.events.emit(
                    "on_batch_end",
                    BatchEnd(1, "features", b + 1, len(loader), 0.0, time.perf_counter() - t0),
                )

        with self.runtime.autocast():
            torch.optim.swa_utils.update_bn(batches(), model.backbone)

    def warm(self, model: TransferModel, epoch: int, splits: Sequence[str]) -> None:
        """Compute the features of ``splits`` now (a resumed run does so before it restores
        the random-number states, so its later draws are the uninterrupted run's)."""
        for split in splits:
            self.features(model, split, epoch)


__all__ = ["FOLD_EVAL_DEVICES", "FeatureCache", "evaluation_network"]
