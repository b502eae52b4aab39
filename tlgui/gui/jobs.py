"""Background jobs: the one way the GUI runs work off its thread.

A :class:`Job` runs a plain function on a worker thread and reports back on the GUI thread
through its signals. What every job guarantees:

- ``progress(value)`` any number of times, then exactly one of ``done(result)`` or
  ``failed(message)``, then ``finished()``; nothing after ``finished``. All of them are
  emitted on the GUI thread, so any slot or callable may touch widgets.
- Progress goes through one :class:`Throttle`: at most ~10 reports a second reach the GUI
  (more only redraws a progress bar nobody can read, and each one costs the event loop). A
  report marked ``final`` (the end of a phase, an epoch) always goes through, and the latest
  report held back is delivered before the job ends.
- ``failed`` carries one line (:func:`one_line`): what a dialog or a status label shows.
- Cancelling is cooperative: :meth:`Job.cancel` sets a flag the function polls
  (:attr:`JobControl.cancelled`) and cancels the tokens the function linked
  (:meth:`JobControl.link`, e.g. the engine's ``CancelToken``). A thread is never terminated.
- The job, its function and its arguments stay alive until ``finished`` was delivered, and
  are let go on the GUI thread: the last reference to a Qt object is never dropped on a worker
  thread. The ``QObject`` itself is owned by the application and deleted with ``deleteLater``.

Short work (scans, thumbnails, previews, bundle loading, predictions, evaluation) runs on the
shared thread pool; long work (a training run, the LR finder) gets a thread of its own
(``dedicated=True``), so it never holds a pool slot the short jobs wait for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread, QThreadPool, Signal

from ..engine.errors import one_line

THROTTLE_S = 0.1  # progress reports reach the GUI at most every 0.1 s (~10 a second)


class Throttle:
    """Lets a report through when ``interval`` seconds have passed since the last one that went
    through, or when it is final. Used from one thread (the job's)."""

    def __init__(self, interval: float = THROTTLE_S) -> None:
        self.interval = interval
        self._last = -float("inf")

    def ready(self, final: bool = False) -> bool:
        now = time.monotonic()
        if final or now - self._last >= self.interval:
            self._last = now
            return True
        return False


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class JobControl:
    """What a job's function receives as its first argument when the job is made with
    ``control=True``: it reports progress and sees whether it should stop."""

    def __init__(self, report: Callable[[Any], None]) -> None:
        self._emit = report
        self._throttle = Throttle()
        self._held: list[Any] = []  # the latest report the throttle held back
        self._cancelled = threading.Event()
        self._tokens: list[Cancellable] = []
        self._lock = threading.Lock()

    def report(self, value: Any, final: bool = False) -> None:
        """Send ``value`` to the job's ``progress`` signal (throttled unless ``final``)."""
        if self._throttle.ready(final):
            self._held.clear()
            self._emit(value)
        else:
            self._held[:] = [value]

    def flush(self) -> None:
        """Deliver the report the throttle last held back, if any (the job's end does it)."""
        if self._held:
            self._emit(self._held.pop())

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def link(self, token: Cancellable) -> Any:
        """Cancel ``token`` together with the job (at once if the job already was); returns
        ``token``. For engine work: ``cancel = control.link(CancelToken())``."""
        with self._lock:
            self._tokens.append(token)
            already = self._cancelled.is_set()
        if already:
            token.cancel()
        return token

    def cancel(self) -> None:
        with self._lock:
            self._cancelled.set()
            tokens = list(self._tokens)
        for token in tokens:
            token.cancel()


class _JobThread(QThread):
    """A dedicated thread that runs one job's function."""

    def __init__(self, body: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._body = body

    def run(self) -> None:
        self._body()


# Jobs that have not delivered ``finished`` yet: nothing else may be their last reference.
_running: set[Job] = set()


def _pool() -> QThreadPool:
    """The global pool with room for at least four jobs: the start-up imports must not keep a
    folder scan or a preview waiting on a two-core machine."""
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < 4:
        pool.setMaxThreadCount(4)
    return pool


def wait_for_pool(timeout_ms: int) -> bool:
    """Block until the pool's jobs have returned (the window does it when it closes)."""
    return _pool().waitForDone(timeout_ms)


class Job(QObject):
    """``fn(*args)`` (``fn(control, *args)`` with ``control=True``) off the GUI thread; see the
    module docstring for what its signals guarantee. Make it, connect, :meth:`start`."""

    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()
    _reported = Signal(object)  # worker thread -> GUI thread
    _returned = Signal()

    def __init__(
        self, fn: Callable[..., Any], *args: Any, control: bool = False, dedicated: bool = False
    ) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("a Job needs a QCoreApplication")
        # Owned by the application (not by Python): wherever the last Python reference goes,
        # the C++ object is deleted on the GUI thread, by deleteLater once finished.
        super().__init__(app)
        self._fn: Callable[..., Any] | None = fn
        self._args: tuple[Any, ...] = args
        self.control = JobControl(self._reported.emit)
        self._pass_control = control
        self._dedicated = dedicated
        self._thread: _JobThread | None = None
        self._outcome: tuple[bool, Any] | None = None
        self._returned_event = threading.Event()
        self._state = "new"  # new -> running -> finished
        self._reported.connect(self._on_reported)
        self._returned.connect(self._deliver)

    # ------------------------------------------------------------------ GUI thread

    def start(self) -> Job:
        if self._state != "new":
            raise RuntimeError("a Job runs once")
        self._state = "running"
        _running.add(self)
        if self._dedicated:
            self._thread = _JobThread(self._execute, self)
            self._thread.setObjectName("jobThread")
            self._thread.start()
        else:
            _pool().start(self._execute)
        return self

    def cancel(self) -> None:
        """Ask the function to stop (thread-safe; it decides when, at its next check)."""
        self.control.cancel()

    @property
    def cancelled(self) -> bool:
        return self.control.cancelled

    def is_running(self) -> bool:
        """True from :meth:`start` until ``finished`` has been delivered."""
        return self._state == "running"

    def wait(self, timeout_ms: int | None = None) -> bool:
        """Block until the function has returned, then deliver ``done``/``failed`` and
        ``finished`` at once; True when the job has finished. For a window that closes
        mid-run: the event loop will not run again to deliver them."""
        if self._state == "new":
            return False
        if self._state == "running":
            seconds = None if timeout_ms is None else timeout_ms / 1000
            if not self._returned_event.wait(seconds):
                return False
            self._deliver()
        return True

    def _on_reported(self, value: Any) -> None:
        if self._state == "running":
            self.progress.emit(value)

    def _deliver(self) -> None:
        """Emit the outcome and ``finished`` exactly once, then let everything go."""
        if self._state != "running":
            return
        self._state = "finished"
        if self._thread is not None:
            self._thread.wait()  # its function has returned: the thread ends at once
        outcome = self._outcome or (False, "the job ended without a result")
        self._fn, self._args, self._outcome = None, (), None
        try:
            if outcome[0]:
                self.done.emit(outcome[1])
            else:
                self.failed.emit(outcome[1])
            self.finished.emit()
        finally:
            _running.discard(self)
            self.deleteLater()

    # ------------------------------------------------------------------ worker thread

    def _execute(self) -> None:
        try:
            fn, args = self._fn, self._args
            if self._pass_control:
                args = (self.control, *args)
            self._outcome = (True, fn(*args))
        except Exception as exc:  # reported as one line, never raised on a worker thread
            self._outcome = (False, one_line(exc))
        finally:
            fn = args = None  # the GUI thread lets the function and its inputs go
            self.control.flush()
            self._returned.emit()
            self._returned_event.set()


def submit(
    fn: Callable[..., Any],
    *args: Any,
    done: Callable[[Any], None] | None = None,
    failed: Callable[[str], None] | None = None,
    progress: Callable[[Any], None] | None = None,
    finished: Callable[[], None] | None = None,
    owner: QObject | None = None,
    control: bool = False,
    dedicated: bool = False,
) -> Job:
    """Make a :class:`Job`, connect the callables given and start it. With ``owner``, the
    callables are skipped once ``owner`` has been deleted (a page closed while its job ran)."""
    job = Job(fn, *args, control=control, dedicated=dedicated)
    for signal, slot in (
        (job.progress, progress),
        (job.done, done),
        (job.failed, failed),
        (job.finished, finished),
    ):
        if slot is not None:
            signal.connect(slot if owner is None else _guarded(owner, slot))
    return job.start()


def _guarded(owner: QObject, slot: Callable[..., None]) -> Callable[..., None]:
    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            slot(*args)

    return call


def run_and_wait(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` as a job while the event loop keeps running; return its result or
    raise ``RuntimeError(message)``. For the window's programmatic API."""
    loop = QEventLoop()
    box: dict[str, Any] = {}
    job = Job(fn, *args)
    job.done.connect(lambda result: box.setdefault("result", result))
    job.failed.connect(lambda message: box.setdefault("error", message))
    job.finished.connect(loop.quit)
    job.start()
    if job.is_running():
        loop.exec()
    if "error" in box:
        raise RuntimeError(box["error"])
    return box.get("result")


__all__ = [
    "THROTTLE_S",
    "Job",
    "JobControl",
    "Throttle",
    "one_line",
    "run_and_wait",
    "submit",
    "wait_for_pool",
]
