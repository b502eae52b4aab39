"""Deleting run folders: one run on request (:func:`delete_run`), or the old finished ones
beyond a retention count (:func:`prune_runs`).

Only what tlgui wrote into a run folder is deleted: ``run.json``, ``last.pt``,
``metrics.csv`` and the temporary files of an interrupted atomic write. The folder goes too
when nothing else is left in it, so a model or notes a user saved into a run folder are never
lost. ``run.json`` goes first: a deletion cut short leaves a folder that no longer lists as a
run, never a run whose record promises files that are gone.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .csv_log import METRICS_FILE
from .folder import LAST_FILE, META_FILE, RunError
from .listing import list_runs

RUN_FILES = (META_FILE, LAST_FILE, METRICS_FILE)


def _is_temp_of_run_file(name: str) -> bool:
    """A temporary file of :func:`~tlgui.engine.fileio.atomic_write` for one of the run's
    files (``.<name>.<random>.tmp``)."""
    return name.endswith(".tmp") and any(name.startswith(f".{f}.") for f in RUN_FILES)


def delete_run(path: str | os.PathLike[str]) -> bool:
    """Delete the run in ``path`` (see the module docstring); True when the folder itself is
    gone, False when files that are not the run's were kept in it. :class:`RunError` with a
    one-line reason when a file cannot be deleted."""
    folder = Path(path)
    try:
        for name in RUN_FILES:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
        for entry in folder.iterdir():
            if entry.is_file() and _is_temp_of_run_file(entry.name):
                entry.unlink()
        if any(folder.iterdir()):
            return False
        folder.rmdir()
    except OSError as exc:
        raise RunError(f"cannot delete the run in {folder}: {exc.strerror or exc}") from None
    return True


def prune_runs(root: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete the finished runs under ``root`` beyond the ``keep`` newest (by when their
    ``run.json`` last changed); ``keep`` 0 or less keeps all. Runs that are running, stopped,
    failed or damaged are never touched: they may be resumed or still training. Returns the
    folders whose runs were deleted; a run that cannot be deleted is skipped (pruning is
    housekeeping and never fails the run that triggered it)."""
    if keep <= 0:
        return []
    finished = [run for run in list_runs(root) if run.status == "finished"]
    deleted: list[Path] = []
    for run in finished[keep:]:
        with contextlib.suppress(RunError):
            delete_run(run.path)
            deleted.append(Path(run.path))
    return deleted


__all__ = ["RUN_FILES", "delete_run", "prune_runs"]
