"""Grad-CAM: right, not just running — on images whose class is decided by a small coloured
square at a random place, the heat map's peak must fall on the square."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tlgui.engine.backbones import BACKBONES, get_info
from tlgui.engine.explain import gradcam, gradcam_overlay
from tlgui.engine.model import build_model

PATCH_COLOURS = {"red": (230, 30, 30), "green": (30, 200, 40), "blue": (30, 60, 230)}
SIZE, PATCH = 160, 44


def make_patch_dataset(root: Path, n_train: int, n_val: int, seed: int = 0) -> dict:
    """Grey noise with one coloured square (the class) at a random place inside the part the
    eval centre crop keeps. Returns path -> (x0, y0) of the square."""
    rng = np.random.default_rng(seed)
    boxes = {}
    for split, n in (("train", n_train), ("val", n_val)):
        for name, colour in PATCH_COLOURS.items():
            for i in range(n):
                img = rng.integers(90, 160, (SIZE, SIZE, 1)).repeat(3, 2).astype(np.uint8)
                lo, hi = int(SIZE * 0.15), int(SIZE * 0.85) - PATCH
                x0, y0 = int(rng.integers(lo, hi)), int(rng.integers(lo, hi))
                img[y0 : y0 + PATCH, x0 : x0 + PATCH] = colour
                path = root / split / name / f"{name}_{i:02d}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(img).save(path)
                boxes[str(path)] = (x0, y0)
    return boxes


def test_heat_map_peak_falls_on_the_deciding_patch(tmp_path):
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, fit

    boxes = make_patch_dataset(tmp_path / "patches", n_train=12, n_val=4)
    scan = scan_dataset(tmp_path / "patches")
    result = fit(scan, TrainConfig(epochs=8, batch_size=8, lr_head=1e-2, workers=0,
                                   augment={"enabled": False}, patience=0))
    assert result.best_val_acc >= 0.9  # it learnt the colour of the square
    info = get_info("efficientnet_lite0")
    margin = SIZE / 14  # half a cell of the 7x7 feature map, in image pixels
    hits = []
    for sample in scan.splits["val"]:
        image = Image.open(sample.path).convert("RGB")
        overlay, (fx, fy) = gradcam_overlay(result.model, image, info.input_size, info.mean,
                                            info.std)
        assert overlay.size == (info.input_size, info.input_size)
        x0, y0 = boxes[sample.path]
        px, py = fx * SIZE, fy * SIZE
        hits.append(x0 - margin <= px <= x0 + PATCH + margin
                    and y0 - margin <= py <= y0 + PATCH + margin)
    assert sum(hits) >= 0.75 * len(hits), f"peak on the patch for {sum(hits)}/{len(hits)}"


@pytest.mark.parametrize("name", list(BACKBONES))
def test_every_backbone_gives_maps_and_leaves_the_model_alone(name):
    torch.manual_seed(0)
    model = build_model(name, 3, weights="none")
    model.freeze_backbone(True)
    model.train()
    flags = [p.requires_grad for p in model.parameters()]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(2, 3, 96, 96)
    cams = gradcam(model, x, target=[0, 2])
    assert cams.shape == (2, 96, 96)
    assert float(cams.min()) >= 0 and float(cams.max()) <= 1
    one = gradcam(model, x[0])
    assert one.shape == (96, 96)
    # Untouched: requires_grad, grads, hooks, train/eval flags, weights.
    assert [p.requires_grad for p in model.parameters()] == flags
    assert all(p.grad is None for p in model.parameters())
    assert all(not m._forward_hooks for m in model.modules())
    assert model.training and model.head.training and not model.backbone.training
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_overlay_peak_maps_back_through_the_centre_crop():
    """A wide image: the eval crop drops its sides, and the peak fraction still refers to the
    whole image."""
    model = build_model("mobilenet_v3_large", 2, weights="none").eval()
    image = Image.new("RGB", (300, 150), (120, 120, 120))
    overlay, (fx, fy) = gradcam_overlay(model, image, 224, (0.5,) * 3, (0.25,) * 3)
    assert overlay.size == (224, 224)
    # The crop keeps the central 150 px of the (resized) 300 px width: x in [0.25, 0.75].
    assert 0.25 <= fx <= 0.75 and 0 <= fy <= 1
