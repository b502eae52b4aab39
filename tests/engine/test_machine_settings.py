"""Settings that belong to the machine rather than to what a run learns: the decoded-image
cache's size (a config field, set from the GUI's Preferences) and where run folders go."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from tlgui.engine.config import TrainConfig
from tlgui.engine.data import scan_dataset
from tlgui.engine.runs import RunFolder, runs_root
from tlgui.engine.train.loop import FitLoop


def test_a_run_keeps_as_many_decoded_pictures_as_its_config_says(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    for mb in (0, 3):
        config = TrainConfig(
            weights="none", decoded_cache_mb=mb, cache_features=False, device="cpu"
        )
        assert FitLoop(scan, config).batches.decoded_cache_bytes == mb * 2**20
    assert TrainConfig().decoded_cache_mb == 256
    with pytest.raises(ValueError, match="decoded cache mb must be at least 0"):
        TrainConfig(decoded_cache_mb=-1).validate()


def test_run_folders_go_to_the_platforms_data_folder_or_a_chosen_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TLGUI_RUNS_DIR")
    assert runs_root() == platformdirs.user_data_path("tlgui", appauthor=False) / "runs"
    run = RunFolder.create(root=tmp_path / "chosen")
    assert run.path.parent == tmp_path / "chosen" and run.path.is_dir()
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "env"))
    assert runs_root() == tmp_path / "env"
