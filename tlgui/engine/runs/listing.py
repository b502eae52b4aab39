"""The runs under a runs location, read from each folder's ``run.json`` only (plain JSON, no
torch): the one listing behind the app's Resume… picker, its Runs view and run retention.

Cheap enough for the GUI thread with the few dozen folders a user keeps: one small file read
per folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .folder import META_FILE, RunError, RunFolder

# Statuses of runs that can be continued (when a finished epoch was saved): "running" is a
# run whose process was killed, or one that is still training.
UNFINISHED = ("running", "cancelled", "failed")


@dataclass(frozen=True)
class RunSummary:
    """What the run lists show of one run (all from ``run.json``)."""

    path: str
    created: str
    status: str
    data: str
    backbone: str
    epochs_done: int
    epochs_total: int
    mode: str = ""
    best_val_acc: float | None = None  # None before the first epoch ended
    has_state: bool = False  # a finished epoch is saved (``last.pt``)

    @property
    def resumable(self) -> bool:
        """Unfinished, with a saved epoch to continue from."""
        return self.status in UNFINISHED and self.has_state


def summarize(run: RunFolder) -> RunSummary:
    """One run's summary; :class:`RunError` if its ``run.json`` is unusable."""
    meta = run.meta()
    config = meta["config"]
    history = meta.get("history") or []
    done = meta.get("epoch")
    if not isinstance(done, int):
        done = len(history) if isinstance(history, list) else 0
    total = config.get("epochs")
    best = meta.get("best_val_acc")
    return RunSummary(
        path=str(run.path),
        created=str(meta.get("created") or ""),
        status=str(meta.get("status") or ""),
        data=str(meta.get("data") or ""),
        backbone=str(config.get("backbone") or ""),
        epochs_done=done,
        epochs_total=total if isinstance(total, int) else 0,
        mode=str(config.get("mode") or ""),
        best_val_acc=float(best) if isinstance(best, int | float) and done else None,
        has_state=run.has_state(),
    )


def newest_first(base: Path) -> list[Path]:
    """Sub-folders of ``base`` by the time their ``run.json`` last changed, newest first (the
    folder name breaks ties); folders without one come last."""
    try:
        folders = [p for p in base.iterdir() if p.is_dir()]
    except OSError:
        return []

    def age(p: Path) -> float:
        try:
            return (p / META_FILE).stat().st_mtime
        except OSError:
            return 0.0

    return sorted(folders, key=lambda p: (age(p), p.name), reverse=True)


def list_runs(root: str | os.PathLike[str]) -> list[RunSummary]:
    """Every run under ``root``, newest first. Folders that are not runs, or whose
    ``run.json`` is damaged or from a newer tlgui, are left out."""
    found: list[RunSummary] = []
    for folder in newest_first(Path(root)):
        run = RunFolder(folder)
        if not run.has_meta():
            continue
        try:
            found.append(summarize(run))
        except RunError:
            continue
    return found


__all__ = ["UNFINISHED", "RunSummary", "list_runs", "newest_first", "summarize"]
