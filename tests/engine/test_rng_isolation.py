"""A run gives the same numbers whether or not the augmentation preview renders meanwhile, and
whether its augmented pictures are made on a loading thread or in a DataLoader worker.

The preview reseeds torch's global generator on a pool thread of the app while an in-process
run draws from it; each augmented picture is seeded by its pass (tlgui/engine/rng.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from PIL import Image

from tests.helpers import make_dataset
from tlgui.engine import augment
from tlgui.engine.data import scan_dataset
from tlgui.engine.trainer import TrainConfig, Trainer


@pytest.fixture
def config() -> TrainConfig:
    return TrainConfig(backbone="efficientnet_lite0", weights="imagenet", batch_size=4,
                       workers=0, epochs=2, mode="transfer",
                       augment=augment.preset("default").to_dict())


def _fit(root: Path, config: TrainConfig, previews: bool = False) -> tuple[list, int]:
    stop, rendered = threading.Event(), []

    def keep_previewing() -> None:
        picture = Image.new("RGB", (300, 300), (120, 30, 200))
        spec = augment.preset("strong")
        while not stop.is_set():
            augment.preview(picture, spec, n=2, seed=7, size=64)
            rendered.append(1)

    thread = threading.Thread(target=keep_previewing, daemon=True)
    if previews:
        thread.start()
    try:
        result = Trainer(scan_dataset(root), config).fit()
    finally:
        stop.set()
        if previews:
            thread.join(timeout=60)
    return [(e.train_loss, e.val_acc) for e in result.history], len(rendered)


def test_a_preview_rendering_during_a_run_does_not_change_it(tmp_path, config) -> None:
    root = make_dataset(tmp_path / "data", n_train=8, n_val=2)
    alone, _ = _fit(root, config, previews=False)
    beside, rendered = _fit(root, config, previews=True)
    assert rendered > 0  # the preview really ran during the run
    assert beside == alone


def test_the_augmented_pictures_do_not_depend_on_where_they_are_made(tmp_path, config) -> None:
    root = make_dataset(tmp_path / "data", n_train=8, n_val=2)
    in_process, _ = _fit(root, config)  # a batch ahead on the loading thread
    in_a_worker, _ = _fit(root, replace(config, workers=1))
    assert in_a_worker == in_process


def test_the_preview_is_the_same_for_its_seed_and_leaves_the_generator_as_it_was() -> None:
    picture = Image.new("RGB", (120, 90), (10, 200, 60))
    spec = augment.preset("strong")
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = [t.tobytes() for t in augment.preview(picture, spec, n=3, seed=5, size=48)]
    assert torch.equal(torch.get_rng_state(), before)
    again = [t.tobytes() for t in augment.preview(picture, spec, n=3, seed=5, size=48)]
    assert first == again
