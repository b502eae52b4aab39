"""The command-line contract of ARCHITECTURE.md, run as a user would (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_dataset, make_image


def tlgui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlgui", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    data = make_dataset(tmp / "data", n_train=8, n_val=4, n_test=2)
    (data / "train" / "red" / "broken.jpg").write_text("not a picture")
    out = tmp / "model.pt"
    run = tlgui("train", data, "--out", out, "--epochs", "2", "--batch-size", "8",
                "--lr-head", "3e-3", "--no-augment", "--jsonl")
    return tmp, data, out, run


def test_train_jsonl_contract(trained) -> None:
    _tmp, _data, out, run = trained
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    kinds = [line["event"] for line in lines]
    # One "backend" line (what ran the frozen backbone) before the first epoch.
    assert kinds.count("backend") == 1 and kinds.index("backend") < kinds.index("epoch")
    backend = lines[kinds.index("backend")]
    assert backend["backend"] in ("torch", "onnxruntime") and backend["requested"] == "auto"
    assert backend["reason"]
    lines = [line for line in lines if line["event"] != "backend"]
    kinds = [line["event"] for line in lines]
    assert kinds == ["run", "skipped", "epoch", "epoch", "done"]
    assert Path(lines[0]["run_dir"]).is_dir()
    assert lines[1]["path"].endswith("broken.jpg") and "not an image" in lines[1]["reason"]
    epoch = lines[2]
    assert {"epoch", "epochs", "train_loss", "train_acc", "val_loss", "val_acc", "lr",
            "seconds"} <= set(epoch)
    assert epoch["epoch"] == 1 and epoch["epochs"] == 2 and isinstance(epoch["lr"], list)
    done = lines[-1]
    assert done["checkpoint"] == str(out) and out.is_file()
    assert {"best_epoch", "best_val_acc", "stopped_early"} <= set(done)
    assert done["skipped"] == 1


def test_predict_json_and_csv(trained) -> None:
    tmp, data, out, _run = trained
    img = make_image(tmp / "new_red.jpg", (200, 40, 40), seed=123)
    run = tlgui("predict", out, img, data / "val" / "blue", "--json", "--top-k", "2",
                "--csv", tmp / "p.csv")
    assert run.returncode == 0, run.stderr
    preds = json.loads(run.stdout)
    assert len(preds) == 1 + 4
    assert preds[0]["path"] == str(img) and preds[0]["top"][0]["label"] == "red"
    assert len(preds[0]["top"]) == 2 and 0 <= preds[0]["top"][0]["prob"] <= 1
    assert (tmp / "p.csv").read_text().count("\n") == 6


def test_evaluate_json_uses_test_split(trained) -> None:
    _tmp, data, out, _run = trained
    run = tlgui("evaluate", out, data, "--json")
    assert run.returncode == 0, run.stderr
    rep = json.loads(run.stdout)
    assert rep["n"] == 4 and rep["split"] == "test" and rep["classes"] == ["blue", "red"]
    assert sum(map(sum, rep["confusion_matrix"])) == 4
    assert set(rep["per_class"]["red"]) == {"precision", "recall", "f1", "support"}
    assert 0.0 <= rep["accuracy"] <= 1.0


def test_info_json_and_text(trained) -> None:
    _tmp, _data, out, _run = trained
    run = tlgui("info", out, "--json")
    info = json.loads(run.stdout)
    assert info["backbone"] == "efficientnet_lite0" and info["classes"] == ["blue", "red"]
    assert len(info["history"]) == 2 and "state_dict" not in info
    text = tlgui("info", out)
    assert text.returncode == 0 and "efficientnet_lite0" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "{tmp}/nope", "--out", "{tmp}/m.pt"], "dataset folder not found"),
        (["train", "{tmp}/one", "--out", "{tmp}/m.pt"], "at least two class folders"),
        (["train", "{tmp}/one", "--out", "{tmp}/m.pt", "--epochs", "0"], "must be at least 1"),
        (["predict", "{tmp}/garbage.pt", "{tmp}/one"], "not a tlgui model bundle"),
        (["info", "{tmp}/missing.pt"], "model file not found"),
        (["predict", "{tmp}/garbage.pt", "{tmp}/no-such-image.jpg"], "no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    make_dataset(tmp_path / "one", n_train=2, n_val=0, classes=("red",), layout="flat")
    (tmp_path / "garbage.pt").write_bytes(b"\x80\x04garbage")
    run = tlgui(*[a.format(tmp=tmp_path) for a in args])
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_help_lists_the_commands() -> None:
    run = tlgui("--help")
    assert run.returncode == 0
    for cmd in ("train", "predict", "evaluate", "info"):
        assert cmd in run.stdout


def test_train_resolution_option_sets_the_training_crops() -> None:
    from tlgui.cli import UsageError, build_parser, config_from_args

    def spec(*extra: str):
        args = build_parser().parse_args(["train", "data", *extra])
        return config_from_args(args).augment_spec

    assert spec().resolution == 0.8  # the preset's
    assert spec("--train-resolution", "1").resolution == 1.0
    assert spec("--augment", "strong", "--train-resolution", "0.6").resolution == 0.6
    # Out of range: the one-line usage error main() prints before exiting with 2.
    with pytest.raises(UsageError, match=r"training resolution must be in \[0.5, 1\]"):
        spec("--train-resolution", "2")
