"""`tlgui inspect`: the JSON contract, the training options it shares with `train`, the text
report and one-line errors. In-process (``tlgui.cli.main``): no torch start-up per call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHELSEA = Path(__file__).parents[1] / "data" / "chelsea.jpg"
CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def run_main(capsys, *args) -> tuple[int, str, str]:
    from tlgui.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_staged_with_learning_rates_and_a_picture(capsys) -> None:
    code, out, err = run_main(
        capsys,
        "inspect",
        "--backbone", "efficientnet_lite0",
        "--mode", "staged",
        "--classes", "3",
        "--lr-head", "0.01",
        "--lr-backbone", "0.0002",
        "--epochs", "5",
        "--freeze-epochs", "2",
        "--image", CHELSEA,
        "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    params = report["params"]
    assert params["total"] == params["trainable"] + params["frozen"]
    assert params["trainable"] == (1280 + 1) * 3  # phase 1: the new head only
    assert {g["name"]: g["lr"] for g in report["param_groups"]} == {"head": 0.01}
    assert sum(g["params"] for g in report["param_groups"]) == params["trainable"]
    layers = report["layers"]
    assert sum(x["params"] for x in layers) == params["total"]
    assert layers[-1] == {
        "name": "head.1",
        "type": "Linear",
        "params": 3843,
        "trainable": True,
        "group": "head",
    }
    assert not any(x["trainable"] for x in layers[:-1])
    first, second = report["phases"]
    assert (first["epochs"], second["epochs"]) == ([1, 2], [3, 5])
    assert {g["name"]: g["lr"] for g in second["param_groups"]} == {
        "backbone": 0.0002,
        "head": 0.005,
    }
    assert second["params"]["frozen"] == 0
    assert all(x["trainable"] for x in second["layers"])
    assert [s["op"] for s in report["preprocess"]][:3] == ["ToImage", "Resize", "CenterCrop"]
    assert set(report["train_preprocess"]) == {"frozen", "training"}
    assert report["postprocess"][-1] == {"op": "topk", "args": {"k": 3}}
    assert report["input"]["shape"] == [1, 3, 224, 224]
    output = report["output"]
    assert output["shape"] == [1, 3]
    assert len(output["imagenet_top5"]) == 5 and output["imagenet_top5"][0]["label"] in CATS
    assert sum(p["prob"] for p in output["head_probs"]) == pytest.approx(1.0)


def test_finetune_totals_and_text_report(capsys) -> None:
    code, out, err = run_main(
        capsys, "inspect", "--backbone", "efficientnet_lite0", "--mode", "finetune", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["params"] == {"total": 3_373_570, "trainable": 3_373_570, "frozen": 0}
    assert [g["name"] for g in report["param_groups"]] == ["backbone", "backbone", "head", "head"]
    code, text, err = run_main(capsys, "inspect", "--mode", "transfer", "--no-augment")
    assert code == 0, err
    assert "3,373,570 parameters: 2,562 train, 3,371,008 frozen" in text
    assert "Phase 1 (epochs 1-10): backbone frozen" in text
    assert "1. ToImage()" in text and "2. Resize(size=[256]" in text
    assert "Postprocessing: logits -> softmax(dim=1) -> topk(k=2)" in text


def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path: Path) -> None:
    code, _out, err = run_main(capsys, "inspect", "--image", tmp_path / "missing.jpg")
    assert code == 2 and err.count("\n") == 1 and "no such file" in err
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a picture")
    code, _out, err = run_main(capsys, "inspect", "--weights", "none", "--image", bad)
    assert code == 2 and err.count("\n") == 1 and "inspect: error" in err
    with pytest.raises(SystemExit) as exit_:
        run_main(capsys, "inspect", "--classes", "0")
    assert exit_.value.code == 2 and "at least 1" in capsys.readouterr().err
