"""Render the dataset check's findings into docs/screenshots/doctor.png (offscreen; README).

    python scripts/screenshot_doctor.py [DATA] [--out docs/screenshots/doctor.png] [--plant]

DATA defaults to ../shared/datasets/hymenoptera_data. ``--plant`` checks a copy of it instead,
with 5% of the training pictures moved to the other class folder and resized/re-encoded copies
of six training pictures in val (the README says which the picture shows).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TLGUI_SETTINGS_ORG", "tlgui-screenshots")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from scripts.screenshots import wait  # noqa: E402


def plant(data: Path, work: Path) -> Path:
    """A copy of ``data`` with 5% label flips in train and six near-copies in val."""
    root = work / "hymenoptera_planted"
    shutil.copytree(data, root)
    rng = random.Random(1)
    files = sorted(root.glob("train/*/*.jpg"))
    classes = sorted(p.name for p in (root / "train").iterdir())
    for f in rng.sample(files, round(0.05 * len(files))):
        other = next(c for c in classes if c != f.parent.name)
        f.rename(root / "train" / other / f.name)
    for k, f in enumerate(rng.sample(sorted(root.glob("train/*/*.jpg")), 6)):
        with Image.open(f) as img:
            small = img.resize((img.width * 3 // 4, img.height * 3 // 4))
            small.save(root / "val" / f.parent.name / f"copy{k}_{f.name}", quality=70)
    return root


def main() -> int:
    default = ROOT.parent / "shared" / "datasets" / "hymenoptera_data"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(default))
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "doctor.png"))
    ap.add_argument("--plant", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tlgui-doctor-shot-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    os.environ.setdefault("TLGUI_CACHE_DIR", str(tmp / "cache"))  # not the user's cache
    data = plant(Path(args.data), tmp) if args.plant else Path(args.data)

    from tlgui.gui.app import make_app
    from tlgui.gui.main_window import MainWindow

    app = make_app([])
    w = MainWindow()
    w.resize(1360, 860)
    w.show()
    if w.load_dataset(str(data)) is None:
        print(f"cannot load {data}", file=sys.stderr)
        return 2
    done: list = []
    w.doctor.finished.connect(done.append)
    w.doctor.check()
    wait(app, lambda: bool(done), 900)
    panel = w.doctor.panel
    wait(app, lambda: all(g.pending_thumbnails == 0 for g in panel.galleries()), 120)
    panel.labelGallery.setCurrentRow(0)
    wait(app, lambda: False, 0.5)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    w.doctor.dialog.grab().save(str(out))
    print("wrote", out, "findings:", {k: len(v) for k, v in done[0].items() if isinstance(v, list)})
    w.unsaved = False
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
