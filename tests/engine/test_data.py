"""Dataset scanning, content-based recognition, splits and image loading."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import make_dataset, make_image
from tlgui.engine.data import (
    DataError,
    ImageLoadError,
    load_image,
    scan_dataset,
    stratified_split,
)


def test_train_val_layout_counts(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    assert scan.classes == ["blue", "red"]
    assert scan.counts() == {"blue": {"train": 8, "val": 4}, "red": {"train": 8, "val": 4}}
    assert scan.val_fraction is None
    assert scan.skipped == []


@pytest.mark.parametrize("val_name", ["valid", "validation", "Val"])
def test_val_folder_aliases_and_test_split(tmp_path: Path, val_name: str) -> None:
    root = make_dataset(tmp_path / "d", n_train=3, n_val=2, n_test=1)
    (root / "val").rename(root / val_name)
    scan = scan_dataset(root)
    assert list(scan.splits) == ["train", "val", "test"]
    assert len(scan.splits["val"]) == 4 and len(scan.splits["test"]) == 2


def test_flat_layout_is_split_stratified_and_seeded(flat_dataset: Path) -> None:
    a = scan_dataset(flat_dataset, val_split=0.2, seed=1)
    b = scan_dataset(flat_dataset, val_split=0.2, seed=1)
    c = scan_dataset(flat_dataset, val_split=0.2, seed=2)
    assert a.val_fraction == 0.2
    assert a.counts() == {"blue": {"train": 8, "val": 2}, "red": {"train": 8, "val": 2}}
    assert a.splits == b.splits
    assert {s.path for s in a.splits["val"]} != {s.path for s in c.splits["val"]}
    assert not {s.path for s in a.splits["val"]} & {s.path for s in a.splits["train"]}


def test_stratified_split_keeps_one_of_each_class() -> None:
    train, val = stratified_split([0, 0, 1, 1, 1, 1, 1, 1, 1, 1], 0.2, seed=0)
    assert sorted(train + val) == list(range(10))
    assert {0, 1} <= {([0, 0] + [1] * 8)[i] for i in val}


def test_recognised_by_content_and_bad_files_skipped(tiny_dataset: Path) -> None:
    cls = tiny_dataset / "train" / "red"
    # A GIF named .jpg and a PNG with an upper-case wrong extension load.
    make_image(cls / "gif_named.jpg", (200, 40, 40), seed=5, fmt="GIF")
    make_image(cls / "png_named.BMP", (200, 40, 40), seed=6, fmt="PNG")
    (cls / "notes.jpg").write_text("this is not an image")
    (cls / "empty.png").write_bytes(b"")
    (cls / ".DS_Store").write_bytes(b"\x00\x01")
    (cls / "Thumbs.db").write_bytes(b"\x00\x01")
    scan = scan_dataset(tiny_dataset)
    red = [s.path for s in scan.splits["train"] if s.label == scan.classes.index("red")]
    assert any(p.endswith("gif_named.jpg") for p in red)
    assert any(p.endswith("png_named.BMP") for p in red)
    reasons = {Path(s.path).name: s.reason for s in scan.skipped}
    assert set(reasons) == {"notes.jpg", "empty.png"}
    assert "not an image" in reasons["notes.jpg"]
    assert "empty" in reasons["empty.png"]


def test_nested_folders_count_for_their_class(tiny_dataset: Path) -> None:
    make_image(tiny_dataset / "train" / "red" / "more" / "deeper" / "x.jpg", (200, 40, 40))
    scan = scan_dataset(tiny_dataset)
    assert scan.counts()["red"]["train"] == 9


def test_fewer_than_two_classes_is_an_error(tmp_path: Path) -> None:
    make_dataset(tmp_path / "one", n_train=3, n_val=0, classes=("red",), layout="flat")
    (tmp_path / "one" / "empty_class").mkdir()
    with pytest.raises(DataError, match="at least two class folders"):
        scan_dataset(tmp_path / "one")


def test_val_class_missing_from_train_is_an_error(tiny_dataset: Path) -> None:
    make_image(tiny_dataset / "val" / "green" / "g.jpg", (40, 170, 60))
    with pytest.raises(DataError, match="val has classes that train lacks: green"):
        scan_dataset(tiny_dataset)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        scan_dataset(tmp_path / "nope")


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 20, 20))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif, quality=95)
    out = load_image(path)
    assert out.size == (20, 40)
    r, _g, b = out.getpixel((10, 5))
    assert b > 200 and r < 60  # the blue half is now on top


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "CMYK", "I;16", "1", "I", "F"])
def test_every_mode_becomes_rgb(tmp_path: Path, mode: str) -> None:
    img = Image.new("RGB", (16, 16), (120, 30, 200)).convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "I;16", "I", "F") else "PNG"
    path = tmp_path / f"img_{mode.replace(';', '')}.img"
    img.save(path, format=fmt)
    out = load_image(path)
    assert out.mode == "RGB" and out.size == (16, 16)


def test_truncated_jpeg_raises_a_reason(tmp_path: Path) -> None:
    good = make_image(tmp_path / "g.jpg", (200, 40, 40), size=128)
    data = good.read_bytes()
    (tmp_path / "t.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="truncated|corrupt"):
        load_image(tmp_path / "t.jpg")


def test_scanning_many_files_is_fast(tmp_path: Path) -> None:
    """2,000 files (a 10,000-file scan is measured in the README: it scales linearly)."""
    src = make_image(tmp_path / "src.jpg", (200, 40, 40), size=32).read_bytes()
    for c in ("a", "b"):
        d = tmp_path / "many" / c
        d.mkdir(parents=True)
        for i in range(1000):
            (d / f"{i}.jpg").write_bytes(src)
    t = time.perf_counter()
    scan = scan_dataset(tmp_path / "many")
    elapsed = time.perf_counter() - t
    assert sum(len(v) for v in scan.splits.values()) == 2000
    assert elapsed < 20  # generous: minutes would be a regression, not noise


def test_pictures_for_a_network_decode_jpeg_at_a_reduced_scale(tmp_path: Path) -> None:
    """Every pass and prediction loads through load_for_network: a large JPEG decodes at the
    smallest scale whose short side keeps twice the input size; other formats at full size."""
    from tlgui.engine.data import load_for_network

    big = tmp_path / "big.jpg"
    Image.new("RGB", (2000, 1000), (200, 30, 30)).save(big, quality=90)
    picture = load_for_network(str(big), 224)
    assert picture.size == (1000, 500)  # 1/2 scale: 1/4 would leave a 250-pixel short side
    png = tmp_path / "big.png"
    Image.new("RGB", (2000, 1000), (200, 30, 30)).save(png)
    assert load_for_network(str(png), 224).size == (2000, 1000)
