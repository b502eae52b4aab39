"""The one background-job abstraction: the order of its signals, one-line failures, the one
throttle, cooperative cancel through a linked token, wait() for a closing window, owners that
go away, and that a finished job (and its thread) is really deleted."""

from __future__ import annotations

import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject

from tlgui.gui import jobs


def _record(job: jobs.Job) -> list:
    seen: list = []
    job.progress.connect(lambda v: seen.append(("progress", v)))
    job.done.connect(lambda r: seen.append(("done", r)))
    job.failed.connect(lambda m: seen.append(("failed", m)))
    job.finished.connect(lambda: seen.append(("finished",)))
    return seen


def _deleted_later() -> None:
    for _ in range(3):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.parametrize("dedicated", [False, True])
def test_done_then_finished_on_the_gui_thread(qtbot, dedicated: bool) -> None:
    threads = []

    def work(control: jobs.JobControl, n: int) -> int:
        threads.append(threading.current_thread())
        for i in range(n):
            control.report(i, final=i == 0)
        return n * 2

    job = jobs.Job(work, 50, control=True, dedicated=dedicated)
    seen = _record(job)
    gui = []
    job.finished.connect(lambda: gui.append(threading.current_thread()))
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
    assert threads[0] is not threading.main_thread() and gui == [threading.main_thread()]
    progress = [v for kind, *v in seen if kind == "progress"]
    # Throttled: the first report (final) and the last one held back, not all fifty.
    assert progress[0] == [0] and progress[-1] == [49] and len(progress) < 10
    assert seen[-2:] == [("done", 100), ("finished",)]
    assert not job.is_running()


def test_failure_is_one_line_and_finished_still_comes_last(qtbot) -> None:
    def broken() -> None:
        raise ValueError("first line\nsecond line")

    job = jobs.Job(broken)
    seen = _record(job)
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
    assert seen == [("failed", "first line"), ("finished",)]
    assert jobs.one_line(KeyError()) == "KeyError"


def test_cancel_reaches_a_linked_token_and_wait_delivers_at_once(qapp) -> None:
    class Token:
        def __init__(self) -> None:
            self.event = threading.Event()

        def cancel(self) -> None:
            self.event.set()

    started = threading.Event()

    def long_run(control: jobs.JobControl) -> str:
        token = control.link(Token())
        started.set()
        while not token.event.is_set():
            control.report("tick")
            time.sleep(0.005)
        return "stopped"

    job = jobs.Job(long_run, control=True, dedicated=True)
    seen = _record(job)
    job.start()
    assert started.wait(10)
    job.cancel()
    assert job.cancelled
    # No event loop runs here, as when the window closes: wait() itself delivers the end,
    # and the reports still queued are dropped (nothing comes after finished).
    assert job.wait(10_000)
    assert seen == [("done", "stopped"), ("finished",)]
    _deleted_later()
    assert seen == [("done", "stopped"), ("finished",)]


def test_a_token_linked_after_cancel_is_cancelled_at_once() -> None:
    control = jobs.JobControl(lambda _v: None)
    control.cancel()
    cancelled = []

    class Token:
        def cancel(self) -> None:
            cancelled.append(True)

    control.link(Token())
    assert cancelled == [True] and control.cancelled


def test_throttle_lets_finals_through() -> None:
    throttle = jobs.Throttle(interval=60.0)
    assert throttle.ready()
    assert not throttle.ready()
    assert throttle.ready(final=True)


def test_finished_job_and_its_thread_are_deleted(qtbot) -> None:
    job = jobs.Job(lambda: 1, dedicated=True)
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
    thread = job.findChild(QObject, "jobThread")
    assert thread is not None and thread.isFinished()
    assert job not in jobs._running
    _deleted_later()
    assert not shiboken6.isValid(job) and not shiboken6.isValid(thread)


def test_callbacks_of_a_deleted_owner_are_skipped(qtbot) -> None:
    owner = QObject()
    release = threading.Event()
    called = []

    def wait_for_release() -> int:
        release.wait(10)
        return 1

    job = jobs.submit(wait_for_release, done=called.append, owner=owner)
    owner.deleteLater()
    _deleted_later()
    assert not shiboken6.isValid(owner)
    with qtbot.waitSignal(job.finished, timeout=10_000):
        release.set()
    assert called == []


def test_run_and_wait_returns_or_raises(qapp) -> None:
    assert jobs.run_and_wait(lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(RuntimeError, match="division by zero"):
        jobs.run_and_wait(lambda: 1 / 0)
