"""ResumePlan: the one check that a run folder can be resumed (CLI and GUI), and the named
writers of run.json. Torch-free and fast: the folders are written by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import make_dataset
from tlgui.engine.config import DEFAULT_VAL_SPLIT, TrainConfig
from tlgui.engine.runs import ResumePlan, RunError, RunFolder


def _run(tmp_path: Path, name: str = "run", state: bool = True, **meta) -> RunFolder:
    run = RunFolder.create(tmp_path / name)
    run.start(TrainConfig(epochs=3), tmp_path / "data", val_split=0.25, out=None)
    if meta:
        run.write_meta(**meta)
    if state:
        run.last_path.write_bytes(b"state")  # ResumePlan never opens it
    return run


def test_a_resumable_run_gives_its_own_settings(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    run = _run(tmp_path, out=str(tmp_path / "m.pt"))
    plan = ResumePlan.load(run.path)
    assert plan.run.path == run.path
    assert plan.config == TrainConfig(epochs=3)
    assert plan.data == str(tmp_path / "data") and plan.val_split == 0.25
    assert plan.require_out() == str(tmp_path / "m.pt")


def test_where_it_runs_and_given_paths_replace_the_runs(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    run = _run(tmp_path)
    plan = ResumePlan.load(run.path, data="moved", out="new.pt", device="cpu", workers=0)
    assert plan.config == replace(TrainConfig(epochs=3), device="cpu", workers=0)
    assert (plan.data, plan.out) == ("moved", "new.pt")


@pytest.mark.parametrize("recorded", [None, "0.2", True, 1.5, -0.1])
def test_a_missing_or_unusable_val_split_falls_back_to_the_default(
    tmp_path: Path, recorded
) -> None:
    (tmp_path / "data").mkdir()
    run = _run(tmp_path, val_split=recorded)
    assert ResumePlan.load(run.path).val_split == DEFAULT_VAL_SPLIT


def test_unusable_runs_are_one_line_run_errors(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    bad_config = _run(tmp_path, "bad-config", config={"epochs": 0})
    no_state = _run(tmp_path, "no-state", state=False)
    no_data = _run(tmp_path, "no-data", data=None)
    gone = _run(tmp_path, "gone", data=str(tmp_path / "deleted"))
    cases = [
        (tmp_path / "nowhere", "not a tlgui run folder"),
        (bad_config.path, "epochs must be at least 1"),
        (no_state.path, "has no finished epoch to resume from"),
        (no_data.path, "does not record its dataset folder"),
        (gone.path, "dataset folder of this run is gone"),
    ]
    for folder, words in cases:
        with pytest.raises(RunError, match=words) as info:
            ResumePlan.load(folder)
        assert "\n" not in str(info.value)
    with pytest.raises(RunError, match="has no --out"):
        ResumePlan.load(gone.path, data=str(tmp_path / "data")).require_out()


def test_scan_uses_the_runs_split_and_refuses_changed_classes(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", n_train=5, layout="flat")
    run = _run(tmp_path, classes=["blue", "red"])
    scan = ResumePlan.load(run.path).scan()
    assert scan.val_fraction == 0.25 and scan.classes == ["blue", "red"]
    run.write_meta(classes=["blue", "green", "red"])
    with pytest.raises(RunError, match="classes changed"):
        ResumePlan.load(run.path).scan()
    assert data.is_dir()


def test_the_named_writers_each_write_their_part(tmp_path: Path) -> None:
    run = RunFolder.create(tmp_path / "run")
    run.start(TrainConfig(), "data", val_split=None, out="m.pt")
    meta = run.meta()
    assert meta["status"] == "running" and meta["history"] == [] and meta["val_split"] is None
    assert meta["config"] == TrainConfig().to_dict()
    assert meta["data"] == str(Path("data").resolve()) and meta["out"].endswith("m.pt")

    history = [{"epoch": 1, "val_acc": 0.5}]
    run.record_epoch(epoch=1, history=history, classes=["a", "b"], best_epoch=1, best_val_acc=0.5)
    run.finish("failed", error="disk full")
    assert run.meta()["status"] == "failed" and run.meta()["error"] == "disk full"
    run.record_resume(out=tmp_path / "other.pt")
    meta = run.meta()
    assert meta["status"] == "running" and "error" not in meta
    assert meta["out"] == str(tmp_path / "other.pt") and meta["history"] == history
    run.record_bundle(tmp_path / "final.pt")
    run.finish("finished")
    meta = json.loads(run.meta_path.read_text(encoding="utf-8"))
    assert meta["out"] == meta["checkpoint"] == str(tmp_path / "final.pt")
    assert meta["status"] == "finished" and meta["classes"] == ["a", "b"]
    with pytest.raises(ValueError, match="status must be one of"):
        run.finish("paused")


def test_resume_plan_needs_no_torch(tmp_path: Path) -> None:
    """The GUI checks a run on its own thread: that must not import torch."""
    (tmp_path / "data").mkdir()
    run = _run(tmp_path)
    code = (
        "import sys\nfrom tlgui.engine.runs import ResumePlan\n"
        f"ResumePlan.load({str(run.path)!r})\nprint('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False"]
