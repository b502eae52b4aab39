"""The CLI's calibrated confidence: ``predict`` reports probabilities with the bundle's
temperature and ``"unsure"``, ``evaluate --json`` adds ``ece`` and ``ece_uncalibrated``,
``info`` shows the temperature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.helpers import make_dataset

TEMPERATURE = 2.5


@pytest.fixture(scope="module")
def model_and_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An untrained two-class bundle (random head) with a temperature, and a tiny dataset."""
    from tlgui.engine.backbones import get_info
    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.model import build_model

    tmp = tmp_path_factory.mktemp("calcli")
    torch.manual_seed(0)
    model = build_model("efficientnet_lite0", 2, "none")
    with torch.no_grad():
        model.head[-1].weight.mul_(50)  # confident (overconfident) random answers
    info = get_info("efficientnet_lite0")
    path = tmp / "m.pt"
    save_bundle(Bundle("efficientnet_lite0", ["blue", "red"], model.state_dict(), 224,
                       list(info.mean), list(info.std), config={"dropout": 0.2},
                       temperature=TEMPERATURE), path)
    return path, make_dataset(tmp / "data", n_train=1, n_val=3)


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    from tlgui.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_predict_uses_the_temperature_and_says_unsure(capsys, model_and_data) -> None:
    from tlgui.engine.checkpoint import load_bundle
    from tlgui.engine.data import load_image
    from tlgui.engine.predict import Predictor

    model, data = model_and_data
    image = sorted((data / "val" / "red").iterdir())[0]
    code, out, err = _run(capsys, "predict", model, image, "--json", "--unsure-below", "1")
    assert code == 0, err
    row = json.loads(out)[0]
    assert row["unsure"] is True  # every probability is below 1
    # The probabilities are those of the logits divided by the bundle's temperature.
    predictor = Predictor.from_bundle(load_bundle(model), inference_backend="torch")
    x = predictor.transform(load_image(str(image)))[None]
    with torch.inference_mode():
        expected = (predictor.model(x) / TEMPERATURE).softmax(1)[0]
    assert row["top"][0]["prob"] == pytest.approx(float(expected.max()), abs=1e-4)
    code, out, _ = _run(capsys, "predict", model, image, "--json", "--unsure-below", "0")
    assert json.loads(out)[0]["unsure"] is False
    code, out, _ = _run(capsys, "predict", model, image, "--unsure-below", "1")
    assert "not sure: " in out
    with pytest.raises(SystemExit) as exit_info:
        _run(capsys, "predict", model, image, "--unsure-below", "1.5")
    assert exit_info.value.code == 2 and "between 0 and 1" in capsys.readouterr().err


def test_evaluate_json_has_both_eces_and_info_the_temperature(capsys, model_and_data) -> None:
    model, data = model_and_data
    code, out, err = _run(capsys, "evaluate", model, data, "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["temperature"] == TEMPERATURE
    assert 0 <= rep["ece"] <= 1 and 0 <= rep["ece_uncalibrated"] <= 1
    assert rep["ece"] != rep["ece_uncalibrated"]
    assert len(rep["reliability"]["calibrated"]) == 15
    code, out, _ = _run(capsys, "evaluate", model, data)
    assert code == 0 and "ECE" in out
    code, out, _ = _run(capsys, "info", model)
    assert code == 0 and f"temperature {TEMPERATURE:g}" in out
    code, out, _ = _run(capsys, "info", model, "--json")
    assert json.loads(out)["temperature"] == TEMPERATURE
