"""Project files: saved and read back unchanged; anything unusable is one line, never a
traceback or a half-read project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tlgui.engine.augment import preset
from tlgui.engine.project import (
    PROJECT_FORMAT,
    Project,
    ProjectError,
    load_project,
    save_project,
)


def _project(tmp_path: Path) -> Project:
    return Project(
        data=str(tmp_path / "flowers"),
        config={"backbone": "resnet18", "mode": "finetune", "epochs": 7, "lr_head": 0.01},
        augment=preset("light").to_dict(),
        val_split=0.25,
    )


def test_a_project_reads_back_as_saved(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = tmp_path / "p.tlgui.json"
    save_project(path, project)
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["format"] == PROJECT_FORMAT and on_disk["format_version"] == 1
    assert load_project(path) == project
    config = load_project(path).train_config()
    assert (config.backbone, config.mode, config.epochs) == ("resnet18", "finetune", 7)
    assert config.augment == preset("light").to_dict()
    moved = project.with_data(tmp_path / "elsewhere")
    assert moved.data == str(tmp_path / "elsewhere") and moved.config == project.config


def test_keys_from_a_newer_tlgui_are_ignored(tmp_path: Path) -> None:
    data = _project(tmp_path).to_json()
    data["config"]["future_knob"] = 3
    data["notes"] = "kept out"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "future_knob" not in load_project(path).config


def _write(path: Path, content: bytes | dict) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (b"{not json", "damaged project file"),
        (b"\xff\xfe\x00garbage", "damaged project file"),
        ({"format": "tlgui-run", "format_version": 1}, "not a tlgui project file"),
        ({"format_version": 9}, "unknown project format version \\(9\\)"),
        ({"format_version": "one"}, "unknown project format version"),
        ({"config": {"lr_head": -1.0}}, "damaged project file .*lr head"),
        ({"config": {"mode": "sideways"}}, "damaged project file .*mode"),
        ({"augment": {"hflip": 2.0}}, "damaged project file .*hflip"),
        ({"data": ""}, "no dataset folder"),
        ({"config": None}, "no settings"),
        ({"val_split": 1.5}, "validation share"),
    ],
)
def test_unusable_project_files_give_one_line(tmp_path: Path, change, message: str) -> None:
    content = change if isinstance(change, bytes) else {**_project(tmp_path).to_json(), **change}
    path = _write(tmp_path / "p.json", content)
    with pytest.raises(ProjectError, match=message) as info:
        load_project(path)
    assert "\n" not in str(info.value)


def test_missing_or_unwritable_files_give_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project file"):
        load_project(tmp_path / "nowhere.json")
    with pytest.raises(ProjectError, match="a folder"):
        load_project(tmp_path)
    bad = Project(data=str(tmp_path), config={"epochs": 0})
    with pytest.raises(ProjectError, match="cannot save the project: .*epochs"):
        save_project(tmp_path / "p.json", bad)
    assert not (tmp_path / "p.json").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProjectError, match="cannot write"):
        save_project(tmp_path / "file" / "p.json", _project(tmp_path))
