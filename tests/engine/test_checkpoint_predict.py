"""Model bundle round trip and refusal; Predictor on images, paths and folders; CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from tests.helpers import make_image
from tlgui.engine.augment import preset
from tlgui.engine.checkpoint import (
    FORMAT_VERSION,
    BundleError,
    bundle_from_result,
    load_bundle,
    save_bundle,
)
from tlgui.engine.data import scan_dataset
from tlgui.engine.predict import Predictor, write_csv
from tlgui.engine.trainer import TrainConfig, fit


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from tests.helpers import make_dataset

    root = make_dataset(tmp_path_factory.mktemp("d") / "data", n_train=8, n_val=4)
    cfg = TrainConfig(epochs=3, batch_size=8, workers=0, lr_head=3e-3,
                      augment=preset("none").to_dict())
    return root, fit(scan_dataset(root), cfg)


def test_bundle_round_trip(trained, tmp_path: Path) -> None:
    _root, result = trained
    path = tmp_path / "m.pt"
    save_bundle(bundle_from_result(result), path)
    b = load_bundle(path)
    assert b.classes == ["blue", "red"] and b.backbone == "efficientnet_lite0"
    assert b.format_version == FORMAT_VERSION and b.input_size == 224
    assert len(b.history) == 3 and b.metrics["val"]["n"] == 8
    assert b.config["epochs"] == 3 and b.augment == preset("none").to_dict()
    model = b.build_model()
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        assert torch.allclose(model(x), result.model.eval()(x), atol=1e-5)
    info = b.info()
    assert "state_dict" not in info and info["parameters"] > 1_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp file left behind


def test_not_a_bundle_and_newer_format_are_refused(trained, tmp_path: Path) -> None:
    _root, result = trained
    plain = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(2)}, plain)
    with pytest.raises(BundleError, match="not a tlgui model bundle"):
        load_bundle(plain)
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(BundleError, match="not a tlgui model bundle"):
        load_bundle(tmp_path / "text.pt")
    newer = bundle_from_result(result)
    newer.format_version = FORMAT_VERSION + 1
    save_bundle(newer, tmp_path / "newer.pt")
    with pytest.raises(BundleError, match="newer tlgui"):
        load_bundle(tmp_path / "newer.pt")
    with pytest.raises(BundleError, match="not found"):
        load_bundle(tmp_path / "missing.pt")


def test_predictor_top_k_paths_folders_and_csv(trained, tmp_path: Path) -> None:
    root, result = trained
    save_bundle(bundle_from_result(result), tmp_path / "m.pt")
    predictor = Predictor.from_bundle(load_bundle(tmp_path / "m.pt"), batch_size=3)
    red = make_image(tmp_path / "new" / "r.jpg", (200, 40, 40), seed=99)
    (tmp_path / "new" / "broken.jpg").write_text("nope")
    preds = predictor.predict_paths([red, root / "val" / "blue", tmp_path / "new"], top_k=2)
    assert len(preds) == 1 + 4 + 2
    assert preds[0].label == "red" and len(preds[0].top) == 2
    assert abs(sum(p for _, p in preds[0].top) - 1.0) < 1e-5
    assert all(p.label == "blue" for p in preds[1:5])
    broken = next(p for p in preds if p.path.endswith("broken.jpg"))
    assert broken.error and broken.top == ()
    write_csv(preds, tmp_path / "out.csv", top_k=2)
    with open(tmp_path / "out.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7 and rows[0]["label"] == "red" and rows[0]["label_2"] == "blue"
    tta = Predictor.from_bundle(load_bundle(tmp_path / "m.pt"), tta=True)
    assert tta.predict_paths([red])[0].label == "red"
