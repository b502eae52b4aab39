#!/usr/bin/env bash
# The GPU check, sized to finish in under 5 minutes on one GPU; installs nothing.
# For tlgui's engine and bench_train.py's plain recipe (the PyTorch tutorial) on hymenoptera:
# images/s, GPU utilisation (nvidia-smi, sampled every 200 ms), best val accuracy and the
# engine/recipe ratios; with two GPUs visible, also the engine under torchrun (2 processes,
# DDP). The work is in benchmarks/gpu_check.py.
#
#   bash benchmarks/bench_gpu.sh --prepare      # here: copy the data into ./.benchdata (ignored)
#   bash benchmarks/bench_gpu.sh                # on the GPU machine (carry .benchdata there)
#   BENCH_DRY_RUN=1 bash benchmarks/bench_gpu.sh   # a tiny CPU version (generated pictures,
#                                                  # 1 epoch, DDP on gloo): checks it starts
#
# resnet18 has no offline ImageNet weights on these machines: both sides start from random
# weights (weights=none), so the figures compare speed; accuracies compare the two recipes from
# the same start. Env: DATA (default .benchdata/hymenoptera_data), DEVICE (cuda), CONFIG
# (r18-ft: resnet18 fine-tune with augmentation), EPOCHS (5), BATCH (32), REPLICATE (4: the
# train set 4 times, as symlinks, so start-up does not dominate), DDP (auto|force|off).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--prepare" ]]; then
    mkdir -p .benchdata
    cp -r ../shared/datasets/hymenoptera_data .benchdata/
    grep -qx '/.benchdata/' .git/info/exclude 2>/dev/null || echo '/.benchdata/' >> .git/info/exclude
    du -sh .benchdata
    exit 0
fi
PY=$(command -v python3 || command -v python)
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
if [[ -n "${BENCH_DRY_RUN:-}" ]]; then
    DATA=$(mktemp -d)/tiny
    "$PY" - "$DATA" <<'EOF'
import random, sys
from pathlib import Path
from PIL import Image
root = Path(sys.argv[1])
for ci, (name, rgb) in enumerate((("red", (200, 40, 40)), ("blue", (40, 60, 200)))):
    for split, n in (("train", 8), ("val", 4)):
        for i in range(n):
            rng = random.Random(ci * 100 + i + (50 if split == "val" else 0))
            colour = tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in rgb)
            (root / split / name).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (64, 64), colour).save(root / split / name / f"{i}.jpg")
EOF
    DEVICE=cpu EPOCHS=${EPOCHS:-1} BATCH=${BATCH:-4} DDP=${DDP:-force} REPLICATE=
    echo "DRY RUN on the CPU with generated pictures: it checks that the script starts and"
    echo "every part runs; its figures say nothing about a GPU."
fi
DATA=${DATA:-.benchdata/hymenoptera_data}
DEVICE=${DEVICE:-cuda}
REPLICATE=${REPLICATE-4}
if [[ -n "$REPLICATE" && "$REPLICATE" != 1 ]]; then
    BIG=$(mktemp -d)/x$REPLICATE  # the same photos REPLICATE times (symlinks); val unchanged
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
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
fi
"$PY" -c "import os, torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'cpus', os.cpu_count(), torch.cuda.get_device_name() if torch.cuda.is_available() else 'no cuda')"
exec "$PY" benchmarks/gpu_check.py "$DATA" --device "$DEVICE" --config "${CONFIG:-r18-ft}" \
    --epochs "${EPOCHS:-5}" --batch-size "${BATCH:-32}" --ddp "${DDP:-auto}"
