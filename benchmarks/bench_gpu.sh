#!/usr/bin/env bash
# The GPU comparison in one short script: plain recipe vs engine (AMP bf16, channels_last,
# pictures decoded once into the device-side ImageBank, augmentation batched on the GPU).
#
#   bash benchmarks/bench_gpu.sh --prepare   # here: copy the data into ./.benchdata (ignored)
#   bash benchmarks/bench_gpu.sh             # on the GPU machine (carry .benchdata there)
#
# resnet18 has no offline ImageNet weights on these machines: both sides start from random
# weights (weights=none), so the figures compare speed; accuracies only compare the two recipes
# from the same start. Env: DATA (default .benchdata/hymenoptera_data), DEVICE (default cuda),
# EPOCHS (5), RUNS (3), CONFIGS ("r18-ft r18-aug"), REPLICATE (train set N times, symlinks).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--prepare" ]]; then
    mkdir -p .benchdata
    cp -r ../shared/datasets/hymenoptera_data .benchdata/
    grep -qx '/.benchdata/' .git/info/exclude 2>/dev/null || echo '/.benchdata/' >> .git/info/exclude
    du -sh .benchdata
    exit 0
fi
DATA=${DATA:-.benchdata/hymenoptera_data}
DEVICE=${DEVICE:-cuda}
if [[ -n "${REPLICATE:-}" ]]; then
    # A bigger training set (the same photos REPLICATE times, as symlinks; val unchanged), so
    # the one-off costs of a run (CUDA warm-up, decoding) stop dominating the comparison.
    BIG=$(dirname "$DATA")/x$REPLICATE
    rm -rf "$BIG"
    for d in "$DATA"/train/*/; do
        c=$(basename "$d")
        mkdir -p "$BIG/train/$c"
        for k in $(seq "$REPLICATE"); do
            for f in "$d"*; do ln -s "$(realpath "$f")" "$BIG/train/$c/${k}_$(basename "$f")"; done
        done
    done
    ln -s "$(realpath "$DATA/val")" "$BIG/val"
    DATA=$BIG
fi
PY=$(command -v python3 || command -v python)
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
if [[ "$DEVICE" == cuda ]]; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
fi
"$PY" -c "import os, torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'cpus', os.cpu_count(), torch.cuda.get_device_name() if torch.cuda.is_available() else 'no cuda')"
# A short engine run first: a broken GPU path fails here in seconds, not after the baselines.
DATA="$DATA" DEVICE="$DEVICE" "$PY" - <<'EOF'
import os
from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.trainer import TrainConfig, Trainer
scan = scan_dataset(os.environ["DATA"])
for mode in ("finetune", "transfer"):
    t = Trainer(scan, TrainConfig(backbone="resnet18", weights="none", mode=mode, epochs=2,
                                  device=os.environ["DEVICE"], patience=0,
                                  augment=preset("default").to_dict()))
    r = t.fit()
    bank = getattr(t, "_bank", None)
    print(f"smoke {mode}: epochs {[round(e.seconds, 3) for e in r.history]} s, "
          f"bank decode {bank.seconds if bank else float('nan'):.3f} s, "
          f"val acc {[round(e.val_acc, 3) for e in r.history]}", flush=True)
EOF
# shellcheck disable=SC2086
"$PY" benchmarks/bench_train.py "$DATA" --device "$DEVICE" --epochs "${EPOCHS:-5}" \
    --runs "${RUNS:-3}" --configs ${CONFIGS:-r18-ft r18-aug} --impls baseline engine \
    --json "${OUT:-/tmp}/bench_gpu.json"
