"""Render every step of the app into docs/screenshots/*.png (offscreen; for the README).

    python scripts/screenshots.py [DATA] [--out docs/screenshots] [--epochs 6] [--lang ja]

DATA defaults to ../shared/datasets/hymenoptera_data when it exists, else a small generated
dataset. Trains efficientnet_lite0 in transfer mode for real, so the curves, the results and
the predictions shown are genuine. ``--lang ja`` shows the app in Japanese (as Preferences ▸
Language would) and names the files ``1-data-ja.png`` and so on; the text needs a font with
Japanese glyphs (e.g. Debian's fonts-ipafont-gothic).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TLGUI_SETTINGS_ORG", "tlgui-screenshots")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait(app: QApplication, cond, timeout: float = 600.0) -> bool:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    return bool(cond())


def settle(app: QApplication, seconds: float = 0.5) -> None:
    wait(app, lambda: False, seconds)


def main() -> int:
    default = ROOT.parent / "shared" / "datasets" / "hymenoptera_data"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(default) if default.is_dir() else None)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lang", help="UI language (a translation's code, e.g. ja)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tlgui-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    if args.data is None:
        from tests.helpers import make_dataset

        args.data = str(
            make_dataset(tmp / "colours", n_train=12, n_val=6, classes=("red", "blue", "green"))
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from tlgui.gui.app import make_app
    from tlgui.gui.main_window import MainWindow
    from tlgui.gui.preference_store import PREFERENCES
    from tlgui.gui.settings import make_settings

    if args.lang:
        make_settings().setValue(PREFERENCES["language"].key, args.lang)
    suffix = f"-{args.lang}" if args.lang else ""
    app = make_app([])
    w = MainWindow()
    w.resize(1360, 860)
    w.show()
    wait(app, lambda: bool(w.device_text), 120)

    def shot(name: str) -> None:
        settle(app)
        path = out / name.replace(".png", f"{suffix}.png")
        w.grab().save(str(path))
        print("wrote", path, flush=True)

    scan = w.load_dataset(args.data)
    if scan is None:
        print(f"cannot load {args.data}", file=sys.stderr)
        return 2
    n_thumbs = sum(min(12, c) for c in scan.class_counts("train"))
    wait(app, lambda: w.data_page.thumbnail_count() >= n_thumbs, 120)
    shot("1-data.png")

    w.steps.setCurrentRow(1)
    aug = w.augment_page
    aug.apply_preset("strong")
    generation = aug.preview.generation
    wait(app, lambda: aug.preview.generation > generation and not aug._rendering, 120)
    shot("2-augment.png")

    # Train on cached frozen features (no augmentation) so the screenshot run takes seconds.
    aug.apply_preset("none")
    t = w.train_page
    t.form.epochsSpin.setValue(args.epochs)
    t.form.patienceSpin.setValue(0)
    w.steps.setCurrentRow(2)
    done: dict = {}
    w.trainingFinished.connect(done.update)
    t.start()
    wait(app, lambda: t.epochTable.rowCount() >= max(1, args.epochs // 2), 900)
    shot("3-train-running.png")
    wait(app, lambda: bool(done), 900)
    wait(app, lambda: w.predict_page.handle is not None, 120)
    shot("3-train.png")

    w.steps.setCurrentRow(3)
    shot("4-results.png")

    val = scan.splits.get("val") or scan.splits["train"]
    picks = [val[i].path for i in range(0, len(val), max(1, len(val) // 6))][:6]
    w.predict_page.camCheck.setChecked(True)
    w.predict_paths(picks)
    shot("5-predict.png")
    w.unsaved = False
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
