"""Project files: the set-up of an experiment, saved to come back to it or to share it.

A project is plain JSON (UTF-8)::

    {"format": "tlgui-project", "format_version": 1,
     "data": "/abs/path/to/dataset", "val_split": 0.2,
     "augment": {...AugmentSpec...},
     "config": {"backbone": "resnet18", "mode": "finetune", "epochs": 10, ...}}

``config`` holds :class:`~tlgui.engine.config.TrainConfig` fields (the backbone, the mode and
the hyper-parameters; whichever the saving program sets, the others take their defaults when
used), ``augment`` the augmentation spec, ``val_split`` the validation share used when the
dataset has no val/ folder (``null`` when not set). :func:`load_project` is the one check of a
project file: anything it returns is usable as a ``TrainConfig``; a file that is missing,
damaged, not a project, from a newer tlgui or holding settings that are not allowed raises
:class:`ProjectError` with a one-line message. Keys a newer tlgui added are ignored.
Torch-free: the GUI reads projects on its own thread.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .augment import AugmentSpec, preset
from .config import TrainConfig
from .fileio import FileFormatError, atomic_write, check_format

PROJECT_FORMAT = "tlgui-project"
PROJECT_FORMAT_VERSION = 1
CONFIG_FIELDS = frozenset(f.name for f in fields(TrainConfig)) - {"augment"}


class ProjectError(ValueError):
    """A project file cannot be read, written or used; one line."""


@dataclass(frozen=True)
class Project:
    """What a project file holds (see the module docstring)."""

    data: str
    config: dict[str, Any] = field(default_factory=dict)
    augment: dict[str, Any] = field(default_factory=lambda: preset("default").to_dict())
    val_split: float | None = None

    def train_config(self) -> TrainConfig:
        """The settings as a validated :class:`TrainConfig` (``ValueError`` if not allowed)."""
        config = TrainConfig.from_dict({**self.config, "augment": dict(self.augment)})
        config.validate()
        return config

    def with_data(self, data: str | os.PathLike[str]) -> Project:
        """The same project on a dataset that moved to ``data``."""
        return replace(self, data=os.path.abspath(data))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROJECT_FORMAT,
            "format_version": PROJECT_FORMAT_VERSION,
            "data": self.data,
            "val_split": self.val_split,
            "augment": dict(self.augment),
            "config": {k: v for k, v in self.config.items() if k in CONFIG_FIELDS},
        }


def _checked(data: dict[str, Any]) -> Project:
    """The project in parsed JSON ``data`` (format already checked); ``ValueError`` with the
    reason it cannot be used."""
    where, config, augment = data.get("data"), data.get("config"), data.get("augment")
    if not isinstance(where, str) or not where:
        raise ValueError("no dataset folder")
    if not isinstance(config, dict):
        raise ValueError("no settings")
    if not isinstance(augment, dict):
        raise ValueError("no augmentation")
    split = data.get("val_split")
    if split is not None and (
        not isinstance(split, int | float) or isinstance(split, bool) or not 0 <= split < 1
    ):
        raise ValueError("the validation share must be a number in [0, 1)")
    project = Project(
        data=where,
        config={k: v for k, v in config.items() if k in CONFIG_FIELDS},
        augment=AugmentSpec.from_dict(augment).to_dict(),
        val_split=None if split is None else float(split),
    )
    project.train_config()
    return project


def save_project(path: str | os.PathLike[str], project: Project) -> None:
    """Write ``project`` to ``path`` atomically; :class:`ProjectError` if its settings are
    not allowed or the file cannot be written."""
    try:
        _checked(project.to_json())
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"cannot save the project: {exc}") from None
    text = json.dumps(project.to_json(), indent=1, ensure_ascii=False)
    try:
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    except OSError as exc:
        raise ProjectError(f"cannot write {path}: {exc.strerror or exc}") from None


def load_project(path: str | os.PathLike[str]) -> Project:
    """The project in ``path``; :class:`ProjectError` with a one-line reason if unusable."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"no such project file: {path}") from None
    except IsADirectoryError:
        raise ProjectError(f"not a project file (a folder): {path}") from None
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:  # not UTF-8 or not JSON
        raise ProjectError(f"damaged project file {path} ({type(exc).__name__})") from None
    try:
        check_format(data, PROJECT_FORMAT, PROJECT_FORMAT_VERSION)
    except FileFormatError as exc:
        if exc.kind == "format":
            raise ProjectError(f"not a tlgui project file: {path}") from None
        raise ProjectError(
            f"{path} has an unknown project format version ({exc.detail}); "
            "it may be from a newer tlgui"
        ) from None
    try:
        return _checked(data)
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"damaged project file {path}: {exc}") from None


__all__ = [
    "PROJECT_FORMAT",
    "PROJECT_FORMAT_VERSION",
    "Project",
    "ProjectError",
    "load_project",
    "save_project",
]
