"""The learning-rate finder dialog: runs the range test on a real worker thread, suggests an
LR, accepts it, and ends its thread cleanly when closed mid-run."""

from __future__ import annotations

import math

import pytest

from tests.helpers import make_dataset


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    from tlgui.engine.data import scan_dataset

    return scan_dataset(make_dataset(tmp_path_factory.mktemp("lrgui") / "d", n_train=8, n_val=2))


def _config(**changes):
    from tlgui.engine.trainer import TrainConfig

    return TrainConfig(batch_size=4, workers=0, augment={"enabled": False}, **changes)


def test_dialog_runs_suggests_and_accepts(qtbot, scan):
    from PySide6.QtWidgets import QDialog, QProgressBar, QPushButton

    from tlgui.gui.widgets.lr_finder import LrFinderDialog

    dialog = LrFinderDialog(scan, _config())
    qtbot.addWidget(dialog)
    use = dialog.findChild(QPushButton, "lrFinderUseButton")
    assert not use.isEnabled()
    with qtbot.waitSignal(dialog.rangeTestFinished, timeout=60_000) as sig:
        dialog.show()
    assert sig.args == [True]
    assert math.isfinite(dialog.suggested_lr) and 1e-7 <= dialog.suggested_lr <= 10
    assert dialog.findChild(QProgressBar, "lrFinderProgress").value() == 1
    ax = dialog.canvas.figure.axes[0]
    assert ax.get_xscale() == "log" and len(ax.lines) >= 2  # curve + suggestion marker
    assert use.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5_000)
    use.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_closing_mid_run_stops_the_thread(qtbot, scan):
    from tlgui.gui.widgets.lr_finder import LrFinderDialog

    dialog = LrFinderDialog(
        scan, _config(mode="finetune", backbone="mobilenet_v3_large", weights="none")
    )
    qtbot.addWidget(dialog)
    dialog.show()
    # Wait until the range test itself is running (its first progress), then close.
    qtbot.waitUntil(lambda: dialog.phase == "lr_find", timeout=60_000)
    job = dialog.job
    assert job is not None and job.is_running()
    dialog.close()
    assert not job.is_running()  # cancelled, ended and reported before close() returned
    assert not dialog.is_running()
    assert dialog.result() == 0  # rejected
    assert math.isnan(dialog.suggested_lr)
    assert dialog.range_result is None or dialog.range_result.cancelled
