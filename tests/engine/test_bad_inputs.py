"""A messy real-world folder, generated: every file loads correctly or is skipped with a reason,
and training (engine and ``tlgui train --jsonl``) completes on it."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from tests.helpers import make_image
from tlgui.engine import data as data_mod
from tlgui.engine.augment import preset
from tlgui.engine.data import ImageLoadError, load_image, probe_image, scan_dataset
from tlgui.engine.trainer import TrainConfig, fit

RED = (200, 40, 40)
BLUE = (40, 60, 200)
FAST = dict(
    backbone="efficientnet_lite0",
    weights="imagenet",
    batch_size=8,
    workers=0,
    augment=preset("none").to_dict(),
)

# name -> words its skip reason must contain. Everything else in the corpus must load.
SKIPPED_AT_SCAN = {
    "bomb.png": "too large",
    "dangling.jpg": "broken link",
    "empty.jpg": "empty file",
    "notes.jpg": "not an image",
    "truncated_header.jpg": "truncated",
    "empty class": "class left out",
    "strip.png": "extreme shape",
}
SKIPPED_AT_TRAIN = {"truncated_data.jpg": "truncated"}


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height``: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    return path


def exif_rotated(path: Path) -> Path:
    """Upright it is 20 wide x 40 high, red above blue; stored turned a quarter with EXIF
    orientation 6 ("rotate 90 degrees clockwise to display"), as phones do."""
    upright = Image.new("RGB", (20, 40), (255, 0, 0))
    upright.paste((0, 0, 255), (0, 20, 20, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif.tobytes(), quality=95)
    return path


def noisy_jpeg_bytes(size: int = 256) -> bytes:
    rng = random.Random(0)
    img = Image.frombytes("RGB", (size, size), rng.randbytes(size * size * 3))
    path_bytes = _encode(img, "JPEG", quality=90)
    return path_bytes


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    import io

    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def build_corpus(root: Path) -> Path:
    """Flat layout: ``red`` (all the trouble), ``青 blue`` (non-ASCII name with a space), a
    class folder named with non-UTF-8 bytes holding one image, and an empty class folder."""
    red = root / "red"
    for i in range(6):
        make_image(red / f"r{i}.jpg", RED, seed=i)
    jpeg = noisy_jpeg_bytes()
    (red / "truncated_header.jpg").write_bytes(jpeg[:300])  # cut inside the header
    (red / "truncated_data.jpg").write_bytes(jpeg[: int(len(jpeg) * 0.6)])  # header intact
    (red / "empty.jpg").write_bytes(b"")
    (red / "notes.jpg").write_text("this is not a picture\n")
    src = Image.new("RGB", (48, 40), (210, 30, 30))
    src.save(red / "gif_named.jpg", "GIF")
    src.save(red / "UPPER.PNG", "PNG")
    src.save(red / "webp_named.png", "WEBP")
    src.save(red / "bmp_named.tif", "BMP")
    src.save(red / "tiff_named.JPG", "TIFF")
    Image.new("RGBA", (40, 40), (200, 30, 30, 128)).save(red / "rgba.png")
    Image.new("LA", (40, 40), (90, 200)).save(red / "la.png")
    palette = Image.new("P", (40, 40), 1)  # index 1 red, index 0 transparent on the left
    palette.putpalette([0, 0, 0, 200, 30, 30] + [0, 0, 0] * 254)
    palette.paste(0, (0, 0, 20, 40))
    palette.save(red / "palette.png", transparency=0)
    Image.new("CMYK", (40, 40), (0, 200, 200, 30)).save(red / "cmyk.jpg")
    Image.new("I;16", (40, 40), 40000).save(red / "i16.png")
    Image.new("1", (40, 40), 1).save(red / "onebit.bmp")
    Image.new("RGB", (1, 1), (200, 30, 30)).save(red / "one_pixel.png")
    Image.new("RGB", (1, 5000), (200, 30, 30)).save(red / "strip.png")  # 256 x 1.3M if resized
    Image.new("RGB", (4000, 3000), (200, 30, 30)).save(red / "large.jpg", quality=40)
    png_claiming(red / "bomb.png", 100_000, 100_000)
    exif_rotated(red / "exif_rotated.jpg")
    make_image(red / "nested" / "deeper" / "n.jpg", RED, seed=50)
    make_image(red / "with space.jpg", RED, seed=51)
    make_image(red / "日本語 画像.jpg", RED, seed=52)
    (red / os.fsdecode(b"bad\xff\xfename.jpg")).write_bytes((red / "r0.jpg").read_bytes())
    os.symlink(".", red / "loop")  # a folder that contains itself
    os.symlink("nowhere.jpg", red / "dangling.jpg")
    blue = root / "青 blue"
    for i in range(6):
        make_image(blue / f"b{i}.jpg", BLUE, seed=100 + i)
    make_image(root / os.fsdecode(b"cl\xe9ss") / "only.jpg", (40, 170, 60), seed=200)
    (root / "empty class").mkdir()
    return root


needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or sys.platform == "win32",
    reason="symlinks need a POSIX file system",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("bad") / "corpus")


@needs_symlinks
def test_scan_skips_bad_files_with_reasons(corpus: Path) -> None:
    scan = scan_dataset(corpus, val_split=0.2, seed=0)
    reasons = {Path(s.path).name: s.reason for s in scan.skipped}
    assert set(reasons) == set(SKIPPED_AT_SCAN)
    for name, words in SKIPPED_AT_SCAN.items():
        assert words in reasons[name], (name, reasons[name])
    assert scan.classes == sorted([os.fsdecode(b"cl\xe9ss"), "red", "青 blue"])
    paths = [s.path for split in scan.splits.values() for s in split]
    assert len(paths) == len(set(paths)), "the symlink loop listed files twice"
    names = {Path(p).name for p in paths}
    for must in (
        "n.jpg",
        "with space.jpg",
        "日本語 画像.jpg",
        os.fsdecode(b"bad\xff\xfename.jpg"),
        "only.jpg",
        "gif_named.jpg",
        "UPPER.PNG",
        "large.jpg",
        "truncated_data.jpg",
    ):
        assert must in names
    # The class with one image keeps it for training.
    one = scan.classes.index(os.fsdecode(b"cl\xe9ss"))
    assert scan.class_counts("train")[one] == 1


@needs_symlinks
def test_every_listed_file_loads_as_rgb_or_raises_a_reason(corpus: Path) -> None:
    scan = scan_dataset(corpus, val_split=0.2, seed=0)
    loaded: dict[str, Image.Image] = {}
    for split in scan.splits.values():
        for s in split:
            name = Path(s.path).name
            if name in SKIPPED_AT_TRAIN:
                with pytest.raises(ImageLoadError, match=SKIPPED_AT_TRAIN[name]):
                    load_image(s.path)
                continue
            img = load_image(s.path)
            assert img.mode == "RGB" and img.width >= 1 and img.height >= 1
            loaded[name] = img
    assert loaded["one_pixel.png"].size == (1, 1)
    assert loaded["large.jpg"].size == (4000, 3000)
    assert loaded["i16.png"].getpixel((0, 0)) in ((0, 0, 0), (255, 255, 255))  # flat: no NaN
    # Half-transparent red is shown on white, not on black.
    r, g, b = loaded["rgba.png"].getpixel((5, 5))
    assert r > 220 and 120 < g < 160 and 120 < b < 160
    assert loaded["palette.png"].getpixel((5, 5)) == (255, 255, 255)  # transparent index
    assert loaded["palette.png"].getpixel((30, 5)) == (200, 30, 30)
    assert loaded["webp_named.png"].getpixel((2, 2))[0] > 180
    upright = loaded["exif_rotated.jpg"]
    assert upright.size == (20, 40)
    top, bottom = upright.getpixel((10, 5)), upright.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


# PIL's own limit as the host program leaves it: its default, or switched off. The engine's
# limit holds either way, and the engine never changes PIL's.
@pytest.mark.parametrize("pil_limit", [Image.MAX_IMAGE_PIXELS, None])
def test_bomb_is_refused_from_its_header_without_decoding(
    tmp_path: Path, monkeypatch, pil_limit: int | None
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pil_limit)
    bomb = png_claiming(tmp_path / "bomb.png", 100_000, 100_000)
    just_over = png_claiming(tmp_path / "over.png", 10_000, data_mod.MAX_IMAGE_PIXELS // 10_000 + 1)
    decoded: list[str] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(str(getattr(self, "filename", "")))
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    for path in (bomb, just_over):
        assert "too large" in probe_image(str(path))
        with pytest.raises(ImageLoadError, match="too large"):
            load_image(path)
    assert decoded == []
    assert Image.MAX_IMAGE_PIXELS == pil_limit


def test_file_vanishing_or_turning_to_garbage_after_the_scan(tmp_path: Path) -> None:
    from tests.helpers import make_dataset

    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=3, n_val=2))
    train = [s.path for s in scan.splits["train"]]
    gone, garbage = train[0], train[-1]
    os.remove(gone)
    Path(garbage).write_bytes(b"\x00garbage" * 10)
    os.remove(scan.splits["val"][0].path)
    result = fit(scan, TrainConfig(epochs=1, **FAST))
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons[gone] == "file no longer exists"
    assert "not an image" in reasons[garbage]
    assert reasons[scan.splits["val"][0].path] == "file no longer exists"
    assert len(result.history) == 1 and result.reports["val"].n == len(scan.splits["val"]) - 1


@needs_symlinks
def test_cli_trains_on_the_corpus_and_counts_what_it_skipped(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.pt"
    env = {**os.environ, "TLGUI_RUNS_DIR": str(tmp_path / "runs")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tlgui",
            "train",
            str(corpus),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--workers",
            "0",
            "--no-augment",
            "--jsonl",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[0]["event"] == "run" and Path(lines[0]["run_dir"]).is_dir()
    skipped = {Path(e["path"]).name: e["reason"] for e in lines if e["event"] == "skipped"}
    expected = {**SKIPPED_AT_SCAN, **SKIPPED_AT_TRAIN}
    assert set(skipped) == set(expected)
    for name, words in expected.items():
        assert words in skipped[name]
    assert [e["event"] for e in lines].count("epoch") == 1
    done = lines[-1]
    assert done["event"] == "done" and done["skipped"] == len(expected)
    assert out.is_file()
