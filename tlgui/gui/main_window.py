"""The main window: a step sidebar (Data → Augment → Train → Results → Predict), menus, status
bar and the wiring between the pages and the training controller. The pages and the
controller do the work through their signals and methods; this file only connects them.

Importing this module must not import torch (tested): everything torch-related happens in
background jobs (:mod:`tlgui.gui.jobs`) or inside slots.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from . import jobs
from .dialogs import ask_save_before_quit, ask_stop_training, show_error
from .doctor import DoctorController
from .menus import build_menus
from .model_files import (
    choose_model_file,
    choose_save_path,
    load_model,
    recorded_bundle,
    save_run_model,
)
from .pages.augment import AugmentPage
from .pages.data import DataPage
from .pages.predict import PredictPage
from .pages.predict_jobs import handle_from_result
from .pages.train import TrainPage
from .resources import app_icon
from .runs_view import keep_runs_pruned
from .settings import add_recent, make_settings
from .training import IDLE, RUNNING, PreparedResume, TrainingController
from .warm_up import import_plotting, load_engine
from .widgets.drop_zone import local_paths
from .widgets.run_picker import interrupted_notice, pick_run
from .widgets.step_list import make_step_list

DATA_STEP, AUGMENT_STEP, TRAIN_STEP, RESULTS_STEP, PREDICT_STEP = range(5)


class MainWindow(QMainWindow):
    """Contract (external UI tests): ``load_dataset``, ``open_model``, ``predict_paths`` and
    ``trainingFinished(dict)`` with the CLI's ``done`` keys plus ``cancelled``."""

    trainingFinished = Signal(dict)
    modelChanged = Signal(str)

    def __init__(self, settings: Any = None, lazy: bool = False) -> None:
        """``lazy`` (used by ``tlgui``): build the plots after the first paint, so the window
        appears at once; tests build everything up front."""
        super().__init__()
        self._pending_results: list[tuple[str, Any]] = []
        self.settings = settings or make_settings()
        self.fit_result: Any = None
        self.fit_run_dir: str | None = None  # run folder of fit_result
        self._fit_out: str | None = None  # where that run's model was saved before, if ever
        self.unsaved = False
        self.device_text = ""
        self._warmed = False
        self.setWindowTitle(self.tr("tlgui — transfer learning for images"))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.training = TrainingController(self)
        self.data_page = DataPage()
        self.augment_page = AugmentPage()
        self.train_page = TrainPage(self.training, lazy_canvas=lazy)
        self.train_page.augment_provider = lambda: self.augment_page.spec().to_dict()
        self.results_page: Any = None
        self.predict_page = PredictPage()
        placeholder = QLabel(self.tr("Loading…"))
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = [
            self.data_page,
            self.augment_page,
            self.train_page,
            placeholder,
            self.predict_page,
        ]
        self._build_layout()
        build_menus(self)
        self._connect()
        keep_runs_pruned(self)  # the Preferences' run retention, after every run
        self.doctor = DoctorController(self)  # Data ▸ Check dataset (wires itself)
        self._restore()
        if not lazy:
            self._build_plots()

    def _build_layout(self) -> None:
        self.steps = make_step_list(
            [
                self.tr("Data"),
                self.tr("Augment"),
                self.tr("Train"),
                self.tr("Results"),
                self.tr("Predict"),
            ]
        )
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
        self.steps.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.steps)
        self.stack.setContentsMargins(12, 6, 12, 6)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.stateLabel = QLabel(self.tr("Ready"))
        self.stateLabel.setObjectName("stateLabel")
        self.deviceLabel = QLabel(self.tr("Device: starting…"))
        self.deviceLabel.setObjectName("deviceLabel")
        self.statusBar().addWidget(self.stateLabel, 1)
        self.statusBar().addPermanentWidget(self.deviceLabel)

    def _build_plots(self, *_args: Any) -> None:
        """The plot-backed parts: live curves and the results page."""
        if self.results_page is not None:
            return
        from .pages.results import ResultsPage

        self.train_page.ensure_canvas()
        self.results_page = ResultsPage(self)
        self.results_page.restore_settings(self.settings)  # built after _restore() ran
        placeholder = self.stack.widget(RESULTS_STEP)
        current = self.stack.currentIndex()
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.insertWidget(RESULTS_STEP, self.results_page)
        self.pages[RESULTS_STEP] = self.results_page
        self.stack.setCurrentIndex(current)
        for method, arg in self._pending_results:
            getattr(self.results_page, method)(arg)
        self._pending_results.clear()

    def _to_results(self, method: str, arg: Any) -> None:
        """Call ``ResultsPage.method(arg)``, or replay it once the page exists (lazy start)."""
        if self.results_page is None:
            self._pending_results.append((method, arg))
        else:
            getattr(self.results_page, method)(arg)

    def _connect(self) -> None:
        d, a, t, p = self.data_page, self.augment_page, self.train_page, self.predict_page
        d.datasetLoaded.connect(self._dataset_loaded)
        d.scanFailed.connect(lambda msg: self.show_error(self.tr("Cannot use this folder"), msg))
        d.sampleChosen.connect(a.set_sample)
        d.sampleChosen.connect(lambda _p: self.steps.setCurrentRow(AUGMENT_STEP))
        d.classWeightRequested.connect(self._use_class_weights)
        d.busyChanged.connect(
            lambda busy: self.stateLabel.setText(self.tr("Scanning…") if busy else self.tr("Ready"))
        )
        t.failed.connect(lambda msg: self.show_error(self.tr("Training"), msg))
        t.saveRequested.connect(self.save_model_dialog)
        t.resumeRequested.connect(self.resume_run_dialog)
        r = self.training
        r.stateChanged.connect(self._train_state)
        r.runFinished.connect(self._run_finished)
        r.fileSkipped.connect(d.add_skipped)
        r.failed.connect(lambda msg: self.show_error(self.tr("Training failed"), msg))
        r.resumeReady.connect(self._show_resumed_run)
        r.resumeFailed.connect(lambda msg: self.show_error(self.tr("Cannot resume the run"), msg))
        p.modelFileDropped.connect(lambda path: QTimer.singleShot(0, lambda: self.open_model(path)))
        p.openModelRequested.connect(self.open_model_dialog)

    # ------------------------------------------------------------------ contract API

    def load_dataset(self, path: str) -> Any:
        """Scan ``path`` (off the GUI thread, the window stays live) and show it; returns the
        ``DatasetScan`` or ``None`` when the folder cannot be used."""
        self.steps.setCurrentRow(DATA_STEP)
        return self.data_page.load_and_wait(str(path))

    def open_model(self, path: str) -> bool:
        """Load a ``.pt`` bundle (off the GUI thread) for prediction and the results page."""
        path = str(path)
        self.stateLabel.setText(self.tr("Loading model {0}…").format(os.path.basename(path)))
        try:
            bundle, handle = jobs.run_and_wait(load_model, path)
        except RuntimeError as exc:
            self.stateLabel.setText(self.tr("Ready"))
            self.show_error(self.tr("Cannot open the model"), str(exc))
            return False
        self.predict_page.set_model(handle)
        self._to_results("set_bundle", bundle)
        add_recent(self.settings, "recent/models", os.path.abspath(path))
        self.stateLabel.setText(self.tr("Model {0} loaded").format(os.path.basename(path)))
        self.modelChanged.emit(path)
        return True

    def predict_paths(self, paths: list[str]) -> list:
        """Predict image files/folders with the current model; returns the engine's
        ``Prediction`` list once the rows are shown (empty without a model)."""
        self.steps.setCurrentRow(PREDICT_STEP)
        return self.predict_page.predict_and_wait([str(p) for p in paths])

    # ------------------------------------------------------------------ dataset / training

    def _dataset_loaded(self, scan: Any) -> None:
        self.augment_page.set_dataset(scan)
        self.train_page.set_dataset(scan)
        self._to_results("set_dataset", scan)
        add_recent(self.settings, "recent/datasets", scan.root)
        n = sum(len(v) for v in scan.splits.values())
        self.stateLabel.setText(
            self.tr("Dataset: {0} images in {1} classes").format(n, len(scan.classes))
        )

    def _use_class_weights(self) -> None:
        self.train_page.apply_config({"class_weighted": True})
        self.steps.setCurrentRow(TRAIN_STEP)

    def start_training(self) -> None:
        if self.train_page.scan is None:
            self.show_error(self.tr("No dataset"), self.tr("Open a dataset folder first."))
            return
        self.steps.setCurrentRow(TRAIN_STEP)
        self.train_page.start()

    def _train_state(self, state: str) -> None:
        text = {
            "running": self.tr("Training…"),
            "stopping": self.tr("Stopping…"),
            "preparing": self.tr("Preparing to resume the run…"),
            "idle": self.tr("Ready"),
        }[state]
        self.stateLabel.setText(text)
        self.actionStartTraining.setEnabled(state == IDLE)
        self.actionStopTraining.setEnabled(state == RUNNING)
        self.resumeRunAction.setEnabled(state == IDLE)

    def _run_finished(self, result: Any, summary: dict) -> None:
        if result is not None and result.history:
            self.fit_result = result
            self.fit_run_dir = self.training.run_dir
            self._fit_out = recorded_bundle(self.fit_run_dir)
            self.unsaved = True
            self.actionSaveModel.setEnabled(True)
            self.train_page.set_model_ready(True)
            self._to_results("set_fit_result", result)
            # Cheap (torch is loaded, the model is built): done at once so a picture dropped
            # right after the run already uses the new model.
            self.predict_page.set_model(handle_from_result(result, self.tr("trained just now")))
            self.stateLabel.setText(
                self.tr("Trained: best validation accuracy {0:.1%}").format(result.best_val_acc)
            )
        self.trainingFinished.emit(summary)

    # ------------------------------------------------------------------ saving and opening

    def save_model(self, path: str) -> bool:
        """Save the last run's model at ``path`` (and note it in the run folder)."""
        if self.fit_result is None:
            return False
        try:
            path = save_run_model(self.fit_result, path, self.fit_run_dir)
        except OSError as exc:
            self.show_error(self.tr("Cannot save the model"), jobs.one_line(exc))
            return False
        self.unsaved = False
        self._fit_out = path
        add_recent(self.settings, "recent/models", path)
        self.stateLabel.setText(self.tr("Saved {0}").format(path))
        return True

    def save_model_dialog(self) -> bool:
        if self.fit_result is None:
            self.show_error(self.tr("Nothing to save"), self.tr("Train a model first."))
            return False
        suggestion = self._fit_out or f"{self.fit_result.config.backbone}.pt"
        path = choose_save_path(self, self.settings, suggestion)
        return path is not None and self.save_model(path)

    def open_model_dialog(self) -> None:
        path = choose_model_file(self, self.settings)
        if path:
            self.open_model(path)

    # ------------------------------------------------------------------ resuming a run

    def resume_run_dialog(self) -> None:
        """Pick an unfinished run (recent ones, or any folder) and continue it."""
        if self.training.is_running():
            return
        path = pick_run(self)
        if path:
            self.resume_run(path)

    def resume_run(self, path: str) -> bool:
        """Continue the run in ``path`` (see :meth:`TrainingController.resume`): problems
        become a one-line dialog; True when the resume is under way (``trainingFinished``
        ends it)."""
        return self.training.resume(path)

    def _show_resumed_run(self, prepared: PreparedResume) -> None:
        """Show a resumed run's dataset and settings before it trains on."""
        self.data_page.show_scan(prepared.scan)
        self._dataset_loaded(prepared.scan)
        self.augment_page.apply_config(prepared.config)
        self.train_page.apply_config(prepared.config)
        self.steps.setCurrentRow(TRAIN_STEP)

    def _offer_resume(self) -> None:
        """If the newest run was left running (the app or process was killed), say so."""
        notice = interrupted_notice()
        if notice is not None and not self.training.is_running():
            self.statusBar().showMessage(notice, 20_000)

    # ------------------------------------------------------------------ messages, start-up

    def show_error(self, title: str, message: str) -> None:
        show_error(self, title, message)
        self.statusBar().showMessage(f"{title}: {message}", 8000)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(0, self.warm_up)
            QTimer.singleShot(0, self._offer_resume)

    def warm_up(self) -> None:
        """Load the plotting libraries and torch in the background once the window shows."""
        if self.results_page is None:
            jobs.submit(import_plotting, finished=self._build_plots, owner=self)
        jobs.submit(
            load_engine,
            done=self._warmed_up,
            owner=self,
            failed=lambda msg: self.deviceLabel.setText(self.tr("Device: {0}").format(msg)),
        )

    def _warmed_up(self, result: tuple[str, dict[str, bool]]) -> None:
        self.device_text, available = result
        self.deviceLabel.setText(self.tr("Device: {0}").format(self.device_text))
        self.train_page.set_weights_availability(available)

    def dragEnterEvent(self, event: Any) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        paths = local_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        if self.stack.currentWidget() is self.predict_page:
            self.predict_page.handle_paths(paths)
        elif len(paths) == 1 and os.path.isdir(paths[0]):
            self.steps.setCurrentRow(DATA_STEP)
            self.data_page.load(paths[0])
        else:
            self.steps.setCurrentRow(PREDICT_STEP)
            self.predict_page.handle_paths(paths)

    # ------------------------------------------------------------------ settings, closing

    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        for page in (self.data_page, self.augment_page, self.train_page):
            page.restore_settings(s)
        self.steps.setCurrentRow(DATA_STEP)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        pages = (self.data_page, self.augment_page, self.train_page, self.results_page)
        for page in (p for p in pages if p is not None):
            page.save_settings(s)
        s.sync()

    def closeEvent(self, event: Any) -> None:
        if self.training.is_running():
            if not ask_stop_training(self):
                event.ignore()
                return
            self.training.stop_and_wait()
            self.unsaved = False
        if self.unsaved and self.fit_result is not None:
            answer = ask_save_before_quit(self)
            if answer == QMessageBox.StandardButton.Cancel or (
                answer == QMessageBox.StandardButton.Save and not self.save_model_dialog()
            ):
                event.ignore()
                return
        self.save_settings()
        jobs.wait_for_pool(30_000)
        super().closeEvent(event)
