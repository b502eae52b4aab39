"""``tlgui export-code``: from a bundle or a run.json, both flavours; bad input is exit 2 with
one line."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tlgui.cli import main


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    import torch

    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.config import TrainConfig

    config = TrainConfig(mode="finetune", lr_head=0.002, lr_backbone=2e-5, epochs=4)
    path = tmp_path / "ants.pt"
    save_bundle(
        Bundle(
            "efficientnet_lite0",
            ["ants", "bees"],
            {"w": torch.zeros(1)},
            224,
            [0.5] * 3,
            [0.5] * 3,
            augment=dict(config.augment),
            config=config.to_dict(),
        ),
        path,
    )
    return path


def header_constants(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.targets[0].id: ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "").isupper()
    }


def test_export_code_from_a_bundle(bundle: Path, tmp_path: Path, capsys) -> None:
    for flavor in ("pytorch", "lightning"):
        out = tmp_path / f"{flavor}.py"
        assert main(["export-code", str(bundle), "--flavor", flavor, "--out", str(out)]) == 0
        consts = header_constants(out)
        assert (consts["MODE"], consts["LR_HEAD"], consts["LR_BACKBONE"]) == (
            "finetune",
            0.002,
            2e-5,
        )
        assert consts["EPOCHS"] == 4 and consts["CLASSES"] == ["ants", "bees"]
        assert ("import lightning as L" in out.read_text()) == (flavor == "lightning")
        assert "from ants.pt" in out.read_text()
    assert "training script" in capsys.readouterr().err


def test_export_code_from_a_run_json_in_japanese(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run.json"
    run.write_text(
        json.dumps({"config": {"mode": "staged", "freeze_epochs": 3}, "val_split": 0.25})
    )
    assert main(["export-code", "--config", str(run), "--lang", "ja", "--out", "-"]) == 0
    script = capsys.readouterr().out
    assert "ファインチューニング" in script and "\nFREEZE_EPOCHS = 3  #" in script
    assert "\nVAL_SPLIT = 0.25  #" in script


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either MODEL.pt or --config RUN.json"),
        (["missing.pt"], "file not found"),
        (["--config", "{settings}"], "cannot render"),
        (["{bundle}", "--config", "{settings}"], "give either"),
        (["{notbundle}"], "not a tlgui model bundle"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, bundle: Path, tmp_path: Path, capsys
) -> None:
    settings = tmp_path / "future.json"
    settings.write_text(json.dumps({"new_knob": True}))
    notbundle = tmp_path / "x.pt"
    notbundle.write_text("nope")
    names = {"settings": settings, "bundle": bundle, "notbundle": notbundle}
    argv = [a.format(**names) for a in args]
    assert main(["export-code", *argv, "--out", str(tmp_path / "t.py")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "t.py").exists()
