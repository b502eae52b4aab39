"""The owner of training runs in the GUI: one run at a time, idle -> running -> stopping -> idle.

:class:`TrainingController` starts a run (or continues one: :meth:`~TrainingController.resume`)
as a dedicated-thread :class:`~tlgui.gui.jobs.Job`, re-emits the engine's events as Qt
signals on the GUI thread, and ends every run with exactly one ``runFinished(result,
summary)`` after it has become idle again. Pages only listen to it and call its methods.

How an event travels: the engine's loop calls :class:`EngineBridge` (an engine callback) on the
training thread; the bridge hands the event to the job's progress report, which throttles
per-batch events to ~10 a second but always lets epoch ends and the other events through;
the job delivers it on the GUI thread, where the controller emits the signal for its type.

Every run has a run folder (:mod:`tlgui.engine.runs`) that is written on the training thread
through :class:`~tlgui.engine.runs.RunFolder` only, so a slow disk never stalls the window.
Nothing here imports torch at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..engine.config import TrainConfig
from ..engine.data import DatasetScan
from ..engine.events import (
    BackendChosen,
    BatchEnd,
    Callback,
    DownloadProgress,
    EpochEnd,
    EpochStart,
    ErrorEvent,
    FitStart,
    Skipped,
)
from ..engine.runs import ResumePlan, RunError, RunFolder
from .jobs import Job, JobControl
from .preference_store import runs_location
from .warm_up import import_engine

IDLE, PREPARING, RUNNING, STOPPING = "idle", "preparing", "running", "stopping"
# The controller's signal for each engine event it passes on.
EVENT_SIGNALS = {
    FitStart: "fitStarted",
    EpochStart: "epochStarted",
    BatchEnd: "batchEnded",
    EpochEnd: "epochEnded",
    Skipped: "fileSkipped",
    DownloadProgress: "downloadProgress",
    BackendChosen: "backendChosen",
}


@dataclass(frozen=True)
class PreparedResume:
    """A run folder checked for resuming (:class:`~tlgui.engine.runs.ResumePlan`) and its
    dataset scanned with the run's split and seed."""

    run_dir: str
    scan: DatasetScan
    config: dict[str, Any]  # the run's TrainConfig as a dict
    val_split: float


class _Failed(Exception):
    """A run failed with the engine's own one-line reason (its ``on_exception`` event)."""


class EngineBridge(Callback):
    """The engine callback of a GUI run: every event goes to the job's progress report;
    per-batch events (and partial downloads) may be throttled, nothing else is."""

    def __init__(self, control: JobControl, resume: bool) -> None:
        self.control = control
        self.resume = resume
        self.cancel_token: Any = None  # the engine's CancelToken, made on the training thread
        self.error: str | None = None

    def on_fit_start(self, event: FitStart) -> None:
        self.control.report(event, final=True)

    def on_epoch_start(self, event: EpochStart) -> None:
        self.control.report(event, final=True)

    def on_batch_end(self, event: BatchEnd) -> None:
        self.control.report(event, final=event.batch >= event.batches)

    def on_epoch_end(self, event: EpochEnd) -> None:
        self.control.report(event, final=True)

    def on_skipped(self, event: Skipped) -> None:
        self.control.report(event, final=True)

    def on_download(self, event: DownloadProgress) -> None:
        self.control.report(event, final=event.done_bytes >= event.total_bytes)

    def on_backend(self, event: BackendChosen) -> None:
        self.control.report(event, final=True)

    def on_exception(self, event: ErrorEvent) -> None:
        self.error = event.message


def _train(
    control: JobControl,
    scan: DatasetScan,
    config: dict[str, Any],
    run_dir: str,
    resume: bool,
    val_split: float | None,
) -> Any:
    """Training thread: record the run's start (or its resumption) in its folder and train;
    returns the engine's ``FitResult``, or None when stopped before an epoch ended."""
    import_engine()
    from ..engine.memory import release_memory
    from ..engine.train import Cancelled
    from ..engine.trainer import CancelToken, fit

    bridge = EngineBridge(control, resume)
    run = RunFolder(run_dir)
    try:
        if resume:
            run.record_resume()
        else:
            run.start(config, data=scan.root, val_split=val_split)
        bridge.cancel_token = control.link(CancelToken())
        return fit(
            scan,
            TrainConfig.from_dict(config),
            [bridge],
            bridge.cancel_token,
            run_dir=run.path,
            resume=resume,
        )
    except Cancelled:
        return None
    except Exception as exc:
        if bridge.error:
            raise _Failed(bridge.error) from exc
        raise
    finally:
        # The trainer, its loaders and batches are gone: hand the heap they freed back to the
        # OS here, off the GUI thread, as unmapping hundreds of MB takes a moment.
        release_memory()


def _prepare_resume(run_dir: str) -> PreparedResume:
    """Pool thread: the engine's resume check, then the scan with the run's split and seed."""
    plan = ResumePlan.load(run_dir)
    return PreparedResume(str(plan.run.path), plan.scan(), plan.config.to_dict(), plan.val_split)


class TrainingController(QObject):
    """One run at a time. States: ``idle``, ``preparing`` (a resume is being checked),
    ``running``, ``stopping``. Per run: ``runStarted(run_dir, resume)``, the event signals,
    then ``runFinished(result, summary)`` once idle again (``result`` is the ``FitResult``, or
    None when the run failed or was stopped before an epoch ended; ``summary`` has the CLI's
    ``done`` keys, plus ``error`` after a failure, which ``failed(message)`` reports next)."""

    stateChanged = Signal(str)
    runStarted = Signal(str, bool)  # the run folder; True when continuing the run there
    fitStarted = Signal(object)  # FitStart
    epochStarted = Signal(object)  # EpochStart
    batchEnded = Signal(object)  # BatchEnd, at most ~10 a second plus every phase's end
    epochEnded = Signal(object)  # EpochEnd
    fileSkipped = Signal(object)  # Skipped
    downloadProgress = Signal(object)  # DownloadProgress
    backendChosen = Signal(object)  # BackendChosen
    runFinished = Signal(object, dict)
    failed = Signal(str)
    resumeReady = Signal(object)  # PreparedResume: shown by the pages before the run goes on
    resumeFailed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self.run_dir: str | None = None  # the current (or last) run's folder
        self._job: Job | None = None
        self._outcome: tuple[Any, str | None] = (None, None)  # (FitResult, error)
        self._prepared: PreparedResume | None = None

    def is_running(self) -> bool:
        """True unless idle (a resume being prepared counts)."""
        return self.state != IDLE

    def _set_state(self, state: str) -> None:
        self.state = state
        self.stateChanged.emit(state)

    # ------------------------------------------------------------------ starting

    def start(self, scan: DatasetScan, config: dict[str, Any]) -> bool:
        """Train on ``scan`` with ``config`` (``TrainConfig`` fields) in a new run folder under
        the Preferences' runs location; False when a run is active or no run folder can be
        made (``failed`` says why)."""
        if self.state != IDLE:
            return False
        try:
            run = RunFolder.create(root=runs_location())
        except RunError as exc:
            self.failed.emit(str(exc))
            return False
        settings = TrainConfig.from_dict(config).to_dict()
        self._launch(scan, settings, str(run.path), False, scan.val_fraction)
        return True

    def resume(self, run_dir: str) -> bool:
        """Continue the run in ``run_dir``: checked and re-scanned off the GUI thread, then
        ``resumeReady(prepared)`` and the run. A folder that cannot be resumed ends in
        ``resumeFailed(message)``. False when a run is active."""
        if self.state != IDLE:
            return False
        self._prepared = None
        job = Job(_prepare_resume, str(run_dir))
        job.done.connect(lambda prepared: self._resume_checked(job, prepared))
        job.failed.connect(lambda message: self._resume_refused(job, message))
        job.finished.connect(lambda: self._resume_finished(job))
        self._job = job
        self._set_state(PREPARING)
        job.start()
        return True

    # A resume's check reports to these only while it is still the current job: a stopped
    # resume is abandoned, whatever its check finds later.

    def _resume_checked(self, job: Job, prepared: PreparedResume) -> None:
        if job is self._job:
            self._prepared = prepared

    def _resume_refused(self, job: Job, message: str) -> None:
        if job is self._job:
            self._job = None
            self._set_state(IDLE)
            self.resumeFailed.emit(message)

    def _resume_finished(self, job: Job) -> None:
        """The check's job has ended (its thread too): show the run's settings, go on."""
        prepared, self._prepared = self._prepared, None
        if job is not self._job or prepared is None:
            return
        self.resumeReady.emit(prepared)
        self._launch(prepared.scan, prepared.config, prepared.run_dir, True, prepared.val_split)

    def _launch(
        self,
        scan: DatasetScan,
        config: dict[str, Any],
        run_dir: str,
        resume: bool,
        val_split: float | None,
    ) -> None:
        self.run_dir = run_dir
        self._outcome = (None, None)
        job = Job(_train, scan, config, run_dir, resume, val_split, control=True, dedicated=True)
        job.progress.connect(self._event)
        job.done.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.finished.connect(self._finished)
        self._job = job
        self._set_state(RUNNING)
        self.runStarted.emit(run_dir, resume)
        job.start()

    # ------------------------------------------------------------------ stopping

    def stop(self) -> None:
        """Cooperative: the engine stops within one batch; ``runFinished`` follows. Stopping a
        resume that is still being checked abandons it."""
        if self._job is None or self.state not in (RUNNING, PREPARING):
            return
        self._job.cancel()
        if self.state == PREPARING:
            self._job = None
            self._set_state(IDLE)
        else:
            self._set_state(STOPPING)

    def stop_and_wait(self, timeout_ms: int = 120_000) -> bool:
        """Stop and block until the run has ended and been reported (the window closing
        mid-run); True when it has."""
        job = self._job
        self.stop()
        if job is None:
            return True
        return job.wait(timeout_ms)

    # ------------------------------------------------------------------ job signals

    def _event(self, event: Any) -> None:
        name = EVENT_SIGNALS.get(type(event))
        if name is not None:
            getattr(self, name).emit(event)

    def _succeeded(self, result: Any) -> None:
        self._outcome = (result, None)

    def _failed(self, message: str) -> None:
        self._outcome = (None, message)

    def _finished(self) -> None:
        """The training thread has ended: become idle, then report the run (exactly once)."""
        result, error = self._outcome
        self._outcome = (None, None)
        self._job = None
        if result is not None:
            summary = {**result.summary(), "checkpoint": None}
        else:  # no FitResult to summarise: failed, or stopped before an epoch ended
            summary = {
                "best_epoch": 0,
                "best_val_acc": 0.0,
                "stopped_early": False,
                "cancelled": error is None,
                "checkpoint": None,
            }
            if error is not None:
                summary["error"] = error
        self._set_state(IDLE)
        self.runFinished.emit(result, summary)
        if error is not None:
            self.failed.emit(error)


__all__ = [
    "IDLE",
    "PREPARING",
    "RUNNING",
    "STOPPING",
    "EngineBridge",
    "PreparedResume",
    "TrainingController",
]
