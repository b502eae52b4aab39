"""The one evaluation: a trained model or bundle on a dataset split, with and without TTA."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import torch

from tests.helpers import make_dataset
from tlgui.engine.augment import preset
from tlgui.engine.backbones import get_info
from tlgui.engine.checkpoint import bundle_from_result, load_bundle, save_bundle
from tlgui.engine.data import DatasetScan, scan_dataset
from tlgui.engine.predict import Predictor
from tlgui.engine.train import (
    Cancelled,
    CancelToken,
    UnknownClassError,
    evaluate_bundle,
    evaluate_model,
    evaluation_split,
)
from tlgui.engine.trainer import TrainConfig, fit

INFO = get_info("efficientnet_lite0")
SIZE = dict(input_size=INFO.input_size, mean=INFO.mean, std=INFO.std)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A fine-tuned model (its backbone trains, so evaluation folds BatchNorm on the CPU) and
    its bundle."""
    base = tmp_path_factory.mktemp("eval")
    root = make_dataset(base / "data", n_train=6, n_val=4, n_test=3)
    cfg = TrainConfig(
        epochs=1, mode="finetune", batch_size=4, workers=0, seed=2, augment=preset("none").to_dict()
    )
    result = fit(scan_dataset(root), cfg)
    save_bundle(bundle_from_result(result), base / "model.pt")
    return root, result, load_bundle(base / "model.pt")


class Recorder:
    def __init__(self) -> None:
        self.skipped: list = []
        self.batches: list = []

    def on_skipped(self, event) -> None:
        self.skipped.append(event)

    def on_batch_end(self, event) -> None:
        self.batches.append(event)


def test_evaluating_a_model_gives_the_runs_own_report(trained) -> None:
    root, result, _bundle = trained
    scan = scan_dataset(root)
    want = result.reports["val"]
    rec = Recorder()
    model = result.model
    model.train()
    got = evaluate_model(
        model, result.classes, scan, "val", **SIZE, device="cpu", callbacks=[rec],
        keep_samples=True, temperature=result.temperature,
    )
    assert got.n == want.n == 8 and got.accuracy == want.accuracy
    assert got.confusion_matrix == want.confusion_matrix
    assert got.loss == pytest.approx(want.loss, abs=1e-4)
    assert [s["path"] for s in got.samples] == [s["path"] for s in want.samples]
    assert got.skipped == 0 and not rec.skipped
    assert {e.phase for e in rec.batches} == {"eval"}
    assert model.training  # the caller's model is left in the mode it was in


def test_bundle_and_model_evaluations_agree_and_tta_matches_the_predictor(trained) -> None:
    root, result, bundle = trained
    scan = scan_dataset(root)
    split = evaluation_split(scan)
    assert split == "test"
    plain = evaluate_bundle(bundle, scan, split, device="cpu")
    # The temperature is the bundle's, not the module's: given, the two agree.
    same = evaluate_model(result.model, result.classes, scan, split, **SIZE, device="cpu",
                          temperature=result.temperature)
    assert (plain.accuracy, plain.n) == (same.accuracy, same.n) == (plain.accuracy, 6)
    assert plain.loss == pytest.approx(same.loss, abs=1e-5)
    tta = evaluate_bundle(bundle, scan, split, tta=True, device="cpu")
    predictor = Predictor.from_bundle(bundle, tta=True)
    samples = scan.splits[split]
    preds = predictor.predict_paths([s.path for s in samples], top_k=len(bundle.classes))
    truth = [scan.classes[s.label] for s in samples]
    accuracy = sum(p.label == t for p, t in zip(preds, truth, strict=True)) / len(samples)
    loss = sum(-math.log(dict(p.top)[t]) for p, t in zip(preds, truth, strict=True)) / len(samples)
    assert tta.accuracy == accuracy and tta.loss == pytest.approx(loss, abs=1e-5)
    assert tta.loss != pytest.approx(plain.loss, abs=1e-7)  # the mirror images count


def test_classes_are_matched_by_name(trained) -> None:
    root, result, _bundle = trained
    scan = scan_dataset(root)
    swapped = copy.deepcopy(result.model)
    with torch.no_grad():  # the same model with its two outputs in the other order
        for name in ("weight", "bias"):
            getattr(swapped.head[1], name).copy_(getattr(result.model.head[1], name).flip(0))
    want = evaluate_model(result.model, ["blue", "red"], scan, "val", **SIZE, device="cpu")
    got = evaluate_model(swapped, ["red", "blue"], scan, "val", **SIZE, device="cpu")
    assert got.classes == ["red", "blue"] and got.accuracy == want.accuracy
    assert got.loss == pytest.approx(want.loss, abs=1e-6)
    assert got.confusion_matrix == [row[::-1] for row in want.confusion_matrix[::-1]]
    with pytest.raises(UnknownClassError, match="not known to the model: red") as err:
        evaluate_model(result.model, ["blue", "green"], scan, "val", **SIZE, device="cpu")
    assert isinstance(err.value, ValueError) and "\n" not in str(err.value)


def test_unreadable_pictures_are_reported_and_counted(trained, tmp_path: Path) -> None:
    _root, _result, bundle = trained
    root = make_dataset(tmp_path / "data", n_train=2, n_val=3)
    scan = scan_dataset(root)
    broken = scan.splits["val"][0].path
    Path(broken).write_bytes(b"not a picture any more")
    rec = Recorder()
    report = evaluate_bundle(bundle, scan, "val", device="cpu", callbacks=[rec])
    assert [e.path for e in rec.skipped] == [broken]
    assert report.n == 5 and report.skipped == 1


def test_cancel_and_split_choice(trained, tmp_path: Path) -> None:
    _root, _result, bundle = trained
    token = CancelToken()
    token.cancel()
    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=2, n_val=2))
    with pytest.raises(Cancelled):
        evaluate_bundle(bundle, scan, "val", device="cpu", cancel=token)
    assert evaluation_split(scan) == "val"
    only_train = DatasetScan(scan.root, scan.classes, {"train": scan.splits["train"], "val": []})
    assert evaluation_split(only_train) == "train"
