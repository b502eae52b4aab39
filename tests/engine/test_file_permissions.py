"""Files tlgui writes get the permissions of any new file (``0o666 & ~umask``), not the
owner-only ``0600`` of the atomic writer's temporary file."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tlgui.engine import fileio
from tlgui.engine.fileio import atomic_write, new_file_mode

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_mode_follows_the_umask(umask: int, tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what open() creates under this umask
    assert new_file_mode() == _mode(plain) == 0o666 & ~umask


def test_umask_without_proc(umask: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where /proc cannot be read, the umask is read by setting it and putting it back."""

    def no_proc(*_a, **_k):
        raise OSError("no /proc here")

    monkeypatch.setattr(fileio, "open", no_proc, raising=False)
    assert new_file_mode() == 0o666 & ~umask
    assert os.umask(umask) == umask  # left as it was


def test_every_kind_of_written_file(umask: int, tmp_path: Path) -> None:
    import torch

    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.predict import Prediction, write_csv
    from tlgui.engine.runs import RunFolder

    expected = 0o666 & ~umask
    bundle = tmp_path / "model.pt"
    save_bundle(Bundle("efficientnet_lite0", ["a", "b"], {"w": torch.zeros(2)}, 224,
                       [0.5] * 3, [0.5] * 3), bundle)
    csv = tmp_path / "predictions.csv"
    write_csv([Prediction("a.jpg", (("a", 0.9),))], csv)
    run = RunFolder.create(tmp_path / "run")
    run.start({"epochs": 1}, tmp_path, None)
    text = tmp_path / "export.json"
    atomic_write(text, lambda f: f.write("{}"), mode="w")
    for path in (bundle, csv, run.meta_path, text):
        assert _mode(path) == expected, (path.name, oct(_mode(path)))
    # Rewriting keeps the rule (the old file is replaced, not appended to).
    atomic_write(text, lambda f: f.write("{ }"), mode="w")
    assert _mode(text) == expected and text.read_text() == "{ }"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
