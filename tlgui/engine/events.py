"""Immutable events the engine reports with: plain numbers and strings only, never tensors.

Callbacks implement any of the hooks of :class:`Callback`; the CLI's progress bar, the JSON
lines writer and the GUI's Qt bridge are all just callbacks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FitStart:
    epochs: int
    n_train: int
    n_val: int
    n_test: int
    classes: tuple[str, ...]
    device: str
    backbone: str
    mode: str
    cached_features: bool


@dataclass(frozen=True)
class EpochStart:
    epoch: int
    epochs: int
    frozen: bool


@dataclass(frozen=True)
class BatchEnd:
    """``phase`` is ``train``, ``val`` (evaluation during a run), ``features`` (computing the
    frozen backbone's cached outputs, or calibrating a random-start backbone), ``lr_find`` (the
    LR range test, epoch 0) or ``eval`` (evaluating a trained model, epoch 0).
    ``batch``/``batches`` count within the phase; ``elapsed`` is seconds since the epoch (or
    the pass) started."""

    epoch: int
    phase: str
    batch: int
    batches: int
    loss: float
    elapsed: float


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: tuple[float, ...]
    seconds: float
    is_best: bool

    def to_json(self) -> dict:
        d = asdict(self)
        d["lr"] = list(self.lr)
        return d


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class DownloadProgress:
    name: str
    done_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class FitEnd:
    best_epoch: int
    best_val_acc: float
    stopped_early: bool
    cancelled: bool
    epochs_run: int
    seconds: float


@dataclass(frozen=True)
class ErrorEvent:
    message: str
    kind: str  # "data", "weights", "memory", "error"


@dataclass(frozen=True)
class BackendChosen:
    """What runs the frozen backbone's no-gradient forward from now on: ``backend`` is
    ``torch`` or ``onnxruntime``, ``requested`` the setting (``auto``, ``torch`` or
    ``onnxruntime``), ``reason`` one line (why ORT was used or why torch runs instead)."""

    backend: str
    requested: str
    reason: str

    def describe(self) -> str:
        return f"{self.backend} ({self.requested}: {self.reason})"


class Callback:
    """Base class with no-op hooks. Hooks run on the training thread; keep them cheap."""

    def on_fit_start(self, event: FitStart) -> None: ...
    def on_epoch_start(self, event: EpochStart) -> None: ...
    def on_batch_end(self, event: BatchEnd) -> None: ...
    def on_epoch_end(self, event: EpochEnd) -> None: ...
    def on_skipped(self, event: Skipped) -> None: ...
    def on_download(self, event: DownloadProgress) -> None: ...
    def on_fit_end(self, event: FitEnd) -> None: ...
    def on_exception(self, event: ErrorEvent) -> None: ...
    def on_backend(self, event: BackendChosen) -> None: ...
