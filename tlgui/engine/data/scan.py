"""Scanning a dataset folder into classes and splits (see :mod:`tlgui.engine.data`).

A file that cannot be read is skipped with a reason (:class:`SkippedFile`), never dropped
silently and never a reason to stop.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_VAL_SPLIT
from .duplicates import duplicate_groups
from .images import probe_image

IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "icon\r"})
TRAIN_NAMES = ("train", "training")
VAL_NAMES = ("val", "valid", "validation")
TEST_NAMES = ("test", "testing")


class DataError(ValueError):
    """The dataset folder cannot be used; the message is one line meant for the user."""


@dataclass(frozen=True)
class Sample:
    path: str
    label: int


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class DatasetScan:
    """Result of :func:`scan_dataset`: class names, samples per split, skipped files."""

    root: str
    classes: list[str]
    splits: dict[str, list[Sample]]
    skipped: list[SkippedFile] = field(default_factory=list)
    val_fraction: float | None = None  # set when val was split off train

    def counts(self) -> dict[str, dict[str, int]]:
        """``{class: {split: n}}`` for every class and split."""
        table = {c: {s: 0 for s in self.splits} for c in self.classes}
        for split, samples in self.splits.items():
            for s in samples:
                table[self.classes[s.label]][split] += 1
        return table

    def class_counts(self, split: str = "train") -> list[int]:
        counts = [0] * len(self.classes)
        for s in self.splits.get(split, []):
            counts[s.label] += 1
        return counts

    def imbalance_ratio(self, split: str = "train") -> float:
        counts = [c for c in self.class_counts(split) if c > 0]
        return max(counts) / min(counts) if counts else 1.0


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.lower() in IGNORED_NAMES


def _list_dirs(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise DataError(f"cannot read folder {folder}: {exc.strerror or exc}") from exc
    return [Path(e.path) for e in entries if not _is_hidden(e.name) and e.is_dir()]


def _walk_files(folder: Path) -> list[str]:
    """Every non-hidden file below ``folder`` (nested folders included), loop-safe."""
    files: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            st = current.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:  # symlink loop or a folder linked twice
            continue
        seen.add(key)
        try:
            entries = list(os.scandir(current))
        except OSError:
            if current != folder:  # an unreadable sub-folder is reported, not dropped
                files.append(str(current))
            continue
        for e in entries:
            if _is_hidden(e.name):
                continue
            try:
                if e.is_dir():
                    stack.append(Path(e.path))
                else:
                    # Files, and also links to nothing, pipes and devices: the probe refuses
                    # those with a reason (without blocking), so none is dropped silently.
                    files.append(e.path)
            except OSError:
                if e.is_symlink():  # a link loop: reported by the probe as one
                    files.append(e.path)
    files.sort()
    return files


def _scan_class_folders(
    split_dir: Path, workers: int
) -> tuple[dict[str, list[str]], list[SkippedFile]]:
    """``{class name: [good files]}`` and the skipped files below one split folder."""
    per_class: dict[str, list[str]] = {}
    candidates: list[tuple[str, str]] = []
    for class_dir in _list_dirs(split_dir):
        per_class[class_dir.name] = []
        candidates.extend((class_dir.name, f) for f in _walk_files(class_dir))
    skipped: list[SkippedFile] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        reasons = pool.map(probe_image, [f for _, f in candidates], chunksize=64)
        for (name, path), reason in zip(candidates, reasons, strict=True):
            if reason is None:
                per_class[name].append(path)
            else:
                skipped.append(SkippedFile(path, reason))
    return per_class, skipped


def _find(root: Path, names: Sequence[str]) -> Path | None:
    for d in _list_dirs(root):
        if d.name.lower() in names:
            return d
    return None


def stratified_split(
    labels: Sequence[int],
    fraction: float,
    seed: int,
    groups: Sequence[Sequence[int]] = (),
) -> tuple[list[int], list[int]]:
    """Indices for (train, val): ``fraction`` of each class to val, at least one where a class
    has two or more items. Seeded and independent of the order of classes.

    ``groups``: disjoint lists of indices that must stay on one side. Each goes whole to the
    side most of its members were drawn for (train on a tie), so the split of everything else
    is the plain one and a class's val share moves by at most its groups' sizes. Where that
    would leave no validation picture at all (every picture a copy of another), the plain split
    is kept: a run needs a validation set more than this guard."""
    by_class: dict[int, list[int]] = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    in_val: set[int] = set()
    for y in sorted(by_class):
        idx = by_class[y][:]
        random.Random(f"{seed}-{y}").shuffle(idx)
        n_val = round(len(idx) * fraction)
        if fraction > 0 and len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        in_val.update(idx[:n_val])
    plain = set(in_val)
    for group in groups:
        to_val = 2 * sum(i in in_val for i in group) > len(group)
        for i in group:
            (in_val.add if to_val else in_val.discard)(i)
    if plain and not in_val:
        in_val = plain
    train = [i for i in range(len(labels)) if i not in in_val]
    return train, sorted(in_val)


def scan_dataset(
    root: str | os.PathLike[str],
    val_split: float = DEFAULT_VAL_SPLIT,
    seed: int = 0,
    workers: int | None = None,
    keep_together: bool = True,
) -> DatasetScan:
    """Scan a dataset folder (see module docstring). Raises :class:`DataError` when it is not
    usable: missing folder, fewer than two classes with images, a val/test class that train
    lacks. ``keep_together``: a split made here keeps each group of duplicates on one side
    (:func:`~.duplicates.duplicate_groups`)."""
    root_path = Path(root).expanduser()
    if not root_path.is_dir():
        raise DataError(f"dataset folder not found: {root_path}")
    if not 0.0 <= val_split < 1.0:
        raise DataError(f"--val-split must be in [0, 1), got {val_split}")
    workers = workers or min(8, (os.cpu_count() or 2) * 2)

    train_dir = _find(root_path, TRAIN_NAMES)
    val_dir = _find(root_path, VAL_NAMES)
    test_dir = _find(root_path, TEST_NAMES)
    skipped: list[SkippedFile] = []
    scanned: dict[str, dict[str, list[str]]] = {}

    if train_dir is not None:
        for split, d in (("train", train_dir), ("val", val_dir), ("test", test_dir)):
            if d is not None:
                scanned[split], bad = _scan_class_folders(d, workers)
                skipped.extend(bad)
    else:
        scanned["train"], bad = _scan_class_folders(root_path, workers)
        skipped.extend(bad)

    classes = sorted(c for c, files in scanned["train"].items() if files)
    class_root = train_dir or root_path
    # A class folder without a single usable picture is left out; say so, not silently.
    skipped.extend(
        SkippedFile(str(class_root / c), "no readable images in this class folder; class left out")
        for c, files in sorted(scanned["train"].items())
        if not files
    )
    if len(classes) < 2:
        found = ", ".join(classes) or "none"
        raise DataError(
            f"need at least two class folders with images in {train_dir or root_path} "
            f"(found {len(classes)}: {found})"
        )
    index = {c: i for i, c in enumerate(classes)}
    for split in ("val", "test"):
        extra = sorted(c for c, f in scanned.get(split, {}).items() if f and c not in index)
        if extra:
            raise DataError(f"{split} has classes that train lacks: {', '.join(extra)}")

    splits: dict[str, list[Sample]] = {}
    for split, per_class in scanned.items():
        splits[split] = [Sample(p, index[c]) for c in classes for p in per_class.get(c, [])]

    val_fraction = None
    if "val" not in splits or not splits["val"]:
        train = splits["train"]
        groups: list[list[int]] = []
        if keep_together and val_split > 0:
            groups = duplicate_groups(str(root_path), [s.path for s in train])
        tr, va = stratified_split([s.label for s in train], val_split, seed, groups)
        splits["train"] = [train[i] for i in tr]
        splits["val"] = [train[i] for i in va]
        val_fraction = val_split
    splits.setdefault("test", [])
    if not splits["test"]:
        del splits["test"]
    if not splits["val"]:
        raise DataError("no validation images: add a val/ folder or use a --val-split above 0")
    ordered = {k: splits[k] for k in ("train", "val", "test") if k in splits}
    return DatasetScan(str(root_path), classes, ordered, skipped, val_fraction)


def list_images(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Expand files and folders into the image files they hold (sorted per folder). Hidden and
    system files are ignored; non-image files are left for the loader to report."""
    out: list[str] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(_walk_files(p))
        else:
            out.append(str(p))
    return out
