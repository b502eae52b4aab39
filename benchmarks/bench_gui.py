"""GUI responsiveness figures (a measurement, not a test):

1. launch to first paint of ``tlgui`` (subprocess, wall clock from spawn, and in-process);
2. event-loop lateness during training: a 10 ms QTimer probe, max and p99 of the lateness;
3. augmentation preview: control change -> 8 new tiles shown (with the debounce), and the
   render alone;
4. the live curves' update on the GUI thread (call + repaint), per epoch point and per
   point of the smoothed batch-loss trace, over 14-epoch runs with 10 batch points an epoch;
5. drop of one picture -> prediction row shown, efficientnet_lite0 on CPU, model loaded.

    python benchmarks/bench_gui.py [DATA] [--repeats 10] [--train-seconds 20]
        [--default-arenas]

A quick check that the script runs end to end (about a minute): ``--repeats 2
--train-seconds 5``.

The in-process part runs under the app's process settings, entered first as the app's ``main``
does (``tlgui.process.tuned_for_training``: one malloc arena for all threads);
``--default-arenas`` leaves glibc's default (one arena per thread, up to 8 per core) to measure
what that setting costs or saves.

DATA defaults to ../shared/datasets/hymenoptera_data (else generated pictures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TLGUI_SETTINGS_ORG", "tlgui-bench")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QProgressBar, QSpinBox


def pump(app, cond, timeout: float = 300.0) -> bool:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)
    return bool(cond())


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def bench_launch(repeats: int) -> None:
    walls, inner = [], []
    env = {**os.environ, "TLGUI_QUIT_AFTER_PAINT": "1"}
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from tlgui.gui.app import main; main([])"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        for line in proc.stdout:  # timed when the line arrives, not when the process exits
            if line.startswith("first-paint"):
                walls.append(time.perf_counter() - t0)
                inner.append(float(line.split()[1]))
                break
        proc.wait(timeout=120)  # exiting waits for the background torch import: not counted
    print(
        f"launch to first paint: median {statistics.median(walls):.3f} s from process spawn "
        f"(max {max(walls):.3f}); {statistics.median(inner):.3f} s from tlgui.gui.app import "
        f"({repeats} launches)"
    )


def bench_curves(app, repeats: int, batches_per_epoch: int = 10) -> None:
    """GUI-thread time of one live-curves update at the window's plot size: the call and the
    repaint it causes (forced at once with ``repaint``), over 14-epoch runs with
    ``batches_per_epoch`` batch-trace points per epoch, as the Train step feeds them."""
    from tests.helpers import curve_points
    from tlgui.gui.widgets.curves import CurvesCanvas

    times: dict[str, list[float]] = {"epoch": [], "batch": []}

    def repainted_ms(canvas: CurvesCanvas, t0: float) -> float:
        canvas.plots.viewport().repaint()
        return (time.perf_counter() - t0) * 1000

    for _ in range(max(1, repeats // 5)):
        canvas = CurvesCanvas()
        canvas.resize(1000, 360)
        canvas.show()
        app.processEvents()
        for epoch, train_loss, *rest in curve_points(14):
            for b in range(1, batches_per_epoch + 1):
                position = epoch - 1 + b / batches_per_epoch
                t0 = time.perf_counter()
                canvas.add_batch_loss(position, train_loss * (1.3 - b / 30))
                times["batch"].append(repainted_ms(canvas, t0))
            t0 = time.perf_counter()
            canvas.add_point(epoch, train_loss, *rest)
            times["epoch"].append(repainted_ms(canvas, t0))
        size = canvas.plots.size()
        canvas.close()
    for kind, label in (("epoch", "an epoch point"), ("batch", "a batch-trace point")):
        values = times[kind]
        print(
            f"curves update + repaint, {label} ({size.width()} x {size.height()} px, "
            f"{len(values)} updates): median {statistics.median(values):.1f} ms, "
            f"max {max(values):.1f} ms"
        )


class Probe:
    """A 10 ms repeating timer; lateness = how much later than due each tick ran."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.interval = interval_ms
        self.clock = QElapsedTimer()
        self.late: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.late.clear()
        self.clock.start()
        self.last = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.late.append(max(0.0, now - self.last - self.interval))
        self.last = now

    def stop(self) -> None:
        self.timer.stop()


def main() -> int:
    default = ROOT.parent / "shared" / "datasets" / "hymenoptera_data"
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(default) if default.is_dir() else None)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--train-seconds", type=float, default=20.0)
    ap.add_argument(
        "--default-arenas", action="store_true", help="skip the app's one-malloc-arena setting"
    )
    args = ap.parse_args()
    from tlgui.process import tuned_for_training

    # First thing, before any thread exists, as tlgui.gui.app.main does.
    with tuned_for_training(worker_thread=not args.default_arenas):
        return run(args)


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tlgui-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    if args.data is None:
        from tests.helpers import make_dataset

        args.data = str(make_dataset(tmp / "data", n_train=40, n_val=10))

    bench_launch(max(3, args.repeats // 2))

    from tlgui.gui.app import make_app
    from tlgui.gui.main_window import MainWindow
    from tlgui.gui.pages.augment import DEBOUNCE_MS

    app = make_app([])
    w = MainWindow()
    w.resize(1280, 820)
    w.show()
    pump(app, lambda: bool(w.device_text), 120)
    print(
        f"device: {w.device_text}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores; malloc arenas: "
        f"{'glibc default' if args.default_arenas else 'one'}"
    )
    scan = w.load_dataset(args.data)
    aug = w.augment_page
    pump(app, lambda: aug.preview.tileCount >= 8 and not aug._rendering, 120)

    # --- preview latency
    w.steps.setCurrentRow(1)
    full, render = [], []
    spin = aug.spins["rotation"]
    for i in range(args.repeats):
        g = aug.preview.generation
        t0 = time.perf_counter()
        spin.setValue(5.0 + i)
        pump(app, lambda g=g: aug.preview.generation > g and not aug._rendering, 60)
        full.append((time.perf_counter() - t0) * 1000)
        g = aug.preview.generation
        t0 = time.perf_counter()
        aug.reshuffle()  # renders at once (no debounce)
        pump(app, lambda g=g: aug.preview.generation > g, 60)
        render.append((time.perf_counter() - t0) * 1000)
    print(
        f"preview, control change -> 8 tiles shown: median {statistics.median(full):.0f} ms, "
        f"max {max(full):.0f} ms (includes the {DEBOUNCE_MS} ms debounce)"
    )
    print(
        f"preview, render alone (re-roll): median {statistics.median(render):.0f} ms, "
        f"max {max(render):.0f} ms"
    )

    bench_curves(app, args.repeats)

    # --- event-loop lateness during training (augmenting: the backbone runs every batch);
    # the Train step is driven through its widgets' object names (ARCHITECTURE.md contracts)
    aug.apply_preset("default")
    w.findChild(QSpinBox, "epochsSpin").setValue(50)
    w.findChild(QSpinBox, "patienceSpin").setValue(0)
    w.steps.setCurrentRow(2)
    progress = w.findChild(QProgressBar, "trainProgress")
    probe = Probe()
    done: dict = {}
    w.trainingFinished.connect(done.update)
    start = w.findChild(QAbstractButton, "startTrainingButton")
    assert start.isEnabled(), "the Train step cannot start a run"
    start.click()
    pump(app, lambda: progress.value() > 0, 300)  # model built, batches flowing
    probe.start()
    pump(app, lambda: False, args.train_seconds)
    probe.stop()
    w.findChild(QAbstractButton, "stopTrainingButton").click()
    pump(app, lambda: bool(done), 300)
    late = probe.late
    print(
        f"event-loop lateness during training ({len(late)} ticks of a 10 ms timer over "
        f"{args.train_seconds:.0f} s): max {max(late):.1f} ms, p99 {pct(late, 99):.1f} ms, "
        f"median {statistics.median(late):.1f} ms"
    )

    # --- drop one picture -> prediction shown (model already loaded)
    from tlgui.engine.backbones import get_info
    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.model import build_model

    info = get_info("efficientnet_lite0")
    model = build_model("efficientnet_lite0", len(scan.classes), "imagenet")
    path = tmp / "bench.pt"
    save_bundle(
        Bundle(
            "efficientnet_lite0",
            scan.classes,
            model.state_dict(),
            info.input_size,
            list(info.mean),
            list(info.std),
            config={"dropout": 0.2},
        ),
        path,
    )
    assert w.open_model(path)
    w.steps.setCurrentRow(4)
    from tests.gui.conftest import drop_paths

    page = w.predict_page
    table = page.predictionTable
    pics = [s.path for s in scan.splits["val"]]
    latency = []
    for i in range(args.repeats + 1):
        n = table.rowCount()
        t0 = time.perf_counter()
        drop_paths(page.predictDropZone, [pics[i % len(pics)]])
        pump(app, lambda n=n: table.rowCount() > n, 60)
        app.processEvents()  # the row is painted on this pass
        if i:  # the first drop warms up the model's kernels
            latency.append((time.perf_counter() - t0) * 1000)
    print(
        f"drop one picture -> prediction row shown (efficientnet_lite0, CPU, model loaded): "
        f"median {statistics.median(latency):.0f} ms, max {max(latency):.0f} ms"
    )
    w.unsaved = False
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
