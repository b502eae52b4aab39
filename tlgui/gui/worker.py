"""The bridge between the engine's trainer and Qt: a ``QObject`` moved to a ``QThread`` that
runs ``Trainer.fit`` and is itself a trainer callback, re-emitting the engine's plain events as
Qt signals (queued to the GUI thread). Per-batch signals are throttled to ~10 per second.

With a run folder the trainer keeps a resume checkpoint there after every epoch; with
``resume=True`` it continues that run and first replays the saved epochs through
``epochEnded``, so the page shows the whole history.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..engine.data import DatasetScan
from ..engine.events import (
    BatchEnd,
    Callback,
    DownloadProgress,
    EpochEnd,
    EpochStart,
    ErrorEvent,
    FitEnd,
    FitStart,
    Skipped,
)
from ..engine.memory import release_memory
from .tasks import one_line

BATCH_SIGNAL_INTERVAL = 0.1  # seconds: the progress bar needs no more than ~10 updates/s


class TrainWorker(QObject, Callback):
    """One run. ``finished(result)`` is always the last signal (``result`` is the
    ``FitResult``, or ``None`` after a failure, which ``failed(message)`` reported first)."""

    fitStarted = Signal(object)
    epochStarted = Signal(object)
    batchEnded = Signal(object)
    epochEnded = Signal(object)
    fileSkipped = Signal(object)
    downloadProgress = Signal(object)
    fitEnded = Signal(object)
    failed = Signal(str)
    finished = Signal(object)

    def __init__(self, scan: DatasetScan, config: dict, run_dir: str | None = None,
                 resume: bool = False, run_meta: dict | None = None) -> None:
        """``config`` is a ``TrainConfig.to_dict()``-style dict: building the dataclass here
        would import torch on the GUI thread, so the worker does it. ``run_dir``: the run
        folder for the per-epoch resume checkpoint; ``resume``: continue the run saved there;
        ``run_meta``: fields for the folder's ``run.json``, written first thing on the worker
        thread, where every file write of the run happens."""
        super().__init__()
        self.scan = scan
        self.config = dict(config)
        self.run_dir = run_dir
        self.resume = resume
        self.run_meta = dict(run_meta) if run_meta else None
        self.cancel_token = None  # the engine's CancelToken, made on the worker thread
        self._cancel_requested = False
        self._last_batch = 0.0
        self._error: str | None = None
        # Also kept here (not only signalled) so a GUI thread that waited for the thread can
        # read the outcome before the queued signals arrive.
        self.result = None
        self.error: str | None = None

    def cancel(self) -> None:
        """Thread-safe: the trainer sees it at its next batch (also before it has started)."""
        self._cancel_requested = True
        token = self.cancel_token
        if token is not None:
            token.cancel()

    @Slot()
    def run(self) -> None:
        result = None
        try:
            from ..engine.trainer import CancelToken, TrainConfig, Trainer

            if self.run_dir is not None and self.run_meta:
                from ..engine.runs import RunFolder

                RunFolder(self.run_dir).write_meta(**self.run_meta)
            self.cancel_token = CancelToken()
            if self._cancel_requested:
                self.cancel_token.cancel()
            config = TrainConfig.from_dict(self.config)
            result = Trainer(self.scan, config, [self], self.cancel_token,
                             run_dir=self.run_dir, resume=self.resume).fit()
        except Exception as exc:  # every failure becomes one line for a dialog
            self.error = self._error or one_line(exc)
            self.failed.emit(self.error)
        finally:
            self.result = result
            # The trainer, its loaders and batches are gone: hand the heap they freed back to
            # the OS (glibc keeps it, and RSS creeps up run after run). Here, off the GUI
            # thread, as unmapping hundreds of MB takes a moment.
            release_memory()
            self.finished.emit(result)
            # Back to the GUI thread before this one ends: a deleteLater() posted to a thread
            # that has finished is never delivered, so every run's worker used to stay alive.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            # Quit from here (not via a queued signal) so a GUI thread blocked in wait() on
            # close still sees the thread end.
            QThread.currentThread().quit()

    # ------------------------------------------------------------------ engine callback

    def on_fit_start(self, event: FitStart) -> None:
        self.fitStarted.emit(event)

    def on_epoch_start(self, event: EpochStart) -> None:
        self.epochStarted.emit(event)

    def on_batch_end(self, event: BatchEnd) -> None:
        now = time.monotonic()
        if event.batch < event.batches and now - self._last_batch < BATCH_SIGNAL_INTERVAL:
            return
        self._last_batch = now
        self.batchEnded.emit(event)

    def on_epoch_end(self, event: EpochEnd) -> None:
        self.epochEnded.emit(event)

    def on_skipped(self, event: Skipped) -> None:
        self.fileSkipped.emit(event)

    def on_download(self, event: DownloadProgress) -> None:
        now = time.monotonic()
        if event.done_bytes < event.total_bytes and now - self._last_batch < 0.1:
            return
        self._last_batch = now
        self.downloadProgress.emit(event)

    def on_fit_end(self, event: FitEnd) -> None:
        self.fitEnded.emit(event)

    def on_exception(self, event: ErrorEvent) -> None:
        self._error = event.message
