"""Step 5 — prediction: drop pictures, folders or a ``.pt`` bundle; each picture becomes a row
with its thumbnail and the top-k classes as probability bars. Work runs off the GUI thread,
one request at a time (the model is used by one thread only)."""

from __future__ import annotations

import os

from PySide6.QtCore import QEventLoop, QSize, Qt, QTemporaryDir, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import jobs
from ..preference_store import unsure_threshold
from ..widgets.drop_zone import DropZone
from ..widgets.tables import read_only_table
from ..widgets.topk_delegate import TOP_ROLE, UNSURE_ROLE, TopKDelegate, row_height
from .predict_jobs import (
    THUMB,
    ModelHandle,
    Row,
    predict_files,
    prepare_backend,
)

BUNDLE_SUFFIXES = (".pt",)
__all__ = ["PredictPage"]


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

        self.predictDropZone = DropZone(
            self.tr(
                "Drop pictures or folders here to classify them\n"
                "— or drop a .pt model file to use it"
            )
        )
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
        self.camCheck.setToolTip(
            self.tr("Overlay where the model looked when it decided (computed per picture)")
        )
        self.camCheck.toggled.connect(self._cam_toggled)
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("predictStatusLabel")
        for w in (
            self.openImagesButton,
            self.pasteButton,
            self.openModelButton,
            self.clearButton,
            self.topKSpin,
            self.camCheck,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.statusLabel)
        root.addLayout(bar)

        self.predictionTable = read_only_table(
            "predictionTable", [self.tr("Picture"), self.tr("File"), self.tr("Prediction")]
        )
        self.predictionTable.setIconSize(QSize(THUMB, THUMB))
        self.predictionTable.setItemDelegateForColumn(
            2, TopKDelegate(self.predictionTable, min_height=THUMB + 8)
        )
        header = self.predictionTable.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, THUMB + 16)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        root.addWidget(self.predictionTable, 1)
        QShortcut(
            QKeySequence.StandardKey.Paste,
            self,
            self.paste,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

    # ------------------------------------------------------------------ model

    def set_model(self, handle: ModelHandle | None) -> None:
        self.handle = handle
        self._model_gen += 1
        self._update_model_label()
        if handle is not None:
            jobs.submit(prepare_backend, handle, owner=self)

    def _update_model_label(self) -> None:
        h = self.handle
        if h is None:
            self.modelLabel.setText(
                self.tr("No model yet: train one on the Train step, or open a saved .pt model.")
            )
            return
        classes = ", ".join(h.classes[:6]) + ("…" if len(h.classes) > 6 else "")
        self.modelLabel.setText(
            self.tr("Model: <b>{0}</b> — {1} classes ({2}) — {3}").format(
                h.backbone, len(h.classes), classes, h.source
            )
        )

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
            self,
            self.tr("Choose pictures"),
            "",
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"),
        )
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
        jobs.submit(
            predict_files,
            self.handle,
            paths,
            self.topKSpin.value(),
            self.camCheck.isChecked(),
            unsure_threshold(),
            done=lambda rows, r=req: self._done(r, rows),
            failed=lambda msg, r=req: self._error(r, msg),
            owner=self,
        )

    def _done(self, req: int, rows: list[Row]) -> None:
        self._busy = False
        for row in rows:
            self._add_row(row)
        n_bad = sum(1 for r in rows if r.error)
        self.statusLabel.setText(
            self.tr("{0} picture(s) predicted").format(len(rows) - n_bad)
            + (self.tr(", {0} unreadable").format(n_bad) if n_bad else "")
        )
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
        pred.setData(UNSURE_ROLE, row.unsure)
        if row.top:
            tip = "\n".join(f"{lb}: {p:.1%}" for lb, p in row.top)
            if row.unsure:
                tip = self.tr("Not sure: below the threshold in Preferences") + "\n" + tip
            pred.setToolTip(tip)
        self.predictionTable.setItem(r, 2, pred)
        lines = len(row.top) + int(row.unsure)
        self.predictionTable.setRowHeight(r, max(THUMB + 8, row_height(lines)))
        self.predictionTable.scrollToBottom()

    def _cam_toggled(self, on: bool) -> None:
        """Re-run the pictures already shown so they get (or lose) their overlay."""
        paths = [
            self.predictionTable.item(r, 0).data(Qt.ItemDataRole.UserRole)
            for r in range(self.predictionTable.rowCount())
        ]
        paths = [p for p in paths if p and os.path.exists(p)]
        if paths and self.handle is not None:
            self.predictionTable.setRowCount(0)
            self.predict(paths)
