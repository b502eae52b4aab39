"""Many classes: tables size their columns to their content (no class name cut to "…"), and
the confusion matrix stays readable up to 50 classes (legible labels that do not overlap,
every cell's names and value on hover)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from tests.helpers import make_image

FLOWERS = ["californian_poppy", "black_eyed_susan", "common_daisy", "coreopsis",
           "dandelion", "iris", "magnolia", "rose", "sunflower", "tulip", "water_lily",
           "astilbe"]


def class_names(n: int) -> list[str]:
    """``n`` real-looking class names, long ones included."""
    return [f"{FLOWERS[i % len(FLOWERS)]}_{i // len(FLOWERS)}" if n > 12 else FLOWERS[i]
            for i in range(n)]


def report(n: int):
    """An evaluation of ``n`` classes, mostly right, with calibration figures."""
    from tlgui.engine.metrics import make_report

    rng = random.Random(n)
    y_true = [c for c in range(n) for _ in range(4)]
    y_pred = [t if rng.random() < 0.8 else rng.randrange(n) for t in y_true]
    return make_report("val", class_names(n), y_true, y_pred, 0.5)


def results_page(qtbot, rep):
    import torch  # noqa: F401  (the page's figures need nothing more; the bundle's weights)

    from tlgui.engine.checkpoint import Bundle
    from tlgui.gui.pages.results import ResultsPage

    bundle = Bundle("efficientnet_lite0", list(rep.classes), {}, 224, [0.5] * 3, [0.5] * 3,
                    metrics={"val": rep.to_json()})
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.set_bundle(bundle)
    page.show()
    qtbot.waitExposed(page)
    return page


def assert_column_fits(table, column: int) -> None:
    """Every cell of ``column`` is at least as wide as its text: nothing is elided."""
    fm = table.fontMetrics()
    width = table.columnWidth(column)
    texts = [table.item(r, column).text() for r in range(table.rowCount())]
    assert texts and all(fm.horizontalAdvance(t) <= width for t in texts), (width, texts)


@pytest.mark.parametrize("n", [12, 50])
def test_per_class_table_shows_whole_names(qtbot, n: int) -> None:
    from PySide6.QtWidgets import QTableWidget

    page = results_page(qtbot, report(n))
    table = page.findChild(QTableWidget, "perClassTable")
    assert table.rowCount() == n
    assert_column_fits(table, 0)
    # Even when the page is narrow: the table scrolls instead of cutting names.
    page.resize(500, 600)
    qtbot.wait(10)
    assert_column_fits(table, 0)


def test_data_page_class_table_shows_whole_names(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QTableWidget

    from tlgui.engine.data import scan_dataset
    from tlgui.gui.pages.data import DataPage

    for i, name in enumerate(class_names(12)):
        for split in ("train", "val"):
            make_image(tmp_path / split / name / "a.jpg", (20 * i, 90, 200 - 10 * i), seed=i,
                       size=32)
    page = DataPage()
    qtbot.addWidget(page)
    page.resize(700, 500)
    page.show()
    page.show_scan(scan_dataset(tmp_path))
    table = page.findChild(QTableWidget, "classTable")
    assert table.rowCount() == 12
    assert_column_fits(table, 0)


def _tick_labels(ax, axis: str):
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t for t in ticks if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("n", [12, 50])
def test_confusion_matrix_is_readable(qtbot, n: int) -> None:
    from matplotlib.backend_bases import MouseEvent

    from tlgui.gui.widgets.results_plots import MIN_LABEL_PT

    rep = report(n)
    page = results_page(qtbot, rep)
    canvas = page.findChild(object, "confusionCanvas")
    page._draw_confusion()  # at the size the canvas has on screen
    canvas.draw()
    ax = canvas.figure.axes[0]
    renderer = canvas.get_renderer()
    for axis in ("x", "y"):
        labels = _tick_labels(ax, axis)
        assert labels and all(t.get_fontsize() >= MIN_LABEL_PT for t in labels)
        if n == 12:  # every class named
            assert [t.get_text() for t in labels] == rep.classes
        # No two labels overlap along their axis.
        boxes = [t.get_window_extent(renderer) for t in labels]
        boxes.sort(key=lambda b: b.y0 if axis == "y" else b.x0)
        for a, b in itertools.pairwise(boxes):
            assert (a.y1 <= b.y0 + 0.5) if axis == "y" else (a.x1 <= b.x0 + 0.5)
    values = [t for t in ax.texts if t.get_text()]
    assert len(values) == (n * n if n == 12 else 0)  # small cells: values on hover instead
    # Hovering any cell names its classes and gives its count.
    i, j = n - 1, n // 2
    x, y = ax.transData.transform((j, i))
    canvas.callbacks.process("motion_notify_event", MouseEvent("motion_notify_event", canvas,
                                                               x, y))
    tip = canvas.toolTip()
    assert rep.classes[i] in tip and rep.classes[j] in tip
    assert f"{rep.confusion_matrix[i][j]} images" in tip
    outside = MouseEvent("motion_notify_event", canvas, 1, 1)
    canvas.callbacks.process("motion_notify_event", outside)
    assert canvas.toolTip() == ""
