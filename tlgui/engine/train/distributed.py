"""One run as several processes: PyTorch's ``torchrun`` and DistributedDataParallel (DDP).

``torchrun --nproc-per-node N -m tlgui train ...`` starts N copies of the command with
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` set (``--nnodes`` spreads them over machines).
:func:`session` reads that environment and joins the process group (NCCL on CUDA, gloo on the
CPU): the only place that does. Without those variables, and inside a session of one process,
every method here is the single-process identity, so a plain run computes exactly what it did
before this module existed.

What each process does differently lives in one place each:

* which samples it handles: :meth:`~.batches.BatchSource.shard`;
* the numbers summed over processes: :meth:`Distributed.sum` (training loss and accuracy),
  :meth:`Distributed.gather_scores` (evaluation: every process gets every prediction, so the
  report, confusion matrix included, is the whole dataset's) and
  :meth:`Distributed.gather_features` (every process gets every cached feature);
* the trained part wrapped in DDP: :meth:`Distributed.replica` (the head alone while the
  backbone is frozen, the whole model once it trains);
* printing and writing files: process 0 only (the CLI's callbacks and lines, the run folder,
  the bundle; see :class:`~.callbacks.RunCheckpoint`).

Failures: the process that fails publishes its one-line message in the rendezvous store
(:meth:`Distributed.publish_failure`) and leaves the process group, which breaks the others out
of any collective they wait in; the others also look for a published failure before every batch
(:meth:`Distributed.check_peers`). Each of them then fails with that message
(:class:`PeerFailed`), and all wait for each other (:meth:`Distributed.wait_for_peers`) before
they exit, so every process reports the same cause and none hangs. Collectives time out after
``$TLGUI_DIST_TIMEOUT`` seconds (default 600) as a last resort.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from .runtime import TrainingError, resolve_device

TIMEOUT_ENV = "TLGUI_DIST_TIMEOUT"
DEFAULT_TIMEOUT_S = 600.0
_FAILURE_KEY = "tlgui/failure"
_ARRIVED_KEY = "tlgui/failed-arrived"


class PeerFailed(TrainingError):
    """Another process of the run failed; the message is that process's, with its rank."""


def timeout() -> datetime.timedelta:
    """How long a collective waits for the other processes (``$TLGUI_DIST_TIMEOUT``)."""
    try:
        seconds = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
    except ValueError:
        seconds = DEFAULT_TIMEOUT_S
    return datetime.timedelta(seconds=max(1.0, seconds))


@dataclass
class Distributed:
    """This process's place in a run: ``rank`` of ``world_size`` (``local_rank`` on its
    machine), and the rendezvous ``store`` that carries a failure's message."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    store: Any = None
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    _replica: tuple[tuple[int, tuple[bool, ...]], nn.Module] | None = field(
        default=None, repr=False, compare=False
    )
    _next_check: float = field(default=0.0, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Process 0: the one that prints and writes files."""
        return self.rank == 0

    @classmethod
    def current(cls) -> Distributed:
        """The session's context, or one made from a process group the caller initialised
        (no failure channel then), or the single process."""
        if _SESSION is not None and dist.is_initialized():
            return _SESSION
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            device = torch.device("cuda") if dist.get_backend() == "nccl" else torch.device("cpu")
            local = int(os.environ.get("LOCAL_RANK", "0"))
            return cls(dist.get_rank(), dist.get_world_size(), local, None, device)
        return cls()

    # ------------------------------------------------------------------ reductions

    def sum(self, *values: torch.Tensor | float) -> list[float]:
        """Each of ``values`` summed over the processes (one all-reduce), as floats."""
        if not self.active:
            return [float(v) for v in values]
        t = torch.stack(
            [torch.as_tensor(v).detach().to(self.device, torch.float64) for v in values]
        )
        dist.all_reduce(t)
        return t.tolist()

    def gather(self, obj: Any) -> list[Any]:
        """``obj`` of every process, in rank order (objects travel pickled, via the CPU)."""
        if not self.active:
            return [obj]
        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def union(self, indices: Sequence[int]) -> list[int]:
        """The sorted union of every process's ``indices``: a list all processes agree on."""
        if not self.active:
            return list(indices)
        return sorted({i for part in self.gather(list(indices)) for i in part})

    def gather_features(self, feats: dict[int, torch.Tensor]) -> dict[int, torch.Tensor]:
        """Every process's share of a split's cached features (``{sample index: vector}`` on
        the CPU), merged: each process computes its share, all of them train on the whole."""
        if not self.active:
            return feats
        merged: dict[int, torch.Tensor] = {}
        for part in self.gather(feats):
            merged.update(part)
        return merged

    def gather_scores(
        self, scores: list[torch.Tensor], labels: list[torch.Tensor], order: list[int]
    ) -> tuple[list[torch.Tensor], list[torch.Tensor], list[int]]:
        """An evaluation's per-picture scores, labels and sample indices from every process,
        in sample order: every process then computes the same, whole-dataset report."""
        if not self.active:
            return scores, labels, order
        mine = (
            torch.cat(scores).float().cpu() if scores else None,
            torch.cat([t.cpu() for t in labels]) if labels else None,
            list(order),
        )
        parts = [p for p in self.gather(mine) if p[0] is not None]
        if not parts:
            return [], [], []
        s = torch.cat([p[0] for p in parts])
        y = torch.cat([p[1] for p in parts])
        idx = torch.tensor([i for p in parts for i in p[2]], dtype=torch.long)
        keep = _first_of_each(idx)
        return [s[keep]], [y[keep]], idx[keep].tolist()

    # ------------------------------------------------------------------ DDP

    def replica(self, module: nn.Module) -> nn.Module:
        """``module`` as the step trains it: wrapped in DDP (gradients averaged over the
        processes at every backward) when distributed, else ``module`` itself. One wrapper is
        kept, for the module and set of trainable parameters in use; a new one (a staged run
        that unfreezes) replaces it, and the old one's gradient hooks go with it."""
        if not self.active:
            return module
        key = (id(module), tuple(p.requires_grad for p in module.parameters()))
        if self._replica is not None and self._replica[0] == key:
            return self._replica[1]
        self._replica = None
        gc.collect()  # the old wrapper's reducer (and its gradient hooks) is freed now
        ids = [self.device.index or 0] if self.device.type == "cuda" else None
        wrapped = nn.parallel.DistributedDataParallel(module, device_ids=ids)
        self._replica = (key, wrapped)
        return wrapped

    def sync_buffers(self, module: nn.Module) -> None:
        """Process 0's buffers (BatchNorm running statistics) in every process. DDP sends them
        before each forward, but each process updates its own during the last one: after this
        every process holds the same model, the one process 0 saves and all of them evaluate."""
        if not self.active:
            return
        for buffer in module.buffers():
            dist.broadcast(buffer.data, src=0)

    @contextlib.contextmanager
    def local_main_first(self) -> Iterator[None]:
        """Process 0 of each machine runs the block first (weights download into one shared
        cache), the others once it has finished."""
        if not self.active:
            yield
            return
        if self.local_rank == 0:
            yield
            dist.barrier()
        else:
            dist.barrier()
            yield

    # ------------------------------------------------------------------ failures

    def published_failure(self) -> tuple[int, str] | None:
        """``(rank, message)`` of the first process that failed, if one has."""
        if self.store is None:
            return None
        try:
            if not self.store.check([_FAILURE_KEY]):
                return None
            data = json.loads(self.store.get(_FAILURE_KEY).decode())
            return int(data["rank"]), str(data["message"])
        except (RuntimeError, ValueError, KeyError):  # the store is gone: nothing to read
            return None

    def check_peers(self) -> None:
        """Raise :class:`PeerFailed` if another process has failed (asked the store at most
        every half second: called before every batch)."""
        if not self.active or self.store is None:
            return
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + 0.5
        failure = self.published_failure()
        if failure is not None and failure[0] != self.rank:
            raise PeerFailed(_peer_message(*failure))

    def publish_failure(self, message: str) -> None:
        """Record this process's failure (the first failure of the run wins) and leave the
        process group, so the others stop waiting for this process in a collective."""
        if not self.active:
            return
        if self.store is not None:
            record = json.dumps({"rank": self.rank, "message": message})
            with contextlib.suppress(RuntimeError):
                self.store.compare_set(_FAILURE_KEY, "", record)
        self._replica = None
        if dist.is_initialized():
            with contextlib.suppress(RuntimeError, ValueError):
                dist.destroy_process_group()

    def peer_failure(self) -> PeerFailed | None:
        """A :class:`PeerFailed` when another process failed first (this process's own error
        is then most likely a consequence: a collective that lost its peer)."""
        first = self.published_failure() if self.active else None
        if first is None or first[0] == self.rank:
            return None
        return PeerFailed(_peer_message(*first))

    def failure(self, exc: BaseException, message: str) -> BaseException:
        """What this process reports for ``exc`` (``message``: its one line): the
        :meth:`peer_failure` if there is one, else ``exc``; either way this process's failure
        is published (the first one recorded stays)."""
        if not self.active:
            return exc
        peer = exc if isinstance(exc, PeerFailed) else self.peer_failure()
        self.publish_failure(message)
        return peer if peer is not None else exc

    def wait_for_peers(self, limit_s: float = 60.0) -> None:
        """After a failure: wait (at most ``limit_s``) until every process has reported it,
        so none is stopped by ``torchrun`` before it has said why."""
        if not self.active or self.store is None:
            return
        deadline = time.monotonic() + limit_s
        try:
            arrived = self.store.add(_ARRIVED_KEY, 1)
            while arrived < self.world_size and time.monotonic() < deadline:
                time.sleep(0.05)
                arrived = self.store.add(_ARRIVED_KEY, 0)
        except RuntimeError:  # the store went away with its host: nobody left to wait for
            return


def _first_of_each(idx: torch.Tensor) -> torch.Tensor:
    """Positions that sort ``idx`` with each value once (a sample evaluated twice counts
    once)."""
    order = torch.argsort(idx, stable=True)
    sorted_idx = idx[order]
    first = torch.ones_like(sorted_idx, dtype=torch.bool)
    first[1:] = sorted_idx[1:] != sorted_idx[:-1]
    return order[first]


def _peer_message(rank: int, message: str) -> str:
    return f"process {rank} of the run failed: {message}"


_SESSION: Distributed | None = None


def launched() -> bool:
    """Whether this process was started by ``torchrun`` (or the same environment) as one of
    several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ


@contextlib.contextmanager
def session(device: str = "auto") -> Iterator[Distributed]:
    """Join the run's process group for the block when :func:`launched` (NCCL when
    ``device`` resolves to CUDA, gloo otherwise; each process on the GPU of its
    ``LOCAL_RANK``); otherwise the single-process context. The group is left at the end."""
    global _SESSION
    if not launched():
        yield Distributed()
        return
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = resolve_device(device).type == "cuda"
    if cuda:
        torch.cuda.set_device(local)
    store, _rank, _world = next(dist.rendezvous("env://", rank, world, timeout=timeout()))
    dev = torch.device("cuda", local) if cuda else torch.device("cpu")
    dist.init_process_group(
        "nccl" if cuda else "gloo",
        store=store,
        rank=rank,
        world_size=world,
        timeout=timeout(),
        **({"device_id": dev} if cuda else {}),
    )
    _SESSION = Distributed(rank, world, local, store, dev)
    try:
        yield _SESSION
    finally:
        _SESSION = None
        if dist.is_initialized():
            with contextlib.suppress(RuntimeError, ValueError):
                dist.destroy_process_group()


__all__ = ["Distributed", "PeerFailed", "launched", "session", "timeout"]
