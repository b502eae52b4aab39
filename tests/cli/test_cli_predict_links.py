"""`tlgui predict` on links that lead nowhere: each is reported on its own row, the pictures
given with them are still predicted, and a path that really is not there stays an error."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import make_image
from tlgui.cli import main


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from tlgui.engine.backbones import get_info
    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.model import build_model

    torch.manual_seed(0)
    info = get_info("efficientnet_lite0")
    path = tmp_path_factory.mktemp("model") / "m.pt"
    save_bundle(Bundle("efficientnet_lite0", ["blue", "red"],
                       build_model("efficientnet_lite0", 2, "none").state_dict(),
                       info.input_size, list(info.mean), list(info.std),
                       config={"dropout": 0.2}), path)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_broken_links_are_rows_not_a_failed_command(bundle: Path, tmp_path: Path,
                                                    capsys) -> None:
    good = make_image(tmp_path / "good.jpg", (200, 40, 40))
    os.symlink("nowhere.jpg", tmp_path / "dangling.jpg")
    os.symlink("loop_b.jpg", tmp_path / "loop_a.jpg")
    os.symlink("loop_a.jpg", tmp_path / "loop_b.jpg")
    paths = [str(good), str(tmp_path / "dangling.jpg"), str(tmp_path / "loop_a.jpg")]
    assert main(["predict", str(bundle), *paths, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["path"] for r in rows] == paths
    assert rows[0]["top"] and "error" not in rows[0]
    assert rows[1]["top"] == [] and rows[1]["error"] == "file no longer exists"
    assert rows[2]["top"] == [] and "\n" not in rows[2]["error"]


def test_a_path_that_is_not_there_is_still_an_error(bundle: Path, tmp_path: Path,
                                                    capsys) -> None:
    assert main(["predict", str(bundle), str(tmp_path / "typo.jpg")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file or folder" in err[0]
