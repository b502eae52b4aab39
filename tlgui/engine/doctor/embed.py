"""One frozen-backbone embedding per picture, computed by training's own feature pass.

:func:`embed_scan` builds the config's model and runs :class:`~tlgui.engine.train.features
.FeatureCache` over every split: the BatchNorm-folded backbone, on ONNX Runtime where
``inference_backend`` allows it, with the on-disk :class:`~tlgui.engine.feature_store
.FeatureStore`. So the embeddings are exactly the features a transfer run trains its head on,
a run's stored features make the doctor fast, and the doctor's make the next run fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .. import augment
from ..backbones import get_info
from ..config import TrainConfig
from ..data import DatasetScan
from ..events import Callback, DownloadProgress, Skipped
from ..feature_store import FeatureStore
from ..model import build_model
from ..rng import seeded_global_draws
from ..train.batches import BatchSource, View
from ..train.features import FeatureCache
from ..train.runtime import CancelToken, EventBus, Runtime, auto_workers


@dataclass(frozen=True)
class Embeddings:
    """Row ``i`` of ``features`` embeds ``paths[i]`` (class ``labels[i]``, split
    ``splits[i]``); unreadable pictures are in ``skipped`` instead. ``computed``: pictures
    that went through the backbone (the rest came from the feature store)."""

    paths: list[str]
    labels: np.ndarray
    splits: list[str]
    features: np.ndarray
    skipped: list[Skipped]
    computed: int
    backend: str


def embed_scan(
    scan: DatasetScan,
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    store: FeatureStore | None = None,
) -> Embeddings:
    """Embed every picture of ``scan`` with ``config``'s backbone and weights (see the module
    docstring). ``callbacks`` get ``on_batch_end`` (phase ``features``), ``on_skipped``,
    ``on_backend`` and ``on_download``; ``store``: the feature store (None: compute all)."""
    info = get_info(config.backbone)
    events = EventBus(callbacks, cancel)
    runtime = Runtime.create(config.device, config.amp, config.channels_last)
    workers = config.workers if config.workers >= 0 else auto_workers(runtime.device)
    batches = BatchSource(
        runtime,
        info.input_size,
        info.mean,
        info.std,
        seed=config.seed,
        workers=workers,
        batch_size=config.batch_size,
    )
    eval_view = View(augment.eval_transform(info.input_size, info.mean, info.std), None)
    cache = FeatureCache(
        runtime,
        batches,
        eval_view,
        events,
        scan.splits,
        cache_features=True,
        random_start=config.weights == "none",
        batch_size=config.batch_size,
        inference_backend=config.inference_backend,
        store=store,
    )

    # The same initial weights a run with this seed starts from (its first global draws).
    def progress(done: int, total: int) -> bool:
        events.emit("on_download", DownloadProgress(config.backbone, done, total))
        return not events.cancel.cancelled

    with seeded_global_draws(config.seed):
        model = build_model(
            config.backbone, len(scan.classes), config.weights, config.dropout, progress=progress
        )
    model = model.to(runtime.device, memory_format=runtime.memory_format)
    model.freeze_backbone(True)
    cache.calibrate(model)
    paths: list[str] = []
    labels: list[int] = []
    splits: list[str] = []
    rows: list[torch.Tensor] = []
    for split, samples in scan.splits.items():
        feats = cache.features(model, split, 1)
        for i, sample in enumerate(samples):
            if i in feats:
                paths.append(sample.path)
                labels.append(sample.label)
                splits.append(split)
                rows.append(feats[i])
    matrix = torch.stack(rows).numpy() if rows else np.zeros((0, info.num_features), np.float32)
    computed = len(paths) - cache.from_store
    backend = cache.choice.name if cache.choice is not None else "feature store"
    return Embeddings(
        paths,
        np.asarray(labels, dtype=np.int64),
        splits,
        matrix.astype(np.float32, copy=False),
        list(events.skipped),
        computed,
        backend,
    )


__all__ = ["Embeddings", "embed_scan"]
