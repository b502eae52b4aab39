"""The mistakes gallery ("top losses") and the Grad-CAM image dialog.

Thumbnails are decoded by pool jobs (:mod:`tlgui.gui.jobs`) and arrive as ``QImage``;
only the GUI thread turns them into pixmaps. Grad-CAM runs on the pool too: the dialog asks a
``model_source`` callable (run off the GUI thread) for the model and its input geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import jobs
from ..imaging import pil_to_qimage
from ..warm_up import import_engine
from .thumbnail_grid import PATH_ROLE, ThumbnailGrid

THUMB = 112
MAX_ITEMS = 300  # more mistakes than this are not worth a thumbnail each
SAMPLE_ROLE = PATH_ROLE + 1

# model_source() -> (model, input_size, mean, std); called on a worker thread.
ModelSource = Callable[[], tuple[Any, int, Sequence[float], Sequence[float]]]


def top_losses(samples: Sequence[dict], limit: int = MAX_ITEMS) -> list[dict]:
    """The wrongly predicted samples, highest loss first."""
    wrong = [s for s in samples if s["pred"] != s["true"]]
    return sorted(wrong, key=lambda s: s["loss"], reverse=True)[:limit]


class MistakesGallery(ThumbnailGrid):
    """Icon grid of mistakes: thumbnail, true and predicted label, probability.
    ``sampleActivated(dict)`` is emitted with the sample's record when one is clicked."""

    sampleActivated = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(THUMB, 40, parent)
        self.setObjectName("mistakesGallery")
        self.itemClicked.connect(self._on_clicked)

    def set_samples(self, samples: Sequence[dict], classes: Sequence[str]) -> int:
        """Show the mistakes among ``samples`` (EvalReport.samples); returns how many."""
        self.begin()
        mistakes = top_losses(samples)
        placeholder = self.placeholder()
        for s in mistakes:
            true_name, pred_name = classes[s["true"]], classes[s["pred"]]
            item = QListWidgetItem(
                placeholder,
                self.tr("%1 → %2\n%3 %")
                .replace("%1", true_name)
                .replace("%2", pred_name)
                .replace("%3", f"{100 * s['prob']:.0f}"),
            )
            item.setToolTip(
                self.tr("%1\ntrue: %2, predicted: %3 (%4 %), loss %5")
                .replace("%1", s["path"])
                .replace("%2", true_name)
                .replace("%3", pred_name)
                .replace("%4", f"{100 * s['prob']:.1f}")
                .replace("%5", f"{s['loss']:.3f}")
            )
            item.setData(SAMPLE_ROLE, dict(s))
            self.set_item_path(item, s["path"])
            self.addItem(item)
        self.load_thumbnails([s["path"] for s in mistakes])
        return len(mistakes)

    @Slot(QListWidgetItem)
    def _on_clicked(self, item: QListWidgetItem) -> None:
        sample = item.data(SAMPLE_ROLE)
        if sample:
            self.sampleActivated.emit(dict(sample))


def _cam_job(model_source: ModelSource, path: str, target: int) -> tuple[QImage, QImage, tuple]:
    """Worker-thread part of the dialog: the image, its Grad-CAM overlay and the peak."""
    import_engine()
    from ...engine.data import load_image
    from ...engine.explain import _eval_geometry, gradcam_overlay

    model, size, mean, std = model_source()
    image = load_image(path)
    overlay, peak = gradcam_overlay(model, image, size, mean, std, target=target)
    crop, _box = _eval_geometry(image, size)
    return pil_to_qimage(crop), pil_to_qimage(overlay), peak


class CamDialog(QDialog):
    """One image large, with its Grad-CAM overlay (toggle) for the predicted or true class."""

    camReady = Signal()
    camFailed = Signal(str)

    def __init__(
        self,
        sample: dict,
        classes: Sequence[str],
        model_source: ModelSource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("camDialog")
        self.sample = dict(sample)
        self.classes = list(classes)
        self.model_source = model_source
        self._images: dict[int, tuple[QImage, QImage, tuple]] = {}
        self._generation = 0
        true_name = self.classes[sample["true"]]
        pred_name = self.classes[sample["pred"]]
        self.setWindowTitle(self.tr("Grad-CAM: %1").replace("%1", sample["path"]))

        self.caption = QLabel(
            self.tr("True: <b>%1</b> — predicted: <b>%2</b> (%3 %), loss %4")
            .replace("%1", true_name)
            .replace("%2", pred_name)
            .replace("%3", f"{100 * sample['prob']:.1f}")
            .replace("%4", f"{sample['loss']:.3f}")
        )
        self.caption.setObjectName("camCaption")
        self.image_label = QLabel(self.tr("Computing Grad-CAM…"))
        self.image_label.setObjectName("camImage")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumSize(448, 448)
        self.show_cam = QCheckBox(self.tr("Show Grad-CAM overlay"))
        self.show_cam.setObjectName("camToggle")
        self.show_cam.setChecked(True)
        self.show_cam.toggled.connect(self._refresh)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("camTargetCombo")
        self.target_combo.addItem(
            self.tr("Explain the predicted class (%1)").replace("%1", pred_name), sample["pred"]
        )
        self.target_combo.addItem(
            self.tr("Explain the true class (%1)").replace("%1", true_name), sample["true"]
        )
        self.target_combo.currentIndexChanged.connect(self._compute)
        self.path_label = QLabel(sample["path"])
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.show_cam)
        row.addWidget(self.target_combo, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.caption)
        lay.addWidget(self.image_label, 1)
        lay.addLayout(row)
        lay.addWidget(self.path_label)
        lay.addWidget(buttons)
        self._compute()

    @property
    def target(self) -> int:
        return int(self.target_combo.currentData())

    @property
    def peak(self) -> tuple[float, float] | None:
        """The heat map's peak (x, y fractions of the image) for the current target."""
        entry = self._images.get(self.target)
        return entry[2] if entry else None

    def _compute(self) -> None:
        target = self.target
        if target in self._images:
            self._refresh()
            return
        self._generation += 1
        generation = self._generation
        self.image_label.setText(self.tr("Computing Grad-CAM…"))
        jobs.submit(
            _cam_job,
            self.model_source,
            self.sample["path"],
            target,
            done=lambda res, g=generation, t=target: self._on_cam(g, t, res),
            failed=self._on_failed,
            owner=self,
        )

    def _on_cam(self, generation: int, target: int, result: tuple) -> None:
        self._images[target] = result
        if generation == self._generation:
            self._refresh()
            self.camReady.emit()

    def _on_failed(self, message: str) -> None:
        self.image_label.setText(self.tr("Grad-CAM failed: %1").replace("%1", message))
        self.camFailed.emit(message)

    def _refresh(self) -> None:
        entry = self._images.get(self.target)
        if entry is None:
            return
        image = entry[1] if self.show_cam.isChecked() else entry[0]
        pix = QPixmap.fromImage(image).scaled(
            self.image_label.minimumSize(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.image_label.setPixmap(pix)


__all__ = ["CamDialog", "MistakesGallery", "top_losses"]
