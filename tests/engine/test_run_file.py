"""Run files (``tlgui train --config RUN.json``): what they hold, what is refused, and the
``torchrun`` command the GUI shows."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tlgui.engine.config import TrainConfig
from tlgui.engine.run_file import RunFile, RunFileError, torchrun_command


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_saved_file_loads_back_with_paths_read_against_its_folder(tmp_path: Path) -> None:
    config = TrainConfig(backbone="resnet18", mode="finetune", epochs=3, dropout=0.0)
    RunFile(config, "/abs/data", 0.25, "model.pt").save(tmp_path / "run.json")
    loaded = RunFile.load(tmp_path / "run.json")
    assert loaded.config == config
    assert loaded.data == "/abs/data" and loaded.val_split == 0.25
    assert loaded.out == str(tmp_path / "model.pt")  # relative: next to the file

    partial = write(tmp_path / "p.json", {"format": "tlgui-run-config", "format_version": 1,
                                          "config": {"epochs": 4}, "data": "images"})
    loaded = RunFile.load(partial)
    assert loaded.config == TrainConfig(epochs=4)  # the settings left out take defaults
    assert loaded.data == str(tmp_path / "images") and loaded.out is None


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"format": "tlgui-run-config", "format_version": 1, "confg": {}}, ["confg"]),
        ({"format": "tlgui-run-config", "format_version": 1,
          "config": {"epochs": 2, "learning_rate": 0.1, "lr_heda": 1}},
         ["config.learning_rate", "config.lr_heda"]),
        ({"format": "tlgui-run-config", "format_version": 9}, ["newer", "9"]),
        ({"format": "something-else", "format_version": 1}, ["not a tlgui run file"]),
        ({"format": "tlgui-run-config"}, ["format_version"]),
        ({"format": "tlgui-run-config", "format_version": 1, "config": {"epochs": 0}},
         ["epochs must be at least 1"]),
        ({"format": "tlgui-run-config", "format_version": 1, "val_split": 2}, ["val_split"]),
        ("{not json", ["not valid JSON", "line 1"]),
    ],
)
def test_unusable_files_are_refused_in_one_line(tmp_path: Path, content, words) -> None:
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(RunFileError) as info:
        RunFile.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RunFileError, match="run file not found: .*nope.json"):
        RunFile.load(tmp_path / "nope.json")


def test_torchrun_command_runs_the_file_with_one_process_per_gpu() -> None:
    words = shlex.split(torchrun_command("/runs/my run.json"))
    assert words == ["torchrun", "--standalone", "--nproc-per-node", "gpu", "-m", "tlgui",
                     "train", "--config", "/runs/my run.json"]
    assert shlex.split(torchrun_command("r.json", 4))[3] == "4"
