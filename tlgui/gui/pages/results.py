"""The Results page: how good is the model, where does it fail, and why.

Shows, per split (val, and test when the dataset has one): overall accuracy, a confusion
matrix heat map (counts or row-normalised), a per-class precision/recall/F1/support table and a
gallery of mistakes sorted by loss, whose items open the image with its Grad-CAM overlay. The
run's per-epoch curves and its configuration stay visible beside them.

Its inputs: a finished run (``set_fit_result``), or a loaded bundle (``set_bundle``, which
carries metrics and history but no per-image results: "Evaluate on dataset" computes those
when a dataset is set with ``set_dataset``). Evaluation and Grad-CAM run off the GUI thread;
torch is imported only there.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import tasks
from ..widgets.gallery import CamDialog, MistakesGallery
from ..widgets.results_plots import draw_confusion, draw_history, make_canvas


def _report_from_json(d: dict) -> Any:
    """An ``EvalReport`` from a bundle's saved metrics (no per-sample records there)."""
    from ...engine.metrics import EvalReport

    return EvalReport(split=d["split"], classes=list(d["classes"]), n=int(d["n"]),
                      accuracy=float(d["accuracy"]), loss=float(d["loss"]),
                      confusion_matrix=[list(r) for r in d["confusion_matrix"]],
                      per_class=dict(d["per_class"]), samples=list(d.get("samples", [])))


def _evaluate_job(model_source, config_dict: dict, scan: Any) -> dict:
    """Worker thread: evaluate the model on the dataset's val and test splits with per-image
    records (the same code path as training's final evaluation). On the CPU: the model may be
    shared with other pages, so it is never moved to another device here."""
    from ...engine.trainer import TrainConfig, Trainer

    model, *_ = model_source()
    cfg = TrainConfig.from_dict({**config_dict, "workers": 0, "device": "cpu"})
    trainer = Trainer(scan, cfg)
    reports = {}
    for split in ("val", "test"):
        if scan.splits.get(split):
            reports[split] = trainer.evaluate(model, split, keep_samples=True)
    return reports


class ResultsPage(QWidget):
    """See the module docstring. ``evaluationFinished(bool)`` reports the end of an
    "Evaluate on dataset" run (True on success)."""

    evaluationFinished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPage")
        self.classes: list[str] = []
        self.reports: dict[str, Any] = {}
        self.history: list[dict] = []
        self.config: dict = {}
        self.backbone: str | None = None
        self.scan: Any = None
        self._fit_result: Any = None
        self._bundle: Any = None
        self._model: Any = None
        self._model_lock = threading.Lock()
        self.cam_dialog: CamDialog | None = None
        self._evaluating = False

        # ---- header: split, accuracy, actions
        self.split_combo = QComboBox()
        self.split_combo.setObjectName("resultsSplitCombo")
        self.split_combo.currentIndexChanged.connect(self._show_split)
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("resultsAccuracyLabel")
        font = self.accuracy_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.accuracy_label.setFont(font)
        self.normalize_check = QCheckBox(self.tr("Row-normalised"))
        self.normalize_check.setObjectName("resultsNormalizeCheck")
        self.normalize_check.setToolTip(self.tr(
            "Show each row as fractions of the true class (recall) instead of counts"))
        self.normalize_check.toggled.connect(self._draw_confusion)
        self.evaluate_button = QPushButton(self.tr("Evaluate on dataset"))
        self.evaluate_button.setObjectName("resultsEvaluateButton")
        self.evaluate_button.setToolTip(self.tr(
            "Run the model on the dataset's val/test images to list its mistakes"))
        self.evaluate_button.clicked.connect(self.evaluate)
        self.status_label = QLabel()
        self.status_label.setObjectName("resultsStatusLabel")
        self.status_label.setWordWrap(True)

        header = QHBoxLayout()
        header.addWidget(QLabel(self.tr("Split:")))
        header.addWidget(self.split_combo)
        header.addSpacing(12)
        header.addWidget(self.accuracy_label)
        header.addStretch(1)
        header.addWidget(self.normalize_check)
        header.addWidget(self.evaluate_button)

        # ---- metrics: confusion matrix + per-class table
        self.confusion_canvas = make_canvas("confusionCanvas", 260)
        self.per_class_table = QTableWidget(0, 5)
        self.per_class_table.setObjectName("perClassTable")
        self.per_class_table.setHorizontalHeaderLabels(
            [self.tr("Class"), self.tr("Precision"), self.tr("Recall"), self.tr("F1"),
             self.tr("Support")])
        self.per_class_table.verticalHeader().setVisible(False)
        self.per_class_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.per_class_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        # Class order until the user sorts by a column.
        self.per_class_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.per_class_table.setSortingEnabled(True)
        metrics_box = QGroupBox(self.tr("Confusion matrix and per-class metrics"))
        mlay = QVBoxLayout(metrics_box)
        msplit = QSplitter(Qt.Orientation.Vertical)
        msplit.addWidget(self.confusion_canvas)
        msplit.addWidget(self.per_class_table)
        msplit.setStretchFactor(0, 3)
        msplit.setStretchFactor(1, 2)
        mlay.addWidget(msplit)

        # ---- mistakes gallery
        self.gallery = MistakesGallery()
        self.gallery.sampleActivated.connect(self.open_sample)
        self.gallery_info = QLabel()
        self.gallery_info.setObjectName("mistakesInfoLabel")
        self.gallery_info.setWordWrap(True)
        gallery_box = QGroupBox(self.tr("Mistakes, highest loss first"))
        glay = QVBoxLayout(gallery_box)
        glay.addWidget(self.gallery_info)
        glay.addWidget(self.gallery, 1)

        # ---- history + configuration
        self.history_canvas = make_canvas("resultsHistoryCanvas", 200)
        self.config_table = QTableWidget(0, 2)
        self.config_table.setObjectName("resultsConfigTable")
        self.config_table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value")])
        self.config_table.verticalHeader().setVisible(False)
        self.config_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.config_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        run_box = QGroupBox(self.tr("Training history and configuration"))
        rlay = QVBoxLayout(run_box)
        rsplit = QSplitter(Qt.Orientation.Vertical)
        rsplit.addWidget(self.history_canvas)
        rsplit.addWidget(self.config_table)
        rsplit.setStretchFactor(0, 3)
        rsplit.setStretchFactor(1, 2)
        rlay.addWidget(rsplit)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(metrics_box)
        body.addWidget(gallery_box)
        body.addWidget(run_box)
        body.setStretchFactor(0, 4)
        body.setStretchFactor(1, 4)
        body.setStretchFactor(2, 3)

        lay = QVBoxLayout(self)
        lay.addLayout(header)
        lay.addWidget(self.status_label)
        lay.addWidget(body, 1)
        self._update_actions()
        self._show_split()

    # ------------------------------------------------------------------ inputs

    def set_fit_result(self, result: Any) -> None:
        """Show a finished run (tlgui.engine.trainer.FitResult): its reports carry per-image
        records, so the gallery fills at once."""
        self._fit_result, self._bundle = result, None
        with self._model_lock:
            self._model = None
        self.classes = list(result.classes)
        self.config = result.config.to_dict()
        self.backbone = result.config.backbone
        self.history = [e.to_json() for e in result.history]
        self._set_reports(dict(result.reports))
        self.status_label.setText(self.tr("Results of the last training run.") if
                                  result.reports else
                                  self.tr("The run ended before any evaluation."))

    def set_bundle(self, bundle: Any) -> None:
        """Show a loaded model bundle: its saved metrics, history and configuration. Lists of
        mistakes need "Evaluate on dataset" (a bundle keeps no per-image results)."""
        self._fit_result, self._bundle = None, bundle
        with self._model_lock:
            self._model = None
        self.classes = list(bundle.classes)
        self.config = dict(bundle.config)
        self.backbone = bundle.backbone
        self.history = [dict(h) for h in bundle.history]
        reports = {}
        for split in ("val", "test"):
            d = bundle.metrics.get(split)
            if isinstance(d, dict) and "confusion_matrix" in d:
                try:
                    reports[split] = _report_from_json(d)
                except (KeyError, TypeError, ValueError):
                    continue
        self._set_reports(reports)
        self.status_label.setText(
            self.tr("Metrics saved with the model. Evaluate on the dataset to see its "
                    "mistakes.") if self.scan is not None else
            self.tr("Metrics saved with the model. Open a dataset to evaluate it and see its "
                    "mistakes."))

    def set_dataset(self, scan: Any) -> None:
        """The dataset "Evaluate on dataset" uses (a DatasetScan, or None)."""
        self.scan = scan
        self._update_actions()

    # ------------------------------------------------------------------ model access

    def _model_source(self) -> tuple[Any, int, list[float], list[float]]:
        """(model, input size, mean, std); runs on worker threads (builds a bundle's model
        once)."""
        from ...engine.backbones import get_info

        with self._model_lock:
            if self._model is None:
                if self._fit_result is not None:
                    self._model = self._fit_result.model
                elif self._bundle is not None:
                    self._model = self._bundle.build_model()
                else:
                    raise RuntimeError("no model to explain")
            model = self._model
        if self._bundle is not None:
            b = self._bundle
            return model, int(b.input_size), list(b.mean), list(b.std)
        info = get_info(self.backbone or "")
        return model, info.input_size, list(info.mean), list(info.std)

    def has_model(self) -> bool:
        return self._fit_result is not None or self._bundle is not None

    # ------------------------------------------------------------------ evaluation

    def _update_actions(self) -> None:
        ready = self.has_model() and self.scan is not None and not self._evaluating
        self.evaluate_button.setEnabled(ready)
        if self.scan is None:
            self.evaluate_button.setToolTip(self.tr("Open a dataset first"))
        else:
            self.evaluate_button.setToolTip(self.tr(
                "Run the model on the dataset's val/test images to list its mistakes"))

    @Slot()
    def evaluate(self) -> None:
        """Evaluate the current model on the dataset's val/test splits (off the GUI thread)."""
        if not self.has_model() or self.scan is None or self._evaluating:
            return
        if list(self.scan.classes) != self.classes:
            self.status_label.setText(
                self.tr("The dataset's classes (%1) do not match the model's (%2).")
                .replace("%1", ", ".join(self.scan.classes))
                .replace("%2", ", ".join(self.classes)))
            self.evaluationFinished.emit(False)
            return
        self._evaluating = True
        self._update_actions()
        self.status_label.setText(self.tr("Evaluating on the dataset…"))
        config = {**self.config, "backbone": self.backbone}
        tasks.submit(_evaluate_job, self._model_source, config, self.scan,
                     done=self._on_evaluated, failed=self._on_evaluate_failed)

    def _on_evaluated(self, reports: dict) -> None:
        self._evaluating = False
        self._set_reports(reports)
        self.status_label.setText(self.tr("Evaluated on %1.")
                                  .replace("%1", self.scan.root if self.scan else ""))
        self._update_actions()
        self.evaluationFinished.emit(True)

    def _on_evaluate_failed(self, message: str) -> None:
        self._evaluating = False
        self.status_label.setText(self.tr("Evaluation failed: %1").replace("%1", message))
        self._update_actions()
        self.evaluationFinished.emit(False)

    # ------------------------------------------------------------------ display

    def _split_name(self, split: str) -> str:
        return {"val": self.tr("Validation"), "test": self.tr("Test")}.get(split, split)

    def _set_reports(self, reports: dict) -> None:
        self.reports = reports
        current = self.split_combo.currentData()
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        for split in ("val", "test"):
            if split in reports:
                self.split_combo.addItem(self._split_name(split), split)
        i = self.split_combo.findData(current)
        self.split_combo.setCurrentIndex(max(0, i))
        self.split_combo.blockSignals(False)
        self.split_combo.setEnabled(self.split_combo.count() > 1)
        self._show_split()
        self._fill_history()
        self._fill_config()
        self._update_actions()

    def current_report(self) -> Any:
        return self.reports.get(self.split_combo.currentData())

    @Slot()
    def _show_split(self) -> None:
        rep = self.current_report()
        if rep is None:
            self.accuracy_label.setText(self.tr("No results yet"))
        else:
            self.accuracy_label.setText(
                self.tr("Accuracy %1 % on %2 images (%3)")
                .replace("%1", f"{100 * rep.accuracy:.1f}").replace("%2", str(rep.n))
                .replace("%3", self._split_name(rep.split)))
        self._draw_confusion()
        self._fill_per_class(rep)
        self._fill_gallery(rep)

    @Slot()
    def _draw_confusion(self) -> None:
        rep = self.current_report()
        fig = self.confusion_canvas.figure
        if rep is None:
            fig.clear()
        else:
            draw_confusion(fig, rep.confusion_matrix, rep.classes,
                           self.normalize_check.isChecked(),
                           {"title": self._split_name(rep.split), "true": self.tr("true class"),
                            "predicted": self.tr("predicted class")})
        self.confusion_canvas.draw_idle()

    def _fill_per_class(self, rep: Any) -> None:
        table = self.per_class_table
        table.setSortingEnabled(False)
        table.setRowCount(0)
        if rep is not None:
            table.setRowCount(len(rep.per_class))
            for r, (name, m) in enumerate(rep.per_class.items()):
                table.setItem(r, 0, QTableWidgetItem(name))
                for c, key in enumerate(("precision", "recall", "f1"), start=1):
                    item = QTableWidgetItem()
                    item.setData(Qt.ItemDataRole.DisplayRole, round(float(m[key]), 3))
                    table.setItem(r, c, item)
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, int(m["support"]))
                table.setItem(r, 4, item)
        table.setSortingEnabled(True)

    def _fill_gallery(self, rep: Any) -> None:
        if rep is None:
            self.gallery.set_samples([], [])
            self.gallery_info.setText("")
            return
        if not rep.samples:
            self.gallery.set_samples([], rep.classes)
            self.gallery_info.setText(
                self.tr("No per-image results: use “Evaluate on dataset”.") if
                self._bundle is not None else self.tr("No per-image results."))
            return
        n = self.gallery.set_samples(rep.samples, rep.classes)
        wrong = sum(1 for s in rep.samples if s["pred"] != s["true"])
        if wrong == 0:
            self.gallery_info.setText(self.tr("No mistakes on these %1 images.")
                                      .replace("%1", str(len(rep.samples))))
        else:
            self.gallery_info.setText(
                self.tr("%1 of %2 images wrong (showing %3). Click one to see where the "
                        "model looked (Grad-CAM).")
                .replace("%1", str(wrong)).replace("%2", str(len(rep.samples)))
                .replace("%3", str(n)))

    def _fill_history(self) -> None:
        draw_history(self.history_canvas.figure, self.history,
                     {"train": self.tr("train"), "val": self.tr("val"), "loss": self.tr("loss"),
                      "acc": self.tr("accuracy"), "epoch": self.tr("epoch")})
        self.history_canvas.draw_idle()

    def _fill_config(self) -> None:
        rows = [(k, v) for k, v in self.config.items() if k != "augment"]
        aug = self.config.get("augment")
        if isinstance(aug, dict):
            if not aug.get("enabled", True):
                rows.append(("augment", self.tr("off")))
            else:
                defaults = {"scale_max": 1.0, "ratio_min": 0.75, "ratio_max": 4 / 3}
                active = {k: v for k, v in aug.items()
                          if k != "enabled" and v not in (0, 0.0, "none")
                          and defaults.get(k) != v}
                rows.append(("augment", json.dumps(active)))
        self.config_table.setRowCount(len(rows))
        for r, (k, v) in enumerate(rows):
            self.config_table.setItem(r, 0, QTableWidgetItem(str(k)))
            self.config_table.setItem(r, 1, QTableWidgetItem(str(v)))

    # ------------------------------------------------------------------ Grad-CAM dialog

    @Slot(dict)
    def open_sample(self, sample: dict) -> CamDialog:
        """Open ``sample`` (an EvalReport.samples record) large with its Grad-CAM overlay."""
        if self.cam_dialog is not None:
            self.cam_dialog.close()
            self.cam_dialog.deleteLater()
        dialog = CamDialog(sample, self.classes, self._model_source, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.cam_dialog = dialog
        dialog.show()
        return dialog


__all__ = ["ResultsPage"]
