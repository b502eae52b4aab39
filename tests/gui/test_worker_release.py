"""A finished run's worker is really deleted: ``deleteLater()`` posted to a thread that has
already ended is never delivered, so the worker must be back on the GUI thread by then."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QThread


def test_worker_is_deleted_after_its_thread_ended(qapp, qtbot) -> None:
    from tlgui.gui.worker import TrainWorker

    thread = QThread()
    worker = TrainWorker(scan=None, config={})  # fails at once: no dataset
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    with qtbot.waitSignal(worker.finished, timeout=60_000):
        thread.start()
    assert thread.wait(60_000)
    assert worker.error  # the failure was reported, as one line
    assert worker.thread() is qapp.thread()
    # What the Train page does once the thread has ended.
    worker.deleteLater()
    thread.deleteLater()
    for _ in range(3):
        qapp.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(worker)
    assert not shiboken6.isValid(thread)
