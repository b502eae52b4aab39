"""``tlgui train`` and ``tlgui lr-find``: a run from the command line, with a progress bar on
stderr or the ``--jsonl`` lines on stdout (ARCHITECTURE.md "Contracts")."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from ..engine.config import TrainConfig
from ..process import tuned_for_training
from .options import UsageError, config_from_args

if TYPE_CHECKING:
    from ..engine.runs import ResumePlan
    from ..engine.train.distributed import Distributed


def emit(obj: dict[str, Any]) -> None:
    """One ``--jsonl`` line on stdout, flushed at once (a reader follows the run live)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class JsonLines:
    """The ``--jsonl`` contract: skipped / backend / epoch lines while the run lasts."""

    def on_skipped(self, e) -> None:
        emit({"event": "skipped", "path": e.path, "reason": e.reason})

    def on_backend(self, e) -> None:
        emit(
            {"event": "backend", "backend": e.backend, "requested": e.requested, "reason": e.reason}
        )

    def on_epoch_end(self, e) -> None:
        emit(
            {
                "event": "epoch",
                "epoch": e.epoch,
                "epochs": e.epochs,
                "train_loss": e.train_loss,
                "train_acc": e.train_acc,
                "val_loss": e.val_loss,
                "val_acc": e.val_acc,
                "lr": list(e.lr),
                "seconds": round(e.seconds, 3),
            }
        )


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class ProgressBar:
    """Terminal progress with ETA on stderr (redrawn at most 10 times a second)."""

    def __init__(self) -> None:
        self.last = 0.0
        self.epochs = 0
        self.epoch_times: list[float] = []
        self.tty = sys.stderr.isatty()

    def on_fit_start(self, e) -> None:
        self.epochs = e.epochs
        cache = ", frozen features cached" if e.cached_features else ""
        print(
            f"Training {e.backbone} ({e.mode}) on {e.device}: {e.n_train} train / "
            f"{e.n_val} val images, {len(e.classes)} classes{cache}",
            file=sys.stderr,
        )

    def on_batch_end(self, e) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 or not self.tty:
            return
        self.last = now
        frac = e.batch / max(1, e.batches)
        eta = e.elapsed / frac - e.elapsed if frac > 0 else 0
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        sys.stderr.write(
            f"\r epoch {e.epoch}/{self.epochs} {e.phase:8s} [{bar}] "
            f"{e.batch}/{e.batches} eta {_fmt_time(eta)}   "
        )
        sys.stderr.flush()

    def on_epoch_end(self, e) -> None:
        self.epoch_times.append(e.seconds)
        left = (self.epochs - e.epoch) * (sorted(self.epoch_times)[len(self.epoch_times) // 2])
        best = " *" if e.is_best else ""
        sys.stderr.write(
            ("\r" if self.tty else "")
            + f" epoch {e.epoch}/{e.epochs}  train loss {e.train_loss:.4f} acc "
            f"{e.train_acc:.3f}  val loss {e.val_loss:.4f} acc {e.val_acc:.3f}  "
            f"{e.seconds:.1f}s  (about {_fmt_time(left)} left){best}" + " " * 8 + "\n"
        )

    def on_skipped(self, e) -> None:
        sys.stderr.write(f"\r skipped {e.path}: {e.reason}\n")

    def on_backend(self, e) -> None:
        sys.stderr.write(f"\r frozen backbone on {e.describe()}\n")

    def on_download(self, e) -> None:
        if self.tty and e.total_bytes:
            sys.stderr.write(
                f"\r downloading {e.name} weights {100 * e.done_bytes // e.total_bytes}%"
            )


def _resume_plan(args: argparse.Namespace) -> ResumePlan | None:
    """The checked plan of ``--resume RUN_DIR`` (``None`` for a new run): DATA and --out given
    on the command line win (the folder may have moved), as do --device and --workers."""
    from ..engine.runs import ResumePlan, RunError

    if not args.resume:
        return None
    if args.run_dir:
        raise UsageError("--resume continues in its own run folder; leave out --run-dir")
    if args.config:
        raise UsageError("--resume continues with the run's own settings; leave out --config")
    try:
        return ResumePlan.load(
            args.resume, data=args.data, out=args.out, device=args.device, workers=args.workers
        )
    except RunError as exc:
        raise UsageError(str(exc)) from None


def _new_run_config(args: argparse.Namespace) -> TrainConfig:
    """The settings of a new run: the options, or ``--config RUN.json`` with the typed
    options on top (which also gives DATA, ``--out`` and the split where not typed)."""
    from .run_file import run_file_config

    cfg = run_file_config(args) if args.config else None
    if not args.data:
        raise UsageError("DATA is required (or --resume RUN_DIR, or --config RUN.json)")
    if not args.out:
        raise UsageError("--out is required")
    return cfg if cfg is not None else config_from_args(args)


def _out_path(out: str) -> str:
    out = os.path.abspath(out)
    if not os.path.isdir(os.path.dirname(out)):
        raise UsageError(f"folder for --out does not exist: {os.path.dirname(out)}")
    return out


def _report_scan(args: argparse.Namespace, scan, run_path) -> None:
    if args.jsonl:
        emit({"event": "run", "run_dir": str(run_path)})
        for s in scan.skipped:
            emit({"event": "skipped", "path": s.path, "reason": s.reason})
        return
    print(f"Run folder: {run_path}", file=sys.stderr)
    if scan.skipped:
        print(f"Skipped {len(scan.skipped)} unreadable file(s):", file=sys.stderr)
        for s in scan.skipped:
            print(f"  {s.path}: {s.reason}", file=sys.stderr)
    if scan.imbalance_ratio() > 3 and not args.class_weighted:
        print(
            f"Note: classes are imbalanced {scan.imbalance_ratio():.1f}:1; consider "
            "--class-weighted.",
            file=sys.stderr,
        )


def cmd_train(args: argparse.Namespace) -> int:
    from .distributed import run_distributed

    plan = _resume_plan(args)
    cfg = plan.config if plan is not None else _new_run_config(args)
    return run_distributed("train", cfg.device, lambda dist: _train(args, plan, cfg, dist))


def _train(
    args: argparse.Namespace, plan: ResumePlan | None, cfg: TrainConfig, dist: Distributed
) -> int:
    """The run, in this process. Under ``torchrun`` only process 0 prints, keeps the run
    folder and saves the bundle; the others train their share (and read the folder to
    resume)."""
    from ..engine.backbones import WeightsError
    from ..engine.checkpoint import bundle_from_result, save_bundle
    from ..engine.data import DataError, scan_dataset
    from ..engine.runs import RunError, RunFolder
    from ..engine.trainer import CancelToken, TrainingError, fit

    main = dist.is_main
    try:
        if plan is not None:
            out = _out_path(plan.require_out())
            scan = plan.scan()
            run: RunFolder | None = plan.run
            if main:
                plan.run.record_resume(out)
        else:
            out = _out_path(args.out)
            scan = scan_dataset(
                args.data,
                val_split=args.val_split,
                seed=cfg.seed,
                keep_together=cfg.keep_duplicates_together,
            )
            run = RunFolder.create(args.run_dir) if main else None
            if run is not None:
                run.start(cfg, args.data, val_split=scan.val_fraction, out=out)
    except (DataError, RunError, OSError) as exc:
        raise UsageError(str(exc)) from None
    if run is not None and main:
        _report_scan(args, scan, run.path)

    callbacks: list = ([JsonLines()] if args.jsonl else [ProgressBar()]) if main else []
    cancel = CancelToken()
    run_dir = run.path if run is not None else None
    try:
        with tuned_for_training():
            result = fit(scan, cfg, callbacks, cancel, run_dir=run_dir, resume=plan is not None)
    except KeyboardInterrupt:
        cancel.cancel()
        if main:
            print(f"\ninterrupted; continue with: tlgui train --resume {run_dir}", file=sys.stderr)
        return 130
    except (TrainingError, WeightsError) as exc:
        raise UsageError(str(exc)) from None
    if not main or run is None:
        return 0
    if result.history:
        save_bundle(bundle_from_result(result), out)
        try:
            run.record_bundle(out)
        except (RunError, OSError) as exc:  # the model is saved; only the run's note is lost
            print(f"note: the run folder could not record the model: {exc}", file=sys.stderr)
    done = {
        "event": "done",
        "best_epoch": result.best_epoch,
        "best_val_acc": result.best_val_acc,
        "stopped_early": result.stopped_early,
        "checkpoint": (args.out or out) if result.history else None,
        "inference_backend": result.inference_backend.get("name"),
        "world_size": result.world_size,
    }
    n_skipped = len(scan.skipped) + len(result.skipped)
    if args.jsonl:
        done["skipped"] = n_skipped
        emit(done)
    else:
        print(
            f"Best epoch {result.best_epoch}: val accuracy {result.best_val_acc:.3f}"
            f"{' (stopped early)' if result.stopped_early else ''}. Saved {out}"
            f"{f'; {n_skipped} file(s) skipped' if n_skipped else ''}",
            file=sys.stderr,
        )
        for split, rep in result.reports.items():
            print(f"{split}: accuracy {rep.accuracy:.3f} on {rep.n} images", file=sys.stderr)
    return 0


def cmd_lr_find(args: argparse.Namespace) -> int:
    from ..engine.backbones import WeightsError
    from ..engine.data import DataError, scan_dataset
    from ..engine.lr_finder import find_lr
    from ..engine.trainer import CancelToken, TrainingError

    cfg: TrainConfig = config_from_args(args)
    if args.start_lr >= args.end_lr:
        raise UsageError("--start-lr must be below --end-lr")
    try:
        scan = scan_dataset(
            args.data,
            val_split=args.val_split,
            seed=args.seed,
            keep_together=cfg.keep_duplicates_together,
        )
    except DataError as exc:
        raise UsageError(str(exc)) from None
    cancel = CancelToken()
    try:
        with tuned_for_training():
            result = find_lr(
                scan,
                cfg,
                (),
                cancel,
                num_iter=args.num_iter,
                start_lr=args.start_lr,
                end_lr=args.end_lr,
            )
    except KeyboardInterrupt:
        cancel.cancel()
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (TrainingError, WeightsError) as exc:
        raise UsageError(str(exc)) from None
    if not math.isfinite(result.suggested_lr):
        raise UsageError("the range test gave no usable loss curve")
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        step = max(1, len(result.lrs) // 12)
        for lr, loss in list(zip(result.lrs, result.losses, strict=True))[::step]:
            print(f"  lr {lr:.2e}  loss {loss:.4f}")
        stop = " (stopped: loss diverged)" if result.diverged else ""
        print(f"Suggested head learning rate: {result.suggested_lr:.2e}{stop}")
    return 0
