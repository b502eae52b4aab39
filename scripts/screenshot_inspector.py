"""Render the model inspector into docs/screenshots/inspector.png (offscreen; for the README).

    python scripts/screenshot_inspector.py [DATA] [--picture FILE] [--out FILE]

DATA defaults to ../shared/datasets/hymenoptera_data when it exists (its classes name the new
head), else a small generated dataset. The inspector shows staged mode (both phases) and the
first validation picture of a bee (or --picture) run through efficientnet_lite0's offline weights.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TLGUI_SETTINGS_ORG", "tlgui-screenshots")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402

from scripts.screenshots import settle, wait  # noqa: E402


def main() -> int:
    default = ROOT.parent / "shared" / "datasets" / "hymenoptera_data"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(default) if default.is_dir() else None)
    ap.add_argument("--picture", help="the picture to try (default: the first val picture)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "inspector.png"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tlgui-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    if args.data is None:
        from tests.helpers import make_dataset

        args.data = str(make_dataset(tmp / "colours", n_train=4, n_val=2))

    from tlgui.gui.app import make_app
    from tlgui.gui.main_window import MainWindow

    app = make_app([])
    w = MainWindow()
    w.show()
    wait(app, lambda: bool(w.device_text), 120)
    scan = w.load_dataset(args.data)
    if scan is None:
        print(f"cannot load {args.data}", file=sys.stderr)
        return 2
    w.steps.setCurrentRow(2)
    form = w.train_page.form
    form.fields["backbone"].set_value("efficientnet_lite0")
    form.fields["mode"].set_value("staged")
    form.fields["epochs"].set_value(10)
    form.fields["freeze_epochs"].set_value(2)
    dialog = w.train_page.show_inspector()
    dialog.resize(1280, 800)
    shown: list[bool] = []
    dialog.structureShown.connect(lambda: shown.append(True))
    wait(app, lambda: bool(shown) and dialog._running is None, 300)
    val = scan.splits.get("val") or scan.splits["train"]
    picture = args.picture or next((s.path for s in val if "bees" in s.path), val[0].path)
    tried: list[bool] = []
    dialog.pictureShown.connect(lambda: tried.append(True))
    dialog.try_picture(picture)
    wait(app, lambda: bool(tried), 300)
    net = dialog.layerTree.topLevelItem(0).child(0)  # backbone.net
    net.setExpanded(True)
    net.child(2).setExpanded(True)  # its blocks
    settle(app)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(out))
    print("wrote", out, flush=True)
    w.unsaved = False
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
