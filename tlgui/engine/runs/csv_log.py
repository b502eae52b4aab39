"""``metrics.csv``: a run's per-epoch numbers in the layout of Lightning's ``CSVLogger``.

One row per finished epoch, with the column names that Lightning's ``CSVLogger`` and
``LearningRateMonitor`` give the same quantities, so a notebook, a spreadsheet or a script
written for Lightning logs reads it unchanged: ``epoch``, ``train_loss``, ``train_acc``,
``val_loss``, ``val_acc`` and one ``lr-<Optimizer>/<group>`` column per named parameter group
(``LearningRateMonitor``'s name for an optimizer whose groups carry a ``name``: e.g.
``lr-AdamW/backbone``, ``lr-AdamW/head``). A group that is not trained in an epoch (the
backbone during a staged run's frozen epochs) has an empty cell there, as ``CSVLogger`` leaves
a metric that was not logged at a step.

The file is rewritten whole from the run's history after every epoch (atomically, like
``run.json``), so it always has exactly the rows of ``run.json``'s history: a resumed run
never repeats or loses a row. Lightning is not imported: writing a few dozen rows with the
standard ``csv`` module costs nothing, while importing Lightning costs seconds.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..fileio import atomic_write

METRICS_FILE = "metrics.csv"
METRIC_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc")
# The class names torch gives the optimizers of TrainConfig.optimizer (engine/train/optim.py):
# LearningRateMonitor names its columns after the optimizer's class.
OPTIMIZER_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}
# The named parameter groups in the order an epoch's ``lr`` list reports them
# (engine/model.py ``param_groups`` / ``group_lrs``): the backbone's, when it is trained, then
# the head's, always. A list of n rates therefore belongs to the last n names.
LR_GROUPS = ("backbone", "head")


def lr_column(optimizer: str, group: str) -> str:
    """``LearningRateMonitor``'s column for ``group`` of a ``TrainConfig.optimizer``."""
    return f"lr-{OPTIMIZER_CLASSES.get(optimizer, optimizer)}/{group}"


def _lr_cells(optimizer: str, lrs: Any) -> dict[str, float]:
    rates = list(lrs) if isinstance(lrs, list | tuple) else []
    if not 0 < len(rates) <= len(LR_GROUPS):
        return {}
    names = LR_GROUPS[len(LR_GROUPS) - len(rates) :]
    return {lr_column(optimizer, n): float(r) for n, r in zip(names, rates, strict=True)}


def metric_rows(
    history: Iterable[Mapping[str, Any]], optimizer: str
) -> tuple[list[str], list[dict]]:
    """The header and the rows of ``metrics.csv`` for a run's history (``EpochEnd.to_json``
    dicts) trained with ``optimizer`` (a ``TrainConfig.optimizer`` value)."""
    rows: list[dict] = []
    lr_names: list[str] = []
    for h in history:
        row: dict[str, Any] = {key: h.get(key, "") for key in METRIC_COLUMNS}
        lrs = _lr_cells(optimizer, h.get("lr"))
        lr_names += [name for name in lrs if name not in lr_names]
        rows.append({**row, **lrs})
    # Columns in the order of LR_GROUPS, whatever epoch a group first appeared in.
    order = [lr_column(optimizer, g) for g in LR_GROUPS]
    return [*METRIC_COLUMNS, *sorted(lr_names, key=order.index)], rows


def write_metrics(
    path: str | os.PathLike[str], history: Iterable[Mapping[str, Any]], optimizer: str
) -> None:
    """Write ``metrics.csv`` at ``path`` from the whole history (atomically)."""
    header, rows = metric_rows(history, optimizer)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    atomic_write(path, lambda f: f.write(data))


def read_metrics(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The rows of a ``metrics.csv`` as dicts of strings (for tests and scripts)."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


__all__ = [
    "LR_GROUPS",
    "METRICS_FILE",
    "METRIC_COLUMNS",
    "OPTIMIZER_CLASSES",
    "lr_column",
    "metric_rows",
    "read_metrics",
    "write_metrics",
]
