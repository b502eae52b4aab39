"""What trains, and how fast, in a run's config: layers, optimizer groups and totals per phase.

Nothing here computes a second answer. :func:`inspect_structure` builds the model with
:func:`~tlgui.engine.model.build_model` and lets the trainer's own
:class:`~tlgui.engine.train.callbacks.StagedUnfreeze` act on it epoch by epoch, as the training
loop does: the callback freezes or unfreezes the backbone and builds each phase's optimizer
with :func:`~tlgui.engine.train.optim.make_optimizer` (and its schedule). Every number is then
read from those objects: the layers' ``requires_grad``, the optimizer's ``param_groups`` and the
parameters they hold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch import nn

from ..backbones import ProgressFn
from ..config import TrainConfig
from ..model import TransferModel, build_model
from ..rng import seeded_global_draws
from ..train.callbacks import StagedUnfreeze


@dataclass(frozen=True)
class Layer:
    """A module that holds parameters itself (a convolution, a norm, the new output layer).

    ``params``: its own parameters' element count; ``trainable``: they have ``requires_grad``
    in this phase; ``group``: the name of the optimizer group that updates them (``None``:
    no group does)."""

    name: str
    type: str
    params: int
    trainable: bool
    group: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Group:
    """One of the optimizer's ``param_groups``: ``lr`` is the group's learning rate before the
    schedule scales it (the peak of one-cycle), ``params`` the element count it updates."""

    name: str
    lr: float
    weight_decay: float
    params: int
    tensors: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Totals:
    """``trainable``: the elements the phase's optimizer updates; ``frozen``: the rest."""

    total: int
    trainable: int
    frozen: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Phase:
    """A stretch of epochs with one optimizer: the backbone frozen, or every layer training."""

    first_epoch: int
    last_epoch: int
    backbone_frozen: bool
    totals: Totals
    groups: tuple[Group, ...]
    layers: tuple[Layer, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "epochs": [self.first_epoch, self.last_epoch],
            "backbone_frozen": self.backbone_frozen,
            "params": self.totals.to_json(),
            "param_groups": [g.to_json() for g in self.groups],
            "layers": [
                {"name": x.name, "trainable": x.trainable, "group": x.group} for x in self.layers
            ],
        }


@dataclass(frozen=True)
class Structure:
    """A config's model before training: one :class:`Phase` in transfer and fine-tune mode,
    two in staged mode when it unfreezes within the run's epochs."""

    backbone: str
    mode: str
    num_classes: int
    optimizer: str
    scheduler: str
    phases: tuple[Phase, ...]

    def to_json(self) -> dict[str, Any]:
        """The first phase's ``params``, ``param_groups`` and ``layers`` (what trains at the
        start), and every phase under ``phases``."""
        first = self.phases[0]
        return {
            "backbone": self.backbone,
            "mode": self.mode,
            "classes": self.num_classes,
            "optimizer": self.optimizer,
            "scheduler": self.scheduler,
            "params": first.totals.to_json(),
            "param_groups": [g.to_json() for g in first.groups],
            "layers": [x.to_json() for x in first.layers],
            "phases": [p.to_json() for p in self.phases],
        }


class _LoopView:
    """The two things :class:`StagedUnfreeze` reads from its training loop: the model
    (``built_model``) and the step that takes each phase's optimizer (``step.attach``)."""

    def __init__(self, model: TransferModel) -> None:
        self.built_model = model
        self.step = self
        self.optimizer: torch.optim.Optimizer | None = None

    def attach(self, optimizer: torch.optim.Optimizer, _scheduler: Any) -> None:
        self.optimizer = optimizer


def new_model(
    config: TrainConfig,
    num_classes: int,
    weights: str | None = None,
    progress: ProgressFn | None = None,
) -> TransferModel:
    """The config's model as the trainer builds it (:func:`build_model`), on the CPU, its
    new head drawn from the config's seed without touching the process's random numbers.
    ``weights`` overrides the config's (``"none"``: the layers' shapes without loading); a
    weights download reports to ``progress``."""
    with seeded_global_draws(config.seed):
        return build_model(
            config.backbone,
            num_classes,
            config.weights if weights is None else weights,
            config.dropout,
            progress=progress,
        )


def _groups(optimizer: torch.optim.Optimizer) -> tuple[Group, ...]:
    out = []
    for g in optimizer.param_groups:
        lr = g.get("max_lr", g.get("initial_lr", g["lr"]))  # before the schedule's scaling
        out.append(
            Group(
                str(g.get("name", "")),
                float(lr),
                float(g.get("weight_decay", 0.0)),
                sum(p.numel() for p in g["params"]),
                len(g["params"]),
            )
        )
    return tuple(out)


def _layers(model: nn.Module, optimizer: torch.optim.Optimizer) -> tuple[Layer, ...]:
    group_of = {id(p): str(g.get("name", "")) for g in optimizer.param_groups for p in g["params"]}
    layers = []
    for name, module in model.named_modules():
        own = list(module.parameters(recurse=False))
        if not own:
            continue
        groups = {group_of.get(id(p)) for p in own}
        layers.append(
            Layer(
                name,
                type(module).__name__,
                sum(p.numel() for p in own),
                all(p.requires_grad for p in own),
                next(iter(groups)) if len(groups) == 1 else None,
            )
        )
    return tuple(layers)


def _phase(model: TransferModel, optimizer: torch.optim.Optimizer, first: int) -> Phase:
    total = sum(p.numel() for p in model.parameters())
    groups = _groups(optimizer)
    trainable = sum(g.params for g in groups)
    return Phase(
        first,
        first,
        model.backbone_frozen,
        Totals(total, trainable, total - trainable),
        groups,
        _layers(model, optimizer),
    )


def phases_of(
    config: TrainConfig, model: TransferModel
) -> list[tuple[Phase, torch.optim.Optimizer]]:
    """Run the trainer's :class:`StagedUnfreeze` over the config's epochs on ``model`` and
    return each phase with the optimizer the callback built for it. The phase's layers are
    read when it starts, before the next phase changes ``requires_grad``."""
    loop = _LoopView(model)
    # The schedule's length in steps depends on the dataset; one step per epoch builds it.
    unfreeze = StagedUnfreeze(config, 1, torch.device("cpu"))
    unfreeze.on_fit_start(loop)  # type: ignore[arg-type]
    starts: list[tuple[Phase, torch.optim.Optimizer]] = []
    for epoch in range(1, config.epochs + 1):
        unfreeze.on_epoch_start(loop, epoch)  # type: ignore[arg-type]
        optimizer = loop.optimizer
        assert optimizer is not None
        if not starts or starts[-1][1] is not optimizer:
            starts.append((_phase(model, optimizer, epoch), optimizer))
    ends = [p.first_epoch - 1 for p, _opt in starts[1:]] + [config.epochs]
    return [(replace(p, last_epoch=end), opt) for (p, opt), end in zip(starts, ends, strict=True)]


def inspect_structure(
    config: TrainConfig, num_classes: int, model: TransferModel | None = None
) -> Structure:
    """The layers, optimizer groups and totals of every phase of a run of ``config`` on
    ``num_classes`` classes. ``model``: one built by :func:`new_model` for this config (its
    ``requires_grad`` flags are left as the last phase sets them); by default a fresh one
    without pretrained weights (the shapes are the same)."""
    config.validate()
    if num_classes < 1:
        raise ValueError("the number of classes must be at least 1")
    model = model if model is not None else new_model(config, num_classes, weights="none")
    phases = tuple(p for p, _opt in phases_of(config, model))
    return Structure(
        config.backbone, config.mode, num_classes, config.optimizer, config.scheduler, phases
    )


__all__ = [
    "Group",
    "Layer",
    "Phase",
    "Structure",
    "Totals",
    "inspect_structure",
    "new_model",
    "phases_of",
]
