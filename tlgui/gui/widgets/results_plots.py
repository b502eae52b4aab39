"""Figures of the Results page: confusion-matrix heat map and per-epoch history curves.

Plain functions that draw on a matplotlib ``Figure`` (no pyplot, no Qt), so the page embeds
them in a ``FigureCanvasQTAgg`` and tests can draw them headless. Labels come in already
translated from the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def make_canvas(object_name: str, min_height: int = 220):
    """A ``FigureCanvasQTAgg`` with its own ``Figure`` (imported here: keeps start-up light)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

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


def draw_confusion(fig: Any, cm: Sequence[Sequence[int]], classes: Sequence[str],
                   normalised: bool, labels: Mapping[str, str]) -> None:
    """Heat map with the count (or row fraction) written in each cell; rows = true class.
    ``labels`` holds the translated ``title``, ``true`` and ``predicted`` axis names."""
    fig.clear()
    ax = fig.add_subplot(111)
    n = len(classes)
    if n == 0:
        ax.set_axis_off()
        return
    values = normalise_rows(cm) if normalised else [[float(v) for v in r] for r in cm]
    vmax = 1.0 if normalised else max(1.0, max(max(r) for r in values))
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax)
    ax.set_xticks(range(n), labels=list(classes), rotation=45 if n > 3 else 0,
                  ha="right" if n > 3 else "center")
    ax.set_yticks(range(n), labels=list(classes))
    ax.set_xlabel(labels.get("predicted", "predicted"))
    ax.set_ylabel(labels.get("true", "true"))
    ax.set_title(labels.get("title", ""), fontsize="medium")
    if n <= 25:
        size = "small" if n <= 10 else "x-small"
        for i in range(n):
            for j in range(n):
                v = values[i][j]
                text = f"{v:.2f}" if normalised else f"{int(cm[i][j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=size,
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
