"""`tlgui lr-find`, `predict --cam` and the `--tta` options. lr-find runs as a user would
(subprocess); the others call ``tlgui.cli.main`` in-process, which saves a torch start-up each
(the subprocess contract itself is covered in test_cli.py)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from PIL import Image

from tests.helpers import make_dataset


def run_main(capsys, *args) -> tuple[int, str, str]:
    from tlgui.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def tlgui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlgui", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A tiny trained bundle (in-process: quicker than a `tlgui train` subprocess)."""
    from tlgui.engine.checkpoint import bundle_from_result, save_bundle
    from tlgui.engine.data import scan_dataset
    from tlgui.engine.trainer import TrainConfig, fit

    root = make_dataset(tmp_path_factory.mktemp("insight") / "data", n_train=6, n_val=3)
    result = fit(scan_dataset(root), TrainConfig(epochs=1, batch_size=8, workers=0,
                                                 augment={"enabled": False}))
    path = root.parent / "model.pt"
    save_bundle(bundle_from_result(result), path)
    return root, path


def test_lr_find_json(bundle) -> None:
    root, _ = bundle
    proc = tlgui("lr-find", root, "--json", "--batch-size", "4", "--num-iter", "40",
                 "--no-augment", "--workers", "0")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"suggested_lr", "lrs", "losses"}
    assert len(out["lrs"]) == len(out["losses"]) >= 2
    assert math.isfinite(out["suggested_lr"])
    assert out["lrs"][0] <= out["suggested_lr"] <= out["lrs"][-1]


def test_lr_find_bad_range_exits_2(bundle, capsys) -> None:
    root, _ = bundle
    code, _out, err = run_main(capsys, "lr-find", root, "--start-lr", "1", "--end-lr", "0.1")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "start-lr" in err


def test_predict_cam_writes_overlays_and_peaks(bundle, tmp_path, capsys) -> None:
    root, model = bundle
    # Two files with the same name in different folders get two overlays.
    images = [root / "val" / "red" / "red_000.jpg", root / "val" / "blue" / "blue_000.jpg",
              root / "val" / "red" / "red_001.jpg"]
    other = tmp_path / "other" / "red_000.jpg"
    other.parent.mkdir()
    other.write_bytes(images[0].read_bytes())
    cams = tmp_path / "cams"
    code, stdout, err = run_main(capsys, "predict", model, *images, other, "--cam", cams,
                                 "--json", "--tta", "--device", "cpu")
    assert code == 0, err
    out = json.loads(stdout)
    assert len(out) == 4
    for item in out:
        x, y = item["cam_peak"]
        assert 0 <= x <= 1 and 0 <= y <= 1
        assert item["top"][0]["label"] in ("red", "blue")
    pngs = sorted(cams.glob("*.png"))
    assert len(pngs) == 4
    with Image.open(pngs[0]) as im:
        assert im.format == "PNG" and im.size == (224, 224)


def test_predict_without_cam_has_no_peak(bundle, capsys) -> None:
    root, model = bundle
    code, stdout, err = run_main(capsys, "predict", model, root / "val" / "red", "--json",
                                 "--device", "cpu")
    assert code == 0, err
    assert all("cam_peak" not in item for item in json.loads(stdout))


def test_evaluate_tta_json(bundle, capsys) -> None:
    root, model = bundle
    code, stdout, err = run_main(capsys, "evaluate", model, root, "--json", "--tta",
                                 "--device", "cpu")
    assert code == 0, err
    out = json.loads(stdout)
    assert out["n"] == 6 and 0 <= out["accuracy"] <= 1
    assert len(out["confusion_matrix"]) == 2 and set(out["per_class"]) == {"red", "blue"}
