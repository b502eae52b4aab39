"""The dataset doctor: what is wrong with the data before a model learns it.

:func:`check_dataset` embeds every picture once with the frozen backbone (:mod:`.embed`:
training's own feature pass, so stored features are shared both ways) and from those
embeddings finds

- likely label errors (:mod:`.labels`: out-of-fold logistic regression + cleanlab);
- near-duplicates (:mod:`.similarity`, blockwise cosine similarity) and identical files
  (content hash, :mod:`tlgui.engine.data.duplicates`), grouped, each group marked when it
  crosses splits;
- outliers (:mod:`.similarity`: far from their nearest pictures of any class);
- the class balance (the scan's counts).

When tlgui makes the validation split itself, the near-duplicate groups are saved for the
folder (:func:`~tlgui.engine.data.duplicates.save_near_duplicates`) and, with
``keep_duplicates_together``, the split is made again keeping them whole: the report shows the
split a run will use. :mod:`.actions` moves a picture to another class folder and back; the
doctor itself never changes, moves or deletes a file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from ..config import DEFAULT_VAL_SPLIT, TrainConfig
from ..data import DatasetScan, scan_dataset
from ..data.duplicates import exact_duplicate_groups, merge_groups, save_near_duplicates
from ..events import Callback
from ..feature_store import FeatureStore
from ..train.runtime import CancelToken
from .embed import Embeddings, embed_scan
from .labels import find_label_issues
from .report import DoctorReport, DuplicateGroup, LabelIssue, Outlier
from .similarity import NEAR_DUPLICATE_THRESHOLD, similarity_pass, unit_rows


def _groups(
    emb: Embeddings, pairs: list[tuple[int, int, float]]
) -> list[tuple[list[int], float, bool]]:
    """Near-duplicate pairs and identical files merged into groups: (members, the lowest
    linking similarity, all identical)."""
    exact = exact_duplicate_groups(emb.paths)
    exact_of = {i: k for k, g in enumerate(exact) for i in g}
    edges = [(i, j, s) for i, j, s in pairs] + [(g[0], i, 1.0) for g in exact for i in g[1:]]
    groups = merge_groups(len(emb.paths), [[i, j] for i, j, _s in edges])
    group_of = {i: k for k, g in enumerate(groups) for i in g}
    lowest = [1.0] * len(groups)
    for i, _j, s in edges:
        k = group_of[i]
        lowest[k] = min(lowest[k], s)
    out = []
    for k, members in enumerate(groups):
        same = {exact_of.get(i) for i in members}
        out.append((members, lowest[k], len(same) == 1 and None not in same))
    return out


def _resplit(scan: DatasetScan, config: TrainConfig, val_split: float) -> DatasetScan:
    """The scan a run will use now that the groups are saved (the split keeps them whole)."""
    return scan_dataset(scan.root, val_split=val_split, seed=config.seed, keep_together=True)


def check_dataset(
    root: str | os.PathLike[str],
    config: TrainConfig | None = None,
    val_split: float = DEFAULT_VAL_SPLIT,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    store: FeatureStore | None = None,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
) -> DoctorReport:
    """Check the dataset in ``root`` (see the module docstring) with ``config``'s backbone,
    weights, device, inference backend, seed and ``keep_duplicates_together``; ``val_split``
    as for training. ``store``: the feature store (:meth:`FeatureStore.default` when None and
    the store is on). Raises :class:`~tlgui.engine.data.DataError` for an unusable folder and
    :class:`~tlgui.engine.train.Cancelled` when ``cancel`` is set."""
    t0 = time.perf_counter()
    config = config or TrainConfig()
    scan = scan_dataset(
        root, val_split=val_split, seed=config.seed, keep_together=config.keep_duplicates_together
    )
    emb = embed_scan(scan, config, callbacks, cancel, store or FeatureStore.default())
    notes: list[str] = []
    sim = similarity_pass(unit_rows(emb.features), threshold)
    groups = _groups(emb, sim.pairs)
    split_of = dict(zip(emb.paths, emb.splits, strict=True))
    made_by = "tlgui" if scan.val_fraction is not None else "folders"
    kept = 0
    if made_by == "tlgui":
        save_near_duplicates(scan.root, [[emb.paths[i] for i in g] for g, _s, _e in groups])
        if config.keep_duplicates_together:
            kept = len(groups)
            if any(len({split_of[emb.paths[i]] for i in g}) > 1 for g, _s, _e in groups):
                scan = _resplit(scan, config, val_split)
                split_of = {s.path: name for name, ss in scan.splits.items() for s in ss}
    classes = scan.classes
    issues = [
        LabelIssue(
            emb.paths[r.index],
            classes[r.given],
            classes[r.suggested],
            r.score,
            split_of.get(emb.paths[r.index], ""),
        )
        for r in find_label_issues(emb.features, emb.labels, len(classes), config.seed)
    ]
    if not issues and min(np.bincount(emb.labels, minlength=len(classes))) < 2:
        notes.append("label errors not checked in a class with fewer than two pictures")
    duplicates = [
        DuplicateGroup(
            tuple(emb.paths[i] for i in g),
            s,
            tuple(split_of.get(emb.paths[i], "") for i in g),
            exact,
        )
        for g, s, exact in groups
    ]
    duplicates.sort(key=lambda d: (not d.cross_split, -d.similarity, d.paths))
    order = [i for i in range(len(emb.paths)) if sim.outlier_scores[i] > sim.outlier_limit]
    order.sort(key=lambda i: -sim.outlier_scores[i])
    outliers = [
        Outlier(emb.paths[i], float(sim.outlier_scores[i]), split_of.get(emb.paths[i], ""))
        for i in order
    ]
    skipped = [(s.path, s.reason) for s in scan.skipped] + [(s.path, s.reason) for s in emb.skipped]
    return DoctorReport(
        root=scan.root,
        backbone=config.backbone,
        weights=config.weights,
        classes=list(classes),
        counts=scan.counts(),
        imbalance_ratio=scan.imbalance_ratio(),
        label_issues=issues,
        near_duplicates=duplicates,
        outliers=outliers,
        skipped=skipped,
        images=len(emb.paths),
        split_made_by=made_by,
        groups_kept_together=kept,
        computed=emb.computed,
        from_store=len(emb.paths) - emb.computed,
        backend=emb.backend,
        threshold=threshold,
        seconds=time.perf_counter() - t0,
        notes=notes,
    )


__all__ = ["DoctorReport", "DuplicateGroup", "LabelIssue", "Outlier", "check_dataset"]
