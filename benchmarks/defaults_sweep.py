"""How the default hyper-parameters were chosen: a sweep of the transfer-mode head settings.

    python benchmarks/defaults_sweep.py DATA [--epochs 5 10] [--seeds 0 1 2]

The frozen backbone's features are computed once (the engine's cache, no augmentation) and
shared by every run, so each combination trains only the head and a full sweep takes seconds
after the first pass.
Prints the median best val accuracy and val loss over seeds for each combination.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.trainer import TrainConfig, Trainer
from tlgui.process import tuned_for_training


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--backbone", default="efficientnet_lite0")
    ap.add_argument("--epochs", type=int, nargs="+", default=[5, 10])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    with tuned_for_training():  # the process settings `tlgui train` runs with
        sweep(args)


def sweep(args: argparse.Namespace) -> None:
    scan = scan_dataset(args.data)
    base = TrainConfig(backbone=args.backbone, augment=preset("none").to_dict(), patience=0)
    t = time.perf_counter()
    shared = Trainer(scan, base)
    shared.fit()  # fills the feature cache once
    print(f"features computed once in {time.perf_counter() - t:.1f}s")
    cached = shared.loop.features.cached  # the pretrained backbone's features, per split

    grid = {
        "optimizer": ["adamw", "sgd"],
        "lr_head": [3e-4, 1e-3, 3e-3, 1e-2],
        "label_smoothing": [0.0, 0.1],
        "epochs": args.epochs,
    }
    print(
        f"{'optimizer':9s} {'lr_head':>8s} {'smooth':>6s} {'epochs':>6s} "
        f"{'val_acc':>8s} {'val_loss':>8s}"
    )
    for combo in itertools.product(*grid.values()):
        params = dict(zip(grid, combo, strict=True))
        accs, losses = [], []
        for seed in args.seeds:
            cfg = TrainConfig(**{**base.to_dict(), **params, "seed": seed})
            trainer = Trainer(scan, cfg)
            trainer.loop.features.cached = cached
            r = trainer.fit()
            accs.append(r.best_val_acc)
            losses.append(r.reports["val"].loss)
        print(
            f"{params['optimizer']:9s} {params['lr_head']:8.0e} "
            f"{params['label_smoothing']:6.1f} {params['epochs']:6d} "
            f"{statistics.median(accs):8.4f} {statistics.median(losses):8.4f}"
        )


if __name__ == "__main__":
    main()
