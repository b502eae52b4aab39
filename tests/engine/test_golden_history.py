"""Same seed, same per-epoch history: the loop's numbers are pinned to a recording.

``golden_history.json`` was recorded from the engine before the loop was split into parts
(commit 8275978); any change to the loop that changes what a run computes shows up here. To
record again after a deliberate change of the numbers, run
``TLGUI_RECORD_GOLDEN=1 pytest tests/engine/test_golden_history.py`` and say why in the commit.

Tolerance: the refactored loop may sum the same numbers in another order (float rounding), so
values are compared to 2e-4, far below a change of one picture (1/8 = 0.125 in accuracy).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import make_dataset
from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.trainer import TrainConfig, fit

GOLDEN = Path(__file__).with_name("golden_history.json")
TOLERANCE = 2e-4
BASE = dict(backbone="efficientnet_lite0", weights="imagenet", batch_size=8, workers=0,
            seed=3)
RUNS = {
    "transfer_augment": dict(mode="transfer", epochs=2, augment=preset("default").to_dict()),
    "transfer_cached": dict(mode="transfer", epochs=3, augment=preset("none").to_dict()),
    "finetune": dict(mode="finetune", epochs=2, augment=preset("default").to_dict()),
    "staged": dict(mode="staged", epochs=3, freeze_epochs=1,
                   augment=preset("default").to_dict()),
    "transfer_random_start": dict(mode="transfer", epochs=2, weights="none",
                                  augment=preset("none").to_dict()),
}
FIELDS = ("train_loss", "train_acc", "val_loss", "val_acc")


def _history(data: Path, name: str) -> dict:
    result = fit(scan_dataset(data), TrainConfig(**{**BASE, **RUNS[name]}))
    return {"epochs": [{**{f: getattr(e, f) for f in FIELDS}, "lr": list(e.lr)}
                       for e in result.history],
            "best_epoch": result.best_epoch}


@pytest.fixture(scope="module")
def golden_data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("golden") / "data", n_train=8, n_val=4)


@pytest.mark.parametrize("name", list(RUNS))
def test_same_seed_gives_the_recorded_history(golden_data: Path, name: str) -> None:
    got = _history(golden_data, name)
    if os.environ.get("TLGUI_RECORD_GOLDEN"):
        recorded = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        recorded[name] = got
        GOLDEN.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        pytest.skip("recorded")
    want = json.loads(GOLDEN.read_text())[name]
    assert got["best_epoch"] == want["best_epoch"]
    assert len(got["epochs"]) == len(want["epochs"])
    for epoch, (g, w) in enumerate(zip(got["epochs"], want["epochs"], strict=True), 1):
        for f in FIELDS:
            assert g[f] == pytest.approx(w[f], abs=TOLERANCE), (name, epoch, f)
        assert g["lr"] == pytest.approx(w["lr"], rel=1e-9), (name, epoch, "lr")
