"""Soak the desktop app: many start/stop cycles and complete runs in ONE GUI process.

Checks what a long session would reveal: threads that are never joined, memory that grows
with every run, and Qt warnings (e.g. "QThread: Destroyed while thread is still running",
signals to deleted objects). Runs offscreen on a generated dataset; nothing is downloaded
(efficientnet_lite0 ships its ImageNet weights).

    python benchmarks/soak_gui.py                  # 20 start/stop cycles + 5 short runs
    python benchmarks/soak_gui.py --cycles 5 --runs 2 --json

Exit status 0 when there is no thread leak, RSS (measured after handing freed heap pages back
to the OS, at both ends) grew at most 10 % after the warm-up, no engine object outlived its
run, and Qt printed no warnings; 1 otherwise. Prints the figures, raw RSS included.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = Path(tempfile.mkdtemp(prefix="tlgui-soak-"))
os.environ["TLGUI_RUNS_DIR"] = str(_TMP / "runs")  # never fill the user's runs folder


OFFSCREEN_NOTES = {"This plugin does not support propagateSizeHints()"}


def rss_mb() -> float:
    """Resident set size now (not the peak), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import psutil  # macOS / Windows

    return psutil.Process().memory_info().rss / 2**20


def trim_heap() -> None:
    """Hand freed heap pages back to the OS (glibc only). The C allocator keeps freed
    tensors' pages, so raw RSS mixes "still in use" with "free but kept"; measuring after a
    trim, at the start and at the end alike, compares what is really held."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def os_threads() -> int:
    """Threads of this process as the OS sees them (Qt's and torch's included)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def live_objects() -> dict[str, int]:
    """Engine objects still alive: a growing count names the leak."""
    from tlgui.engine.model import TransferModel
    from tlgui.engine.trainer import FitResult, Trainer

    kinds = {"models": TransferModel, "fit_results": FitResult, "trainers": Trainer}
    counts = dict.fromkeys(kinds, 0)
    for obj in gc.get_objects():
        for name, kind in kinds.items():
            if type(obj) is kind:
                counts[name] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=20, help="start/stop cycles (default 20)")
    ap.add_argument("--runs", type=int, default=5, help="complete short runs (default 5)")
    ap.add_argument("--epochs", type=int, default=2, help="epochs of a complete run")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    from PySide6.QtCore import (
        QCoreApplication,
        QEvent,
        QEventLoop,
        QSettings,
        QThread,
        QThreadPool,
        QTimer,
        QtMsgType,
        qInstallMessageHandler,
    )
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tests.helpers import make_dataset

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(_TMP / "settings"))

    qt_messages: list[str] = []

    def on_message(kind, _context, message: str) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            qt_messages.append(message)

    qInstallMessageHandler(on_message)
    app = QApplication.instance() or QApplication(["soak"])
    # A dialog would block the soak; count it as a failure instead.
    dialogs: list[str] = []
    for name in ("critical", "warning", "information"):
        setattr(QMessageBox, name, staticmethod(
            lambda *a, _n=name, **k: dialogs.append(f"{_n}: {a[2] if len(a) > 2 else a}")
            or QMessageBox.StandardButton.Ok))

    from tlgui.gui.main_window import MainWindow

    data = make_dataset(_TMP / "data", n_train=8, n_val=4)
    window = MainWindow()
    window.show()
    if window.load_dataset(str(data)) is None:
        print("soak: the dataset did not load", file=sys.stderr)
        return 1
    page = window.train_page
    page.batchSizeSpin.setValue(8)
    page.patienceSpin.setValue(0)
    window.augment_page.apply_preset("none")

    def settle() -> None:
        """Let queued signals and deferred deletes run, and the task pool drain."""
        for _ in range(3):
            QThreadPool.globalInstance().waitForDone(30_000)
            app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()

    def run_once(epochs: int, stop_after_s: float | None) -> tuple[dict, float]:
        """One run; stopped ``stop_after_s`` seconds after it started running (None: let it
        finish). Returns the summary and the seconds from stop to idle."""
        page.epochsSpin.setValue(epochs)
        loop = QEventLoop()
        box: dict = {}

        def done(summary: dict) -> None:
            box["summary"] = summary
            loop.quit()

        window.trainingFinished.connect(done)
        stop_latency = [0.0]
        try:
            if not page.start():
                raise RuntimeError("start refused: the previous run is still active")
            if stop_after_s is not None:
                def stop() -> None:
                    stop_latency[0] = time.perf_counter()
                    page.stopTrainingButton.click()
                QTimer.singleShot(int(stop_after_s * 1000), stop)
            guard = QTimer()
            guard.setSingleShot(True)
            guard.timeout.connect(loop.quit)
            guard.start(300_000)
            loop.exec()
            if "summary" not in box:
                raise RuntimeError("a run did not finish within 300 s")
        finally:
            window.trainingFinished.disconnect(done)
        latency = time.perf_counter() - stop_latency[0] if stop_after_s is not None else 0.0
        if not page.startTrainingButton.isEnabled():
            raise RuntimeError("start button still disabled after the run ended")
        return box["summary"], latency

    t0 = time.perf_counter()
    # Warm-up: one complete run and two start/stop cycles load torch, the backbone, the
    # matplotlib canvas and the thread pools, so what follows measures growth, not set-up.
    run_once(args.epochs, None)
    run_once(50, 0.5)
    run_once(50, 1.5)
    settle()
    raw_base = rss_mb()
    trim_heap()
    base = {"rss_mb": rss_mb(), "raw_rss_mb": raw_base, "py_threads": threading.active_count(),
            "os_threads": os_threads(), "qthreads": len(window.findChildren(QThread)),
            "live": live_objects()}

    rng = random.Random(0)
    cancelled = 0
    latencies: list[float] = []
    trace: list[float] = []
    for _ in range(args.cycles):
        summary, latency = run_once(50, rng.uniform(0.05, 2.0))
        cancelled += bool(summary.get("cancelled"))
        latencies.append(latency)
        trace.append(round(rss_mb()))
    completed = 0
    for _ in range(args.runs):
        summary, _ = run_once(args.epochs, None)
        completed += not summary.get("cancelled") and summary.get("best_epoch", 0) >= 1
        trace.append(round(rss_mb()))
    settle()
    raw_end = rss_mb()
    trim_heap()
    end = {"rss_mb": rss_mb(), "raw_rss_mb": raw_end, "py_threads": threading.active_count(),
           "os_threads": os_threads(), "qthreads": len(window.findChildren(QThread)),
           "live": live_objects()}
    window.unsaved = False
    window.close()
    settle()

    growth = (end["rss_mb"] - base["rss_mb"]) / base["rss_mb"]
    # The offscreen platform plugin says it cannot do window-manager size hints: a fact of
    # the headless platform, not of the app.
    notes = [m for m in qt_messages if m in OFFSCREEN_NOTES]
    warnings = [m for m in qt_messages if m not in OFFSCREEN_NOTES]
    figures = {
        "cycles": args.cycles, "cycles_cancelled": cancelled, "runs": args.runs,
        "runs_completed": completed, "seconds": round(time.perf_counter() - t0, 1),
        "rss_after_warmup_mb": round(base["rss_mb"], 1), "rss_end_mb": round(end["rss_mb"], 1),
        "rss_growth_pct": round(100 * growth, 2),
        "raw_rss_mb": [round(base["raw_rss_mb"], 1), round(end["raw_rss_mb"], 1)],
        "raw_rss_trace_mb": trace,
        "py_threads": [base["py_threads"], end["py_threads"]],
        "os_threads": [base["os_threads"], end["os_threads"]],
        "qthread_children": [base["qthreads"], end["qthreads"]],
        "live_objects": [base["live"], end["live"]],
        "stop_to_idle_s_max": round(max(latencies, default=0.0), 3),
        "stop_to_idle_s_median": round(sorted(latencies)[len(latencies) // 2], 3)
        if latencies else 0.0,
        "qt_warnings": warnings, "qt_platform_notes": notes, "dialogs": dialogs,
    }
    ok = (growth <= 0.10 and end["py_threads"] <= base["py_threads"]
          and end["os_threads"] <= base["os_threads"] and end["qthreads"] <= base["qthreads"]
          and end["live"]["models"] <= base["live"]["models"]
          and not warnings and not dialogs and completed == args.runs)
    figures["ok"] = ok
    if args.json:
        print(json.dumps(figures))
    else:
        for k, v in figures.items():
            print(f"{k:24s} {v}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
