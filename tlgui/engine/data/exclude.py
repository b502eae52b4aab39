"""Files a run leaves out (``TrainConfig.exclude``): not trained on, not validated or tested on.

An entry names a file relative to the dataset folder, with ``/`` separators
(:func:`exclusion_entry`), so the list stays right when the folder moves or is opened on
another system; a file outside the folder is named by its absolute path (also with ``/``).
Torch-free.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePath

from .scan import DatasetScan


def exclusion_entry(root: str, path: str) -> str:
    """How ``path`` is written in an exclusion list of the dataset in ``root``."""
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive (Windows)
        return PurePath(absolute).as_posix()
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return PurePath(absolute).as_posix()
    return PurePath(relative).as_posix()


def without_excluded(scan: DatasetScan, exclude: Iterable[str]) -> DatasetScan:
    """``scan`` without the files ``exclude`` names (entries as :func:`exclusion_entry`
    writes them, or absolute paths); ``scan`` itself when none of its files is excluded."""
    names = {str(e).replace("\\", "/") for e in exclude}
    if not names:
        return scan
    splits = {
        split: [s for s in samples if exclusion_entry(scan.root, s.path) not in names]
        for split, samples in scan.splits.items()
    }
    if all(len(splits[k]) == len(v) for k, v in scan.splits.items()):
        return scan
    return replace(scan, splits=splits)


__all__ = ["exclusion_entry", "without_excluded"]
