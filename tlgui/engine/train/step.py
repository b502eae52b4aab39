"""One training step: forward (four variants), loss, backward, optimizer and schedule step.

The training loop and the LR finder both train through :class:`TrainStep`, so both run the
same precision (autocast on CUDA), the same gradient scaling and the same frozen-backbone path.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

import torch
from torch import nn

from ..model import TransferModel
from ..onnx_backend import Forward as FrozenForward
from ..rng import global_rng_draws
from .runtime import Runtime


class Forward(Enum):
    """How a batch reaches the head."""

    FEATURES = "features"  # the frozen backbone's cached outputs -> head
    FOLDED = "folded"  # BatchNorm-folded frozen backbone, inference mode, torch or ORT -> head
    FROZEN = "frozen"  # frozen backbone without gradients -> head
    WHOLE = "whole"  # the whole model; the backbone trains

    @classmethod
    def choose(cls, *, frozen: bool, cached: bool, fold: bool) -> Forward:
        """``cached``: the batch holds features; ``fold``: the speed paths are on
        (``TrainConfig.cache_features``)."""
        if cached:
            return cls.FEATURES
        if frozen:
            return cls.FOLDED if fold else cls.FROZEN
        return cls.WHOLE


class StepResult(NamedTuple):
    """A step's loss and correct predictions as device tensors (read without a sync)."""

    loss: torch.Tensor
    correct: torch.Tensor
    n: int


class TrainStep:
    """Trains ``model`` on one batch with the optimizer and scheduler :meth:`attach` gave it.

    Owns the float16 gradient scaler (CUDA without bfloat16) and its state. Dropout draws from
    torch's global generator, so the forward pass runs under the generator lock (see
    :mod:`tlgui.engine.rng`), all but the folded frozen backbone's part (:meth:`forward`)."""

    def __init__(
        self,
        runtime: Runtime,
        criterion: nn.Module,
        frozen_backbone: Callable[[TransferModel, torch.Tensor], FrozenForward],
        parallel: Callable[[nn.Module], nn.Module] | None = None,
    ) -> None:
        """``frozen_backbone(model, x)``: what runs a frozen backbone on the batch ``x`` on the
        :attr:`Forward.FOLDED` path (:meth:`~.features.FeatureCache.frozen_backbone`: torch or
        ONNX Runtime). ``parallel(module)``: the trained part (the head, or the whole model)
        as the forward runs it: its DDP wrapper in a distributed run
        (:meth:`~.distributed.Distributed.replica`); default: the module itself."""
        self.parallel = parallel or (lambda module: module)
        self.runtime = runtime
        self.criterion = criterion
        self.frozen_backbone = frozen_backbone
        self.scaler = torch.amp.GradScaler("cuda") if runtime.needs_grad_scaler else None
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler: torch.optim.lr_scheduler.LRScheduler | None = None

    def attach(
        self,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    ) -> None:
        self.optimizer, self.scheduler = optimizer, scheduler

    def forward(self, model: TransferModel, x: torch.Tensor, kind: Forward) -> torch.Tensor:
        """Logits for ``x`` (already on the device) by the ``kind`` path. The trained part runs
        under the generator lock (dropout); the folded frozen backbone, in eval mode, draws
        nothing and runs outside it, so the next batch's augmentation loads beside it."""
        if kind is Forward.FOLDED:
            with torch.inference_mode():
                f = self.frozen_backbone(model, x)(x)
            # clone() turns the inference tensor into a normal one the head's autograd saves.
            x, kind = f.float().clone(), Forward.FEATURES
        head = self.parallel(model.head) if kind is not Forward.WHOLE else model.head
        with global_rng_draws():
            if kind is Forward.FEATURES:
                return head(x)
            if kind is Forward.FROZEN:
                with torch.no_grad():
                    f = model.backbone(x)
                return head(f.float())
            return self.parallel(model)(x)

    def __call__(
        self, model: TransferModel, x: torch.Tensor, y: torch.Tensor, kind: Forward
    ) -> StepResult:
        optimizer = self.optimizer
        if optimizer is None:
            raise RuntimeError("TrainStep has no optimizer: call attach() first")
        y = y.to(self.runtime.device, non_blocking=True)
        features = kind is Forward.FEATURES
        x = x.to(self.runtime.device) if features else self.runtime.to_device(x)
        with self.runtime.autocast():
            logits = self.forward(model, x, kind)
            loss = self.criterion(logits.float(), y)
        optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(optimizer)
            self.scaler.update()
        else:
            loss.backward()
            optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        return StepResult(loss.detach(), (logits.argmax(1) == y).sum(), y.numel())

    def state_dict(self) -> dict[str, Any]:
        return {"scaler": self.scaler.state_dict() if self.scaler is not None else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scaler is not None and state.get("scaler") is not None:
            self.scaler.load_state_dict(state["scaler"])


class LossReader:
    """Hands each step's loss to the listeners without stalling a GPU.

    On CPU a loss is read at once. On CUDA ``loss.item()`` would make the CPU wait until the
    GPU has finished everything queued so far, so it could not queue the next step meanwhile.
    Instead each loss is copied to pinned host memory behind an event and read after the next
    step has been queued: the listeners get every batch's loss, one step late."""

    def __init__(self, device: torch.device) -> None:
        self.lag = device.type == "cuda"
        self.pending: list[tuple[int, torch.Tensor, Any]] = []

    def push(self, batch: int, loss: torch.Tensor) -> list[tuple[int, float]]:
        """``(batch, loss)`` pairs that are ready now (this one on CPU, the previous on CUDA)."""
        if not self.lag:
            return [(batch, float(loss))]
        host = torch.empty((), dtype=torch.float32, pin_memory=True)
        host.copy_(loss, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        self.pending.append((batch, host, event))
        return self._read(keep=1)

    def flush(self) -> list[tuple[int, float]]:
        return self._read(keep=0)

    def _read(self, keep: int) -> list[tuple[int, float]]:
        out = []
        while len(self.pending) > keep:
            batch, host, event = self.pending.pop(0)
            event.synchronize()  # waits for that step only, not for the ones queued after it
            out.append((batch, float(host)))
        return out


__all__ = ["Forward", "LossReader", "StepResult", "TrainStep"]
