"""Prediction speed with each inference backend: a folder of pictures, and one dropped picture.

    python benchmarks/bench_predict.py DATA [--images 200] [--runs 3] [--backbone NAME]
        [--export-cache warm|cold] [--json FILE]

DATA: any folder of pictures (searched recursively; the first ``--images`` files in name
order are used, e.g. ``../shared/datasets/hymenoptera_data``). The model is the backbone's
ImageNet weights (EfficientNet-Lite0 ships them offline; other backbones run random weights,
which take the same time) with a 2-class head, wrapped in :class:`tlgui.engine.predict.Predictor`
as ``tlgui predict`` and the app's Predict step use it.

* ``folder``: ``Predictor.predict_paths`` on the whole folder (decoding, resizing and the
  forward, batches of 32), in images/s, medians of ``--runs`` after one warm-up pass, per
  backend: ``torch``, ``onnxruntime`` (session built before the clock starts) and ``auto``
  timed from a fresh predictor, so its first pass includes opening the session and the check
  (and, in the first run, timing ORT against torch). tlgui's cache folder is a fresh temporary
  one: the ``onnxruntime`` predictor's export fills its export cache, so ``auto`` opens the
  stored graph, as every prediction after a model's first does (``--export-cache cold``
  switches the cache off, so each fresh predictor exports and times).
* ``single``: drop-to-prediction latency of one picture (``predict_paths([file])``), median of
  ``--runs`` x 5 calls after one warm-up call: ``torch``; ``auto`` on a fresh predictor (which
  answers a single picture on torch and never waits for an export); ``onnxruntime`` with its
  session already built (what every picture after the first folder gets).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import torch

from tlgui.engine.backbones import get_info
from tlgui.engine.data import list_images
from tlgui.engine.model import build_model
from tlgui.engine.predict import Predictor
from tlgui.process import quiet_export_warnings


def _predictor(backbone: str, backend: str) -> Predictor:
    info = get_info(backbone)
    weights = "imagenet" if backbone == "efficientnet_lite0" else "none"
    torch.manual_seed(0)
    model = build_model(backbone, 2, weights)
    return Predictor(
        model, ["a", "b"], info.input_size, info.mean, info.std, inference_backend=backend
    )


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def folder_rates(backbone: str, files: list[str], runs: int) -> dict[str, float]:
    """images/s per backend (see the module docstring), plus ``auto_first_pass`` and
    ``agree`` (top-1 labels of torch and onnxruntime identical)."""
    torch_p = _predictor(backbone, "torch")
    ort_p = _predictor(backbone, "onnxruntime")
    ort_p.prepare()
    labels = {}
    for name, p in (("torch", torch_p), ("onnxruntime", ort_p)):
        labels[name] = [r.label for r in p.predict_paths(files)]  # warm-up
    times: dict[str, list[float]] = {"torch": [], "onnxruntime": [], "auto_first_pass": []}
    for _ in range(runs):  # interleaved
        times["torch"].append(_seconds(lambda: torch_p.predict_paths(files)))
        times["onnxruntime"].append(_seconds(lambda: ort_p.predict_paths(files)))
        auto = _predictor(backbone, "auto")
        times["auto_first_pass"].append(_seconds(lambda a=auto: a.predict_paths(files)))
    out = {k: len(files) / statistics.median(v) for k, v in times.items()}
    out["agree"] = float(labels["torch"] == labels["onnxruntime"])
    return out


def single_latency_ms(backbone: str, file: str, runs: int) -> dict[str, float]:
    """Drop-to-prediction milliseconds of one picture per backend (see the module docstring)."""
    torch_p = _predictor(backbone, "torch")
    ort_p = _predictor(backbone, "onnxruntime")
    ort_p.prepare()
    samples: dict[str, list[float]] = {"torch": [], "auto_fresh": [], "onnxruntime": []}
    for p in (torch_p, ort_p):
        p.predict_paths([file])
    for _ in range(runs * 5):
        samples["torch"].append(_seconds(lambda: torch_p.predict_paths([file])))
        samples["onnxruntime"].append(_seconds(lambda: ort_p.predict_paths([file])))
    for _ in range(runs):
        auto = _predictor(backbone, "auto")
        auto.predict_paths([file])  # warm-up of the fresh predictor's torch path
        samples["auto_fresh"].append(_seconds(lambda a=auto: a.predict_paths([file])))
        assert auto.backend is None  # a single picture never waited for an export
    return {k: 1000 * statistics.median(v) for k, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--backbone", default="efficientnet_lite0")
    ap.add_argument("--export-cache", default="warm", choices=("warm", "cold"))
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    os.environ["TLGUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-predict-cache-")
    if args.export_cache == "cold":
        os.environ["TLGUI_ONNX_CACHE"] = "off"
    quiet_export_warnings()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    files = list_images([args.data])[: args.images]
    print(
        f"# {args.data}: {len(files)} pictures, {args.backbone}, torch {torch.__version__}, "
        f"threads {torch.get_num_threads()}, export cache {args.export_cache}",
        flush=True,
    )
    rates = folder_rates(args.backbone, files, args.runs)
    print(
        f"folder  torch {rates['torch']:6.1f} img/s  onnxruntime {rates['onnxruntime']:6.1f} "
        f"img/s ({rates['onnxruntime'] / rates['torch']:.2f}x)  auto first pass "
        f"{rates['auto_first_pass']:6.1f} img/s  same top-1: {bool(rates['agree'])}",
        flush=True,
    )
    latency = single_latency_ms(args.backbone, files[0], args.runs)
    print(
        f"single  torch {latency['torch']:6.1f} ms  auto (fresh) {latency['auto_fresh']:6.1f} ms"
        f"  onnxruntime (built) {latency['onnxruntime']:6.1f} ms",
        flush=True,
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"folder": rates, "single_ms": latency}, indent=1))


if __name__ == "__main__":
    main()
