"""The commands that use a saved model bundle: ``tlgui predict``, ``tlgui evaluate`` and
``tlgui info``."""

from __future__ import annotations

import argparse
import json
import os

from .options import UsageError


def _load(model_path: str):
    from ..engine.checkpoint import BundleError, load_bundle

    try:
        return load_bundle(model_path)
    except BundleError as exc:
        raise UsageError(str(exc)) from None


def _device(name: str) -> str:
    from ..engine.trainer import TrainingError, resolve_device

    try:
        return str(resolve_device(name))
    except TrainingError as exc:
        raise UsageError(str(exc)) from None


def cmd_predict(args: argparse.Namespace) -> int:
    from ..engine.checkpoint import BundleError
    from ..engine.onnx_backend import BackendError
    from ..engine.predict import Predictor, write_csv

    # lexists: a broken link or a link loop is there (a one-line "skipped" row says what is
    # wrong with it), not a typo that should stop the whole command.
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    bundle = _load(args.model)
    try:
        predictor = Predictor.from_bundle(
            bundle,
            device=_device(args.device),
            tta=args.tta,
            inference_backend=args.inference_backend,
            unsure_below=args.unsure_below,
        )
    except BundleError as exc:
        raise UsageError(str(exc)) from None
    try:
        preds = predictor.predict_paths(args.paths, top_k=args.top_k)
    except BackendError as exc:  # onnxruntime was forced and cannot run this backbone
        raise UsageError(str(exc)) from None
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
                print(f"{p.path}\t{'not sure: ' if p.unsure else ''}{tops}")
    return 0 if any(not p.error for p in preds) else 2


def _write_cams(predictor, bundle, preds, folder: str) -> dict[str, tuple[float, float]]:
    """One ``<name>.cam.png`` Grad-CAM overlay (for the top class) per predicted image in
    ``folder``; returns each path's heat-map peak as (x, y) fractions of the image."""
    from ..engine.data import ImageLoadError, load_image
    from ..engine.explain import gradcam_overlay
    from ..engine.fileio import atomic_write

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
        overlay, peak = gradcam_overlay(
            predictor.model,
            image,
            bundle.input_size,
            bundle.mean,
            bundle.std,
            target=bundle.classes.index(p.label),
        )
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
    """``(scan, split)`` that ``evaluate`` uses: test/ if present, else val/, else every
    image (:func:`~tlgui.engine.train.evaluate.evaluation_split`)."""
    from ..engine.data import DataError, scan_dataset
    from ..engine.train.evaluate import evaluation_split

    try:
        scan = scan_dataset(data, val_split=0.0)
    except DataError as exc:
        raise UsageError(str(exc)) from None
    split = evaluation_split(scan)
    if not scan.splits.get(split):
        raise UsageError(f"no images found in {data}")
    return scan, split


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..engine.train.evaluate import UnknownClassError, evaluate_bundle
    from ..engine.trainer import TrainingError

    bundle = _load(args.model)
    scan, split = evaluation_samples(args.data)
    try:  # the engine's one evaluation, as the training loop and the GUI run it
        report = evaluate_bundle(
            bundle,
            scan,
            split,
            tta=args.tta,
            device=args.device,
            inference_backend=args.inference_backend,
        )
    except (UnknownClassError, TrainingError) as exc:
        raise UsageError(str(exc)) from None
    if not report.n:
        raise UsageError("no readable images to evaluate")
    out = report.to_json()
    out["skipped"] = len(scan.skipped) + report.skipped
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"{split}: accuracy {report.accuracy:.4f} on {report.n} images (loss {report.loss:.4f})"
        )
        print(
            f"calibration: ECE {report.ece:.4f} at temperature {report.temperature:.3f} "
            f"(uncalibrated {report.ece_uncalibrated:.4f})"
        )
        width = max(len(c) for c in bundle.classes)
        print(f"{'class':{width}s}  precision  recall  f1     support")
        for c, m in report.per_class.items():
            print(
                f"{c:{width}s}  {m['precision']:.3f}      {m['recall']:.3f}   "
                f"{m['f1']:.3f}  {m['support']}"
            )
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
    print(
        f"tlgui model bundle (format {info['format_version']}, written by tlgui "
        f"{info['tlgui_version']})"
    )
    print(f"backbone:   {info['backbone']} ({info['parameters']:,} parameters)")
    print(f"classes:    {', '.join(info['classes'])}")
    print(f"input:      {info['input_size']} px, mean {info['mean']}, std {info['std']}")
    if cfg:
        print(
            f"training:   {cfg.get('mode')} mode, {len(info['history'])} epochs, "
            f"{cfg.get('optimizer')} head LR {cfg.get('lr_head')}"
        )
    m = info.get("metrics", {})
    if "best_val_acc" in m:
        print(f"best val:   accuracy {m['best_val_acc']:.4f} (epoch {m.get('best_epoch')})")
    val = m.get("val") if isinstance(m.get("val"), dict) else {}
    eces = (
        f", val ECE {val['ece']:.4f} (uncalibrated {val['ece_uncalibrated']:.4f})"
        if isinstance(val.get("ece"), float) and isinstance(val.get("ece_uncalibrated"), float)
        else ""
    )
    print(f"calibration: temperature {info['temperature']:.4g}{eces}")
    ran = m.get("inference_backend")
    if isinstance(ran, dict):  # which backend ran the frozen backbone (absent in older bundles)
        print(f"inference:  {ran.get('name')} ({ran.get('requested')}: {ran.get('reason')})")
    return 0
