"""Soak the desktop app: many start/stop cycles and complete runs in ONE GUI process.

Checks what a long session would reveal: threads that are never joined, memory that grows
with every run, and Qt warnings (e.g. "QThread: Destroyed while thread is still running",
signals to deleted objects). Runs offscreen on a generated dataset; nothing is downloaded
(efficientnet_lite0 ships its ImageNet weights).

    python benchmarks/soak_gui.py                  # 20 start/stop cycles + 5 short runs
    python benchmarks/soak_gui.py --cycles 5 --runs 2 --json
    python benchmarks/soak_gui.py --diagnose --trim  # + where memory went (see below)

Exit status 0 when there is no thread leak, raw RSS grew at most 10 % after the warm-up, no
engine object or background job outlived its run, and Qt printed no warnings; 1 otherwise. RSS is
measured as the OS sees it: the app hands freed heap back itself when a run ends
(tlgui.engine.memory.release_memory). The process runs under the settings the app applies
(tlgui.process: one malloc arena, big freed blocks kept for reuse). ``--trim`` also trims at
both measuring points, to tell memory really held from freed memory the allocator kept;
``--diagnose`` adds glibc's heap figures (in use vs. freed-but-kept, arena count), the
Python object types whose count grew and tracemalloc's largest growth sites between the
warm-up and the end.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
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


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (2.33+): totals over every malloc arena."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def heap_figures() -> dict[str, float]:
    """What the C heap holds, in MB: ``in_use`` (live allocations, mmapped chunks included)
    and ``free_kept`` (free chunks the allocator keeps for reuse: resident until a trim hands
    their pages back, still counted here after one), plus the number of malloc arenas (glibc
    makes one per thread that allocates, up to 8 x cores). Empty where glibc is not the
    allocator."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    figures = {
        "in_use_mb": round((info.uordblks + info.hblkhd) / 2**20, 1),
        "free_kept_mb": round(info.fordblks / 2**20, 1),
    }
    try:  # malloc_info's XML has one <heap> per arena
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        path = _TMP / "malloc_info.xml"
        fp = libc.fopen(str(path).encode(), b"w")
        if fp:
            libc.malloc_info(0, fp)
            libc.fclose(fp)
            figures["arenas"] = path.read_text().count("<heap nr=")
    except (OSError, AttributeError):
        pass
    return figures


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
    from tlgui.gui.jobs import Job

    kinds = {"models": TransferModel, "fit_results": FitResult, "trainers": Trainer, "jobs": Job}
    counts = dict.fromkeys(kinds, 0)
    for obj in gc.get_objects():
        for name, kind in kinds.items():
            if type(obj) is kind:
                counts[name] += 1
    return counts


def type_counts() -> collections.Counter:
    """Live objects tracked by the garbage collector, by type name: what keeps growing
    between two counts is what leaks."""
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=20, help="start/stop cycles (default 20)")
    ap.add_argument("--runs", type=int, default=5, help="complete short runs (default 5)")
    ap.add_argument("--epochs", type=int, default=2, help="epochs of a complete run")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--trim",
        action="store_true",
        help="also measure RSS after malloc_trim at both ends (glibc)",
    )
    ap.add_argument(
        "--diagnose",
        action="store_true",
        help="also report C-heap figures, Python object-count and tracemalloc growth (slower)",
    )
    args = ap.parse_args(argv)
    from tlgui.process import tuned_for_training

    with tuned_for_training(worker_thread=True):  # the process settings the app runs with
        return soak(args)


def soak(args: argparse.Namespace) -> int:
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
        setattr(
            QMessageBox,
            name,
            staticmethod(
                lambda *a, _n=name, **k: (
                    dialogs.append(f"{_n}: {a[2] if len(a) > 2 else a}")
                    or QMessageBox.StandardButton.Ok
                )
            ),
        )

    from tlgui.engine.memory import release_memory
    from tlgui.gui.main_window import MainWindow

    data = make_dataset(_TMP / "data", n_train=8, n_val=4)
    window = MainWindow()
    window.show()
    if window.load_dataset(str(data)) is None:
        print("soak: the dataset did not load", file=sys.stderr)
        return 1
    page = window.train_page
    page.form.batchSizeSpin.setValue(8)
    page.form.patienceSpin.setValue(0)
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
        page.form.epochsSpin.setValue(epochs)
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

    def snapshot() -> dict:
        figures = {
            "raw_rss_mb": rss_mb(),
            "py_threads": threading.active_count(),
            "os_threads": os_threads(),
            "qthreads": len(window.findChildren(QThread)),
            "live": live_objects(),
            "heap": heap_figures(),
        }
        if args.trim:
            release_memory()
            figures["trimmed_rss_mb"] = rss_mb()
        return figures

    base = snapshot()
    if args.diagnose:
        import tracemalloc

        base_types = type_counts()
        tracemalloc.start(8)
        trace_base = tracemalloc.take_snapshot()
    rng = random.Random(0)
    cancelled = 0
    latencies: list[float] = []
    trace: list[float] = []
    thread_trace: list[int] = []
    for _ in range(args.cycles):
        summary, latency = run_once(50, rng.uniform(0.05, 2.0))
        cancelled += bool(summary.get("cancelled"))
        latencies.append(latency)
        trace.append(round(rss_mb()))
        thread_trace.append(os_threads())
    completed = 0
    for _ in range(args.runs):
        summary, _ = run_once(args.epochs, None)
        completed += not summary.get("cancelled") and summary.get("best_epoch", 0) >= 1
        trace.append(round(rss_mb()))
        thread_trace.append(os_threads())
    settle()
    end = snapshot()
    diagnosis = {}
    if args.diagnose:
        trace_end = tracemalloc.take_snapshot()
        tracemalloc.stop()
        diagnosis["python_traced_growth"] = [
            f"{st.size_diff / 1024:+.0f} KiB {st.count_diff:+d} objs "
            f"{st.traceback.format()[-1].strip() if st.traceback else '?'}"
            for st in trace_end.compare_to(trace_base, "traceback")[:8]
        ]
        end_types = type_counts()
        grew = {k: end_types[k] - base_types.get(k, 0) for k in end_types}
        diagnosis["object_count_growth"] = dict(
            sorted(((k, v) for k, v in grew.items() if v > 0), key=lambda kv: -kv[1])[:10]
        )
    window.unsaved = False
    window.close()
    settle()

    growth = (end["raw_rss_mb"] - base["raw_rss_mb"]) / base["raw_rss_mb"]
    # The offscreen platform plugin says it cannot do window-manager size hints: a fact of
    # the headless platform, not of the app.
    notes = [m for m in qt_messages if m in OFFSCREEN_NOTES]
    warnings = [m for m in qt_messages if m not in OFFSCREEN_NOTES]
    figures = {
        "cycles": args.cycles,
        "cycles_cancelled": cancelled,
        "runs": args.runs,
        "runs_completed": completed,
        "seconds": round(time.perf_counter() - t0, 1),
        "rss_after_warmup_mb": round(base["raw_rss_mb"], 1),
        "rss_end_mb": round(end["raw_rss_mb"], 1),
        "rss_growth_pct": round(100 * growth, 2),
        "rss_trace_mb": trace,
        "os_threads_trace": thread_trace,
        "py_threads": [base["py_threads"], end["py_threads"]],
        "os_threads": [base["os_threads"], end["os_threads"]],
        "qthread_children": [base["qthreads"], end["qthreads"]],
        "live_objects": [base["live"], end["live"]],
        "c_heap": [base["heap"], end["heap"]],
        "stop_to_idle_s_max": round(max(latencies, default=0.0), 3),
        "stop_to_idle_s_median": round(sorted(latencies)[len(latencies) // 2], 3)
        if latencies
        else 0.0,
        "qt_warnings": warnings,
        "qt_platform_notes": notes,
        "dialogs": dialogs,
    }
    if args.trim:
        figures["trimmed_rss_mb"] = [
            round(base["trimmed_rss_mb"], 1),
            round(end["trimmed_rss_mb"], 1),
        ]
        figures["trimmed_growth_pct"] = round(
            100 * (end["trimmed_rss_mb"] - base["trimmed_rss_mb"]) / base["trimmed_rss_mb"], 2
        )
    figures.update(diagnosis)
    ok = (
        growth <= 0.10
        and end["py_threads"] <= base["py_threads"]
        and end["os_threads"] <= base["os_threads"]
        and end["qthreads"] <= base["qthreads"]
        and all(end["live"][k] <= base["live"][k] for k in end["live"])
        and not warnings
        and not dialogs
        and completed == args.runs
    )
    figures["ok"] = ok
    if args.json:
        print(json.dumps(figures))
    else:
        for k, v in figures.items():
            print(f"{k:24s} {v}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
