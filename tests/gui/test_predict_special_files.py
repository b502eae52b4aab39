"""A named pipe dropped on the Predict page gets a "skipped" row, and the page keeps
predicting: opening it would block the pool thread, and every later request behind it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.gui.conftest import drop_paths
from tests.helpers import make_image


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "mkfifo"),
                    reason="named pipes are POSIX")
def test_dropped_named_pipe_is_skipped_and_later_drops_still_work(window, bundle_path: Path,
                                                                 tmp_path: Path, qtbot) -> None:
    assert window.open_model(bundle_path)
    window.steps.setCurrentRow(4)
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    table = window.predict_page.predictionTable
    try:
        assert drop_paths(window.predict_page.predictDropZone, [fifo])
        qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=30_000)
    finally:
        if table.rowCount() == 0:  # blocked: open the other end so the suite does not hang
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert table.item(0, 2).text() == "skipped: not a regular file (a named pipe)"
    good = make_image(tmp_path / "after.jpg", (200, 40, 40))
    assert drop_paths(window.predict_page.predictDropZone, [good])
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=60_000)
    assert table.item(1, 2).text() == ""  # predicted: the top-k is drawn, no "skipped" text
