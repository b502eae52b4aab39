"""Calibration on held-out pictures, and where the "not sure" threshold should sit.

    python benchmarks/bench_calibration.py DATA [--folds 4] [--epochs 3] [--backbone NAME]
        [--mode transfer] [--no-augment] [--json FILE]

Every labelled picture of DATA (train, val and test pooled) is split into ``--folds``
stratified folds. Run k trains on the other folds but one, fits the temperature on fold k+1
(its validation split, as every run does) and is scored on fold k (its test split), so each
picture is predicted once by a model that neither trained on it nor fitted its temperature on
it. Printed:

* the pooled 15-bin expected calibration error of those held-out predictions, with the raw
  softmax and with the fitted temperatures, and each run's temperature;
* per threshold: the share of wrong predictions whose calibrated top probability is below it
  (flagged "not sure", wanted) and the share of right ones below it (flagged needlessly); the
  highest threshold that flags at most ``RIGHT_FLAG_LIMIT`` of the right ones (the rule behind
  :data:`tlgui.engine.calibration.DEFAULT_UNSURE_BELOW`), and the one that maximises the
  difference of the two shares (Youden's J).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from tlgui.engine.augment import preset
from tlgui.engine.calibration import ece_from_bins
from tlgui.engine.data import DatasetScan, scan_dataset
from tlgui.engine.trainer import TrainConfig, fit

THRESHOLDS = [round(0.50 + 0.05 * i, 2) for i in range(10)]
RIGHT_FLAG_LIMIT = 0.10  # "few right ones": at most one right answer in ten marked not sure


def folds(scan: DatasetScan, k: int, seed: int = 0) -> list[list]:
    """``k`` stratified folds of every labelled picture of ``scan``."""
    import random

    pool = [s for split in scan.splits.values() for s in split]
    by_class: dict[int, list] = {}
    for s in pool:
        by_class.setdefault(s.label, []).append(s)
    out: list[list] = [[] for _ in range(k)]
    for label in sorted(by_class):
        items = sorted(by_class[label], key=lambda s: s.path)
        random.Random(f"{seed}-{label}").shuffle(items)
        for i, s in enumerate(items):
            out[i % k].append(s)
    return out


def pooled(bins_per_run: list[list[dict]]) -> list[dict]:
    """Reliability bins of several runs as one set (counts added, means weighted)."""
    out = []
    for parts in zip(*bins_per_run, strict=True):
        n = sum(b["count"] for b in parts)
        out.append(
            {
                "lo": parts[0]["lo"],
                "hi": parts[0]["hi"],
                "count": n,
                "confidence": sum(b["confidence"] * b["count"] for b in parts) / n if n else 0.0,
                "accuracy": sum(b["accuracy"] * b["count"] for b in parts) / n if n else 0.0,
            }
        )
    return out


def threshold_table(samples: list[dict]) -> list[dict]:
    wrong = [s["prob"] for s in samples if s["pred"] != s["true"]]
    right = [s["prob"] for s in samples if s["pred"] == s["true"]]
    rows = []
    for t in THRESHOLDS:
        caught = sum(p < t for p in wrong) / len(wrong) if wrong else 0.0
        needless = sum(p < t for p in right) / len(right) if right else 0.0
        rows.append({"threshold": t, "wrong_flagged": caught, "right_flagged": needless})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--backbone", default="efficientnet_lite0")
    ap.add_argument("--mode", default="transfer")
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()

    scan = scan_dataset(args.data, val_split=0.0)
    parts = folds(scan, args.folds)
    config = TrainConfig(backbone=args.backbone, mode=args.mode, epochs=args.epochs)
    if args.no_augment:
        config = replace(config, augment=preset("none").to_dict())
    samples: list[dict] = []
    raw_bins, cal_bins, temperatures = [], [], []
    t0 = time.perf_counter()
    for k in range(args.folds):
        test, val = parts[k], parts[(k + 1) % args.folds]
        train = [s for i, p in enumerate(parts) if i not in (k, (k + 1) % args.folds) for s in p]
        run_scan = replace(scan, splits={"train": train, "val": val, "test": test})
        result = fit(run_scan, replace(config, seed=k))
        rep = result.reports["test"]
        temperatures.append(result.temperature)
        raw_bins.append(rep.reliability["uncalibrated"])
        cal_bins.append(rep.reliability["calibrated"])
        samples += rep.samples
        print(
            f"fold {k}: T = {result.temperature:.3f}, test accuracy {rep.accuracy:.3f} on "
            f"{rep.n}, ECE {rep.ece_uncalibrated:.4f} -> {rep.ece:.4f}",
            flush=True,
        )
    ece_raw, ece_cal = ece_from_bins(pooled(raw_bins)), ece_from_bins(pooled(cal_bins))
    wrong = sum(s["pred"] != s["true"] for s in samples)
    table = threshold_table(samples)
    youden = max(table, key=lambda r: r["wrong_flagged"] - r["right_flagged"])
    allowed = [r for r in table if r["right_flagged"] <= RIGHT_FLAG_LIMIT]
    chosen = max(allowed, key=lambda r: r["threshold"])
    print(f"\n{len(samples)} held-out predictions, {wrong} wrong, {time.perf_counter() - t0:.0f} s")
    print(f"pooled ECE: {ece_raw:.4f} uncalibrated -> {ece_cal:.4f} calibrated")
    print("threshold  wrong flagged  right flagged")
    for r in table:
        print(
            f"  {r['threshold']:.2f}       {r['wrong_flagged']:6.1%}        "
            f"{r['right_flagged']:6.1%}"
        )
    print(
        f"highest with at most {RIGHT_FLAG_LIMIT:.0%} of right ones flagged: "
        f"{chosen['threshold']:.2f}; max(wrong - right flagged): {youden['threshold']:.2f}"
    )
    if args.json:
        out = {
            "data": str(Path(args.data).resolve()),
            "config": {
                "backbone": args.backbone,
                "mode": args.mode,
                "epochs": args.epochs,
                "augment": not args.no_augment,
                "folds": args.folds,
            },
            "n": len(samples),
            "wrong": wrong,
            "temperatures": temperatures,
            "ece_uncalibrated": ece_raw,
            "ece": ece_cal,
            "thresholds": table,
            "chosen_threshold": chosen["threshold"],
            "youden_threshold": youden["threshold"],
        }
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
