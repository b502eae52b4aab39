"""Fuzz the image loader: random and mutated bytes never escape as anything but
:class:`ImageLoadError` (or a reason string from the probe), and never hang."""

from __future__ import annotations

import io
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tlgui.engine.data import ImageLoadError, load_image, probe_image

SECONDS_PER_EXAMPLE = 5.0


def _seeds() -> list[bytes]:
    """Small valid files of every format the app meets, as mutation seeds."""
    img = Image.new("RGB", (24, 16), (200, 40, 40))
    img.paste((40, 60, 200), (0, 0, 12, 16))
    out = []
    for fmt, kw in (("PNG", {}), ("JPEG", {"quality": 80}), ("GIF", {}), ("WEBP", {}),
                    ("BMP", {}), ("TIFF", {}), ("JPEG", {"progressive": True})):
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        out.append(buf.getvalue())
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(buf, "JPEG", exif=exif.tobytes())
    out.append(buf.getvalue())
    return out


SEEDS = _seeds()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed file with a few bytes flipped, runs overwritten, cut, or spliced."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "overwrite", "truncate", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[pos : pos + len(chunk)] = chunk
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
    return bytes(data)


class _Hang(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_Hang` if the block runs longer than ``seconds`` (a real hang would never
    reach hypothesis' own deadline check, which runs after the example)."""

    def on_alarm(_signum, _frame):
        raise _Hang(f"the loader took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="tlgui-fuzz-") as d:
        yield Path(d) / "fuzzed.img"


def _check(path: Path, payload: bytes) -> None:
    path.write_bytes(payload)
    with deadline(SECONDS_PER_EXAMPLE):
        reason = probe_image(str(path))
        assert reason is None or (isinstance(reason, str) and reason and "\n" not in reason)
        try:
            img = load_image(path)
        except ImageLoadError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert img.mode == "RGB" and img.width >= 1 and img.height >= 1


needs_alarm = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGALRM")
FUZZ = settings(max_examples=1000, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@needs_alarm
@FUZZ
@given(payload=mutated())
def test_mutated_images_only_raise_image_load_error(scratch: Path, payload: bytes) -> None:
    _check(scratch, payload)


@needs_alarm
@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(
    st.binary(max_size=64),
    # Valid magic numbers followed by noise reach deeper into each decoder.
    st.tuples(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a",
                               b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"BM", b"II*\x00",
                               b"MM\x00*"]),
              st.binary(max_size=256)).map(lambda t: t[0] + t[1]),
))
def test_random_bytes_only_raise_image_load_error(scratch: Path, payload: bytes) -> None:
    _check(scratch, payload)


def test_the_seeds_themselves_load(scratch: Path) -> None:
    for payload in SEEDS:
        scratch.write_bytes(payload)
        assert probe_image(str(scratch)) is None
        assert load_image(scratch).size in ((24, 16), (16, 24))
