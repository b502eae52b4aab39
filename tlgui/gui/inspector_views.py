"""How the model inspector shows the engine's answers: the layer tree, the optimizer groups,
the totals, the pipeline and a tried picture (:mod:`tlgui.engine.inspector`'s plain data).

Texts are looked up in the ``ModelInspector`` context, the window's own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem

TRAINS = QColor("#2f9e44")
FROZEN = QColor("#868e96")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# Texts name their context (the window's), so lupdate files them where they are looked up.
translate = QCoreApplication.translate


def count(value: int) -> str:
    return f"{value:,}"


def totals_text(structure: Any) -> str:
    """One line per phase: its epochs, what trains, and the parameter totals."""
    lines = []
    for i, phase in enumerate(structure.phases, 1):
        t = phase.totals
        what = (
            translate("ModelInspector", "the backbone is frozen, only the new head trains")
            if phase.backbone_frozen
            else translate("ModelInspector", "every layer trains")
        )
        lines.append(
            translate(
                "ModelInspector",
                "Phase {0}, epochs {1}–{2} ({3}): {4} parameters, {5} trainable, {6} frozen",
            ).format(
                i,
                phase.first_epoch,
                phase.last_epoch,
                what,
                count(t.total),
                count(t.trainable),
                count(t.frozen),
            )
        )
    return "\n".join(lines)


def trains_text(flags: list[bool | None]) -> str:
    """Whether a row trains, per phase (``None``: some of its layers do)."""
    words = {
        True: translate("ModelInspector", "yes"),
        False: translate("ModelInspector", "no"),
        None: translate("ModelInspector", "partly"),
    }
    return " → ".join(words[f] for f in flags)


def fill_tree(tree: QTreeWidget, structure: Any) -> None:
    """One row per module on the way to a layer with parameters. A parent's count is the sum
    of its layers', and it trains in a phase when all of them do ("partly" when some do)."""
    tree.clear()
    phases = structure.phases
    nodes: dict[str, QTreeWidgetItem] = {}
    params: dict[str, int] = {}
    seen: dict[str, list[set[bool]]] = {}  # per phase: the trainable flags under the row
    for k, layer in enumerate(phases[0].layers):
        flags = [p.layers[k].trainable for p in phases]
        parts = layer.name.split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            if name not in nodes:
                item = QTreeWidgetItem([parts[depth - 1], "", "", ""])
                item.setToolTip(0, name)
                parent = nodes.get(".".join(parts[: depth - 1]))
                if parent is None:
                    tree.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                nodes[name], params[name], seen[name] = item, 0, [set() for _ in phases]
            params[name] += layer.params
            for flags_seen, flag in zip(seen[name], flags, strict=True):
                flags_seen.add(flag)
        nodes[layer.name].setText(1, layer.type)
    for name, item in nodes.items():
        flags = [next(iter(s)) if len(s) == 1 else None for s in seen[name]]
        item.setText(2, count(params[name]))
        item.setTextAlignment(2, RIGHT)
        item.setText(3, trains_text(flags))
        if len(set(flags)) == 1 and flags[0] is not None:
            item.setForeground(3, QBrush(TRAINS if flags[0] else FROZEN))
    for i in range(tree.topLevelItemCount()):
        tree.topLevelItem(i).setExpanded(True)
    # Wide enough for every row, shown or folded (resizeColumnToContents sees shown ones).
    metrics = tree.fontMetrics()
    for column in (1, 2, 3):
        texts = [item.text(column) for item in nodes.values()]
        width = max(metrics.horizontalAdvance(t) for t in [tree.headerItem().text(column), *texts])
        tree.setColumnWidth(column, width + 2 * metrics.averageCharWidth())


def fill_groups(table: QTableWidget, structure: Any) -> None:
    """One row per optimizer group of each phase: epochs, name, learning rate, weight decay,
    parameters, tensors."""
    rows = [(p, g) for p in structure.phases for g in p.groups]
    table.setRowCount(len(rows))
    for r, (phase, g) in enumerate(rows):
        values = [
            f"{phase.first_epoch}–{phase.last_epoch}",
            g.name,
            f"{g.lr:.3g}",
            f"{g.weight_decay:.3g}",
            count(g.params),
            str(g.tensors),
        ]
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if c >= 2:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)


def pipeline_text(pipeline: Any) -> str:
    """The eval view's steps, each training view's, and the postprocessing."""

    def steps(items: Any) -> list[str]:
        return [f"  {i}. {s}" for i, s in enumerate(items, 1)]

    lines = [
        translate("ModelInspector", "Preprocessing (validation, prediction, a tried picture):")
    ]
    lines += steps(pipeline.preprocess)
    for view, items in pipeline.training.items():
        title = (
            translate("ModelInspector", "Training pictures while the backbone is frozen:")
            if view == "frozen"
            else translate("ModelInspector", "Training pictures while the backbone trains:")
        )
        lines += ["", title, *steps(items)]
    post = " → ".join(str(s) for s in pipeline.postprocess)
    lines += ["", translate("ModelInspector", "Postprocessing: logits → {0}").format(post)]
    return "\n".join(lines)


def picture_text(report: Any) -> str:
    """A tried picture: the input tensor, the shapes, the ImageNet top-5 and the new head's
    probabilities."""
    x = report.input
    lines = [
        report.path,
        translate(
            "ModelInspector",
            "Input tensor after preprocessing: shape {0}, values {1:.3f} to {2:.3f} "
            "(mean {3:.3f}, std {4:.3f})",
        ).format(list(x.shape), x.min, x.max, x.mean, x.std),
        translate(
            "ModelInspector", "Backbone features: shape {0} → new head's output: shape {1}"
        ).format(list(report.features_shape), list(report.output_shape)),
        "",
    ]
    if report.imagenet_top5 is None:
        lines.append(
            translate("ModelInspector", "ImageNet top-5: none ({0})").format(report.imagenet_note)
        )
    else:
        lines.append(
            translate(
                "ModelInspector",
                "ImageNet top-5 of the pretrained network, before its output layer is replaced:",
            )
        )
        lines += [f"  {p:7.2%}  {label}" for label, p in report.imagenet_top5]
    lines += ["", translate("ModelInspector", "The new head's probabilities (untrained):")]
    lines += [f"  {p:7.2%}  {label}" for label, p in report.head]
    return "\n".join(lines)


__all__ = ["fill_groups", "fill_tree", "picture_text", "pipeline_text", "totals_text"]
