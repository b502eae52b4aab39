"""Step 5 — prediction: drop pictures, folders or a ``.pt`` bundle; each picture becomes a row
with its thumbnail and the top-k classes as probability bars. Work runs off the GUI thread,
one request at a time (the model is used by one thread only)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QRectF, QSize, Qt, QTemporaryDir, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.data import ImageLoadError, list_images, load_image
from .. import tasks
from ..imaging import pil_to_qimage
from ..widgets.drop_zone import DropZone

THUMB = 88
BUNDLE_SUFFIXES = (".pt",)
TOP_ROLE = Qt.ItemDataRole.UserRole + 10


@dataclass
class ModelHandle:
    """A ready-to-use model: the engine's Predictor plus what Grad-CAM needs."""

    predictor: object
    classes: list[str]
    backbone: str
    input_size: int
    mean: list[float]
    std: list[float]
    source: str  # shown to the user: "trained just now" or a file name


def handle_from_bundle(bundle, source: str) -> ModelHandle:
    from ...engine.predict import Predictor

    return ModelHandle(Predictor.from_bundle(bundle), list(bundle.classes), bundle.backbone,
                       bundle.input_size, list(bundle.mean), list(bundle.std), source)


def handle_from_result(result, source: str) -> ModelHandle:
    from ...engine.backbones import get_info
    from ...engine.predict import Predictor

    info = get_info(result.config.backbone)
    model = result.model
    predictor = Predictor(model, result.classes, info.input_size, info.mean, info.std)
    return ModelHandle(predictor, list(result.classes), result.config.backbone,
                       info.input_size, list(info.mean), list(info.std), source)


@dataclass
class Row:
    path: str
    top: tuple[tuple[str, float], ...]
    error: str | None
    thumb: object  # QImage or None
    cam: object  # QImage or None
    prediction: object  # engine Prediction


def predict_files(handle: ModelHandle, paths: list[str], top_k: int, cam: bool) -> list[Row]:
    """Runs on a pool thread: decode, predict in one batch, thumbnails, optional Grad-CAM."""
    from ...engine.predict import Prediction

    files = list_images(paths)
    images, good = [], []
    rows: dict[str, Row] = {}
    for f in files:
        try:
            images.append(load_image(f))
            good.append(f)
        except ImageLoadError as exc:
            rows[f] = Row(f, (), str(exc), None, None, Prediction(f, (), str(exc)))
    if images:
        preds = handle.predictor.predict_images(images, good, top_k=top_k)
        explain = None
        if cam:
            from ...engine.explain import gradcam_overlay as explain
        for img, p in zip(images, preds, strict=True):
            small = img.copy()
            small.thumbnail((THUMB * 2, THUMB * 2))
            cam_img = None
            if explain is not None:
                overlay, _peak = explain(handle.predictor.model, img, handle.input_size,
                                         handle.mean, handle.std)
                overlay.thumbnail((THUMB * 2, THUMB * 2))
                cam_img = pil_to_qimage(overlay)
            rows[p.path] = Row(p.path, p.top, None, pil_to_qimage(small), cam_img, p)
    return [rows[f] for f in files]


class TopKDelegate(QStyledItemDelegate):
    """Paints the top-k labels as horizontal probability bars."""

    def paint(self, painter: QPainter, option, index) -> None:
        top = index.data(TOP_ROLE)
        if not top:
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(8, 6, -8, -6)
        line_h = min(22.0, rect.height() / max(1, len(top)))
        label_w = min(160.0, rect.width() * 0.4)
        accent = option.palette.highlight().color()
        for i, (label, prob) in enumerate(top):
            y = rect.top() + i * line_h
            text_rect = QRectF(rect.left(), y, label_w - 6, line_h)
            bar_bg = QRectF(rect.left() + label_w, y + 4, rect.width() - label_w - 56,
                            line_h - 8)
            font = painter.font()
            font.setBold(i == 0)
            painter.setFont(font)
            painter.setPen(option.palette.text().color())
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight,
                                                              int(text_rect.width())))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 25))
            painter.drawRoundedRect(bar_bg, 3, 3)
            colour = QColor(accent) if i == 0 else QColor(accent.red(), accent.green(),
                                                          accent.blue(), 110)
            painter.setBrush(colour)
            bar = QRectF(bar_bg)
            bar.setWidth(max(2.0, bar_bg.width() * float(prob)))
            painter.drawRoundedRect(bar, 3, 3)
            painter.setPen(option.palette.text().color())
            painter.drawText(QRectF(bar_bg.right() + 6, y, 50, line_h),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             f"{prob:.1%}")
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        top = index.data(TOP_ROLE) or ()
        return QSize(320, max(THUMB + 8, 22 * len(top) + 12))


class PredictPage(QWidget):
    modelFileDropped = Signal(str)
    openModelRequested = Signal()
    predictionsReady = Signal(int, list)  # request id, engine Predictions
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.handle: ModelHandle | None = None
        self._queue: list[tuple[int, list[str]]] = []
        self._busy = False
        self._next_id = 0
        self._model_gen = 0
        self._tmp = QTemporaryDir()
        self._build()
        self._update_model_label()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(QLabel(self.tr("<h2>Predict</h2>")))
        self.modelLabel = QLabel()
        self.modelLabel.setObjectName("predictModelLabel")
        self.modelLabel.setWordWrap(True)
        root.addWidget(self.modelLabel)

        self.predictDropZone = DropZone(self.tr(
            "Drop pictures or folders here to classify them\n"
            "— or drop a .pt model file to use it"))
        self.predictDropZone.setObjectName("predictDropZone")
        self.predictDropZone.pathsDropped.connect(self.handle_paths)
        root.addWidget(self.predictDropZone)

        bar = QHBoxLayout()
        self.openImagesButton = QPushButton(self.tr("Open images…"))
        self.openImagesButton.setObjectName("openImagesButton")
        self.openImagesButton.clicked.connect(self.open_images)
        self.pasteButton = QPushButton(self.tr("Paste"))
        self.pasteButton.setObjectName("pasteButton")
        self.pasteButton.setToolTip(self.tr("Classify the picture on the clipboard (Ctrl+V)"))
        self.pasteButton.clicked.connect(self.paste)
        self.openModelButton = QPushButton(self.tr("Open model…"))
        self.openModelButton.setObjectName("openModelButton")
        self.openModelButton.clicked.connect(self.openModelRequested)
        self.clearButton = QPushButton(self.tr("Clear"))
        self.clearButton.setObjectName("clearPredictionsButton")
        self.clearButton.clicked.connect(self.clear)
        self.topKSpin = QSpinBox()
        self.topKSpin.setObjectName("topKSpin")
        self.topKSpin.setRange(1, 10)
        self.topKSpin.setValue(3)
        self.topKSpin.setPrefix(self.tr("top "))
        self.camCheck = QCheckBox(self.tr("Show Grad-CAM"))
        self.camCheck.setObjectName("gradcamCheck")
        self.camCheck.setToolTip(self.tr(
            "Overlay where the model looked when it decided (computed per picture)"))
        self.camCheck.toggled.connect(self._cam_toggled)
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("predictStatusLabel")
        for w in (self.openImagesButton, self.pasteButton, self.openModelButton,
                  self.clearButton, self.topKSpin, self.camCheck):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.statusLabel)
        root.addLayout(bar)

        self.predictionTable = QTableWidget(0, 3)
        self.predictionTable.setObjectName("predictionTable")
        self.predictionTable.setHorizontalHeaderLabels(
            [self.tr("Picture"), self.tr("File"), self.tr("Prediction")])
        self.predictionTable.verticalHeader().hide()
        self.predictionTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.predictionTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.predictionTable.setIconSize(QSize(THUMB, THUMB))
        self.predictionTable.setItemDelegateForColumn(2, TopKDelegate(self.predictionTable))
        header = self.predictionTable.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, THUMB + 16)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        root.addWidget(self.predictionTable, 1)
        QShortcut(QKeySequence.StandardKey.Paste, self, self.paste,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ------------------------------------------------------------------ model

    def set_model(self, handle: ModelHandle | None) -> None:
        self.handle = handle
        self._model_gen += 1
        self._update_model_label()

    def _update_model_label(self) -> None:
        h = self.handle
        if h is None:
            self.modelLabel.setText(self.tr(
                "No model yet: train one on the Train step, or open a saved .pt model."))
            return
        classes = ", ".join(h.classes[:6]) + ("…" if len(h.classes) > 6 else "")
        self.modelLabel.setText(self.tr("Model: <b>{0}</b> — {1} classes ({2}) — {3}")
                                .format(h.backbone, len(h.classes), classes, h.source))

    # ------------------------------------------------------------------ inputs

    def handle_paths(self, paths: list[str]) -> None:
        """Drop handler: a ``.pt`` file loads that model; everything else is predicted."""
        bundles = [p for p in paths if p.lower().endswith(BUNDLE_SUFFIXES) and os.path.isfile(p)]
        others = [p for p in paths if p not in bundles]
        if bundles:
            self.modelFileDropped.emit(bundles[-1])
        if others:
            if bundles:  # predict with the new model once it is loaded
                QTimer.singleShot(0, lambda: self.predict(others))
            else:
                self.predict(others)

    def open_images(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose pictures"), "",
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"))
        if paths:
            self.predict(paths)

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.handle_paths(paths)
                return
        if mime.hasImage():
            image = QGuiApplication.clipboard().image()
            if not image.isNull() and self._tmp.isValid():
                self._next_id += 1
                path = os.path.join(self._tmp.path(), f"pasted-{self._next_id}.png")
                image.save(path, "PNG")
                self.predict([path])
                return
        self.statusLabel.setText(self.tr("The clipboard holds no picture."))

    def clear(self) -> None:
        self.predictionTable.setRowCount(0)
        self.statusLabel.clear()

    # ------------------------------------------------------------------ predicting

    def predict(self, paths: list[str]) -> int:
        """Queue ``paths`` for prediction; returns the request id (-1 without a model)."""
        if self.handle is None:
            msg = self.tr("No model to predict with: train one or open a .pt model first.")
            self.statusLabel.setText(msg)
            self.failed.emit(msg)
            return -1
        self._next_id += 1
        self._queue.append((self._next_id, list(paths)))
        self._pump()
        return self._next_id

    def predict_and_wait(self, paths: list[str], timeout_ms: int = 120_000) -> list:
        """Predict and return the engine ``Prediction`` list once the rows are shown."""
        loop = QEventLoop()
        box: dict = {}

        def ready(req: int, preds: list) -> None:
            if req == box.get("id"):
                box["preds"] = preds
                loop.quit()

        self.predictionsReady.connect(ready)
        try:
            box["id"] = self.predict(paths)
            if box["id"] < 0:
                return []
            QTimer.singleShot(timeout_ms, loop.quit)
            if "preds" not in box:
                loop.exec()
        finally:
            self.predictionsReady.disconnect(ready)
        return box.get("preds", [])

    def _pump(self) -> None:
        if self._busy or not self._queue or self.handle is None:
            return
        req, paths = self._queue.pop(0)
        self._busy = True
        self.statusLabel.setText(self.tr("Predicting…"))
        tasks.submit(predict_files, self.handle, paths, self.topKSpin.value(),
                     self.camCheck.isChecked(),
                     done=lambda rows, r=req: self._done(r, rows),
                     failed=lambda msg, r=req: self._error(r, msg))

    def _done(self, req: int, rows: list[Row]) -> None:
        self._busy = False
        for row in rows:
            self._add_row(row)
        n_bad = sum(1 for r in rows if r.error)
        self.statusLabel.setText(self.tr("{0} picture(s) predicted").format(len(rows) - n_bad)
                                 + (self.tr(", {0} unreadable").format(n_bad) if n_bad else ""))
        self.predictionsReady.emit(req, [r.prediction for r in rows])
        self._pump()

    def _error(self, req: int, message: str) -> None:
        self._busy = False
        self.statusLabel.setText(self.tr("Prediction failed: {0}").format(message))
        self.failed.emit(message)
        self.predictionsReady.emit(req, [])
        self._pump()

    def _add_row(self, row: Row) -> None:
        r = self.predictionTable.rowCount()
        self.predictionTable.insertRow(r)
        pic = QTableWidgetItem()
        img = row.cam if (row.cam is not None and self.camCheck.isChecked()) else row.thumb
        if img is not None:
            pic.setIcon(QIcon(QPixmap.fromImage(img)))
        pic.setData(Qt.ItemDataRole.UserRole, row.path)
        self.predictionTable.setItem(r, 0, pic)
        name = QTableWidgetItem(os.path.basename(row.path))
        name.setToolTip(row.path)
        self.predictionTable.setItem(r, 1, name)
        pred = QTableWidgetItem(self.tr("skipped: {0}").format(row.error) if row.error else "")
        pred.setData(TOP_ROLE, list(row.top))
        if row.top:
            pred.setToolTip("\n".join(f"{lb}: {p:.1%}" for lb, p in row.top))
        self.predictionTable.setItem(r, 2, pred)
        self.predictionTable.setRowHeight(r, max(THUMB + 8, 22 * len(row.top) + 12))
        self.predictionTable.scrollToBottom()

    def _cam_toggled(self, on: bool) -> None:
        """Re-run the pictures already shown so they get (or lose) their overlay."""
        paths = [self.predictionTable.item(r, 0).data(Qt.ItemDataRole.UserRole)
                 for r in range(self.predictionTable.rowCount())]
        paths = [p for p in paths if p and os.path.exists(p)]
        if paths and self.handle is not None:
            self.predictionTable.setRowCount(0)
            self.predict(paths)
