"""``tlgui export`` on a real (random-weight) efficientnet_lite0 bundle, ``--self-test`` and
``--version``. In-process through :func:`tlgui.cli.main` (torch is loaded once for all)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tlgui import __version__
from tlgui.cli import main


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tlgui.engine.backbones import get_info
    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.model import build_model

    torch.manual_seed(0)
    info = get_info("efficientnet_lite0")
    model = build_model("efficientnet_lite0", 3, "none")
    path = tmp_path_factory.mktemp("bundle") / "colours.pt"
    save_bundle(
        Bundle(
            "efficientnet_lite0",
            ["blue", "green", "red"],
            model.state_dict(),
            info.input_size,
            list(info.mean),
            list(info.std),
            config={"dropout": 0.2},
        ),
        path,
    )
    return path


def _bundle_logits(bundle: Path, x: torch.Tensor) -> torch.Tensor:
    from tlgui.engine.checkpoint import load_bundle

    with torch.no_grad():
        return load_bundle(bundle).build_model()(x)


@pytest.fixture(scope="module")
def exported(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Both formats exported once through the CLI: ``{fmt: (exit code, stdout, file)}``."""
    folder = tmp_path_factory.mktemp("exported")
    runs = {}
    for fmt, name, extra in (
        ("onnx", "colours.onnx", []),
        ("torchscript", "colours.torchscript.pt", ["--json"]),
    ):
        out = folder / name
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["export", str(bundle), "--format", fmt, "--out", str(out), *extra])
        runs[fmt] = (code, buffer.getvalue(), out)
    return runs


def test_export_onnx_matches_the_bundle(bundle: Path, exported) -> None:
    import onnxruntime as ort

    code, stdout, out = exported["onnx"]
    assert code == 0
    line = stdout.strip()
    assert "\n" not in line and line.startswith(f"exported {out} (onnx, ")
    assert "verified with onnxruntime" in line and "on 3 inputs" in line
    meta = json.loads(Path(str(out) + ".json").read_text())
    assert meta["classes"] == ["blue", "green", "red"] and meta["backbone"] == "efficientnet_lite0"
    # Independently of the export's own check: ORT on fresh inputs against the bundle.
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(7))
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {meta["input"]["name"]: x.numpy()})
    np.testing.assert_allclose(got, _bundle_logits(bundle, x).numpy(), rtol=1e-3, atol=1e-4)


def test_export_torchscript_json(bundle: Path, exported) -> None:
    code, stdout, out = exported["torchscript"]
    assert code == 0
    result = json.loads(stdout)
    assert result["path"] == str(out) and result["format"] == "torchscript"
    assert result["max_relative_difference"] <= 1e-3 and result["runtime"].startswith("torch ")
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(8))
    torch.testing.assert_close(torch.jit.load(str(out))(x), _bundle_logits(bundle, x))


class _BatchOfOneOnly(torch.nn.Module):
    """Logits that depend on Python control flow over the batch size: a trace (batch 1)
    bakes in one branch, so the export cannot match on the 3-input check batch."""

    def __init__(self) -> None:
        super().__init__()
        self.head = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.head(x)
        return logits if x.shape[0] == 1 else logits * 2


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
def test_a_mismatching_export_is_exit_2_with_one_line_and_no_file(
    bundle: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tlgui.engine.checkpoint import Bundle

    monkeypatch.setattr(Bundle, "build_model", lambda self: _BatchOfOneOnly())
    for fmt in ("onnx", "torchscript"):
        out = tmp_path / f"m.{fmt}"
        assert main(["export", str(bundle), "--format", fmt, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "differ from the model's" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_export_input_is_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["export", str(tmp_path / "none.pt"), "--format", "onnx", "--out", "x"]) == 2
    assert "model file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["export", str(tmp_path / "none.pt"), "--format", "coreml", "--out", "x"])
    assert caught.value.code == 2


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0 and capsys.readouterr().out.strip() == f"tlgui {__version__}"


def test_self_test_passes_in_one_line(capsys) -> None:
    assert main(["--self-test"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and line.startswith("tlgui self-test passed: ")
    for part in ("tlgui ", "Python ", "torch ", "torchvision ", "onnxruntime ", "PySide6 "):
        assert part in line
    assert "backbone efficientnet_lite0 (offline ImageNet weights) on onnxruntime" in line
    assert "red -> red" in line and "blue -> blue" in line and line.rstrip().endswith(" s")


def test_self_test_failure_is_exit_1_with_one_line(capsys, monkeypatch) -> None:
    from tlgui.engine.backbones import BackboneInfo

    monkeypatch.setattr(BackboneInfo, "pretrained_available", lambda self: False)
    assert main(["--self-test"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("tlgui self-test FAILED: ") and "weights" in captured.err
