"""Model export (TorchScript, ONNX): the files, their sidecar, the check on sample inputs, and
the README's snippets that use an export without tlgui. A tiny module stands in for a
backbone (the CLI tests export a real efficientnet_lite0 bundle)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from tlgui.engine.export import (
    INPUT_NAME,
    OUTPUT_NAME,
    SAMPLE_INPUTS,
    ExportError,
    ModelCard,
    describe_eval_transform,
    export_model,
    sample_inputs,
    sidecar_path,
)

ROOT = Path(__file__).resolve().parents[2]
CARD = ModelCard(
    "tiny", ("ants", "bees", "wasps"), 32, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), 1.7
)


class Tiny(nn.Module):
    """Normalised (N, 3, 32, 32) batch -> (N, 3) logits, with a BatchNorm and a dropout (so
    eval mode matters)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(8, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class BatchOfOneOnly(Tiny):
    """Python control flow on the batch size: a trace (batch 1) bakes in the wrong branch."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits if x.shape[0] == 1 else logits * 2


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    return {
        fmt: Path(export_model(Tiny(), CARD, fmt, folder / f"model.{fmt}").path)
        for fmt in ("onnx", "torchscript")
    }


def _photo(path: Path) -> Path:
    """A non-square picture with detail everywhere (resize and crop both matter)."""
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(45, 70, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def test_each_format_matches_the_model_and_gets_its_sidecar(exports) -> None:
    inputs = sample_inputs(CARD)
    with torch.no_grad():
        expected = Tiny().eval()(inputs)
    for fmt, path in exports.items():
        meta = json.loads(sidecar_path(path).read_text())
        assert sidecar_path(path).name == path.name + ".json"
        assert meta["model_format"] == fmt and meta["model_file"] == path.name
        assert meta["classes"] == list(CARD.classes) and meta["input_size"] == 32
        assert meta["preprocess"]["resize"] == round(32 * 256 / 224)
        assert meta["preprocess"]["center_crop"] == [32, 32]
        assert meta["mean"] == pytest.approx(CARD.mean) and meta["std"] == pytest.approx(CARD.std)
        assert meta["temperature"] == 1.7
        assert meta["verification"]["inputs"] == SAMPLE_INPUTS
        assert meta["verification"]["max_relative_difference"] <= 1e-3
        if fmt == "onnx":
            import onnxruntime as ort

            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            assert [i.name for i in session.get_inputs()] == [meta["input"]["name"]] == [INPUT_NAME]
            assert [o.name for o in session.get_outputs()] == [OUTPUT_NAME]
            (got,) = session.run(None, {INPUT_NAME: inputs[:2].numpy()})  # any batch size
            np.testing.assert_allclose(got, expected[:2].numpy(), rtol=1e-4, atol=1e-5)
        else:
            loaded = torch.jit.load(str(path))
            torch.testing.assert_close(loaded(inputs), expected)


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")  # the point of the module
def test_an_export_that_does_not_match_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    for fmt in ("onnx", "torchscript"):
        with pytest.raises(ExportError, match="differ from the model's") as caught:
            export_model(BatchOfOneOnly(), CARD, fmt, tmp_path / f"m.{fmt}")
        assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        export_model(Tiny(), CARD, "coreml", tmp_path / "m")
    with pytest.raises(ExportError, match="two classes"):
        export_model(Tiny(), ModelCard("tiny", ("a",), 32, CARD.mean, CARD.std), "onnx", tmp_path)


def test_the_exported_models_own_copy_leaves_the_callers_model_as_it_was(tmp_path) -> None:
    model = Tiny().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    export_model(model, CARD, "torchscript", tmp_path / "m.pt")
    assert model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])


def test_the_described_preprocessing_is_the_eval_transform(tmp_path: Path) -> None:
    """Resizing and cropping with PIL and numpy as the sidecar says gives the transform's
    tensor: the description is read off the transform, and this keeps it honest. To one level
    of 255: tlgui resamples with torch's uint8 kernels, a program following the sidecar with
    PIL's, and the two round differently."""
    rule = describe_eval_transform(CARD)
    image = Image.open(_photo(tmp_path / "p.png")).convert("RGB")
    w, h, side = image.width, image.height, rule["resize"]  # the shorter side -> side
    size = (side, int(side * h / w)) if w <= h else (int(side * w / h), side)
    image = image.resize(size, Image.Resampling.BILINEAR)
    crop = rule["center_crop"][0]
    left, top = round((image.width - crop) / 2), round((image.height - crop) / 2)
    x = np.asarray(image.crop((left, top, left + crop, top + crop)), np.float32) / 255
    x = ((x - rule["mean"]) / rule["std"]).transpose(2, 0, 1).astype(np.float32)
    expected = CARD.eval_transform()(Image.open(tmp_path / "p.png").convert("RGB"))
    one_level = 1 / 255 / min(rule["std"])
    np.testing.assert_allclose(x, expected.numpy(), rtol=0, atol=one_level + 1e-5)


def _readme_snippets() -> dict[str, str]:
    """The Python blocks of README's "Use your model without tlgui" section, by format."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use your model without tlgui", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return {"onnx" if "onnxruntime" in b else "torchscript": b for b in blocks}


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_the_readme_snippet_runs_and_agrees_with_the_model(
    fmt: str, exports, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snippet = _readme_snippets()[fmt]
    assert len(snippet.strip().splitlines()) <= 14
    target = {"onnx": "model.onnx", "torchscript": "model.torchscript.pt"}[fmt]
    (tmp_path / target).write_bytes(exports[fmt].read_bytes())
    (tmp_path / (target + ".json")).write_text(sidecar_path(exports[fmt]).read_text())
    photo = _photo(tmp_path / "photo.jpg")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, f"README {fmt} snippet", "exec"), {"__name__": "__main__"})
    label, prob = out.getvalue().split()
    with torch.no_grad():
        expected = Tiny().eval()(CARD.eval_transform()(Image.open(photo).convert("RGB"))[None])
    probs = (expected / CARD.temperature).softmax(1)[0]  # calibrated, as tlgui shows them
    assert label == CARD.classes[int(probs.argmax())]
    assert float(prob) == pytest.approx(float(probs.max()), abs=1e-3)


def test_exports_from_two_threads_take_turns() -> None:
    """torch's ONNX exporter refuses to start while another export runs in the process; a
    prediction's backend check and File ▸ Export may export at once."""
    from concurrent.futures import ThreadPoolExecutor

    from tlgui.engine.onnx_backend import export_frozen

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _i: export_frozen(Tiny(), 32), range(4)))
    assert all(len(r) > 0 for r in results)
