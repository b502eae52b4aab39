"""Loading the next batch while the current one runs through the backbone, in one process.

On a CPU with few cores the engine loads pictures in-process (no DataLoader workers, see
:func:`~tlgui.engine.train.runtime.auto_workers`), so decoding and the backbone's forward took
turns on the main thread. :class:`Prefetched` iterates a loader on a background thread instead,
at most ``depth`` batches ahead, so the next batch decodes while the current one is in the
forward: PIL's decoding and resizing, torch's tensor ops and ONNX Runtime's ``run`` all release
the GIL, so the two really run at the same time.

:meth:`~tlgui.engine.train.batches.BatchSource.images` uses it for every in-process pass
(an augmented view seeds each picture's random numbers, so its pictures do not depend on when
the thread transforms them; see :mod:`tlgui.engine.rng`), and
:meth:`~tlgui.engine.predict.Predictor.predict_paths` loads a folder's next chunk with it.
Loading starts at once, the first batch included, so it runs beside whatever the consumer
sets up meanwhile (the frozen backbone's export and check): BatchNorm folding traces the
backbone with ``torch.fx``, which patches ``nn.Module.__call__`` process-wide, but it traces
under the lock every transform runs under (:func:`~tlgui.engine.rng.module_calls_patched`).

Under torch's OpenMP backend (every release wheel) the loading thread runs torch's operators on
one thread (``torch.set_num_threads(1)`` there: OpenMP's thread count is per thread; the
consumer's count is set again when loading ends, for the process-wide record torch keeps of
the last call). A parallel operator on the loading thread would start an OpenMP team of its
own whose threads spin-wait after each operator, on the cores the forward runs on: that made
a torch forward beside a loading thread 2.4x slower. Torch's native thread pool is one for
the process, so there the thread count is left alone.

Guarantees: the batches come in the loader's order, each exactly once; an exception raised
while loading is raised in the consuming thread at the batch where it happened; a consumer
that stops early (a cancelled run, an error in the forward) stops the thread before
``__iter__``'s generator finishes closing, so no loading outlives the pass.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


@functools.cache
def _openmp_threads() -> bool:
    """Whether torch parallelises with OpenMP, whose thread count is per thread."""
    import torch

    return "ATen parallel backend: OpenMP" in torch.__config__.parallel_info()


class Prefetched(Generic[T]):
    """``loader`` (any sized iterable) iterated on a background thread, ``depth`` batches
    ahead; ``len()`` is the loader's."""

    def __init__(self, loader: Iterable[T], depth: int = 1) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.loader, self.depth = loader, depth

    def __len__(self) -> int:
        return len(self.loader)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[T]:
        import torch  # torch-free at import: tlgui.engine.data is imported by the GUI at start

        threads = torch.get_num_threads() if _openmp_threads() else 0  # the consumer's
        batches = iter(self.loader)
        ready: queue.Queue[object] = queue.Queue(maxsize=self.depth)
        stop = threading.Event()

        def put(item: object) -> bool:
            """Hand ``item`` over unless the consumer left; False once it has."""
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def load() -> None:
            if threads:
                torch.set_num_threads(1)  # see the module docstring
            try:
                for batch in batches:
                    if not put(batch):
                        return
            except BaseException as exc:  # handed to the consumer, raised there
                put(_Failure(exc))
                return
            finally:
                if threads:
                    torch.set_num_threads(threads)
            put(_DONE)

        thread = threading.Thread(target=load, name="tlgui-prefetch", daemon=True)
        thread.start()
        try:
            while True:
                item = ready.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.exc
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            thread.join()


__all__ = ["Prefetched"]
