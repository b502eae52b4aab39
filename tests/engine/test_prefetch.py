"""Loading ahead on a background thread: the loader's batches in order, errors raised where
they happened, every batch loaded on the thread (torch on one thread there), and no thread
left behind."""

from __future__ import annotations

import threading

import pytest

from tlgui.engine.data.prefetch import Prefetched


class _Loader:
    """Yields 0..n-1, recording which thread produced each; raises at ``fail_at``."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.threads: list[str] = []
        self.produced = 0

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        for i in range(self.n):
            if i == self.fail_at:
                raise OSError(f"batch {i} unreadable")
            self.threads.append(threading.current_thread().name)
            self.produced += 1
            yield i


def _prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tlgui-prefetch"]


def test_every_batch_once_in_order_all_on_the_loading_thread() -> None:
    loader = _Loader(7)
    batches = Prefetched(loader, depth=2)
    assert len(batches) == 7
    assert list(batches) == list(range(7))
    assert set(loader.threads) == {"tlgui-prefetch"}
    assert not _prefetch_threads()
    assert list(Prefetched(_Loader(0))) == []


def test_a_loading_error_is_raised_at_its_batch() -> None:
    seen = []
    with pytest.raises(OSError, match="batch 3 unreadable"):
        for batch in Prefetched(_Loader(6, fail_at=3)):
            seen.append(batch)
    assert seen == [0, 1, 2]
    assert not _prefetch_threads()


def test_a_consumer_that_stops_early_stops_the_loading() -> None:
    loader = _Loader(1000)
    for batch in Prefetched(loader, depth=1):
        if batch == 2:
            break
    assert not _prefetch_threads()
    assert loader.produced <= 3 + 1 + 1  # the batches taken, one queued, one in hand


def test_an_error_in_the_consumer_stops_the_loading() -> None:
    def consume() -> None:
        for batch in Prefetched(_Loader(1000)):
            if batch == 1:
                raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        consume()
    assert not _prefetch_threads()


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Prefetched([1, 2], depth=0)


def test_the_loading_thread_runs_torch_on_one_thread_and_leaves_the_consumers_alone() -> None:
    import torch

    from tlgui.engine.data import prefetch

    if not prefetch._openmp_threads():
        pytest.skip("torch's native thread pool is shared: the count is left alone")
    before = torch.get_num_threads()
    seen: list[tuple[int, int]] = []

    class Recording:
        def __len__(self) -> int:
            return 3

        def __iter__(self):
            for i in range(3):
                seen.append((i, torch.get_num_threads()))
                yield i

    for _batch in Prefetched(Recording()):
        assert torch.get_num_threads() == before
    assert [count for _i, count in seen] == [1, 1, 1]
    assert torch.get_num_threads() == before
