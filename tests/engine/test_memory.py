"""release_memory: hands freed heap back on glibc, is a quiet no-op elsewhere, never raises."""

from __future__ import annotations

import sys
import threading

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
