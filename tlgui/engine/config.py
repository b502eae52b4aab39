"""The run configuration and its field metadata, declared once for the engine, CLI and GUI.

:class:`TrainConfig` is a plain, JSON-serialisable dataclass with measured defaults (README
"Defaults", ``benchmarks/defaults_sweep.py``). :data:`FIELDS` says, per user-facing field,
its label, one-sentence help, allowed values or range and CLI option: the CLI builds its
training options from it, the GUI builds its form from it, and :meth:`TrainConfig.validate`
checks every value against it, so an allowed value is decided in this module only.

Torch-free, so the CLI's ``--help`` and the GUI can read all of it without loading torch.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from . import augment
from .backbones import BACKBONES, DEFAULT_BACKBONE

MODES = ("transfer", "finetune", "staged")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULERS = ("none", "step", "cosine", "onecycle")
MONITORS = ("val_acc", "val_loss")
DEVICES = ("auto", "cpu", "cuda", "mps")
# What runs a frozen backbone's no-gradient forward on the CPU (see engine/onnx_backend.py).
BACKENDS = ("auto", "torch", "onnxruntime")
# The formats a model exports to (engine/export.py): `tlgui export --format`, File ▸ Export.
EXPORT_FORMATS = ("torchscript", "onnx")
# Share of each class held out for validation when a dataset has no val/ folder: the CLI's
# --val-split default, the GUI's starting value and a resumed run's fallback.
DEFAULT_VAL_SPLIT = 0.2


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run. JSON-serialisable (``to_dict``/``from_dict``); the
    allowed values of each field are in :data:`FIELDS`."""

    backbone: str = DEFAULT_BACKBONE
    weights: str = "imagenet"
    mode: str = "transfer"
    epochs: int = 10
    batch_size: int = 32
    lr_head: float = 3e-3
    lr_backbone: float = 1e-4
    optimizer: str = "adamw"
    weight_decay: float = 0.01
    scheduler: str = "cosine"
    label_smoothing: float = 0.1
    class_weighted: bool = False
    dropout: float = 0.2
    freeze_epochs: int = 1  # staged mode: frozen epochs before unfreezing
    patience: int = 5  # 0 = no early stopping
    monitor: str = "val_acc"
    min_delta: float = 0.0
    augment: dict = field(default_factory=lambda: augment.preset("default").to_dict())
    seed: int = 0
    device: str = "auto"
    workers: int = -1  # -1 = auto
    decoded_cache_mb: int = 256  # RAM for decoded pictures kept between epochs (CPU path)
    cache_features: bool = True
    channels_last: bool = True
    amp: bool = True  # mixed precision on CUDA
    inference_backend: str = "auto"  # the frozen backbone's no-gradient forward on the CPU
    keep_duplicates_together: bool = True  # a split tlgui makes keeps duplicate groups whole
    exclude: list = field(default_factory=list)  # files left out of the run (data/exclude.py)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """The config in ``data``; unknown keys (from a newer tlgui) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def validate(self) -> None:
        """Raise ``ValueError`` with a one-line message naming the first value that
        :data:`FIELDS` does not allow, or why the augmentation spec is not usable."""
        for spec in FIELDS.values():
            problem = spec.problem(getattr(self, spec.name))
            if problem:
                raise ValueError(problem)
        augment.AugmentSpec.from_dict(self.augment)

    @property
    def augment_spec(self) -> augment.AugmentSpec:
        return augment.AugmentSpec.from_dict(self.augment)


@dataclass(frozen=True)
class FieldSpec:
    """What a user may set in one :class:`TrainConfig` field, and how it is presented.

    The field's type and default are the dataclass's own (:attr:`kind`, :attr:`default`). A
    ``bool`` field with a ``cli`` option is a switch that turns it on, or, when it is on by
    default, a ``--no-...`` switch that turns it off.
    """

    name: str  # the TrainConfig field
    label: str  # short UI label ("Head learning rate")
    help: str  # one sentence: CLI --help text and GUI tooltip
    choices: tuple[str, ...] = ()  # allowed values of a str field
    minimum: float | None = None  # inclusive range of a number field
    maximum: float | None = None
    cli: str | None = None  # the CLI option ("--lr-head"); None = not a CLI option

    @property
    def default(self) -> Any:
        """The field's default in :class:`TrainConfig`."""
        return getattr(_DEFAULTS, self.name)

    @property
    def kind(self) -> type:
        """``bool``, ``int``, ``float``, ``str``, ``dict`` or ``list``: the type of the
        default."""
        return type(self.default)

    def problem(self, value: Any) -> str | None:
        """A one-line reason why ``value`` is not allowed in this field, or ``None``."""
        what = self.name.replace("_", " ")
        kind = self.kind
        if kind is bool:
            return None if isinstance(value, bool) else f"{what} must be true or false"
        if kind is list:
            ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            return None if ok else f"{what} must be a list of file names"
        if kind is str or kind is dict:
            if not isinstance(value, kind):
                return f"{what} must be a {'string' if kind is str else 'mapping'}"
            if self.choices and value not in self.choices:
                return f"{what} must be one of {', '.join(self.choices)}"
            return None
        number = int if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, number):
            return f"{what} must be {'an integer' if kind is int else 'a number'}"
        outside = self.range_problem(value)
        return f"{what} {outside}" if outside else None

    def range_problem(self, value: float) -> str | None:
        """Why a number is outside the field's range, as a phrase ("must be at least 1"), or
        ``None``; the CLI's option types report it as it is."""
        if not math.isfinite(value):
            return "must be a finite number"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum:g}"
        return None


_DEFAULTS = TrainConfig()


def _specs(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs}


FIELDS: dict[str, FieldSpec] = _specs(
    FieldSpec(
        "backbone",
        "Backbone",
        "The pretrained network whose features the new head uses.",
        choices=tuple(BACKBONES),
        cli="--backbone",
    ),
    FieldSpec(
        "weights",
        "Weights",
        "imagenet (pretrained), none (random start), or a path to a state-dict file.",
        cli="--weights",
    ),
    FieldSpec(
        "mode",
        "Training mode",
        "transfer: frozen backbone, train the new head; finetune: train all layers; "
        "staged: frozen epochs, then all layers.",
        choices=MODES,
        cli="--mode",
    ),
    FieldSpec(
        "epochs",
        "Epochs",
        "Passes over the training images.",
        minimum=1,
        maximum=10_000,
        cli="--epochs",
    ),
    FieldSpec(
        "batch_size",
        "Batch size",
        "Images per training step.",
        minimum=1,
        maximum=4096,
        cli="--batch-size",
    ),
    FieldSpec(
        "lr_head",
        "Head learning rate",
        "Learning rate of the new output layer.",
        minimum=1e-7,
        maximum=10.0,
        cli="--lr-head",
    ),
    FieldSpec(
        "lr_backbone",
        "Backbone learning rate",
        "Learning rate of the pretrained layers when they train: finetune and staged modes.",
        minimum=1e-7,
        maximum=10.0,
        cli="--lr-backbone",
    ),
    FieldSpec(
        "optimizer",
        "Optimizer",
        "The optimizer: SGD with momentum, Adam or AdamW.",
        choices=OPTIMIZERS,
        cli="--optimizer",
    ),
    FieldSpec(
        "weight_decay",
        "Weight decay",
        "L2 penalty on the weights (decoupled for AdamW).",
        minimum=0.0,
        maximum=1.0,
        cli="--weight-decay",
    ),
    FieldSpec(
        "scheduler",
        "Schedule",
        "How the learning rate changes: cosine decay with linear warm-up, one-cycle, "
        "a step down every third of the run, or constant (none).",
        choices=SCHEDULERS,
        cli="--scheduler",
    ),
    FieldSpec(
        "label_smoothing",
        "Label smoothing",
        "Share of each target spread over the other classes.",
        minimum=0.0,
        maximum=0.9,
        cli="--label-smoothing",
    ),
    FieldSpec(
        "class_weighted",
        "Class-weighted loss",
        "Weight the loss by inverse class frequency (for imbalanced data).",
        cli="--class-weighted",
    ),
    FieldSpec(
        "dropout", "Dropout", "Dropout before the new output layer.", minimum=0.0, maximum=0.9
    ),
    FieldSpec(
        "freeze_epochs",
        "Frozen epochs first",
        "Staged mode: epochs with a frozen backbone before all layers train.",
        minimum=1,
        maximum=1000,
        cli="--freeze-epochs",
    ),
    FieldSpec(
        "patience",
        "Early-stopping patience",
        "Early stopping: stop after this many epochs without a better validation score (0 = off).",
        minimum=0,
        maximum=1000,
        cli="--patience",
    ),
    FieldSpec(
        "monitor",
        "Monitor",
        "The validation score that early stopping and the best weights follow.",
        choices=MONITORS,
        cli="--monitor",
    ),
    FieldSpec(
        "min_delta",
        "Minimum improvement",
        "Smallest change of the monitored score that counts as better.",
        minimum=0.0,
        maximum=1.0,
    ),
    FieldSpec("augment", "Augmentation", "The augmentation applied to training images."),
    FieldSpec(
        "seed",
        "Seed",
        "Seed of every random draw: the same seed repeats a run.",
        minimum=0,
        cli="--seed",
    ),
    FieldSpec(
        "device",
        "Device",
        "Where to train: auto picks CUDA, then Apple MPS, then CPU.",
        choices=DEVICES,
        cli="--device",
    ),
    FieldSpec(
        "workers",
        "Loader workers",
        "DataLoader worker processes (-1 = auto).",
        minimum=-1,
        maximum=256,
        cli="--workers",
    ),
    FieldSpec(
        "decoded_cache_mb",
        "Decoded-image cache (MB)",
        "Memory for decoded training pictures kept between epochs when they load in the "
        "training process, so each is decoded once (0 = off).",
        minimum=0,
        maximum=1_048_576,
    ),
    FieldSpec(
        "cache_features",
        "Cache frozen features",
        "Compute a frozen backbone's features once instead of every batch.",
    ),
    FieldSpec(
        "channels_last",
        "Channels-last memory",
        "Run convolutions on channels-last tensors (faster on most hardware).",
    ),
    FieldSpec("amp", "Mixed precision", "Mixed precision on CUDA."),
    FieldSpec(
        "inference_backend",
        "Inference backend",
        "What runs a frozen backbone on the CPU: auto picks ONNX Runtime when its output "
        "matches PyTorch's, else PyTorch; torch or onnxruntime force one.",
        choices=BACKENDS,
        cli="--inference-backend",
    ),
    FieldSpec(
        "keep_duplicates_together",
        "Keep duplicates together",
        "When tlgui splits off the validation images itself, each group of duplicate "
        "pictures (identical files, and the near-duplicates the dataset check found) stays "
        "on one side.",
        cli="--no-keep-duplicates-together",
    ),
    FieldSpec(
        "exclude",
        "Excluded files",
        "Files left out of the run, relative to the dataset folder.",
    ),
)

__all__ = [
    "BACKENDS",
    "DEFAULT_VAL_SPLIT",
    "DEVICES",
    "FIELDS",
    "MODES",
    "MONITORS",
    "OPTIMIZERS",
    "SCHEDULERS",
    "FieldSpec",
    "TrainConfig",
]
