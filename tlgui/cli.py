"""Command line: ``tlgui`` (the GUI) and ``tlgui train|predict|evaluate|info``.

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr, no traceback); 1 an
unexpected error. With ``--jsonl``, ``train`` prints one JSON object per line on stdout and
nothing else there. torch is imported only inside the sub-commands, so ``--help`` is quick.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from . import __version__


class UsageError(Exception):
    """Bad usage or bad input: exit code 2 with this one-line message."""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def add_training_options(t: argparse.ArgumentParser) -> None:
    """The options that define a run, shared by ``train`` and ``lr-find``."""
    from .engine.augment import PRESET_NAMES
    from .engine.backbones import BACKBONES
    from .engine.config import MODES, MONITORS, OPTIMIZERS, SCHEDULERS, TrainConfig

    d = TrainConfig()  # the measured defaults live in one place
    t.add_argument("--backbone", default=d.backbone, choices=list(BACKBONES))
    t.add_argument("--weights", default="imagenet",
                   help="imagenet (default), none, or a path to a state-dict file")
    t.add_argument("--mode", default=d.mode, choices=list(MODES),
                   help="transfer: frozen backbone, train the new head; finetune: train all "
                        "layers; staged: frozen epochs, then all layers")
    t.add_argument("--epochs", type=_positive_int, default=d.epochs,
                   help=f"default {d.epochs}")
    t.add_argument("--batch-size", type=_positive_int, default=d.batch_size,
                   help=f"default {d.batch_size}")
    t.add_argument("--lr-head", type=_positive_float, default=d.lr_head,
                   help=f"learning rate of the new head (default {d.lr_head:g})")
    t.add_argument("--lr-backbone", type=_positive_float, default=d.lr_backbone,
                   help=f"learning rate of the backbone when it trains (default "
                        f"{d.lr_backbone:g})")
    t.add_argument("--optimizer", default=d.optimizer, choices=list(OPTIMIZERS))
    t.add_argument("--scheduler", default=d.scheduler, choices=list(SCHEDULERS),
                   help="cosine = cosine decay with linear warm-up (default)")
    t.add_argument("--weight-decay", type=float, default=d.weight_decay)
    t.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
    t.add_argument("--class-weighted", action="store_true",
                   help="weight the loss by inverse class frequency (for imbalanced data)")
    t.add_argument("--freeze-epochs", type=_positive_int, default=d.freeze_epochs,
                   help=f"staged mode: frozen epochs before unfreezing (default "
                        f"{d.freeze_epochs})")
    t.add_argument("--val-split", type=float, default=0.2,
                   help="fraction of each class held out when DATA has no val/ (default 0.2)")
    t.add_argument("--patience", type=int, default=d.patience,
                   help=f"early stopping: epochs without improvement (0 = off; default "
                        f"{d.patience})")
    t.add_argument("--monitor", default=d.monitor, choices=list(MONITORS))
    t.add_argument("--augment", default="default", choices=list(PRESET_NAMES),
                   help="augmentation preset (default: default)")
    t.add_argument("--no-augment", action="store_true", help="same as --augment none")
    t.add_argument("--train-resolution", type=float, default=None, metavar="F",
                   help="side of the training crops as a share of the input size while the "
                        "backbone trains, 0.5 to 1 (default: the preset's, 0.8 = 176 of 224 "
                        "pixels; 1 = full size; a frozen backbone always gets full size)")
    t.add_argument("--no-cache", action="store_true",
                   help="recompute the frozen backbone every batch (slower; for comparison)")
    t.add_argument("--seed", type=int, default=d.seed)
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    t.add_argument("--workers", type=int, default=-1, help="DataLoader workers (-1 = auto)")


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line (``tlgui train: error: ...``) and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tlgui",
        description="Transfer learning for image classification. Without a command, opens "
                    "the desktop app.",
    )
    p.add_argument("--version", action="version", version=f"tlgui {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model on a folder of images",
                       description="Train on DATA: a folder with train/ and val/ (or valid/, "
                                   "validation/; optional test/) of class sub-folders, or a "
                                   "folder of class sub-folders split by --val-split.")
    t.add_argument("data", metavar="DATA", nargs="?",
                   help="dataset folder (may be left out with --resume)")
    t.add_argument("--out", metavar="MODEL.pt",
                   help="where to save the bundle (required, except with --resume)")
    add_training_options(t)
    t.add_argument("--jsonl", action="store_true", help="one JSON object per line on stdout")
    t.add_argument("--run-dir", metavar="DIR",
                   help="run folder for the per-epoch resume checkpoint (default: a new "
                        "time-stamped folder under $TLGUI_RUNS_DIR or the user data folder)")
    t.add_argument("--resume", metavar="RUN_DIR",
                   help="continue an interrupted run from its folder, with its own settings "
                        "and --out")

    lf = sub.add_parser("lr-find", help="suggest a head learning rate (LR range test)",
                        description="LR range test on DATA: the head's learning rate grows "
                                    "exponentially over --num-iter batches; prints the "
                                    "smoothed loss curve and the suggested LR. Takes the "
                                    "same options as train.")
    lf.add_argument("data", metavar="DATA")
    add_training_options(lf)
    lf.add_argument("--num-iter", type=_positive_int, default=100,
                    help="batches in the test (default 100)")
    lf.add_argument("--start-lr", type=_positive_float, default=1e-7)
    lf.add_argument("--end-lr", type=_positive_float, default=10.0)
    lf.add_argument("--json", action="store_true",
                    help='print {"suggested_lr": F, "lrs": [...], "losses": [...]}')

    pr = sub.add_parser("predict", help="predict classes of images with a trained model")
    pr.add_argument("model", metavar="MODEL.pt")
    pr.add_argument("paths", metavar="PATH", nargs="+", help="image files or folders")
    pr.add_argument("--top-k", type=_positive_int, default=3)
    pr.add_argument("--csv", metavar="FILE", help="also write the results as CSV")
    pr.add_argument("--json", action="store_true", help="print a JSON list")
    pr.add_argument("--tta", action="store_true", help="average with the mirrored image")
    pr.add_argument("--cam", metavar="DIR",
                    help="write a Grad-CAM overlay PNG per image into DIR (and cam_peak, the "
                         "heat map's [x, y] as fractions of the image, in --json)")
    pr.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])

    ev = sub.add_parser("evaluate", help="accuracy, confusion matrix and per-class metrics")
    ev.add_argument("model", metavar="MODEL.pt")
    ev.add_argument("data", metavar="DATA",
                    help="dataset folder; its test/ split if present, else val/, else all "
                         "images of its class folders")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--tta", action="store_true", help="average with the mirrored image")
    ev.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])

    inf = sub.add_parser("info", help="show what a model bundle holds")
    inf.add_argument("model", metavar="MODEL.pt")
    inf.add_argument("--json", action="store_true")
    return p


# --------------------------------------------------------------------------- train


class _JsonLines:
    """The ``--jsonl`` contract: skipped / epoch / done lines on stdout."""

    def on_skipped(self, e) -> None:
        _emit({"event": "skipped", "path": e.path, "reason": e.reason})

    def on_epoch_end(self, e) -> None:
        _emit({"event": "epoch", "epoch": e.epoch, "epochs": e.epochs,
               "train_loss": e.train_loss, "train_acc": e.train_acc, "val_loss": e.val_loss,
               "val_acc": e.val_acc, "lr": list(e.lr), "seconds": round(e.seconds, 3)})


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class _ProgressBar:
    """Terminal progress with ETA on stderr (redrawn at most 10 times a second)."""

    def __init__(self) -> None:
        self.last = 0.0
        self.epochs = 0
        self.epoch_times: list[float] = []
        self.tty = sys.stderr.isatty()

    def on_fit_start(self, e) -> None:
        self.epochs = e.epochs
        cache = ", frozen features cached" if e.cached_features else ""
        print(f"Training {e.backbone} ({e.mode}) on {e.device}: {e.n_train} train / "
              f"{e.n_val} val images, {len(e.classes)} classes{cache}", file=sys.stderr)

    def on_batch_end(self, e) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 or not self.tty:
            return
        self.last = now
        frac = e.batch / max(1, e.batches)
        eta = e.elapsed / frac - e.elapsed if frac > 0 else 0
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        sys.stderr.write(f"\r epoch {e.epoch}/{self.epochs} {e.phase:8s} [{bar}] "
                         f"{e.batch}/{e.batches} eta {_fmt_time(eta)}   ")
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

    def on_download(self, e) -> None:
        if self.tty and e.total_bytes:
            sys.stderr.write(f"\r downloading {e.name} weights "
                             f"{100 * e.done_bytes // e.total_bytes}%")


def config_from_args(args: argparse.Namespace):
    """The :class:`TrainConfig` that the shared training options describe (validated)."""
    from dataclasses import replace

    from .engine.augment import preset
    from .engine.trainer import TrainConfig

    aug = preset("none" if args.no_augment else args.augment)
    if args.train_resolution is not None:
        aug = replace(aug, resolution=args.train_resolution)
    cfg = TrainConfig(
        backbone=args.backbone, weights=args.weights, mode=args.mode, epochs=args.epochs,
        batch_size=args.batch_size, lr_head=args.lr_head, lr_backbone=args.lr_backbone,
        optimizer=args.optimizer, scheduler=args.scheduler, weight_decay=args.weight_decay,
        label_smoothing=args.label_smoothing, class_weighted=args.class_weighted,
        freeze_epochs=args.freeze_epochs, patience=args.patience, monitor=args.monitor,
        augment=aug.to_dict(), seed=args.seed, device=args.device, workers=args.workers,
        cache_features=not args.no_cache,
    )
    try:
        cfg.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.weights not in ("imagenet", "none") and not os.path.isfile(args.weights):
        raise UsageError(f"weights file not found: {args.weights}")
    return cfg


def _resume_settings(args: argparse.Namespace):
    """(config, data, out, val_split) of the run in ``--resume``: the run's own settings;
    DATA and --out given on the command line win (the folder may have moved)."""
    from dataclasses import replace

    from .engine.runs import RunError, RunFolder
    from .engine.trainer import TrainConfig

    if args.run_dir:
        raise UsageError("--resume continues in its own run folder; leave out --run-dir")
    try:
        meta = RunFolder.open(args.resume).meta()
        cfg = TrainConfig.from_dict(meta["config"])
        cfg.validate()
    except (RunError, TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    # Where it runs is not part of the run: a run may continue on another device.
    if args.device != "auto":
        cfg = replace(cfg, device=args.device)
    if args.workers != -1:
        cfg = replace(cfg, workers=args.workers)
    data = args.data or meta.get("data")
    out = args.out or meta.get("out")
    if not data:
        raise UsageError(f"the run in {args.resume} does not say which dataset it used; "
                         "give DATA")
    if not out:
        raise UsageError(f"the run in {args.resume} has no --out; give --out")
    val_split = meta.get("val_split")
    return cfg, data, out, 0.2 if val_split is None else float(val_split)


def cmd_train(args: argparse.Namespace) -> int:
    from .engine.backbones import WeightsError
    from .engine.checkpoint import bundle_from_result, save_bundle
    from .engine.data import DataError, scan_dataset
    from .engine.runs import RunError, RunFolder
    from .engine.trainer import CancelToken, TrainingError, fit

    if args.resume:
        cfg, data, out, val_split = _resume_settings(args)
    else:
        if not args.data:
            raise UsageError("DATA is required (or --resume RUN_DIR)")
        if not args.out:
            raise UsageError("--out is required")
        cfg, data, out, val_split = config_from_args(args), args.data, args.out, args.val_split
    out = os.path.abspath(out)
    out_dir = os.path.dirname(out)
    if not os.path.isdir(out_dir):
        raise UsageError(f"folder for --out does not exist: {out_dir}")
    try:
        scan = scan_dataset(data, val_split=val_split, seed=cfg.seed)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    try:
        run = RunFolder.open(args.resume) if args.resume else RunFolder.create(args.run_dir)
        run.write_meta(**({} if args.resume else {"config": cfg.to_dict(),
                                                  "data": os.path.abspath(data),
                                                  "val_split": val_split}),
                       out=out, status="running")
    except (RunError, OSError) as exc:
        raise UsageError(str(exc)) from None

    callbacks: list = [_JsonLines()] if args.jsonl else [_ProgressBar()]
    if args.jsonl:
        _emit({"event": "run", "run_dir": str(run.path)})
    else:
        print(f"Run folder: {run.path}", file=sys.stderr)
    if args.jsonl:
        for s in scan.skipped:
            _emit({"event": "skipped", "path": s.path, "reason": s.reason})
    elif scan.skipped:
        print(f"Skipped {len(scan.skipped)} unreadable file(s):", file=sys.stderr)
        for s in scan.skipped:
            print(f"  {s.path}: {s.reason}", file=sys.stderr)
    if not args.jsonl and scan.imbalance_ratio() > 3 and not args.class_weighted:
        print(f"Note: classes are imbalanced {scan.imbalance_ratio():.1f}:1; consider "
              "--class-weighted.", file=sys.stderr)

    cancel = CancelToken()
    try:
        result = fit(scan, cfg, callbacks, cancel, run_dir=run.path, resume=bool(args.resume))
    except KeyboardInterrupt:
        cancel.cancel()
        print(f"\ninterrupted; continue with: tlgui train --resume {run.path}",
              file=sys.stderr)
        return 130
    except (TrainingError, WeightsError) as exc:
        raise UsageError(str(exc)) from None
    if result.history:
        save_bundle(bundle_from_result(result), out)
        run.write_meta(checkpoint=out)
    done = {"event": "done", "best_epoch": result.best_epoch,
            "best_val_acc": result.best_val_acc, "stopped_early": result.stopped_early,
            "checkpoint": (args.out or out) if result.history else None}
    n_skipped = len(scan.skipped) + len(result.skipped)
    if args.jsonl:
        done["skipped"] = n_skipped
        _emit(done)
    else:
        print(f"Best epoch {result.best_epoch}: val accuracy {result.best_val_acc:.3f}"
              f"{' (stopped early)' if result.stopped_early else ''}. Saved {out}"
              f"{f'; {n_skipped} file(s) skipped' if n_skipped else ''}", file=sys.stderr)
        for split, rep in result.reports.items():
            print(f"{split}: accuracy {rep.accuracy:.3f} on {rep.n} images", file=sys.stderr)
    return 0


def cmd_lr_find(args: argparse.Namespace) -> int:
    from .engine.backbones import WeightsError
    from .engine.data import DataError, scan_dataset
    from .engine.lr_finder import find_lr
    from .engine.trainer import CancelToken, TrainingError

    cfg = config_from_args(args)
    if args.start_lr >= args.end_lr:
        raise UsageError("--start-lr must be below --end-lr")
    try:
        scan = scan_dataset(args.data, val_split=args.val_split, seed=args.seed)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    cancel = CancelToken()
    try:
        result = find_lr(scan, cfg, (), cancel, num_iter=args.num_iter,
                         start_lr=args.start_lr, end_lr=args.end_lr)
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


# --------------------------------------------------------------------------- predict / eval


def _load(model_path: str):
    from .engine.checkpoint import BundleError, load_bundle

    try:
        return load_bundle(model_path)
    except BundleError as exc:
        raise UsageError(str(exc)) from None


def _device(name: str) -> str:
    from .engine.trainer import TrainingError, resolve_device

    try:
        return str(resolve_device(name))
    except TrainingError as exc:
        raise UsageError(str(exc)) from None


def cmd_predict(args: argparse.Namespace) -> int:
    from .engine.checkpoint import BundleError
    from .engine.predict import Predictor, write_csv

    # lexists: a broken link or a link loop is there (a one-line "skipped" row says what is
    # wrong with it), not a typo that should stop the whole command.
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    bundle = _load(args.model)
    try:
        predictor = Predictor.from_bundle(bundle, device=_device(args.device), tta=args.tta)
    except BundleError as exc:
        raise UsageError(str(exc)) from None
    preds = predictor.predict_paths(args.paths, top_k=args.top_k)
    if args.csv:
        write_csv(preds, args.csv, top_k=args.top_k)
    peaks = _write_cams(predictor, bundle, preds, args.cam) if args.cam else {}
    if args.json:
        out = []
        for p in preds:
            d = p.to_json()
            if p.path in peaks:
                d["cam_peak"] = list(peaks[p.path])
            out.append(d)
        print(json.dumps(out))
    else:
        for p in preds:
            if p.error:
                print(f"{p.path}\tskipped: {p.error}")
            else:
                tops = ", ".join(f"{lb} {pr:.1%}" for lb, pr in p.top)
                print(f"{p.path}\t{tops}")
    return 0 if any(not p.error for p in preds) else 2


def _write_cams(predictor, bundle, preds, folder: str) -> dict[str, tuple[float, float]]:
    """One ``<name>.cam.png`` Grad-CAM overlay (for the top class) per predicted image in
    ``folder``; returns each path's heat-map peak as (x, y) fractions of the image."""
    from .engine.data import ImageLoadError, load_image
    from .engine.explain import gradcam_overlay
    from .engine.fileio import atomic_write

    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --cam folder {folder}: {exc.strerror}") from None
    peaks: dict[str, tuple[float, float]] = {}
    used: set[str] = set()
    for p in preds:
        if p.error:
            continue
        try:
            image = load_image(p.path)
        except ImageLoadError:
            continue
        overlay, peak = gradcam_overlay(predictor.model, image, bundle.input_size, bundle.mean,
                                        bundle.std, target=bundle.classes.index(p.label))
        stem = os.path.splitext(os.path.basename(p.path))[0]
        name, n = f"{stem}.cam.png", 1
        while name in used:  # same file name in two folders
            n += 1
            name = f"{stem}-{n}.cam.png"
        used.add(name)
        atomic_write(os.path.join(folder, name), lambda f, im=overlay: im.save(f, format="PNG"))
        peaks[p.path] = peak
    return peaks


def evaluation_samples(data: str):
    """The split ``evaluate`` uses: test/ if present, else val/, else every image."""
    from .engine.data import DataError, scan_dataset

    try:
        scan = scan_dataset(data, val_split=0.0)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    for split in ("test", "val", "train"):
        if scan.splits.get(split):
            return scan, split
    raise UsageError(f"no images found in {data}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    import torch

    from .engine.metrics import make_report
    from .engine.predict import Predictor

    bundle = _load(args.model)
    scan, split = evaluation_samples(args.data)
    unknown = [c for c in scan.classes if c not in bundle.classes]
    if unknown:
        raise UsageError(f"classes not known to the model: {', '.join(unknown)}")
    predictor = Predictor.from_bundle(bundle, device=_device(args.device), tta=args.tta)
    samples = scan.splits[split]
    preds = predictor.predict_paths([s.path for s in samples], top_k=len(bundle.classes))
    y_true, y_pred, losses = [], [], []
    for s, p in zip(samples, preds, strict=True):
        if p.error:
            continue
        probs = dict(p.top)
        true_name = scan.classes[s.label]
        y_true.append(bundle.classes.index(true_name))
        y_pred.append(bundle.classes.index(p.label))
        losses.append(-math.log(max(probs.get(true_name, 0.0), 1e-12)))
    if not y_true:
        raise UsageError("no readable images to evaluate")
    report = make_report(split, bundle.classes, y_true, y_pred,
                         float(torch.tensor(losses).mean()))
    out = report.to_json()
    out["skipped"] = len(scan.skipped) + sum(1 for p in preds if p.error)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{split}: accuracy {report.accuracy:.4f} on {report.n} images "
              f"(loss {report.loss:.4f})")
        width = max(len(c) for c in bundle.classes)
        print(f"{'class':{width}s}  precision  recall  f1     support")
        for c, m in report.per_class.items():
            print(f"{c:{width}s}  {m['precision']:.3f}      {m['recall']:.3f}   "
                  f"{m['f1']:.3f}  {m['support']}")
        print("confusion matrix (rows = true class):")
        for c, row in zip(bundle.classes, report.confusion_matrix, strict=True):
            print(f"  {c:{width}s}  " + " ".join(f"{v:5d}" for v in row))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    bundle = _load(args.model)
    info = bundle.info()
    if args.json:
        print(json.dumps(info))
        return 0
    cfg = info.get("config", {})
    print(f"tlgui model bundle (format {info['format_version']}, written by tlgui "
          f"{info['tlgui_version']})")
    print(f"backbone:   {info['backbone']} ({info['parameters']:,} parameters)")
    print(f"classes:    {', '.join(info['classes'])}")
    print(f"input:      {info['input_size']} px, mean {info['mean']}, std {info['std']}")
    if cfg:
        print(f"training:   {cfg.get('mode')} mode, {len(info['history'])} epochs, "
              f"{cfg.get('optimizer')} head LR {cfg.get('lr_head')}")
    m = info.get("metrics", {})
    if "best_val_acc" in m:
        print(f"best val:   accuracy {m['best_val_acc']:.4f} (epoch {m.get('best_epoch')})")
    return 0


# --------------------------------------------------------------------------- main


def run_gui() -> int:
    try:
        from .gui.app import main as gui_main
    except ImportError as exc:
        print(f"tlgui: the desktop app cannot start ({exc}); the command line works: "
              "tlgui --help", file=sys.stderr)
        return 2
    return gui_main()


COMMANDS = {"train": cmd_train, "lr-find": cmd_lr_find, "predict": cmd_predict,
            "evaluate": cmd_evaluate, "info": cmd_info}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        return run_gui()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run_gui()
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"tlgui {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # unexpected: one line, exit 1 (TLGUI_DEBUG=1 for the traceback)
        if os.environ.get("TLGUI_DEBUG"):
            raise
        print(f"tlgui {args.command}: unexpected error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
