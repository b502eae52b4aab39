"""The GPU check that ``benchmarks/bench_gpu.sh`` runs: tlgui's engine against
``bench_train.py``'s plain recipe (the PyTorch transfer-learning tutorial), same data, same
backbone, same epochs and batch, each in its own process:

* images/s: training images x epochs / the summed epoch times (validation included);
* GPU utilisation: ``nvidia-smi`` sampled every 200 ms while the run's process lives (mean of
  the samples, per GPU; start-up included, so a run that waits for data or the CPU shows it);
* accuracy: the best validation accuracy of the run;
* the engine / recipe ratios of both (the goal: >= 10x the images/s at the same accuracy);
* with two GPUs visible (or ``--ddp force``): the engine under ``torchrun --nproc-per-node 2``
  (``tlgui train``, each GPU the single run's batch), and its ratio to the one-GPU engine.

    python benchmarks/gpu_check.py DATA [--device cuda] [--config r18-ft] [--epochs 5]
        [--batch-size 32] [--ddp auto|force|off]

Installs nothing; without ``nvidia-smi`` the utilisation reads ``n/a``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_train import CONFIGS  # the recipe's configs, shared

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def gpu_count() -> int:
    if shutil.which("nvidia-smi") is None:
        return 0
    out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, dict[int, float], str]:
    """Run ``cmd`` while sampling GPU utilisation; returns its wall seconds, the mean
    utilisation per GPU (empty without nvidia-smi) and its stdout. Fails loudly."""
    with tempfile.NamedTemporaryFile("w+", suffix=".csv") as log:
        sampler = None
        if shutil.which("nvidia-smi"):
            sampler = subprocess.Popen(
                [
                    "nvidia-smi",
                    "--query-gpu=index,utilization.gpu",
                    "--format=csv,noheader,nounits",
                    "-lms",
                    "200",
                ],
                stdout=log,
                stderr=subprocess.DEVNULL,
            )
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if sampler is not None:
            sampler.terminate()
            sampler.wait()
        log.seek(0)
        samples: dict[int, list[float]] = {}
        for line in log.read().splitlines():
            try:
                index, util = (int(v) for v in line.split(","))
            except ValueError:
                continue
            samples.setdefault(index, []).append(util)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, {i: sum(v) / len(v) for i, v in samples.items() if v}, proc.stdout


def recipe_or_engine(impl: str, args: argparse.Namespace, env: dict[str, str]) -> dict:
    """One ``bench_train.py`` child run (``baseline`` = the plain recipe, or ``engine``)."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [sys.executable, str(HERE / "bench_train.py"), args.data, "--child", impl, args.config]
    cmd += ["--epochs", str(args.epochs), "--batch-size", str(args.batch_size)]
    cmd += ["--device", args.device, "--json", str(out)]
    wall, util, _ = measured(cmd, env)
    r = json.loads(out.read_text())
    out.unlink()
    return {
        "ips": r["n_train"] * len(r["epoch_s"]) / sum(r["epoch_s"]),
        "acc": max(r["val_acc"]),
        "util": util,
        "wall": wall,
    }


def ddp(args: argparse.Namespace, env: dict[str, str], n_train: int) -> dict:
    """The engine as ``tlgui train`` under ``torchrun --nproc-per-node 2``."""
    cfg = CONFIGS[args.config]
    out = Path(tempfile.mkdtemp()) / "ddp.pt"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node"]
    cmd += ["2", "-m", "tlgui", "train", args.data, "--out", str(out), "--jsonl"]
    cmd += ["--backbone", cfg["backbone"], "--weights", cfg["weights"], "--mode", cfg["mode"]]
    cmd += ["--augment", "default" if cfg["augment"] else "none", "--patience", "0"]
    cmd += ["--epochs", str(args.epochs), "--batch-size", str(2 * args.batch_size)]
    cmd += ["--device", args.device]
    wall, util, stdout = measured(cmd, env)
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    epochs = [e for e in lines if e["event"] == "epoch"]
    done = next(e for e in lines if e["event"] == "done")
    return {
        "ips": n_train * len(epochs) / sum(e["seconds"] for e in epochs),
        "acc": max(e["val_acc"] for e in epochs),
        "util": util,
        "wall": wall,
        "world_size": done["world_size"],
    }


def fmt(name: str, r: dict) -> str:
    util = ", ".join(f"GPU{i} {u:.0f}%" for i, u in sorted(r["util"].items())) or "n/a"
    return (
        f"{name:22s} {r['ips']:9.1f} images/s   GPU utilisation {util:18s}   "
        f"best val acc {r['acc']:.3f}   wall {r['wall']:6.1f} s"
    )


def count_train(data: str) -> int:
    root = Path(data) / "train"
    return sum(1 for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--config", default="r18-ft", choices=list(CONFIGS))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--ddp", default="auto", choices=("auto", "force", "off"))
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    gpus = gpu_count()
    print(
        f"# {args.config} {CONFIGS[args.config]} on {args.data}: {count_train(args.data)} train "
        f"images, {args.epochs} epochs, batch {args.batch_size}, device {args.device}, "
        f"{gpus} GPU(s) visible",
        flush=True,
    )
    recipe = recipe_or_engine("baseline", args, env)
    print(fmt("plain recipe", recipe), flush=True)
    engine = recipe_or_engine("engine", args, env)
    print(fmt("tlgui engine", engine), flush=True)
    print(
        f"{'engine / recipe':22s} {engine['ips'] / recipe['ips']:8.2f}x images/s   "
        f"accuracy ratio {engine['acc'] / max(recipe['acc'], 1e-9):.3f} "
        f"({engine['acc'] - recipe['acc']:+.3f})   goal: >= 10x at the same accuracy",
        flush=True,
    )
    if args.ddp == "force" or (args.ddp == "auto" and gpus >= 2):
        two = ddp(args, env, count_train(args.data))
        print(fmt(f"tlgui DDP x{two['world_size']}", two), flush=True)
        print(
            f"{'DDP / one-GPU engine':22s} {two['ips'] / engine['ips']:8.2f}x images/s   "
            f"accuracy diff {two['acc'] - engine['acc']:+.3f}",
            flush=True,
        )
    else:
        print(f"(no DDP line: {gpus} GPU(s) visible; --ddp force runs it anyway)", flush=True)


if __name__ == "__main__":
    main()
