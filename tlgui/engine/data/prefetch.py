"""Loading the next batch while the current one runs through the backbone, in one process.

On a CPU with few cores the engine loads pictures in-process (no DataLoader workers, see
:func:`~tlgui.engine.train.runtime.auto_workers`), so decoding and the backbone's forward took
turns on the main thread. :class:`Prefetched` iterates a loader on a background thread instead,
at most ``depth`` batches ahead, so the next batch decodes while the current one is in the
forward: PIL's decoding and resizing, torch's tensor ops and ONNX Runtime's ``run`` all release
the GIL, so the two really run at the same time.

:meth:`~tlgui.engine.train.batches.BatchSource.images` uses it for passes whose batches draw no
random numbers (the eval view: frozen features, evaluation, BatchNorm calibration, training
without augmentation): an augmented view draws from torch's global generator, and drawing on
another thread while the training step draws dropout masks would make the order of the draws,
and so the run, depend on thread timing. :meth:`~tlgui.engine.predict.Predictor.predict_paths`
loads a folder's next chunk with it.

The first batch is loaded on the consuming thread, and the background thread starts only when
the second is asked for: whatever the consumer sets up on the first batch (the frozen forward:
BatchNorm folding traces the backbone with ``torch.fx``, which patches ``nn.Module.__call__``
process-wide while it traces, and the transforms are modules too) is done before any loading
runs beside it.

Guarantees: the batches come in the loader's order, each exactly once; an exception raised
while loading is raised in the consuming thread at the batch where it happened; a consumer
that stops early (a cancelled run, an error in the forward) stops the thread before
``__iter__``'s generator finishes closing, so no loading outlives the pass.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


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
        batches = iter(self.loader)
        first = next(batches, _DONE)
        if first is _DONE:
            return
        yield first  # type: ignore[misc]
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
            try:
                for batch in batches:
                    if not put(batch):
                        return
            except BaseException as exc:  # handed to the consumer, raised there
                put(_Failure(exc))
                return
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
