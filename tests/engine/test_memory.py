"""release_memory: hands freed heap back on glibc, is a quiet no-op elsewhere, never raises.
reuse_freed_memory: while it is held, a big freed block is reused instead of faulted in anew,
and glibc's behaviour comes back when the last holder ends. The engine itself holds nothing:
an embedded run leaves every process-wide setting as it was."""

from __future__ import annotations

import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tlgui.engine import memory


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


@pytest.fixture
def fresh_lookup():
    """Each test finds (or fails to find) malloc_trim anew, and leaves no fake behind."""
    memory._malloc_trim.cache_clear()
    yield
    memory._malloc_trim.cache_clear()


def test_returns_a_bool(fresh_lookup) -> None:
    assert isinstance(memory.release_memory(), bool)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_freed_but_kept_heap_goes_back_to_the_os(fresh_lookup) -> None:
    if memory._malloc_trim() is None:
        pytest.skip("C library without malloc_trim (not glibc)")
    memory.release_memory()
    kept: list[bytes] = []

    def fragment() -> None:
        # 2 kB objects come from malloc (not Python's small-object pool); keeping every 16th
        # leaves ~75 MB of free holes that glibc's automatic top-of-heap trim cannot return.
        blocks = [bytes(2000) for _ in range(40_000)]
        kept.extend(blocks[::16])

    worker = threading.Thread(target=fragment)  # its own malloc arena, as a training thread
    worker.start()
    worker.join()
    before = _rss_mb()
    assert memory.release_memory() is True
    after = _rss_mb()
    assert before - after > 25, (before, after)
    assert len(kept) == 2500  # the live blocks were left alone


def test_no_op_where_there_is_no_glibc(fresh_lookup, monkeypatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.release_memory() is False


def test_never_raises_even_if_the_c_call_fails(fresh_lookup, monkeypatch) -> None:
    def broken(_pad: int) -> int:
        raise OSError("simulated failure inside the C library")

    monkeypatch.setattr(memory, "_malloc_trim", lambda: broken)
    assert memory.release_memory() is False


def test_missing_library_is_not_an_error(fresh_lookup, monkeypatch) -> None:
    def no_libc(*_a, **_k):
        raise OSError("libc not found")

    monkeypatch.setattr(memory.sys, "platform", "linux")
    monkeypatch.setattr(memory.ctypes, "CDLL", no_libc)
    assert memory.release_memory() is False


BLOCK = 64 << 20  # bigger than glibc's largest automatic mmap threshold (32 MB)


def _faults_for_a_block() -> int:
    """Minor page faults taken to allocate, zero and free one BLOCK-sized buffer."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = bytearray(BLOCK)  # malloc + memset: every page is touched
    del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_a_run_reuses_big_freed_blocks_instead_of_faulting_them_in_again() -> None:
    if memory._mallopt() is None:
        pytest.skip("C library without mallopt (not glibc)")
    pages = BLOCK // resource.getpagesize()
    with memory.reuse_freed_memory():
        _faults_for_a_block()  # the first time, the heap may grow
        assert _faults_for_a_block() < pages // 10  # then the freed block is reused
    # (After a run, whether a big block faults depends on what else the heap holds, so the
    # restored settings are checked through the calls below.)


def test_nested_runs_share_the_setting_and_the_last_one_restores_glibcs(monkeypatch) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda p, v: calls.append((p, v)) or 1)
    with memory.reuse_freed_memory():
        assert calls == [
            (memory._M_MMAP_THRESHOLD, 1 << 30),
            (memory._M_TRIM_THRESHOLD, (1 << 31) - 1),
        ]
        with memory.reuse_freed_memory():  # a second holder (a program nesting runs)
            pass
        assert len(calls) == 2  # the inner holder neither set nor restored anything
    assert calls[2:] == [
        (memory._M_MMAP_THRESHOLD, 128 * 1024),
        (memory._M_TRIM_THRESHOLD, 128 * 1024),
    ]
    assert memory._runs == 0
    assert memory.single_arena() is True
    assert calls[-1] == (memory._M_ARENA_MAX, 1)


def test_the_setting_is_a_quiet_no_op_without_glibc(monkeypatch) -> None:
    monkeypatch.setattr(memory, "_mallopt", lambda: None)
    with memory.reuse_freed_memory():
        assert memory._runs == 1
    assert memory._runs == 0
    assert memory.single_arena() is False


EMBEDDED_RUN = """
import sys, warnings
import torch, torchvision  # their own import-time settings are not the engine's
from PIL import Image, ImageFile

Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = 12_345_678, True  # the host's choice
before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
from tlgui.engine import memory

calls = []
memory._mallopt = lambda: lambda param, value: calls.append((param, value)) or 1
memory._malloc_trim = lambda: lambda pad: calls.append(("trim", pad)) or 1
from tlgui.engine.augment import preset
from tlgui.engine.config import TrainConfig
from tlgui.engine.data import scan_dataset
from tlgui.engine.lr_finder import find_lr
from tlgui.engine.trainer import fit

scan = scan_dataset(sys.argv[1])
for augment in ("none", "default"):
    cfg = TrainConfig(epochs=1, batch_size=8, patience=0, device="cpu", workers=0,
                      augment=preset(augment).to_dict())
    assert fit(scan, cfg, []).history
find_lr(scan, cfg, [], num_iter=2)
after = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
assert after == before, (before, after)
assert calls == [], calls
print("unchanged")
"""


def test_an_embedded_engine_run_changes_no_process_setting(tiny_dataset: Path) -> None:
    """A program that imports the engine and trains keeps its own malloc settings, PIL limits
    and warning filters: only tlgui's entry points (tlgui.process) change them. In a fresh
    interpreter, so that import-time changes count too."""
    out = subprocess.run(
        [sys.executable, "-c", EMBEDDED_RUN, str(tiny_dataset)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["unchanged"]
