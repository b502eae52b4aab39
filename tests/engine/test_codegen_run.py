"""Generated training scripts run: both flavours train two epochs on a tiny dataset (random
weights, 32-pixel inputs), save a model tlgui's own network can load, predict a folder and end
with ``best_val_acc=<float>``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tlgui.engine.codegen import Recipe, generate
from tlgui.engine.config import TrainConfig

# staged: one frozen epoch (with the BatchNorm calibration of a random start), then all layers
# with a new optimizer and schedule; class weights; SGD with one-cycle.
CONFIG = TrainConfig(
    backbone="resnet18",
    weights="none",
    mode="staged",
    freeze_epochs=1,
    batch_size=8,
    optimizer="sgd",
    scheduler="onecycle",
    class_weighted=True,
    workers=0,
)


def run_script(tmp_path: Path, flavor: str, data: Path) -> tuple[str, Path]:
    recipe = Recipe.from_config(CONFIG.to_dict(), "test")
    script = generate(recipe, flavor, "en")
    # The script's own knob for the input size: 32-pixel pictures keep the run short.
    script = script.replace("\nINPUT_SIZE = 224\n", "\nINPUT_SIZE = 32\n", 1)
    assert "\nINPUT_SIZE = 32\n" in script
    path = tmp_path / f"train_{flavor}.py"
    path.write_text(script, encoding="utf-8")
    out = tmp_path / f"{flavor}.pt"
    predict = data / "val" if (data / "val").is_dir() else data / "red"
    # Tiny tensors: one thread (more only spin, and slow a busy machine down).
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [
            sys.executable,
            str(path),
            str(data),
            "--epochs",
            "2",
            "--out",
            str(out),
            "--predict",
            str(predict),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, out


def check_run(stdout: str, out: Path, n_predicted: int) -> None:
    import torch

    from tlgui.engine.model import build_model

    lines = stdout.strip().splitlines()
    assert re.fullmatch(r"best_val_acc=(0|1)\.\d{4}", lines[-1]), lines[-1]
    assert [ln.split()[1] for ln in lines if ln.startswith("epoch ")] == ["1/2", "2/2"]
    assert sum("\tblue " in ln or "\tred " in ln for ln in lines) == n_predicted
    saved = torch.load(out, map_location="cpu", weights_only=True)
    assert saved["classes"] == ["blue", "red"] and saved["backbone"] == "resnet18"
    # The script's network is tlgui's: a bundle could carry these very weights.
    build_model("resnet18", 2, "none").load_state_dict(saved["state_dict"])


def test_pytorch_script_trains_saves_and_predicts(tmp_path: Path, tiny_dataset: Path) -> None:
    stdout, out = run_script(tmp_path, "pytorch", tiny_dataset)
    check_run(stdout, out, n_predicted=8)


@pytest.mark.slow  # importing lightning alone takes seconds
def test_lightning_script_trains_saves_and_predicts(tmp_path: Path, flat_dataset: Path) -> None:
    stdout, out = run_script(tmp_path, "lightning", flat_dataset)  # split by VAL_SPLIT, SEED
    check_run(stdout, out, n_predicted=10)
