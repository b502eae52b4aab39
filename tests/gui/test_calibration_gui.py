"""Calibrated confidence in the app: the Results page's reliability diagram and ECE (also for
results saved before calibration existed), and the Predict page's "not sure" rows under the
Preferences threshold."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.helpers import make_image


def calibrated_report():
    """An evaluation with calibration figures: over-confident logits, temperature 2."""
    from tlgui.engine.calibration import (
        calibrated_probabilities,
        ece_from_bins,
        reliability_bins,
    )
    from tlgui.engine.metrics import make_report

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(200, 3, generator=g) * 2
    labels = torch.multinomial(logits.softmax(1), 1, generator=g).squeeze(1)
    logits = logits * 2  # twice too sure
    bins = {
        "calibrated": reliability_bins(calibrated_probabilities(logits, 2.0), labels),
        "uncalibrated": reliability_bins(logits.softmax(1), labels),
    }
    return make_report(
        "val", ["ant", "bee", "wasp"], labels.tolist(), logits.argmax(1).tolist(), 0.7,
        temperature=2.0, ece=ece_from_bins(bins["calibrated"]),
        ece_uncalibrated=ece_from_bins(bins["uncalibrated"]), reliability=bins,
    )


def _results_page(qtbot, saved: dict):
    from tlgui.engine.checkpoint import Bundle
    from tlgui.gui.pages.results import ResultsPage

    bundle = Bundle("efficientnet_lite0", list(saved["classes"]), {}, 224, [0.5] * 3,
                    [0.5] * 3, metrics={"val": saved}, temperature=saved.get("temperature", 1))
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.set_bundle(bundle)
    page.show()
    return page


def test_reliability_diagram_before_and_after(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    rep = calibrated_report()
    assert rep.ece < rep.ece_uncalibrated  # the fixture is what it says
    page = _results_page(qtbot, rep.to_json())
    label = page.findChild(QLabel, "reliabilityEceLabel")
    text = label.text()
    assert f"{100 * rep.ece:.1f}" in text and f"{100 * rep.ece_uncalibrated:.1f}" in text
    assert "2.00" in text  # the temperature
    canvas = page.findChild(object, "reliabilityDiagram")
    canvas.draw()
    before, after = canvas.figure.axes[:2]
    used = sum(1 for b in rep.reliability["calibrated"] if b["count"])
    assert len(after.patches) == 2 * used  # accuracy bar + gap per non-empty bin
    assert "ECE" in before.get_title() and "T = 2.00" in after.get_title()
    heights = [p.get_height() for p in after.patches[:used]]
    accs = [b["accuracy"] for b in rep.reliability["calibrated"] if b["count"]]
    assert heights == pytest.approx(accs)


def test_results_saved_without_calibration_say_how_to_get_it(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    saved = calibrated_report().to_json()
    for key in ("temperature", "ece", "ece_uncalibrated", "reliability"):
        saved.pop(key)  # as an older tlgui saved them
    page = _results_page(qtbot, saved)
    assert page.current_report().ece is None
    assert "Evaluate on dataset" in page.findChild(QLabel, "reliabilityEceLabel").text()
    assert not page.findChild(object, "reliabilityDiagram").figure.axes


def test_predict_marks_unsure_rows(window, bundle_path: Path, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QTableWidget

    from tlgui.gui.preference_store import PREFERENCES
    from tlgui.gui.settings import make_settings
    from tlgui.gui.widgets.topk_delegate import UNSURE_ROLE

    key = PREFERENCES["unsure_threshold"].key
    image = make_image(tmp_path / "x.jpg", (200, 40, 40), seed=3)
    assert window.open_model(str(bundle_path))
    table = window.findChild(QTableWidget, "predictionTable")
    for threshold, unsure in ((1.0, True), (0.0, False)):
        make_settings().setValue(key, threshold)  # as Preferences' OK stores it
        (pred,) = window.predict_paths([str(image)])
        assert pred.unsure is unsure
        row = table.rowCount() - 1
        cell = table.item(row, 2)
        assert cell.data(UNSURE_ROLE) is unsure
        assert ("Not sure" in cell.toolTip()) is unsure
