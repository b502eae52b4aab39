"""ONNX Runtime in the engine: runs with the backbone frozen train the same with either backend,
the backend that ran is reported (event) and recorded (result, bundle, ``tlgui info``), a
mismatch falls back to torch and the run trains on, staged mode switches to torch when the
backbone starts training, and prediction gives the same answers with either backend.

Tolerance: accuracies equal, losses within 1e-3. ORT and torch sum in different orders and
ORT fuses BatchNorm into its convolutions, so features agree to about 1e-6 of their scale,
never bit-exact. With cached features the head sees those features once and losses agree to
~1e-6; with augmentation every step sees fresh ones and AdamW, which divides each gradient by
its running scale, carries the differences along, so losses drift apart by up to ~2e-4 over
two epochs here. A picture classified differently would move an accuracy by 1/8 or more.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import make_dataset
from tlgui.cli import main as cli_main
from tlgui.cli.options import build_parser, config_from_args
from tlgui.engine import onnx_backend
from tlgui.engine.augment import preset
from tlgui.engine.checkpoint import bundle_from_result, load_bundle, save_bundle
from tlgui.engine.data import list_images, load_image, scan_dataset
from tlgui.engine.events import BackendChosen, Callback
from tlgui.engine.predict import Predictor
from tlgui.engine.trainer import TrainConfig, TrainingError, fit

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

BASE = dict(backbone="efficientnet_lite0", weights="imagenet", batch_size=4, workers=0, seed=2)
LOSS_TOLERANCE = 1e-3


class Backends(Callback):
    def __init__(self) -> None:
        self.events: list[BackendChosen] = []

    def on_backend(self, event: BackendChosen) -> None:
        self.events.append(event)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("onnx") / "data", n_train=4, n_val=2, n_test=2)


def _run(data: Path, **overrides):
    backends = Backends()
    result = fit(scan_dataset(data), TrainConfig(**{**BASE, **overrides}), [backends])
    return result, backends.events


def _assert_same_history(a, b) -> None:
    assert len(a.history) == len(b.history)
    for x, y in zip(a.history, b.history, strict=True):
        assert (x.train_acc, x.val_acc) == (y.train_acc, y.val_acc)
        for name in ("train_loss", "val_loss"):
            assert getattr(x, name) == pytest.approx(getattr(y, name), abs=LOSS_TOLERANCE), name


@pytest.mark.parametrize("augmentation", ["none", "default"])
def test_same_seed_same_metrics_with_either_backend(data: Path, augmentation: str) -> None:
    """Cached features (no augmentation) and augmented batches through the frozen backbone."""
    cfg = dict(epochs=2, augment=preset(augmentation).to_dict())
    on_torch, torch_events = _run(data, inference_backend="torch", **cfg)
    on_ort, ort_events = _run(data, inference_backend="onnxruntime", **cfg)
    _assert_same_history(on_torch, on_ort)
    assert on_ort.reports["test"].accuracy == on_torch.reports["test"].accuracy
    assert [e.backend for e in torch_events] == ["torch"]
    assert torch_events[0].requested == "torch"
    # Once per frozen phase; the end's evaluation of the restored best weights may build anew.
    assert {e.backend for e in ort_events} == {"onnxruntime"}
    assert "matched torch" in ort_events[0].reason
    assert on_torch.inference_backend["name"] == "torch"
    assert on_ort.inference_backend == {
        "name": "onnxruntime",
        "requested": "onnxruntime",
        "reason": ort_events[-1].reason,
    }


def test_the_backend_that_ran_is_in_the_bundle_and_info(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result, _events = _run(data, epochs=1, augment=preset("none").to_dict())
    path = tmp_path / "model.pt"
    save_bundle(bundle_from_result(result), path)
    bundle = load_bundle(path)
    assert bundle.config["inference_backend"] == "auto"
    ran = bundle.metrics["inference_backend"]
    assert ran["name"] == "onnxruntime" and ran["requested"] == "auto"
    assert cli_main(["info", str(path)]) == 0
    assert "inference:  onnxruntime (auto: matched torch" in capsys.readouterr().out
    assert cli_main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["inference_backend"] == ran
    # A bundle from before the setting existed loads and prints without it.
    del bundle.metrics["inference_backend"]
    bundle.config.pop("inference_backend")
    save_bundle(bundle, path)
    assert cli_main(["info", str(path)]) == 0
    assert "inference:" not in capsys.readouterr().out


def test_a_mismatch_falls_back_to_torch_and_trains_on(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_backend, "relative_difference", lambda ours, reference: 0.5)
    result, events = _run(data, epochs=2, augment=preset("none").to_dict())
    assert len(result.history) == 2
    assert [e.backend for e in events][:1] == ["torch"]
    assert events[0].reason.startswith("fell back to torch: output differs from torch's")
    assert result.inference_backend["name"] == "torch"
    assert "fell back" in result.inference_backend["reason"]
    with pytest.raises(TrainingError, match="cannot run the backbone on onnxruntime"):
        _run(data, epochs=1, inference_backend="onnxruntime", augment=preset("none").to_dict())


def test_staged_mode_runs_the_frozen_phase_on_onnxruntime_then_torch(data: Path) -> None:
    result, events = _run(
        data, mode="staged", epochs=2, freeze_epochs=1, augment=preset("none").to_dict()
    )
    assert [e.backend for e in events] == ["onnxruntime", "torch"]
    assert "the backbone trains" in events[1].reason
    assert result.inference_backend["name"] == "onnxruntime"  # what the frozen phase ran


def test_finetune_records_that_no_frozen_pass_ran(data: Path) -> None:
    result, events = _run(data, mode="finetune", epochs=1, augment=preset("none").to_dict())
    assert events == []
    assert result.inference_backend == {
        "name": "torch",
        "requested": "auto",
        "reason": "no frozen-backbone pass",
    }


def test_cli_option_parses_and_is_validated(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    args = parser.parse_args(["train", "DATA", "--out", "m.pt", "--inference-backend", "torch"])
    assert config_from_args(args).inference_backend == "torch"
    args = parser.parse_args(["lr-find", "DATA"])
    assert config_from_args(args).inference_backend == "auto"
    args = parser.parse_args(["predict", "m.pt", "x.jpg", "--inference-backend", "onnxruntime"])
    assert args.inference_backend == "onnxruntime"
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["train", "DATA", "--inference-backend", "tensorrt"])
    assert exc.value.code == 2
    assert "--inference-backend" in capsys.readouterr().err
    with pytest.raises(ValueError, match="inference backend must be one of"):
        TrainConfig(inference_backend="tensorrt").validate()


def test_predict_gives_the_same_answers_with_either_backend(data: Path) -> None:
    result, _events = _run(data, epochs=1, augment=preset("none").to_dict())
    bundle = bundle_from_result(result)
    files = list_images([data / "val", data / "test"])
    on_torch = Predictor.from_bundle(bundle, inference_backend="torch").predict_paths(files)
    ort = Predictor.from_bundle(bundle, inference_backend="onnxruntime")
    on_ort = ort.predict_paths(files)
    assert ort.backend is not None and ort.backend.name == "onnxruntime"
    assert [p.label for p in on_ort] == [p.label for p in on_torch]
    for a, b in zip(on_ort, on_torch, strict=True):
        assert a.prob == pytest.approx(b.prob, abs=1e-4)
    # auto: a single picture runs on torch at once; the first folder-sized batch builds ORT.
    auto = Predictor.from_bundle(bundle)
    single = auto.predict_images([load_image(files[0])], [files[0]])
    assert auto.backend is None and single[0].label == on_torch[0].label
    assert [p.label for p in auto.predict_paths(files)] == [p.label for p in on_torch]
    assert auto.backend is not None and auto.backend.name == "onnxruntime"
    # Test-time augmentation runs the mirrored pictures through the same backbone forward.
    tta_torch = Predictor.from_bundle(bundle, tta=True, inference_backend="torch")
    tta_ort = Predictor.from_bundle(bundle, tta=True, inference_backend="onnxruntime")
    for a, b in zip(tta_ort.predict_paths(files), tta_torch.predict_paths(files), strict=True):
        assert a.label == b.label and a.prob == pytest.approx(b.prob, abs=1e-4)


@pytest.mark.parametrize("tta", [False, True])
def test_evaluating_a_trained_model_runs_its_backbone_on_onnxruntime(
    data: Path, tta: bool
) -> None:
    """A trained model's weights do not change during an evaluation, so its backbone (frozen
    or fine-tuned) takes the no-gradient path; the report equals torch's to float rounding."""
    from tlgui.engine.train import evaluate_bundle

    result, _events = _run(data, mode="finetune", epochs=1, augment=preset("none").to_dict())
    bundle = bundle_from_result(result)
    scan = scan_dataset(data)
    reports, chosen = {}, {}
    for backend in ("torch", "onnxruntime"):
        listener = Backends()
        reports[backend] = evaluate_bundle(
            bundle, scan, "val", tta=tta, inference_backend=backend, callbacks=[listener]
        )
        chosen[backend] = [e.backend for e in listener.events]
    assert chosen == {"torch": ["torch"], "onnxruntime": ["onnxruntime"]}
    a, b = reports["torch"], reports["onnxruntime"]
    assert a.accuracy == b.accuracy and a.confusion_matrix == b.confusion_matrix
    assert abs(a.loss - b.loss) < 1e-4
