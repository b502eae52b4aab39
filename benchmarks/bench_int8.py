"""What 8-bit integer inference would give the frozen backbone: speed and feature agreement.

    python benchmarks/bench_int8.py DATA [--backbone efficientnet_lite0] [--calibration 64]
        [--runs 3]

tlgui does not quantise (its ONNX Runtime path runs the same float32 graph as torch, to float
rounding). This measures the lever it leaves alone: ONNX Runtime's static quantisation
(``onnxruntime.quantization.quantize_static``, QDQ format, int8 weights per channel, uint8
activations, ranges calibrated on ``--calibration`` training pictures under the eval view) of
the BatchNorm-folded backbone, against the engine's torch path and the float32 ORT session:

* ms per picture at batch 32 (medians of ``--runs`` samples of 128 pictures, interleaved);
* the one-off cost of quantising (pre-processing, calibration, writing the graph);
* how far the features move: the largest difference relative to the features' scale and the
  smallest cosine similarity over the validation pictures;
* what a linear probe (scikit-learn's logistic regression, C=1) fitted on each backend's
  training features scores on its validation features.

DATA: a dataset folder with train/ and val/ (e.g. ``../shared/datasets/hymenoptera_data``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from tlgui.engine.augment import eval_transform
from tlgui.engine.backbones import build_backbone, get_info
from tlgui.engine.data import load_for_network, scan_dataset
from tlgui.engine.frozen import fold_batchnorm
from tlgui.engine.onnx_backend import OrtForward, relative_difference
from tlgui.engine.onnx_export import INPUT_NAME, export_frozen
from tlgui.process import quiet_export_warnings, tuned_for_training

BATCH = 32


def pictures(samples, info) -> tuple[torch.Tensor, torch.Tensor]:
    tf = eval_transform(info.input_size, info.mean, info.std)
    x = torch.stack([tf(load_for_network(s.path, info.input_size)) for s in samples])
    return x, torch.tensor([s.label for s in samples])


def quantise(model: bytes, calibration: torch.Tensor) -> tuple[bytes, float]:
    """``model`` quantised to int8 (QDQ), calibrated on ``calibration``; and the seconds it took."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter(calibration.split(16))

        def get_next(self):
            batch = next(self.batches, None)
            return None if batch is None else {INPUT_NAME: batch.numpy()}

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        plain, prepared, quantised = (Path(tmp) / n for n in ("f.onnx", "p.onnx", "q.onnx"))
        plain.write_bytes(model)
        quant_pre_process(str(plain), str(prepared))
        quantize_static(
            str(prepared),
            str(quantised),
            Reader(),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
        )
        return quantised.read_bytes(), time.perf_counter() - start


def features(forward, x: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return torch.cat([forward(b) for b in x.split(BATCH)]).float()


def ms_per_picture(forwards: dict, x: torch.Tensor, runs: int) -> dict[str, float]:
    sample = x[:128]
    for forward in forwards.values():
        features(forward, sample[:BATCH])  # warm-up
    times: dict[str, list[float]] = {name: [] for name in forwards}
    for _ in range(runs):
        for name, forward in forwards.items():
            start = time.perf_counter()
            features(forward, sample)
            times[name].append((time.perf_counter() - start) / len(sample) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def probe_accuracy(train: torch.Tensor, y_train, val: torch.Tensor, y_val) -> float:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=5000, C=1.0).fit(train.numpy(), y_train.numpy())
    return float(clf.score(val.numpy(), y_val.numpy()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--backbone", default="efficientnet_lite0")
    ap.add_argument("--calibration", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    quiet_export_warnings()
    info = get_info(args.backbone)
    scan = scan_dataset(args.data)
    with tuned_for_training():
        x_train, y_train = pictures(scan.splits["train"], info)
        x_val, y_val = pictures(scan.splits["val"], info)
        weights = "imagenet" if info.pretrained_available() else "none"
        torch.manual_seed(0)
        folded, _pairs = fold_batchnorm(build_backbone(args.backbone, weights))
        folded = folded.to(memory_format=torch.channels_last)
        model = export_frozen(folded, info.input_size)
        order = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(0))
        int8, seconds = quantise(model, x_train[order[: args.calibration]])
        forwards = {
            "torch": lambda b: folded(b.contiguous(memory_format=torch.channels_last)),
            "onnxruntime float32": OrtForward(model),
            "onnxruntime int8": OrtForward(int8),
        }
        speed = ms_per_picture(forwards, x_train, args.runs)
        reference = features(forwards["torch"], x_val)
        print(
            f"# {args.data}: {args.backbone} ({weights} weights), {len(x_train)} train / "
            f"{len(x_val)} val pictures, batch {BATCH}, torch {torch.__version__}, "
            f"threads {torch.get_num_threads()}; quantising took {seconds:.1f} s "
            f"({args.calibration} calibration pictures)"
        )
        for name, forward in forwards.items():
            val = features(forward, x_val)
            cosine = torch.nn.functional.cosine_similarity(val, reference).min()
            accuracy = probe_accuracy(features(forward, x_train), y_train, val, y_val)
            print(
                f"{name:20s} {speed[name]:5.2f} ms/picture ({speed['torch'] / speed[name]:.2f}x "
                f"torch)  features vs torch: max difference "
                f"{relative_difference(val, reference):.2g} of the scale, min cosine "
                f"{float(cosine):.4f}  probe val accuracy {accuracy:.4f}"
            )


if __name__ == "__main__":
    main()
