"""Loader and scan cases found by the held-out bad-input corpus: nothing blocks, nothing is
dropped without a reason, float pictures with NaN/inf keep their content."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import make_image
from tlgui.engine.data import ImageLoadError, load_image, probe_image, scan_dataset


def _reason(path: Path) -> str:
    try:
        load_image(path)
    except ImageLoadError as exc:
        return str(exc)
    return "loaded"


def _two_classes(root: Path) -> Path:
    for c, colour in (("red", (200, 40, 40)), ("blue", (40, 60, 200))):
        for i in range(3):
            make_image(root / c / f"{i}.jpg", colour, seed=i)
    return root


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """A file swapped for a FIFO between the scan and training used to hang the run."""
    fifo = tmp_path / "x.jpg"
    os.mkfifo(fifo)
    box: dict = {}
    t = threading.Thread(target=lambda: box.update(load=_reason(fifo), probe=probe_image(
        str(fifo))), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # release the blocked open()
        pytest.fail("opening a named pipe blocked")
    assert box == {"load": "not a regular file (a named pipe)",
                   "probe": "not a regular file (a named pipe)"}


def test_nan_and_inf_pixels_do_not_blacken_a_float_image(tmp_path: Path) -> None:
    arr = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (64, 1))
    arr[:4, :4] = np.nan
    arr[-4:, -4:] = np.inf
    Image.fromarray(arr).save(tmp_path / "f.tiff")
    row = np.asarray(load_image(tmp_path / "f.tiff"))[32, :, 0]
    assert row[-8] > row[8] + 100  # the gradient survives


def test_plain_reasons_for_links_folders_and_empty_files(tmp_path: Path) -> None:
    os.symlink("b.jpg", tmp_path / "a.jpg")
    os.symlink("a.jpg", tmp_path / "b.jpg")
    (tmp_path / "d.jpg").mkdir()
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert _reason(tmp_path / "a.jpg") == "symbolic link loop"
    assert _reason(tmp_path / "d.jpg") == "not a regular file (a folder)"
    assert _reason(tmp_path / "empty.jpg") == "empty file (0 bytes)"  # as the scan says
    assert probe_image(str(tmp_path / "empty.jpg")) == "empty file (0 bytes)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_scan_reports_link_loops_pipes_and_devices(tmp_path: Path) -> None:
    root = _two_classes(tmp_path / "data")
    os.symlink("b.jpg", root / "red" / "a.jpg")
    os.symlink("a.jpg", root / "red" / "b.jpg")
    os.mkfifo(root / "red" / "pipe.jpg")
    os.symlink("/dev/zero", root / "blue" / "zero.jpg")
    scan = scan_dataset(root)
    reasons = {Path(s.path).name: s.reason for s in scan.skipped}
    assert reasons == {"a.jpg": "symbolic link loop", "b.jpg": "symbolic link loop",
                       "pipe.jpg": "not a regular file (a named pipe)",
                       "zero.jpg": "not a regular file (a device)"}
    assert scan.class_counts("train") and sum(len(v) for v in scan.splits.values()) == 6


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads any folder")
def test_scan_reports_an_unreadable_sub_folder(tmp_path: Path) -> None:
    root = _two_classes(tmp_path / "data")
    locked = root / "red" / "locked"
    make_image(locked / "x.jpg", (200, 40, 40))
    locked.chmod(0)
    try:
        scan = scan_dataset(root)
    finally:
        locked.chmod(0o755)
    assert {(Path(s.path).name, s.reason) for s in scan.skipped} == {
        ("locked", "permission denied")}
