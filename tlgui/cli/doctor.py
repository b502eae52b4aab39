"""``tlgui doctor DATA``: likely label errors, near-duplicates, outliers and the class balance
of a dataset (:mod:`tlgui.engine.doctor`), as text or ``--json`` (ARCHITECTURE.md
"Contracts")."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..engine.config import DEFAULT_VAL_SPLIT, FIELDS
from .options import UsageError, add_field_option


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:
    """The ``doctor`` sub-command's options (the backbone and its settings are the config's
    fields, as for ``train``)."""
    d = sub.add_parser(
        "doctor",
        help="find likely label errors, near-duplicates and outliers in a dataset",
        description="Embed every image of DATA once with the frozen backbone (features are "
        "shared with training through the feature store) and report likely label errors, "
        "near-duplicate groups (marked when they cross splits), outliers and the class "
        "balance. Nothing is changed on disk except tlgui's cache.",
    )
    d.add_argument("data", metavar="DATA", help="dataset folder, as for train")
    for name in ("backbone", "weights", "seed", "device", "inference_backend"):
        add_field_option(d, FIELDS[name])
    add_field_option(d, FIELDS["keep_duplicates_together"])
    d.add_argument(
        "--val-split",
        type=float,
        default=DEFAULT_VAL_SPLIT,
        help="fraction of each class held out when DATA has no val/ (default: %(default)s)",
    )
    d.add_argument("--json", action="store_true", help="print one JSON object")


class _Progress:
    """The feature pass's progress on stderr (a terminal only, at most 10 redraws a second)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def on_batch_end(self, e) -> None:  # type: ignore[no-untyped-def]
        now = time.monotonic()
        if not self.tty or (now - self.last < 0.1 and e.batch < e.batches):
            return
        self.last = now
        sys.stderr.write(f"\r embedding images: batch {e.batch}/{e.batches}   ")
        if e.batch >= e.batches:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def on_skipped(self, e) -> None:  # type: ignore[no-untyped-def]
        if self.tty:
            sys.stderr.write(f"\r skipped {e.path}: {e.reason}\n")


def cmd_doctor(args: argparse.Namespace) -> int:
    from ..engine.backbones import WeightsError
    from ..engine.config import TrainConfig
    from ..engine.data import DataError
    from ..engine.doctor import check_dataset
    from ..engine.trainer import TrainingError

    config = TrainConfig(
        backbone=args.backbone,
        weights=args.weights,
        seed=args.seed,
        device=args.device,
        inference_backend=args.inference_backend,
        keep_duplicates_together=args.keep_duplicates_together,
    )
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        report = check_dataset(
            args.data,
            config,
            val_split=args.val_split,
            callbacks=[] if args.json else [_Progress()],
        )
    except (DataError, WeightsError, TrainingError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(report.text())
    return 0


__all__ = ["add_doctor_parser", "cmd_doctor"]
