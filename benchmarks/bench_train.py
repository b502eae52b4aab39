"""tlgui's engine against the plain PyTorch recipe and a linear probe, same machine, same data.

    python benchmarks/bench_train.py DATA [--epochs 5] [--runs 3] [--configs lite-aug ...]
        [--impls baseline engine probe] [--device cpu|cuda] [--json FILE]
        [--inference-backend auto|torch|onnxruntime] [--export-cache warm|cold]

Every (config, implementation, run) trains in its own subprocess, so peak memory is measured
per run and one run's caches or allocator state never helps the next. Three implementations:

* ``baseline`` - the PyTorch transfer-learning tutorial, written out here: ``ImageFolder`` +
  ``RandomResizedCrop``/flip, ``DataLoader(batch 32, 2 workers, shuffle)``, SGD momentum 0.9,
  lr 1e-3, ``StepLR(7, 0.1)``; the backbone runs on every image every epoch; transfer mode
  freezes it with ``requires_grad=False`` (and, like the tutorial, leaves ``model.train()`` on,
  so BatchNorm statistics move). Same backbone module as the engine (tlgui's extractor + a
  linear layer). On ``cuda`` it uses the tutorial's fp32 and 8 workers.
* ``engine`` - ``tlgui.engine.trainer.fit`` with the same backbone, mode, epochs and batch size,
  under the process settings ``tlgui train`` applies (:mod:`tlgui.process`);
  everything else is the engine's defaults (AdamW + cosine, label smoothing, its "default"
  augmentation preset when augmentation is on, which fine-tunes on 176-pixel crops and
  evaluates at 224, auto workers/threads, AMP on CUDA; a frozen random start gets BatchNorm
  statistics from 64 training pictures first).
* ``probe`` - a linear probe: features once under the eval transform, then an L2-regularised
  logistic regression (torch LBFGS) whose strength is picked by 5-fold CV on train. Only for
  transfer configs; its feature time is the "one backbone forward per image" floor. Its
  backbone is built under the engine's seed, so with random weights it is the same network
  the engine starts from (the engine then calibrates its BatchNorm statistics; the probe, as
  a plain probe, does not).

The engine runs with the on-disk feature store off (``TLGUI_FEATURE_STORE=off``): each run
computes its features, as a first run on a new dataset does. tlgui's cache folder is a fresh
temporary one per invocation. ``--export-cache warm`` (the default) fills its cache of exported
ONNX graphs, and the record of how much faster ONNX Runtime runs each architecture, with one
untimed 1-epoch run per config before the timed ones, so ONNX Runtime runs start as every run
after a user's first does; ``cold`` switches both off, so every run exports and times.
Reported per run: per-epoch seconds, train images/s (train images x epochs / summed epoch
time, the validation pass included for both), best and last val accuracy, wall time, and peak
RSS summed over the process tree (sampled every 100 ms from /proc, DataLoader workers included)
plus the largest single process's ``ru_maxrss``. Medians over runs, then engine/baseline ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reference_recipes import run_baseline, run_probe  # benchmarks/reference_recipes.py
from train_summary import summarise  # benchmarks/train_summary.py

CONFIGS: dict[str, dict] = {
    # name: backbone, weights, mode, augmentation
    "lite-aug": dict(
        backbone="efficientnet_lite0", weights="imagenet", mode="transfer", augment=True
    ),
    "lite-noaug": dict(
        backbone="efficientnet_lite0", weights="imagenet", mode="transfer", augment=False
    ),
    "lite-ft": dict(
        backbone="efficientnet_lite0", weights="imagenet", mode="finetune", augment=True
    ),
    # No offline ImageNet weights for torchvision models here: random init on both sides, so
    # the accuracies compare the two recipes from the same kind of start, nothing more.
    "r18-aug": dict(backbone="resnet18", weights="none", mode="transfer", augment=True),
    "r18-noaug": dict(backbone="resnet18", weights="none", mode="transfer", augment=False),
    "r18-ft": dict(backbone="resnet18", weights="none", mode="finetune", augment=True),
    "mv3-aug": dict(backbone="mobilenet_v3_large", weights="none", mode="transfer", augment=True),
    "mv3-noaug": dict(
        backbone="mobilenet_v3_large", weights="none", mode="transfer", augment=False
    ),
}


# --------------------------------------------------------------------------- the runs


class _FeaturePasses:
    """Seconds the engine spent in its frozen-feature passes (each split's pass, from its
    start to its last batch: loading, the backend's export and check, the forward)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def on_batch_end(self, event) -> None:
        if event.phase == "features" and event.batch == event.batches:
            self.seconds += event.elapsed


def run_engine(
    cfg: dict, data: str, epochs: int, batch_size: int, device: str, inference_backend: str = "auto"
) -> dict:
    # torchvision's transforms are imported before the clock starts, as the baseline's and the
    # probe's are (importing torchvision takes 3-4 s here; the engine imports it lazily).
    import torchvision.transforms.v2  # noqa: F401

    from tlgui.engine.augment import preset
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, Trainer
    from tlgui.process import tuned_for_training

    scan = scan_dataset(data)
    config = TrainConfig(
        backbone=cfg["backbone"],
        weights=cfg["weights"],
        mode=cfg["mode"],
        epochs=epochs,
        batch_size=batch_size,
        device=device,
        patience=0,
        augment=preset("default" if cfg["augment"] else "none").to_dict(),
        inference_backend=inference_backend,
    )
    passes = _FeaturePasses()
    t_start = time.perf_counter()
    trainer = Trainer(scan, config, callbacks=[passes])
    with tuned_for_training():  # the process settings `tlgui train` runs with
        result = trainer.fit()
    bank = trainer.loop.batches.bank
    return {
        "feature_s": passes.seconds,
        "epoch_s": [e.seconds for e in result.history],
        "val_acc": [e.val_acc for e in result.history],
        "n_train": len(scan.splits["train"]),
        "wall_s": time.perf_counter() - t_start,
        "decode_s": bank.seconds if bank is not None else None,
        "backend": result.inference_backend.get("name"),
    }


RUNNERS = {"baseline": run_baseline, "engine": run_engine, "probe": run_probe}


# --------------------------------------------------------------------------- parent side


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc). Walks the
    ``task/*/children`` lists, so a poll costs a few file reads, not a scan of every process."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_child(impl: str, config: str, args: argparse.Namespace) -> dict:
    """One run in a subprocess. ``impl`` is a runner's name; ``engine:BACKEND`` is the engine
    with that inference backend."""
    impl, _, backend = impl.partition(":")
    cmd = [
        sys.executable,
        __file__,
        args.data,
        "--child",
        impl,
        config,
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--device",
        args.device,
        "--inference-backend",
        backend or args.inference_backend[0],
    ]
    out_path = Path(f"/tmp/bench_train_{os.getpid()}.json")
    cmd += ["--json", str(out_path)]
    # Every run computes its features: the on-disk feature store would hand a later run the
    # features an earlier one stored, and time a disk read instead of the backbone.
    proc = subprocess.Popen(cmd, env={**os.environ, "TLGUI_FEATURE_STORE": "off"})
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{impl} {config} failed")
    result = json.loads(out_path.read_text())
    out_path.unlink()
    result["peak_tree_mb"] = peak / 2**20
    result["maxrss_mb"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--impls", nargs="+", default=list(RUNNERS), choices=list(RUNNERS))
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument(
        "--inference-backend",
        nargs="+",
        default=["auto"],
        choices=("auto", "torch", "onnxruntime"),
        help="the engine's TrainConfig.inference_backend (default: auto); several run the "
        "engine once per backend, interleaved, and compare each with torch's",
    )
    ap.add_argument(
        "--export-cache",
        default="warm",
        choices=("warm", "cold"),
        help="warm (default): exported ONNX graphs and measured speed-ups cached by an untimed "
        "run first; cold: no export cache, every ONNX Runtime run exports and times",
    )
    ap.add_argument("--json", help="write all raw results here")
    ap.add_argument("--child", nargs=2, metavar=("IMPL", "CONFIG"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        impl, config = args.child
        extra = {"inference_backend": args.inference_backend[0]} if impl == "engine" else {}
        result = RUNNERS[impl](
            CONFIGS[config], args.data, args.epochs, args.batch_size, args.device, **extra
        )
        Path(args.json).write_text(json.dumps(result))
        return

    import torch

    os.environ["TLGUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-train-cache-")
    if args.export_cache == "cold":
        os.environ["TLGUI_ONNX_CACHE"] = "off"
    print(
        f"# {args.data}  epochs={args.epochs} batch={args.batch_size} device={args.device} "
        f"cpus={os.cpu_count()} torch={torch.__version__} threads={torch.get_num_threads()} "
        f"inference-backend={' '.join(args.inference_backend)} "
        f"export-cache={args.export_cache}",
        flush=True,
    )
    everything: dict[str, dict[str, list[dict]]] = {}
    for config in args.configs:
        runs: dict[str, list[dict]] = {}
        impls = [i for i in args.impls if i != "probe" or CONFIGS[config]["mode"] == "transfer"]
        if len(args.inference_backend) > 1:
            at = impls.index("engine") if "engine" in impls else len(impls)
            impls[at : at + 1] = [f"engine:{b}" for b in args.inference_backend]
        if args.export_cache == "warm" and set(args.inference_backend) - {"torch"}:
            warm = next(b for b in args.inference_backend if b != "torch")
            run_child(f"engine:{warm}", config, argparse.Namespace(**{**vars(args), "epochs": 1}))
            print(f"  [{config}] export cache warmed by an untimed 1-epoch run", flush=True)
        for _ in range(args.runs):
            for impl in impls:  # interleaved, so load changes hit every implementation alike
                r = run_child(impl, config, args)
                runs.setdefault(impl, []).append(r)
                decode = f"(bank decode {r['decode_s']:.2f} s) " if r.get("decode_s") else ""
                decode += f"[{r['backend']}] " if r.get("backend") else ""
                print(
                    f"  [{config} {impl}] wall {r['wall_s']:.1f} s  "
                    f"epochs {[round(s, 3) for s in r['epoch_s']]} {decode} "
                    f"val {[round(a, 3) for a in r['val_acc']]}  "
                    f"RSS {r['peak_tree_mb']:.0f} MB",
                    flush=True,
                )
        everything[config] = runs
        print("\n".join(summarise(config, CONFIGS[config], runs)), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
