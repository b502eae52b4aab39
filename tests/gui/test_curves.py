"""The live curves keep constrained layout's result while running it only when it can change."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from tests.helpers import curve_points
from tlgui.gui.widgets.curves import CurvesCanvas


def _pixels(canvas: CurvesCanvas) -> np.ndarray:
    w, h = canvas.figure.bbox.size
    return np.array([ax.get_position().bounds for ax in canvas.figure.axes]) * [w, h, w, h]


@pytest.fixture
def layout_runs(monkeypatch) -> list[int]:
    runs: list[int] = []
    real = ConstrainedLayoutEngine.execute

    def counted(self, fig):
        runs.append(1)
        return real(self, fig)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    return runs


def test_cached_layout_matches_a_fresh_one_at_every_epoch(qtbot, layout_runs) -> None:
    canvas, reference = CurvesCanvas(), CurvesCanvas()
    reference.reuse_layout = False  # matplotlib's way: constrained layout on every redraw
    for c in (canvas, reference):
        qtbot.addWidget(c)
        c.resize(900, 300)
        c.show()
    qtbot.waitExposed(canvas)
    for step, point in enumerate(curve_points(14)):
        if step == 7:  # the user resizes the window mid-run
            for c in (canvas, reference):
                c.resize(640, 280)
            qtbot.wait(20)
        for c in (canvas, reference):
            c.add_point(*point)
        layout_runs.clear()
        canvas.draw()
        cached_runs = len(layout_runs)
        reference.draw()
        assert canvas.figure.bbox.size.tolist() == reference.figure.bbox.size.tolist()
        np.testing.assert_allclose(_pixels(canvas), _pixels(reference), atol=1.0)
        assert cached_runs in (0, 1)
        assert [t.get_text() for t in canvas.ax_loss.get_yticklabels()]  # really drawn
        if step == 0:
            assert cached_runs == 1  # the first redraw always lays out
    # Most epochs reuse the layout: count the layouts over a whole run at one size.
    canvas.clear()
    layout_runs.clear()
    for point in curve_points(14):
        canvas.add_point(*point)
        canvas.draw()
    assert 1 <= len(layout_runs) <= 4, len(layout_runs)  # of 14 redraws
    assert canvas.point_count() == 14


def test_clear_lays_out_again(qtbot, layout_runs) -> None:
    canvas = CurvesCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(800, 300)
    canvas.add_point(1, 0.9, 1.0, 0.6, 0.5, 1)
    canvas.draw()
    canvas.draw()
    assert len(layout_runs) == 1
    canvas.clear()
    canvas.draw()
    assert len(layout_runs) == 2
