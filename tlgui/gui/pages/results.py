"""The Results page: how good is the model, where does it fail, and why.

Shows, per split (val, and test when the dataset has one): overall accuracy, a confusion
matrix heat map (counts or row-normalised), a per-class precision/recall/F1/support table and a
gallery of mistakes sorted by loss, whose items open the image with its Grad-CAM overlay. The
run's per-epoch curves and its configuration stay visible beside them.

Its inputs: a finished run (``set_fit_result``), or a loaded bundle (``set_bundle``, which
carries metrics and history but no per-image results: "Evaluate on dataset" computes those
when a dataset is set with ``set_dataset``). "Evaluate on dataset" runs the engine's one
evaluation, as ``tlgui evaluate`` does, with test-time augmentation when its checkbox is ticked;
the header says which way the shown numbers were computed. Evaluation and Grad-CAM run off the
GUI thread; torch is imported only there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import jobs
from ..widgets.calibration_plot import ReliabilityView
from ..widgets.confusion_hover import ConfusionHover
from ..widgets.gallery import CamDialog, MistakesGallery
from ..widgets.results_plots import draw_confusion, draw_history, make_canvas
from ..widgets.tables import fit_columns_to_contents, read_only_table
from .results_parts import TtaCheck, fill_per_class, stacked_box
from .results_source import ResultsSource, config_rows, evaluate_job


class ResultsPage(QWidget):
    """See the module docstring. ``evaluationFinished(bool)`` reports the end of an
    "Evaluate on dataset" run (True on success)."""

    evaluationFinished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPage")
        self.reports: dict[str, Any] = {}
        self.scan: Any = None
        self.source: ResultsSource | None = None
        self.cam_dialog: CamDialog | None = None
        self._evaluating = False
        self.reports_tta = False  # whether the shown reports were computed with TTA

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
        self.normalize_check.setToolTip(
            self.tr("Show each row as fractions of the true class (recall) instead of counts")
        )
        self.normalize_check.toggled.connect(self._draw_confusion)
        self.evaluate_button = QPushButton(self.tr("Evaluate on dataset"))
        self.evaluate_button.setObjectName("resultsEvaluateButton")
        self.evaluate_button.setToolTip(
            self.tr("Run the model on the dataset's val/test images to list its mistakes")
        )
        self.evaluate_button.clicked.connect(self.evaluate)
        self.tta_check = TtaCheck()
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
        header.addWidget(self.tta_check)
        header.addWidget(self.evaluate_button)

        # ---- metrics: confusion matrix + per-class table
        self.confusion_canvas = make_canvas("confusionCanvas", 260)
        headers = [
            self.tr("Class"),
            self.tr("Precision"),
            self.tr("Recall"),
            self.tr("F1"),
            self.tr("Support"),
        ]
        self.confusion_hover = ConfusionHover(self.confusion_canvas)
        # Label sizes follow the canvas's size (results_plots.confusion_label_layout). A bound
        # method: matplotlib keeps only a weak reference to it, so no cycle holds the page.
        self.confusion_canvas.mpl_connect("resize_event", self._draw_confusion)
        self.per_class_table = read_only_table("perClassTable", headers)
        fit_columns_to_contents(self.per_class_table)
        # Class order until the user sorts by a column.
        self.per_class_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.per_class_table.setSortingEnabled(True)
        self.reliability_view = ReliabilityView()
        figures = QTabWidget()
        figures.setObjectName("resultsFigureTabs")
        figures.addTab(self.confusion_canvas, self.tr("Confusion matrix"))
        figures.addTab(self.reliability_view, self.tr("Calibration"))
        metrics_box = stacked_box(
            self.tr("Confusion matrix and per-class metrics"), figures, self.per_class_table
        )

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
        self.config_table = read_only_table(
            "resultsConfigTable", [self.tr("Setting"), self.tr("Value")]
        )
        self.config_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        run_box = stacked_box(
            self.tr("Training history and configuration"), self.history_canvas, self.config_table
        )

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
        self._show_source(ResultsSource(fit_result=result))
        self.status_label.setText(
            self.tr("Results of the last training run.")
            if result.reports
            else self.tr("The run ended before any evaluation.")
        )

    def set_bundle(self, bundle: Any) -> None:
        """Show a loaded model bundle: its saved metrics, history and configuration. Lists of
        mistakes need "Evaluate on dataset" (a bundle keeps no per-image results)."""
        self._show_source(ResultsSource(bundle=bundle))
        self.status_label.setText(
            self.tr("Metrics saved with the model. Evaluate on the dataset to see its mistakes.")
            if self.scan is not None
            else self.tr(
                "Metrics saved with the model. Open a dataset to evaluate it and see its mistakes."
            )
        )

    def _show_source(self, source: ResultsSource) -> None:
        self.source = source
        self.reports_tta = False  # a run and a bundle's saved metrics are evaluated without TTA
        self._set_reports(dict(source.reports))

    def set_dataset(self, scan: Any) -> None:
        """The dataset "Evaluate on dataset" uses (a DatasetScan, or None)."""
        self.scan = scan
        self._update_actions()

    def has_model(self) -> bool:
        return self.source is not None

    def save_settings(self, settings: QSettings) -> None:
        self.tta_check.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.tta_check.restore_settings(settings)

    # ------------------------------------------------------------------ evaluation

    def _update_actions(self) -> None:
        ready = self.has_model() and self.scan is not None and not self._evaluating
        self.evaluate_button.setEnabled(ready)
        if self.scan is None:
            self.evaluate_button.setToolTip(self.tr("Open a dataset first"))
        else:
            self.evaluate_button.setToolTip(
                self.tr("Run the model on the dataset's val/test images to list its mistakes")
            )

    @Slot()
    def evaluate(self) -> None:
        """Evaluate the current model on the dataset's val/test splits (off the GUI thread),
        with test-time augmentation when ``resultsTtaCheck`` is ticked."""
        if not self.has_model() or self.scan is None or self._evaluating:
            return
        if list(self.scan.classes) != self.source.classes:
            self.status_label.setText(
                self.tr("The dataset's classes (%1) do not match the model's (%2).")
                .replace("%1", ", ".join(self.scan.classes))
                .replace("%2", ", ".join(self.source.classes))
            )
            self.evaluationFinished.emit(False)
            return
        self._evaluating = True
        self._update_actions()
        self.status_label.setText(self.tr("Evaluating on the dataset…"))
        tta = self.tta_check.isChecked()
        jobs.submit(
            evaluate_job,
            self.source,
            self.scan,
            tta,
            done=lambda reports: self._on_evaluated(reports, tta),
            failed=self._on_evaluate_failed,
            owner=self,
        )

    def _on_evaluated(self, reports: dict, tta: bool) -> None:
        self._evaluating = False
        self.reports_tta = tta
        self._set_reports(reports)
        done = self.tr("Evaluated on %1 with TTA.") if tta else self.tr("Evaluated on %1.")
        self.status_label.setText(done.replace("%1", self.scan.root if self.scan else ""))
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
            how = self._split_name(rep.split)
            if self.reports_tta:
                how = self.tr("%1, with TTA").replace("%1", how)
            self.accuracy_label.setText(
                self.tr("Accuracy %1 % on %2 images (%3)")
                .replace("%1", f"{100 * rep.accuracy:.1f}")
                .replace("%2", str(rep.n))
                .replace("%3", how)
            )
        self._draw_confusion()
        fill_per_class(self.per_class_table, rep)
        self.reliability_view.set_report(rep)
        self._fill_gallery(rep)

    @Slot()
    def _draw_confusion(self, *_resize_event: Any) -> None:
        rep = self.current_report()
        fig = self.confusion_canvas.figure
        if rep is None:
            self.confusion_hover.set_matrix([], [])
            fig.clear()
        else:
            self.confusion_hover.set_matrix(rep.confusion_matrix, rep.classes)
            draw_confusion(
                fig,
                rep.confusion_matrix,
                rep.classes,
                self.normalize_check.isChecked(),
                {
                    "title": self._split_name(rep.split),
                    "true": self.tr("true class"),
                    "predicted": self.tr("predicted class"),
                },
            )
        self.confusion_canvas.draw_idle()

    def _fill_gallery(self, rep: Any) -> None:
        if rep is None:
            self.gallery.set_samples([], [])
            self.gallery_info.setText("")
            return
        if not rep.samples:
            self.gallery.set_samples([], rep.classes)
            self.gallery_info.setText(
                self.tr("No per-image results: use “Evaluate on dataset”.")
                if self.source is not None and self.source.bundle is not None
                else self.tr("No per-image results.")
            )
            return
        n = self.gallery.set_samples(rep.samples, rep.classes)
        wrong = sum(1 for s in rep.samples if s["pred"] != s["true"])
        if wrong == 0:
            self.gallery_info.setText(
                self.tr("No mistakes on these %1 images.").replace("%1", str(len(rep.samples)))
            )
        else:
            self.gallery_info.setText(
                self.tr(
                    "%1 of %2 images wrong (showing %3). Click one to see where the "
                    "model looked (Grad-CAM)."
                )
                .replace("%1", str(wrong))
                .replace("%2", str(len(rep.samples)))
                .replace("%3", str(n))
            )

    def _fill_history(self) -> None:
        draw_history(
            self.history_canvas.figure,
            self.source.history,
            {
                "train": self.tr("train"),
                "val": self.tr("val"),
                "loss": self.tr("loss"),
                "acc": self.tr("accuracy"),
                "epoch": self.tr("epoch"),
            },
        )
        self.history_canvas.draw_idle()

    def _fill_config(self) -> None:
        rows = config_rows(self.source.config, self.tr("off"))
        self.config_table.setRowCount(len(rows))
        for r, (k, v) in enumerate(rows):
            self.config_table.setItem(r, 0, QTableWidgetItem(k))
            self.config_table.setItem(r, 1, QTableWidgetItem(v))

    # ------------------------------------------------------------------ Grad-CAM dialog

    @Slot(dict)
    def open_sample(self, sample: dict) -> CamDialog:
        """Open ``sample`` (an EvalReport.samples record) large with its Grad-CAM overlay."""
        if self.cam_dialog is not None:
            self.cam_dialog.close()
            self.cam_dialog.deleteLater()
        dialog = CamDialog(sample, self.source.classes, self.source.model_source, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.cam_dialog = dialog
        dialog.show()
        return dialog


__all__ = ["ResultsPage"]
