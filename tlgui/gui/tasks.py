"""Run a plain Python function on the Qt thread pool and get its result back on the GUI thread.

Scanning folders, decoding thumbnails, rendering augmentation previews, loading bundles and
predicting all go through :func:`submit`, so none of them can freeze the window.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, QTimer, Signal


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """One call of ``fn(*args)`` on a pool thread; reports through ``signals``."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.fn = fn
        self.args = args
        self.signals = _Signals()
        self.setAutoDelete(False)  # Python keeps the reference (see _live)

    def run(self) -> None:
        # The inputs stay referenced until the task is released on the GUI thread: the last
        # reference to a Qt-owned object must never be dropped on a pool thread.
        try:
            result = self.fn(*self.args)
        except Exception as exc:  # reported to the GUI as one line, never raised in the pool
            self._emit(self.signals.failed, one_line(exc))
        else:
            self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal, value) -> None:
        # The receiving side may have been deleted while we ran (window closed): drop it.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


# Tasks stay referenced here until they have reported; keyed by id so that no slot closure
# refers to its own task (a cycle through Qt connections that Python's gc cannot see).
_live: dict[int, Task] = {}


def _release(key: int) -> None:
    task = _live.pop(key, None)
    if task is not None:
        # Inputs (images, models) are let go here, on the GUI thread, right after the result
        # was delivered; the task itself goes once the current signal delivery has finished.
        QTimer.singleShot(0, lambda: _clear(task))


def _clear(task: Task) -> None:
    task.fn, task.args = None, ()


def pool() -> QThreadPool:
    """The global pool with room for at least four jobs: the start-up imports must not keep a
    folder scan or a preview waiting on a two-core machine."""
    p = QThreadPool.globalInstance()
    if p.maxThreadCount() < 4:
        p.setMaxThreadCount(4)
    return p


def submit(fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
           failed: Callable[[str], None] | None = None) -> Task:
    """Run ``fn(*args)`` off the GUI thread; ``done(result)`` / ``failed(message)`` run on the
    GUI thread afterwards (queued connections: the signals object lives on the GUI thread)."""
    task = Task(fn, *args)
    key = id(task)
    _live[key] = task
    if done is not None:
        task.signals.done.connect(done)
    if failed is not None:
        task.signals.failed.connect(failed)
    task.signals.done.connect(lambda _r: _release(key))
    task.signals.failed.connect(lambda _m: _release(key))
    pool().start(task)
    return task


def run_and_wait(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` off the GUI thread while the event loop keeps running; return its result or
    raise ``RuntimeError(message)``. Used by the programmatic ``MainWindow`` API."""
    loop = QEventLoop()
    box: dict[str, Any] = {}

    def ok(result: Any) -> None:
        box["result"] = result
        loop.quit()

    def bad(message: str) -> None:
        box["error"] = message
        loop.quit()

    submit(fn, *args, done=ok, failed=bad)
    if not box:
        loop.exec()
    if "error" in box:
        raise RuntimeError(box["error"])
    return box.get("result")
