"""Figures of the Results page: confusion-matrix heat map and per-epoch history curves.

Plain functions that draw on a matplotlib ``Figure`` (no pyplot, no Qt), so the page embeds
them in a ``FigureCanvasQTAgg`` and tests can draw them headless. Labels come in already
translated from the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..plot_fonts import use_fallback_fonts


def make_canvas(object_name: str, min_height: int = 220):
    """A ``FigureCanvasQTAgg`` with its own ``Figure`` (imported here: keeps start-up light)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

    use_fallback_fonts()  # Japanese labels and class names too
    canvas = FigureCanvasQTAgg(Figure(figsize=(4, 3), layout="constrained"))
    canvas.setObjectName(object_name)
    canvas.setMinimumHeight(min_height)
    return canvas


def normalise_rows(cm: Sequence[Sequence[int]]) -> list[list[float]]:
    """Each row divided by its total (the recall view); empty rows stay zero."""
    out = []
    for row in cm:
        total = sum(row)
        out.append([v / total if total else 0.0 for v in row])
    return out


# The smallest label font (points) that stays legible; the largest a label needs.
MIN_LABEL_PT, MAX_LABEL_PT = 5.0, 9.0


def confusion_label_layout(fig: Any, n: int) -> tuple[float, int, float]:
    """How an ``n``-class matrix on ``fig`` is labelled: (tick label size in points, stride,
    cell value size in points or 0). Labels are as large as a cell allows, between
    ``MIN_LABEL_PT`` and ``MAX_LABEL_PT``; where a cell is smaller than the smallest label,
    every ``stride``-th class is labelled. Values are written in cells wide enough for four
    characters of at least ``MIN_LABEL_PT``; the hover tooltip gives every cell's names and
    value either way."""
    width, height = fig.get_size_inches()
    cell = min(width, height) * 72 * 0.6 / max(1, n)  # the matrix takes ~60 % of the short side
    size = min(MAX_LABEL_PT, 0.85 * cell)
    stride = 1 if size >= MIN_LABEL_PT else math.ceil(MIN_LABEL_PT / (0.85 * cell))
    value_size = min(MAX_LABEL_PT, cell / 2.4)
    return max(size, MIN_LABEL_PT), stride, value_size if value_size >= MIN_LABEL_PT else 0.0


def draw_confusion(fig: Any, cm: Sequence[Sequence[int]], classes: Sequence[str],
                   normalised: bool, labels: Mapping[str, str]) -> None:
    """Heat map with the count (or row fraction) written in each cell while cells are large
    enough (:func:`confusion_label_layout`); rows = true class. ``labels`` holds the translated
    ``title``, ``true`` and ``predicted`` axis names."""
    fig.clear()
    ax = fig.add_subplot(111)
    n = len(classes)
    if n == 0:
        ax.set_axis_off()
        return
    values = normalise_rows(cm) if normalised else [[float(v) for v in r] for r in cm]
    vmax = 1.0 if normalised else max(1.0, max(max(r) for r in values))
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax)
    size, stride, value_size = confusion_label_layout(fig, n)
    ticks = list(range(0, n, stride))
    names = [str(classes[i]) for i in ticks]
    rotation = 0 if n <= 3 else 45 if n <= 10 else 90
    ax.set_xticks(ticks, labels=names, rotation=rotation, fontsize=size,
                  ha="right" if rotation == 45 else "center")
    ax.set_yticks(ticks, labels=names, fontsize=size)
    ax.set_xlabel(labels.get("predicted", "predicted"))
    ax.set_ylabel(labels.get("true", "true"))
    ax.set_title(labels.get("title", ""), fontsize="medium")
    if value_size:
        for i in range(n):
            for j in range(n):
                v = values[i][j]
                text = f"{v:.2f}" if normalised else f"{int(cm[i][j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=value_size,
                        color="white" if v > 0.6 * vmax else "black")
    fig.colorbar(im, ax=ax, shrink=0.8)


def draw_history(fig: Any, history: Sequence[Mapping[str, Any]],
                 labels: Mapping[str, str]) -> None:
    """Loss (left) and accuracy (right) per epoch, train and val; the best epoch marked."""
    fig.clear()
    ax_loss = fig.add_subplot(121)
    ax_acc = fig.add_subplot(122)
    epochs = [int(h["epoch"]) for h in history]
    if epochs:
        ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", ms=3,
                     label=labels.get("train", "train"))
        ax_loss.plot(epochs, [h["val_loss"] for h in history], "o-", ms=3,
                     label=labels.get("val", "val"))
        ax_acc.plot(epochs, [h["train_acc"] for h in history], "o-", ms=3,
                    label=labels.get("train", "train"))
        ax_acc.plot(epochs, [h["val_acc"] for h in history], "o-", ms=3,
                    label=labels.get("val", "val"))
        best = [int(h["epoch"]) for h in history if h.get("is_best")]
        if best:
            for ax in (ax_loss, ax_acc):
                ax.axvline(best[-1], color="grey", linestyle=":", linewidth=1)
        ax_acc.set_ylim(0, 1.02)
        ax_loss.legend(fontsize="small")
    for ax, name in ((ax_loss, labels.get("loss", "loss")), (ax_acc, labels.get("acc", "acc"))):
        ax.set_xlabel(labels.get("epoch", "epoch"))
        ax.set_title(name, fontsize="medium")
        ax.grid(True, alpha=0.3)
        if epochs:
            ax.set_xticks(epochs if len(epochs) <= 12 else epochs[:: max(1, len(epochs) // 10)])
