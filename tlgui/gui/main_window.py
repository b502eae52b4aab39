"""The main window: a step sidebar (Data → Augment → Train → Results → Predict), menus, status
bar and the wiring between pages. The pages do the work; this file only connects them.

Importing this module must not import torch (tested): everything torch-related happens in
worker threads or inside slots.
"""

from __future__ import annotations

import contextlib
import os
import sys

from PySide6.QtCore import QEventLoop, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .. import __version__
from . import tasks
from .pages.augment import AugmentPage
from .pages.data import DataPage
from .pages.predict import PredictPage, handle_from_bundle, handle_from_result
from .pages.train import TrainPage
from .resources import app_icon
from .settings import add_recent, make_settings, read_list
from .widgets.drop_zone import local_paths
from .widgets.run_picker import latest_interrupted, pick_run

SIDEBAR_STYLE = """
QListWidget#stepList { background: #1f2433; color: #dfe3ee; border: none; font-size: 14px;
                       padding-top: 12px; outline: none; }
QListWidget#stepList::item { padding: 12px 14px; border-left: 3px solid transparent; }
QListWidget#stepList::item:selected { background: #2c3347; color: white;
                                      border-left: 3px solid #5c7cfa; }
QListWidget#stepList::item:hover:!selected { background: #262c3d; }
"""


_QUESTION = QMessageBox.question


def ask(parent, title: str, text: str, buttons, default, unattended):
    """``QMessageBox.question``, except on a display nobody can see (the offscreen platform of
    scripts and UI tests) where a modal question would wait forever: there ``unattended`` is
    the answer. A test that replaces ``QMessageBox.question`` still gets asked."""
    if QMessageBox.question is _QUESTION and QGuiApplication.platformName() == "offscreen":
        return unattended
    return QMessageBox.question(parent, title, text, buttons, default)


def _warm_up() -> tuple[str, dict[str, bool]]:
    """Import torch off the GUI thread, then report the device and which backbones have
    ImageNet weights on disk."""
    from ..engine.backbones import BACKBONES
    from ..engine.trainer import device_description, resolve_device

    device = device_description(resolve_device("auto"))
    return device, {name: info.pretrained_available() for name, info in BACKBONES.items()}


def _import_plotting() -> None:
    """matplotlib's Qt backend takes a second or two to import: do it off the GUI thread."""
    import matplotlib.backends.backend_qtagg
    import matplotlib.figure  # noqa: F401


def _prepare_resume(path: str, data: str, val_split: float, seed: int):
    """Re-scan a run's dataset with the run's split and seed and check that its resume
    checkpoint loads and fits that dataset (off the GUI thread: this imports torch)."""
    from ..engine.data import scan_dataset
    from ..engine.runs import RunFolder

    scan = scan_dataset(data, val_split=val_split, seed=seed)
    state = RunFolder(path).load_state()
    classes = [str(c) for c in state.get("classes", [])]
    if classes and classes != list(scan.classes):
        raise ValueError(f"the dataset's classes changed since the run started "
                         f"({', '.join(classes)}); cannot resume")
    return scan


def _load_model(path: str):
    from ..engine.checkpoint import load_bundle

    bundle = load_bundle(path)
    return bundle, handle_from_bundle(bundle, os.path.basename(path))


class MainWindow(QMainWindow):
    """Contract (external UI tests): ``load_dataset``, ``open_model``, ``predict_paths`` and
    ``trainingFinished(dict)`` with the CLI's ``done`` keys plus ``cancelled``."""

    trainingFinished = Signal(dict)
    modelChanged = Signal(str)

    def __init__(self, settings=None, lazy: bool = False) -> None:
        """``lazy`` (used by ``tlgui``): build the matplotlib parts after the first paint, so
        the window appears at once; tests build everything up front."""
        super().__init__()
        self._lazy = lazy
        self._pending_results: list[tuple[str, object]] = []
        self.settings = settings or make_settings()
        self.fit_result = None
        self.fit_run_dir: str | None = None  # run folder of fit_result
        self._fit_out: str | None = None  # where that run's model was saved before, if ever
        self._resume_pending = False
        self.bundle = None
        self.unsaved = False
        self.device_text = ""
        self._warmed = False
        self._boxes: list[QMessageBox] = []
        self.setWindowTitle(self.tr("tlgui — transfer learning for images"))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.data_page = DataPage()
        self.augment_page = AugmentPage()
        self.train_page = TrainPage(lazy_canvas=lazy)
        self.results_page = None
        self.predict_page = PredictPage()
        self.train_page.augment_provider = lambda: self.augment_page.spec().to_dict()
        placeholder = QLabel(self.tr("Loading…"))
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = [self.data_page, self.augment_page, self.train_page, placeholder,
                      self.predict_page]

        self.steps = QListWidget()
        self.steps.setObjectName("stepList")
        self.steps.setFixedWidth(190)
        self.steps.setIconSize(QSize(20, 20))
        self.steps.setStyleSheet(SIDEBAR_STYLE)
        self.stack = QStackedWidget()
        titles = [self.tr("Data"), self.tr("Augment"), self.tr("Train"), self.tr("Results"),
                  self.tr("Predict")]
        for i, (title, page) in enumerate(zip(titles, self.pages, strict=True)):
            self.steps.addItem(QListWidgetItem(f"{i + 1}   {title}"))
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

        self._build_actions()
        self._connect()
        self._restore()
        if not lazy:
            self._build_plots()

    def _build_plots(self, *_args) -> None:
        """The matplotlib-backed parts: live curves and the results page."""
        if self.results_page is not None:
            return
        from .pages.results import ResultsPage

        self.train_page.ensure_canvas()
        self.results_page = ResultsPage(self)
        placeholder = self.stack.widget(3)
        current = self.stack.currentIndex()
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.insertWidget(3, self.results_page)
        self.pages[3] = self.results_page
        self.stack.setCurrentIndex(current)
        for method, arg in self._pending_results:
            getattr(self.results_page, method)(arg)
        self._pending_results.clear()

    def _to_results(self, method: str, arg) -> None:
        """Call ``ResultsPage.method(arg)``, or replay it once the page exists (lazy start)."""
        if self.results_page is None:
            self._pending_results.append((method, arg))
        else:
            getattr(self.results_page, method)(arg)

    # ------------------------------------------------------------------ menus

    def _action(self, name: str, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even where the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.actionOpenDataset = self._action(
            "actionOpenDataset", self.tr("Open dataset folder…"), self.data_page.browse,
            QKeySequence.StandardKey.Open)
        self.actionOpenModel = self._action(
            "actionOpenModel", self.tr("Open model…"), self.open_model_dialog, "Ctrl+Shift+O")
        self.actionSaveModel = self._action(
            "actionSaveModel", self.tr("Save model as…"), self.save_model_dialog,
            QKeySequence.StandardKey.Save)
        self.actionSaveModel.setEnabled(False)
        self.resumeRunAction = self._action(
            "resumeRunAction", self.tr("Resume Run…"), self.resume_run_dialog)
        self.resumeRunAction.setToolTip(self.tr(
            "Continue a training run that was stopped, failed or interrupted"))
        self.actionQuit = self._action("actionQuit", self.tr("Quit"), self.close,
                                       QKeySequence.StandardKey.Quit)
        self.actionStartTraining = self._action(
            "actionStartTraining", self.tr("Start training"), self.start_training,
            ["Ctrl+Return", "Ctrl+Enter"])
        self.actionStopTraining = self._action(
            "actionStopTraining", self.tr("Stop training"), self.train_page.stop, "Esc")
        self.actionStopTraining.setEnabled(False)
        self.actionAbout = self._action("actionAbout", self.tr("About tlgui"), self.about)

        m = self.menuBar().addMenu(self.tr("&File"))
        m.addAction(self.actionOpenDataset)
        m.addAction(self.actionOpenModel)
        m.addAction(self.actionSaveModel)
        m.addAction(self.resumeRunAction)
        m.addSeparator()
        self.recentDataMenu = m.addMenu(self.tr("Recent datasets"))
        self.recentModelMenu = m.addMenu(self.tr("Recent models"))
        self.recentDataMenu.aboutToShow.connect(
            lambda: self._fill_recent(self.recentDataMenu, "recent/datasets", self.load_dataset))
        self.recentModelMenu.aboutToShow.connect(
            lambda: self._fill_recent(self.recentModelMenu, "recent/models", self.open_model))
        m.addSeparator()
        m.addAction(self.actionQuit)
        t = self.menuBar().addMenu(self.tr("&Train"))
        t.addAction(self.actionStartTraining)
        t.addAction(self.actionStopTraining)
        v = self.menuBar().addMenu(self.tr("&View"))
        for i in range(self.steps.count()):
            a = self._action(f"actionStep{i + 1}", self.steps.item(i).text().split("   ")[-1],
                             lambda _c=False, i=i: self.steps.setCurrentRow(i), f"Ctrl+{i + 1}")
            v.addAction(a)
        h = self.menuBar().addMenu(self.tr("&Help"))
        h.addAction(self.actionAbout)

    def _fill_recent(self, menu, key: str, opener) -> None:
        menu.clear()
        items = read_list(self.settings, key)
        for path in items:
            menu.addAction(path, lambda p=path: opener(p))
        if not items:
            menu.addAction(self.tr("(none yet)")).setEnabled(False)

    def _connect(self) -> None:
        d, a, t, p = self.data_page, self.augment_page, self.train_page, self.predict_page
        d.datasetLoaded.connect(self._dataset_loaded)
        d.scanFailed.connect(lambda msg: self.show_error(self.tr("Cannot use this folder"), msg))
        d.sampleChosen.connect(a.set_sample)
        d.sampleChosen.connect(lambda _p: self.steps.setCurrentRow(1))
        d.classWeightRequested.connect(self._use_class_weights)
        d.busyChanged.connect(lambda busy: self.stateLabel.setText(
            self.tr("Scanning…") if busy else self.tr("Ready")))
        t.stateChanged.connect(self._train_state)
        t.runFinished.connect(self._run_finished)
        t.runStarted.connect(self._watch_skipped)
        t.failed.connect(lambda msg: self.show_error(self.tr("Training failed"), msg))
        t.saveButton.clicked.connect(self.save_model_dialog)
        t.resumeRequested.connect(self.resume_run_dialog)
        p.modelFileDropped.connect(lambda path: QTimer.singleShot(0, lambda: self.open_model(path)))
        p.openModelRequested.connect(self.open_model_dialog)

    # ------------------------------------------------------------------ contract API

    def load_dataset(self, path: str):
        """Scan ``path`` (off the GUI thread, the window stays live) and show it; returns the
        ``DatasetScan`` or ``None`` when the folder cannot be used."""
        loop = QEventLoop()
        box: dict = {}

        def ok(scan) -> None:
            box["scan"] = scan
            loop.quit()

        def bad(_msg: str) -> None:
            box["failed"] = True
            loop.quit()

        self.data_page.datasetLoaded.connect(ok)
        self.data_page.scanFailed.connect(bad)
        try:
            self.steps.setCurrentRow(0)
            self.data_page.load(str(path))
            if not box:
                loop.exec()
        finally:
            self.data_page.datasetLoaded.disconnect(ok)
            self.data_page.scanFailed.disconnect(bad)
        return box.get("scan")

    def open_model(self, path: str) -> bool:
        """Load a ``.pt`` bundle (off the GUI thread) for prediction and the results page."""
        path = str(path)
        self.stateLabel.setText(self.tr("Loading model {0}…").format(os.path.basename(path)))
        try:
            bundle, handle = tasks.run_and_wait(_load_model, path)
        except RuntimeError as exc:
            self.stateLabel.setText(self.tr("Ready"))
            self.show_error(self.tr("Cannot open the model"), str(exc))
            return False
        self.bundle = bundle
        self.predict_page.set_model(handle)
        self._to_results("set_bundle", bundle)
        add_recent(self.settings, "recent/models", os.path.abspath(path))
        self.stateLabel.setText(self.tr("Model {0} loaded").format(os.path.basename(path)))
        self.modelChanged.emit(path)
        return True

    def predict_paths(self, paths) -> list:
        """Predict image files/folders with the current model; returns the engine's
        ``Prediction`` list once the rows are shown (empty without a model)."""
        self.steps.setCurrentRow(4)
        return self.predict_page.predict_and_wait([str(p) for p in paths])

    # ------------------------------------------------------------------ dataset / training

    def _dataset_loaded(self, scan) -> None:
        self.augment_page.set_dataset(scan)
        self.train_page.set_dataset(scan)
        self._to_results("set_dataset", scan)
        add_recent(self.settings, "recent/datasets", scan.root)
        n = sum(len(v) for v in scan.splits.values())
        self.stateLabel.setText(self.tr("Dataset: {0} images in {1} classes").format(
            n, len(scan.classes)))

    def _use_class_weights(self) -> None:
        self.train_page.classWeightCheck.setChecked(True)
        self.steps.setCurrentRow(2)

    def start_training(self) -> None:
        if self.train_page.scan is None:
            self.show_error(self.tr("No dataset"), self.tr("Open a dataset folder first."))
            return
        self.steps.setCurrentRow(2)
        self.train_page.start()

    def _train_state(self, state: str) -> None:
        text = {"running": self.tr("Training…"), "stopping": self.tr("Stopping…"),
                "idle": self.tr("Ready")}[state]
        self.stateLabel.setText(text)
        self.actionStartTraining.setEnabled(state == "idle")
        self.actionStopTraining.setEnabled(state == "running")
        self.resumeRunAction.setEnabled(state == "idle")

    def _watch_skipped(self) -> None:
        """Files that fail while training (not at the scan) join the Data page's skipped list.
        A slot of a QObject, not a lambda: the worker emits on its own thread."""
        worker = self.train_page.worker
        if worker is not None:
            worker.fileSkipped.connect(self.data_page.add_skipped)

    def _run_finished(self, result, summary: dict) -> None:
        if result is not None and result.history:
            self.fit_result = result
            self.fit_run_dir = self.train_page.run_dir
            self._fit_out = self._run_meta(self.fit_run_dir).get("out")
            self.unsaved = True
            self.actionSaveModel.setEnabled(True)
            self.train_page.saveButton.setEnabled(True)
            self._to_results("set_fit_result", result)
            # Cheap (torch is loaded, the model is built): done at once so a picture dropped
            # right after the run already uses the new model.
            self.predict_page.set_model(handle_from_result(result, self.tr("trained just now")))
            self.stateLabel.setText(self.tr("Trained: best validation accuracy {0:.1%}")
                                    .format(result.best_val_acc))
        self.trainingFinished.emit(summary)

    def save_model(self, path: str) -> bool:
        from ..engine.checkpoint import bundle_from_result, save_bundle

        if self.fit_result is None:
            return False
        try:
            save_bundle(bundle_from_result(self.fit_result), path)
        except OSError as exc:
            self.show_error(self.tr("Cannot save the model"), tasks.one_line(exc))
            return False
        self.unsaved = False
        path = os.path.abspath(path)
        add_recent(self.settings, "recent/models", path)
        self._record_out(path)
        self.stateLabel.setText(self.tr("Saved {0}").format(path))
        return True

    def _run_meta(self, run_dir: str | None) -> dict:
        """The ``run.json`` of ``run_dir``, or ``{}`` when there is none or it is unusable."""
        from ..engine.runs import RunError, RunFolder

        if run_dir is None:
            return {}
        try:
            return RunFolder(run_dir).meta()
        except RunError:
            return {}

    def _record_out(self, path: str) -> None:
        """Note in the run folder where its model was saved (the CLI's ``--out``): resuming
        the run later offers the same file."""
        from ..engine.runs import RunError, RunFolder

        self._fit_out = path
        if self.fit_run_dir is None or not self._run_meta(self.fit_run_dir):
            return  # never replace a damaged run.json with a bare one
        with contextlib.suppress(RunError, OSError):
            RunFolder(self.fit_run_dir).write_meta(out=path, checkpoint=path)

    def save_model_dialog(self) -> bool:
        if self.fit_result is None:
            self.show_error(self.tr("Nothing to save"), self.tr("Train a model first."))
            return False
        start = self._fit_out or os.path.join(
            self.settings.value("paths/models", os.path.expanduser("~")),
            f"{self.fit_result.config.backbone}.pt")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save model as"), start,
                                              self.tr("tlgui model (*.pt)"))
        if not path:
            return False
        if not path.endswith(".pt"):
            path += ".pt"
        self.settings.setValue("paths/models", os.path.dirname(path))
        return self.save_model(path)

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open model"), self.settings.value("paths/models", ""),
            self.tr("tlgui model (*.pt);;All files (*)"))
        if path:
            self.settings.setValue("paths/models", os.path.dirname(path))
            self.open_model(path)

    # ------------------------------------------------------------------ resuming a run

    def resume_run_dialog(self) -> None:
        """Pick an unfinished run (recent ones, or any folder) and continue it."""
        if self.train_page.is_running() or self._resume_pending:
            return
        path = pick_run(self)
        if path:
            self.resume_run(path)

    def resume_run(self, path: str) -> bool:
        """Continue the run in ``path``: re-scan its dataset with its split and seed (off the
        GUI thread), show its settings and train on with ``resume=True``. Problems become a
        one-line dialog; True when the resume is under way (``trainingFinished`` ends it)."""
        from ..engine.config import TrainConfig
        from ..engine.runs import RunError, RunFolder

        if self.train_page.is_running() or self._resume_pending:
            return False
        title = self.tr("Cannot resume the run")
        try:
            run = RunFolder.open(path)
            meta = run.meta()
            config = TrainConfig.from_dict(meta["config"])
            config.validate()
        except (RunError, TypeError, ValueError) as exc:
            self.show_error(title, tasks.one_line(exc))
            return False
        if not run.has_state():
            self.show_error(title, self.tr("{0} has no finished epoch to resume from")
                            .format(run.path))
            return False
        data = meta.get("data")
        if not isinstance(data, str) or not os.path.isdir(data):
            self.show_error(title, self.tr("the dataset folder of this run is gone: {0}")
                            .format(data or self.tr("(not recorded)")))
            return False
        val_split = meta.get("val_split")
        val_split = float(val_split) if isinstance(val_split, (int, float)) else 0.2
        cfg = config.to_dict()
        self._resume_pending = True
        self.resumeRunAction.setEnabled(False)
        self.train_page.resumeButton.setEnabled(False)
        self.stateLabel.setText(self.tr("Preparing to resume {0}…").format(run.path.name))

        def failed(message: str) -> None:
            self._resume_done()
            self.show_error(title, message)

        tasks.submit(_prepare_resume, str(run.path), data, val_split, config.seed,
                     done=lambda scan: self._resume_scanned(str(run.path), cfg, val_split,
                                                            scan),
                     failed=failed)
        return True

    def _resume_done(self) -> None:
        self._resume_pending = False
        self._train_state(self.train_page.state)
        self.train_page.resumeButton.setEnabled(not self.train_page.is_running())

    def _resume_scanned(self, path: str, config: dict, val_split: float, scan) -> None:
        from ..engine.augment import AugmentSpec

        self._resume_done()
        if self.train_page.is_running():
            self.show_error(self.tr("Cannot resume the run"),
                            self.tr("another training run is active"))
            return
        spin = self.data_page.valSplitSpin
        if scan.val_fraction is not None and spin.minimum() <= val_split <= spin.maximum():
            spin.setValue(val_split)
        self.data_page.show_scan(scan)
        self._dataset_loaded(scan)
        with contextlib.suppress(TypeError, ValueError):
            self.augment_page.set_spec(AugmentSpec.from_dict(config["augment"]))
        self.train_page.apply_config(config)
        self.steps.setCurrentRow(2)
        self.train_page.resume(scan, path, config)

    def _offer_resume(self) -> None:
        """If the newest run was left running (the app or process was killed), say so."""
        run = latest_interrupted()
        if run is not None and not self.train_page.is_running():
            self.statusBar().showMessage(self.tr(
                "The last run ({0}, {1}/{2} epochs) did not finish: File ▸ Resume Run… "
                "continues it.").format(os.path.basename(run.data) or run.data,
                                        run.epochs_done, run.epochs_total), 20_000)

    # ------------------------------------------------------------------ messages

    def show_error(self, title: str, message: str) -> None:
        """Window-modal but non-blocking, so a failure never freezes a caller (or a test)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("errorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.open()
        self.statusBar().showMessage(f"{title}: {message}", 8000)

    def about(self) -> None:
        import PySide6

        versions = [f"tlgui {__version__}", f"Python {sys.version.split()[0]}",
                    f"PySide6 {PySide6.__version__}"]
        if "torch" in sys.modules:
            import torch
            import torchvision

            versions += [f"PyTorch {torch.__version__}", f"torchvision {torchvision.__version__}"]
        QMessageBox.about(self, self.tr("About tlgui"), self.tr(
            "<h3>tlgui</h3><p>Point-and-click transfer learning for image classification.</p>"
            "<p>{0}</p><p>Device: {1}</p>").format("<br>".join(versions),
                                                  self.device_text or self.tr("not known yet")))

    # ------------------------------------------------------------------ start-up, drops

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(0, self.warm_up)
            QTimer.singleShot(0, self._offer_resume)

    def warm_up(self) -> None:
        """Load matplotlib and torch in the background once the window is on screen."""
        if self.results_page is None:
            tasks.submit(_import_plotting, done=self._build_plots,
                         failed=lambda _m: self._build_plots())
        tasks.submit(_warm_up, done=self._warmed_up,
                     failed=lambda msg: self.deviceLabel.setText(self.tr("Device: {0}")
                                                                 .format(msg)))

    def _warmed_up(self, result) -> None:
        self.device_text, available = result
        self.deviceLabel.setText(self.tr("Device: {0}").format(self.device_text))
        self.train_page.set_weights_availability(available)

    def dragEnterEvent(self, event) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = local_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        if self.stack.currentWidget() is self.predict_page:
            self.predict_page.handle_paths(paths)
        elif len(paths) == 1 and os.path.isdir(paths[0]):
            self.steps.setCurrentRow(0)
            self.data_page.load(paths[0])
        else:
            self.steps.setCurrentRow(4)
            self.predict_page.handle_paths(paths)

    # ------------------------------------------------------------------ settings, closing

    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        self.train_page.restore_settings(s)
        self.augment_page.restore_settings(s)
        val = s.value("data/val_split")
        if val is not None:
            with contextlib.suppress(TypeError, ValueError):
                self.data_page.valSplitSpin.setValue(float(val))
        self.steps.setCurrentRow(0)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("data/val_split", self.data_page.valSplitSpin.value())
        self.train_page.save_settings(s)
        self.augment_page.save_settings(s)
        s.sync()

    def closeEvent(self, event) -> None:
        if self.train_page.is_running():
            answer = ask(
                self, self.tr("Training is running"),
                self.tr("Stop training and quit? The run can be continued later with "
                        "File ▸ Resume Run…."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.train_page.stop_and_wait()
            self.unsaved = False
        if self.unsaved and self.fit_result is not None:
            answer = ask(
                self, self.tr("Unsaved model"),
                self.tr("The trained model has not been saved. Save it before quitting?"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save,
                QMessageBox.StandardButton.Discard)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save_model_dialog()):
                event.ignore()
                return
        self.save_settings()
        tasks.pool().waitForDone(30_000)
        super().closeEvent(event)


