"""A file whose header is fine (so the scan accepts it) but whose data is cut short is skipped
while training; the Data page's skipped list must show it too, not only the CLI."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image

from tlgui.engine.events import Skipped


def test_file_skipped_while_training_joins_the_skipped_list(
    window, tiny_dataset: Path, qtbot
) -> None:
    rng = random.Random(0)
    noisy = Image.frombytes("RGB", (128, 128), rng.randbytes(128 * 128 * 3))
    cut = tiny_dataset / "train" / "red" / "cut_short.jpg"
    noisy.save(cut, quality=90)
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])  # header intact, data cut
    scan = window.load_dataset(tiny_dataset)
    assert scan is not None and not scan.skipped  # the scan reads headers only
    listed = window.data_page.skippedList
    assert listed.count() == 0
    t = window.train_page
    t.form.epochsSpin.setValue(1)
    t.form.batchSizeSpin.setValue(8)
    window.augment_page.apply_preset("none")
    with qtbot.waitSignal(window.trainingFinished, timeout=120_000) as blocker:
        assert t.start()
    assert blocker.args[0]["best_epoch"] == 1
    qtbot.waitUntil(lambda: listed.count() == 1, timeout=10_000)
    assert listed.item(0).toolTip() == str(cut)
    text = listed.item(0).text()
    assert text.startswith("train/red/cut_short.jpg — ") and "truncated" in text
    assert "(1)" in window.data_page.skippedTitle.text()
    # The next run skips the same file again: it stays listed once.
    window.data_page.add_skipped(Skipped(str(cut), "truncated or corrupt image data"))
    assert listed.count() == 1
