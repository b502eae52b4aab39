"""`tlgui evaluate` and the Results page's "Evaluate on dataset" are the engine's one evaluation:
on the same bundle and data they report the same numbers, with and without test-time
augmentation (TTA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import make_dataset


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A one-epoch efficientnet_lite0 bundle and its dataset. The dataset has train/ and val/
    but no test/, so the CLI and the Results page both evaluate val."""
    from tlgui.engine.augment import preset
    from tlgui.engine.checkpoint import bundle_from_result, save_bundle
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, fit

    root = make_dataset(tmp_path_factory.mktemp("parity") / "data", n_train=8, n_val=5)
    config = TrainConfig(
        backbone="efficientnet_lite0",
        weights="imagenet",
        batch_size=8,
        epochs=1,
        workers=0,
        augment=preset("none").to_dict(),
    )
    result = fit(scan_dataset(root), config)
    path = root.parent / "model.pt"
    save_bundle(bundle_from_result(result), path)
    return root, path


def _cli_report(capsys: pytest.CaptureFixture[str], model: Path, data: Path, tta: bool) -> dict:
    from tlgui.cli import main

    code = main(["evaluate", str(model), str(data), "--json"] + (["--tta"] if tta else []))
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_cli_and_results_page_report_the_same_evaluation(window, qtbot, capsys, trained) -> None:
    from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton

    from tlgui.engine.data import scan_dataset
    from tlgui.engine.train import evaluation_split

    root, model = trained
    assert evaluation_split(scan_dataset(root, val_split=0.0)) == "val"  # the CLI's split
    # The app's way in: the dataset through the Data page, the bundle through open_model.
    assert window.load_dataset(str(root)) is not None
    assert window.open_model(str(model))
    page = window.results_page
    tta_check = page.findChild(QCheckBox, "resultsTtaCheck")
    button = page.findChild(QPushButton, "resultsEvaluateButton")
    header = page.findChild(QLabel, "resultsAccuracyLabel")
    assert "twice" in tta_check.toolTip()

    losses: dict[bool, float] = {}
    for tta in (False, True):
        cli = _cli_report(capsys, model, root, tta)
        tta_check.setChecked(tta)
        with qtbot.waitSignal(page.evaluationFinished, timeout=120_000) as finished:
            button.click()
        assert finished.args == [True]
        assert set(page.reports) == {"val"}
        gui = page.reports["val"]
        assert cli["split"] == gui.split == "val"
        assert cli["n"] == gui.n == 10 and cli["skipped"] == 0
        assert cli["accuracy"] == gui.accuracy
        assert cli["loss"] == pytest.approx(gui.loss, abs=1e-6)
        assert cli["confusion_matrix"] == gui.confusion_matrix
        assert cli["per_class"] == gui.per_class
        assert ("with TTA" in header.text()) is tta  # the header says how it was computed
        losses[tta] = gui.loss

    # The mirrored pictures are not symmetric, so averaging with them moves the loss: a TTA
    # switch that was ignored on either side would fail here or above.
    assert abs(losses[True] - losses[False]) > 1e-4
