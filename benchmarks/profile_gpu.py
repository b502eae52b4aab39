"""Where a steady GPU epoch's time goes, and what the engine's GPU switches change.

    python benchmarks/profile_gpu.py DATA [--backbone resnet18] [--mode finetune] [--epochs 4]

Trains with the engine's defaults (augmentation "default", batch 32) and profiles epoch 3
(decoding and warm-up are over by then) with ``torch.profiler``: the ops that cost the most
host time and device time, the host-device synchronisations counted, and host vs device busy
time. A host time close to the epoch time with a much smaller device time means the GPU waits
for the CPU to queue work (launch-bound), which no faster kernel fixes. Then the same run with
each switch flipped (AMP off, ``cudnn.benchmark`` on) prints its per-epoch seconds.
"""

from __future__ import annotations

import argparse
import dataclasses

import torch
from torch.profiler import ProfilerActivity, profile

from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.events import Callback
from tlgui.engine.trainer import TrainConfig, Trainer

SYNC_OPS = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize",
            "cudaMemcpyAsync", "cudaMemcpy")


class _ProfileEpoch(Callback):
    def __init__(self, epoch: int) -> None:
        self.epoch, self.prof = epoch, None

    def on_epoch_start(self, event) -> None:
        if event.epoch == self.epoch:
            self.prof = profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
            self.prof.__enter__()

    def on_epoch_end(self, event) -> None:
        if event.epoch == self.epoch and self.prof is not None:
            torch.cuda.synchronize()
            self.prof.__exit__(None, None, None)
            self.seconds = event.seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--backbone", default="resnet18")
    ap.add_argument("--weights", default="none")
    ap.add_argument("--mode", default="finetune")
    ap.add_argument("--epochs", type=int, default=4)
    args = ap.parse_args()
    scan = scan_dataset(args.data)
    config = TrainConfig(backbone=args.backbone, weights=args.weights, mode=args.mode,
                         epochs=args.epochs, device="cuda", patience=0,
                         augment=preset("default").to_dict())
    probe = _ProfileEpoch(3)
    Trainer(scan, config, [probe]).fit()
    events = probe.prof.key_averages()
    print(events.table(sort_by="self_cpu_time_total", row_limit=18))
    print(events.table(sort_by="self_device_time_total", row_limit=12))
    host = sum(e.self_cpu_time_total for e in events) / 1e6
    device = sum(e.self_device_time_total for e in events) / 1e6
    syncs = {e.key: e.count for e in events if e.key in SYNC_OPS}
    print(f"epoch 3: {probe.seconds:.3f} s wall, host ops {host:.3f} s, device kernels "
          f"{device:.3f} s; sync/copy calls {syncs}")

    variants = {"defaults": {}, "amp off": {"amp": False}}
    for name, change in variants.items():
        result = Trainer(scan, dataclasses.replace(config, **change)).fit()
        print(f"{name:16s} epochs {[round(e.seconds, 3) for e in result.history]} s")
    torch.backends.cudnn.benchmark = True
    result = Trainer(scan, config).fit()
    print(f"{'cudnn.benchmark':16s} epochs {[round(e.seconds, 3) for e in result.history]} s")


if __name__ == "__main__":
    main()
