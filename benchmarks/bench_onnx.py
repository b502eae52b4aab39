"""The frozen backbone's forward: the engine's torch path against ONNX Runtime.

    python benchmarks/bench_onnx.py [--backbones efficientnet_lite0 resnet18 ...] [--runs 5]
        [--sections forward memory threads] [--json FILE]

``forward`` (per backbone, 224 px, random pictures): the torch path as the engine runs a frozen
backbone (BatchNorm folded by :func:`tlgui.engine.frozen.fold_batchnorm`, channels_last,
``torch.inference_mode``, under the allocator settings a training run has:
:func:`tlgui.process.tuned_for_training`) against :class:`tlgui.engine.onnx_backend.OrtForward`
as tlgui sets it up, at batch 32 and batch 1 (four calls per sample): medians of ``--runs``
samples after one warm-up, in ms per picture, and the ratio. The two paths take turns sample by
sample, so load from other processes weighs on both alike. Also the one-off costs of a frozen
phase: the export (:func:`export_frozen`), opening the session, the first-batch check's two
forwards on ``CHECK_IMAGES`` pictures (each backend's first call), and :func:`frozen_forward` as
a whole. EfficientNet-Lite0 runs its ImageNet weights (shipped in a package); the others random
weights (no offline ImageNet weights here), which take the same time.

``memory`` (per backbone): in a fresh process per path that has built the backbone, the peak
RSS of setting the path up (for ORT: export and session) and running five batches of 32, above
the RSS before it; and that peak itself.

``threads`` (efficientnet_lite0, batch 32): ORT's intra-op threads 1 vs torch's count, idle pool
threads spinning or not, each (a) alone, (b) taking turns with 20 steps of a linear head on the
same thread (a transfer epoch with augmentation does one per batch; 20 make it weigh), (c) next
to a busy process that stands in for a DataLoader worker decoding pictures. Interleaved too.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from tlgui.engine.backbones import build_backbone, get_info
from tlgui.engine.frozen import fold_batchnorm
from tlgui.engine.onnx_backend import CHECK_IMAGES, OrtForward, export_frozen, frozen_forward
from tlgui.process import tuned_for_training

DEFAULT_BACKBONES = ("efficientnet_lite0", "resnet18", "mobilenet_v3_large")
SIZE = 224


def interleaved_ms(
    paths: dict[str, Callable[[], object]], images: int, runs: int, calls: int = 1
) -> dict[str, float]:
    """Per path: median over ``runs`` samples of the mean time of ``calls`` calls, in ms per
    picture; one warm-up call each, then the paths take turns sample by sample."""
    for fn in paths.values():
        fn()
    samples: dict[str, list[float]] = {key: [] for key in paths}
    for _ in range(runs):
        for key, fn in paths.items():
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[key].append((time.perf_counter() - t0) / calls / images * 1000)
    return {key: statistics.median(values) for key, values in samples.items()}


def seconds(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def frozen_module(name: str) -> nn.Module:
    """The engine's frozen torch path: BatchNorm folded, channels_last, eval mode."""
    weights = "imagenet" if name == "efficientnet_lite0" else "none"
    torch.manual_seed(0)
    folded, _pairs = fold_batchnorm(build_backbone(name, weights))
    return folded.to(memory_format=torch.channels_last)


def bench_forward(name: str, runs: int) -> dict:
    folded = frozen_module(name)
    t0 = time.perf_counter()
    model = export_frozen(folded, SIZE)
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ort_forward = OrtForward(model)
    session_s = time.perf_counter() - t0
    check = torch.randn(CHECK_IMAGES, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        check_torch_s = seconds(lambda: folded(check))
    check_ort_s = seconds(lambda: ort_forward(check))
    t0 = time.perf_counter()
    _, choice = frozen_forward(folded, SIZE)
    row: dict = {
        "backbone": name,
        "export_s": export_s,
        "session_s": session_s,
        "check_torch_s": check_torch_s,
        "check_ort_s": check_ort_s,
        "frozen_forward_s": time.perf_counter() - t0,
        "choice": choice.describe(),
    }
    for batch, calls in ((32, 1), (1, 4)):
        x = torch.randn(batch, 3, SIZE, SIZE)
        x_cl = x.contiguous(memory_format=torch.channels_last)

        def torch_path(x_cl: torch.Tensor = x_cl) -> torch.Tensor:
            with torch.inference_mode():
                return folded(x_cl)

        def ort_path(x: torch.Tensor = x) -> torch.Tensor:
            return ort_forward(x)

        ms = interleaved_ms({"torch": torch_path, "ort": ort_path}, batch, runs, calls)
        row[f"b{batch}"] = {
            "torch_ms": ms["torch"],
            "ort_ms": ms["ort"],
            "ratio": ms["torch"] / ms["ort"],
        }
    return row


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def peak_rss_child(name: str, path: str) -> None:
    """Runs in a fresh process (``--peak-rss-of``): prints the peak RSS of setting the path up
    (for ORT: export and session) and running 5 batches, above the RSS before, and the
    process's peak in that window, in MB (Linux: resets the peak through clear_refs)."""
    folded = frozen_module(name)
    x = torch.randn(32, 3, SIZE, SIZE)
    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    if path == "torch":
        x = x.contiguous(memory_format=torch.channels_last)

        def forward(x: torch.Tensor) -> torch.Tensor:
            with torch.inference_mode():
                return folded(x)

    else:
        forward = OrtForward(export_frozen(folded, SIZE))
    for _ in range(5):
        forward(x)
    peak = _status_mb("VmHWM")
    print(peak - before, peak)


def bench_memory(name: str) -> dict:
    row: dict = {"backbone": name}
    for path in ("torch", "onnxruntime"):
        out = subprocess.run(
            [sys.executable, __file__, "--peak-rss-of", name, path],
            capture_output=True,
            text=True,
            check=True,
        )
        added, peak = out.stdout.strip().splitlines()[-1].split()
        row[path] = {"added_mb": float(added), "peak_mb": float(peak)}
    return row


def _busy_decoder(stop: multiprocessing.synchronize.Event) -> None:
    """A stand-in for a DataLoader worker: decodes and resizes a JPEG in a loop."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 64).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    while not stop.is_set():
        Image.open(io.BytesIO(data)).convert("RGB").resize((224, 224))


def bench_threads(runs: int) -> list[dict]:
    model = export_frozen(frozen_module("efficientnet_lite0"), SIZE)
    x = torch.randn(32, 3, SIZE, SIZE)
    head = nn.Linear(get_info("efficientnet_lite0").num_features, 10)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3)
    labels = torch.randint(0, 10, (32,))
    torch_threads = torch.get_num_threads()
    forwards = {
        (threads, spinning): OrtForward(model, threads, spinning=spinning)
        for threads in sorted({1, torch_threads})
        for spinning in (False, True)
    }

    def alone(forward: OrtForward) -> Callable[[], object]:
        return lambda: forward(x)

    def with_head(forward: OrtForward) -> Callable[[], object]:
        def step() -> None:
            features = forward(x)
            for _ in range(20):
                optimizer.zero_grad()
                nn.functional.cross_entropy(head(features), labels).backward()
                optimizer.step()

        return step

    alone_ms = interleaved_ms({k: alone(f) for k, f in forwards.items()}, 32, runs)
    head_ms = interleaved_ms({k: with_head(f) for k, f in forwards.items()}, 32, runs)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    decoder = context.Process(target=_busy_decoder, args=(stop,))
    decoder.start()
    try:
        time.sleep(1.0)
        decoder_ms = interleaved_ms({k: alone(f) for k, f in forwards.items()}, 32, runs)
    finally:
        stop.set()
        decoder.join()
    return [
        {
            "ort_threads": threads,
            "torch_threads": torch_threads,
            "spinning": spinning,
            "alone_ms": alone_ms[(threads, spinning)],
            "with_head_ms": head_ms[(threads, spinning)],
            "beside_decoder_ms": decoder_ms[(threads, spinning)],
        }
        for threads, spinning in forwards
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", nargs="+", default=list(DEFAULT_BACKBONES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--sections",
        nargs="+",
        default=["forward", "memory", "threads"],
        choices=["forward", "memory", "threads"],
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--threads", type=int, help="torch's threads (and so ORT's); torch's default if unset"
    )
    parser.add_argument(
        "--peak-rss-of", nargs=2, metavar=("BACKBONE", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.peak_rss_of:
        peak_rss_child(*args.peak_rss_of)
        return
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; {SIZE} px; "
        f"medians of {args.runs}"
    )
    result: dict = {}
    with tuned_for_training():  # the allocator settings a training run has (tlgui.process)
        run_sections(args, result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def run_sections(args: argparse.Namespace, result: dict) -> None:
    if "forward" in args.sections:
        result["forward"] = []
        print(
            f"{'backbone':20s} {'batch':>5s} {'torch ms/img':>12s} {'ort ms/img':>10s} "
            f"{'ratio':>6s}"
        )
        for name in args.backbones:
            row = bench_forward(name, args.runs)
            result["forward"].append(row)
            for batch in (32, 1):
                b = row[f"b{batch}"]
                print(
                    f"{name:20s} {batch:5d} {b['torch_ms']:12.1f} {b['ort_ms']:10.1f} "
                    f"{b['ratio']:5.1f}x"
                )
            print(
                f"{'':20s} export {row['export_s']:.2f} s, session {row['session_s']:.2f} s, "
                f"check: torch {row['check_torch_s']:.2f} s + ort {row['check_ort_s']:.2f} s"
                f"; frozen_forward {row['frozen_forward_s']:.2f} s: {row['choice']}"
            )
    if "memory" in args.sections:
        result["memory"] = [bench_memory(name) for name in args.backbones]
        print("peak RSS of setting up + 5 batches of 32 above the RSS before (fresh process):")
        for r in result["memory"]:
            paths = ", ".join(
                f"{path} +{r[path]['added_mb']:.0f} MB (peak {r[path]['peak_mb']:.0f} MB)"
                for path in ("torch", "onnxruntime")
            )
            print(f"  {r['backbone']:20s} {paths}")
    if "threads" in args.sections:
        result["threads"] = bench_threads(args.runs)
        print(
            "efficientnet_lite0, batch 32, ms/img: alone / taking turns with 20 head steps / "
            "beside a busy decoder process"
        )
        for r in result["threads"]:
            print(
                f"  ort {r['ort_threads']} threads (torch {r['torch_threads']}), spinning "
                f"{'on ' if r['spinning'] else 'off'}: {r['alone_ms']:6.1f} "
                f"{r['with_head_ms']:6.1f} {r['beside_decoder_ms']:6.1f}"
            )


if __name__ == "__main__":
    main()
