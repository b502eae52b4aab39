"""Calibrated confidence: temperature scaling recovers a known temperature and lowers the
calibration error, the ECE is the textbook one, a run stores its temperature in the bundle,
prediction and evaluation use it, and bundles without one load with temperature 1."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.helpers import make_dataset
from tlgui.engine.calibration import (
    T_MIN,
    calibrated_probabilities,
    expected_calibration_error,
    fit_temperature,
    is_unsure,
    reliability_bins,
)
from tlgui.engine.checkpoint import BundleError, load_bundle, save_bundle


def _calibrated_logits(n: int = 3000, classes: int = 5, seed: int = 0):
    """Logits whose softmax is calibrated: the labels are drawn from it."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, classes, generator=g) * 2
    labels = torch.multinomial(logits.softmax(1), 1, generator=g).squeeze(1)
    return logits, labels


@pytest.mark.parametrize("scale", [3.0, 0.4])
def test_fit_recovers_the_temperature_and_lowers_ece(scale: float) -> None:
    logits, labels = _calibrated_logits()
    skewed = logits * scale  # over- (3) or under-confident (0.4) by a known factor
    t = fit_temperature(skewed, labels)
    assert t == pytest.approx(scale, rel=0.1)
    before = expected_calibration_error(skewed.softmax(1), labels)
    after = expected_calibration_error(calibrated_probabilities(skewed, t), labels)
    assert after < 0.04 < before
    # Dividing by a positive number never changes a prediction.
    assert torch.equal(calibrated_probabilities(skewed, t).argmax(1), skewed.argmax(1))


def test_fit_edge_cases() -> None:
    # All right: no finite optimum (the likelihood rises as T shrinks), so no calibration.
    logits = torch.tensor([[2.0, 0.0]] * 8)
    labels = torch.zeros(8, dtype=torch.long)
    assert fit_temperature(logits, labels) == 1.0
    # One confident mistake in eight: a finite optimum that softens the probabilities.
    labels[0] = 1
    assert 1 < fit_temperature(logits * 10, labels) < 20
    assert fit_temperature(torch.empty(0, 3), torch.empty(0, dtype=torch.long)) == 1.0


def test_ece_and_bins_by_hand() -> None:
    # Confidences 0.95 (right), 0.95 (wrong), 0.55 (right): two bins are used.
    probs = torch.tensor([[0.95, 0.05], [0.95, 0.05], [0.45, 0.55]])
    labels = torch.tensor([0, 1, 1])
    bins = reliability_bins(probs, labels)
    assert len(bins) == 15 and sum(b["count"] for b in bins) == 3
    top = bins[14]  # (14/15, 1]
    assert top["count"] == 2 and top["accuracy"] == 0.5
    assert top["confidence"] == pytest.approx(0.95)
    assert bins[8]["count"] == 1  # 0.55 lies in (8/15, 9/15]
    expected = 2 / 3 * abs(0.5 - 0.95) + 1 / 3 * abs(1.0 - 0.55)
    assert expected_calibration_error(probs, labels) == pytest.approx(expected)
    # A confidence on a boundary goes to the bin it closes.
    edge = torch.tensor([[2 / 3, 1 / 3]])
    assert reliability_bins(edge, torch.tensor([0]))[9]["count"] == 1  # (9/15, 10/15]


def test_tta_views_average_after_scaling() -> None:
    views = torch.tensor([[[2.0, 0.0], [0.0, 0.0]]])  # one picture, two views
    t = 2.0
    expected = (torch.tensor([1.0, 0.0]).softmax(0) + torch.tensor([0.5, 0.5])) / 2
    assert torch.allclose(calibrated_probabilities(views, t)[0], expected)


def test_unsure_threshold() -> None:
    assert is_unsure(0.5, 0.6) and not is_unsure(0.6, 0.6) and not is_unsure(0.9, 0.6)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """A one-epoch lite0 transfer run on tiny pictures, with a test split; two validation
    pictures sit in the wrong class folder, so the model makes mistakes to calibrate on."""
    from tlgui.engine.augment import preset
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, fit

    root = make_dataset(tmp_path_factory.mktemp("cal") / "data", n_train=6, n_val=5, n_test=2)
    for i in range(2):
        src = root / "val" / "red" / f"red_{i:03d}.jpg"
        src.rename(root / "val" / "blue" / f"red_{i:03d}.jpg")
    config = TrainConfig(backbone="efficientnet_lite0", weights="imagenet", batch_size=8,
                         epochs=1, workers=0, augment=preset("none").to_dict(),
                         inference_backend="torch")
    scan = scan_dataset(root)
    return scan, fit(scan, config)


def test_a_run_fits_and_stores_its_temperature(trained, tmp_path: Path) -> None:
    from tlgui.engine.checkpoint import bundle_from_result
    from tlgui.engine.predict import Predictor
    from tlgui.engine.train import evaluate_bundle

    scan, result = trained
    t = result.temperature
    assert T_MIN <= t <= 20 and t != 1.0
    val = result.reports["val"]
    assert val.temperature == result.reports["test"].temperature == t
    assert val.ece is not None and val.ece <= val.ece_uncalibrated + 1e-9
    assert set(val.reliability) == {"calibrated", "uncalibrated"}
    path = tmp_path / "m.pt"
    save_bundle(bundle_from_result(result), path)
    bundle = load_bundle(path)
    assert bundle.temperature == pytest.approx(t)
    assert bundle.info()["temperature"] == pytest.approx(t)
    # Evaluation of the bundle uses the temperature: the same numbers as at the end of the run.
    again = evaluate_bundle(bundle, scan, "val", device="cpu")
    assert again.temperature == pytest.approx(t)
    assert again.ece == pytest.approx(val.ece, abs=1e-5)
    assert again.to_json()["ece_uncalibrated"] == pytest.approx(val.ece_uncalibrated, abs=1e-5)
    # Prediction reports the calibrated probabilities.
    from tlgui.engine.data import load_image

    image = load_image(scan.splits["val"][0].path)
    predictor = Predictor.from_bundle(bundle, inference_backend="torch")
    x = predictor.transform(image)[None]
    with torch.inference_mode():
        logits = predictor.model(x)
    assert torch.allclose(predictor.probabilities([image]), (logits / t).softmax(1), atol=1e-5)
    top = predictor.predict_images([image], ["a"], top_k=2, unsure_below=1.01)[0]
    assert top.unsure and top.to_json()["unsure"] is True
    assert not predictor.predict_images([image], ["a"], unsure_below=0.0)[0].unsure


def test_old_bundles_load_with_temperature_one(bundle_file: Path) -> None:
    payload = torch.load(bundle_file, weights_only=True)
    payload.pop("temperature")
    torch.save(payload, bundle_file)
    assert load_bundle(bundle_file).temperature == 1.0
    payload["temperature"] = -2.0
    torch.save(payload, bundle_file)
    with pytest.raises(BundleError, match="temperature"):
        load_bundle(bundle_file)


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    from tlgui.engine.checkpoint import Bundle

    path = tmp_path / "old.pt"
    save_bundle(Bundle("efficientnet_lite0", ["a", "b"], {"w": torch.zeros(2)}, 224,
                       [0.5] * 3, [0.5] * 3, temperature=1.7), path)
    assert load_bundle(path).temperature == 1.7
    return path
