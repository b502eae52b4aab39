"""Run files: a saved run configuration that ``tlgui train --config RUN.json`` runs headless.

A run file is JSON::

    {
      "format": "tlgui-run-config",
      "format_version": 1,
      "config": {"backbone": "resnet18", "mode": "finetune", "epochs": 20, ...},
      "data": "/data/hymenoptera_data",
      "val_split": 0.2,
      "out": "model.pt"
    }

``config`` holds :class:`~tlgui.engine.config.TrainConfig` fields (those left out take their
defaults); ``data``, ``val_split`` and ``out`` may be ``null`` or left out (the command line
gives them). Relative ``data`` and ``out`` paths are read against the run file's folder, so a
folder with the file and its dataset can move to another machine as it is. A key that is not
one of these, in the file or in ``config``, is refused with a one-line message naming it: a
misspelt setting never falls back to a default unnoticed.

The GUI writes one (File ▸ Export run for a server…) and shows :func:`torchrun_command`, the
command that runs it on every GPU of a machine. Torch-free, so the GUI thread can use it.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .fileio import atomic_write

RUN_FILE_FORMAT = "tlgui-run-config"
RUN_FILE_VERSION = 1
_KEYS = ("format", "format_version", "config", "data", "val_split", "out")


class RunFileError(ValueError):
    """A run file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class RunFile:
    """A run configuration: the settings, the dataset folder and split, the bundle path."""

    config: TrainConfig
    data: str | None = None
    val_split: float | None = None
    out: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": RUN_FILE_FORMAT,
            "format_version": RUN_FILE_VERSION,
            "config": self.config.to_dict(),
            "data": self.data,
            "val_split": self.val_split,
            "out": self.out,
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the file atomically (UTF-8, indented)."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))

    @classmethod
    def from_json(cls, data: Any, base: Path | None = None) -> RunFile:
        """The run file in the parsed JSON ``data``; relative paths are read against ``base``.
        :class:`RunFileError` (one line) when it is not a usable run file."""
        if not isinstance(data, dict) or data.get("format") != RUN_FILE_FORMAT:
            raise RunFileError(f'not a tlgui run file (no "format": "{RUN_FILE_FORMAT}")')
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise RunFileError("the run file has no usable format_version")
        if version > RUN_FILE_VERSION:
            raise RunFileError(
                f"the run file was written by a newer tlgui (format version {version}); "
                "please upgrade"
            )
        settings = data.get("config", {})
        if not isinstance(settings, dict):
            raise RunFileError('"config" must be an object of settings')
        known = {f.name for f in fields(TrainConfig)}
        unknown = [k for k in data if k not in _KEYS]
        unknown += [f"config.{k}" for k in settings if k not in known]
        if unknown:
            raise RunFileError(f"unknown key(s) in the run file: {', '.join(unknown)}")
        try:
            config = TrainConfig(**settings)
            config.validate()
        except (TypeError, ValueError) as exc:
            raise RunFileError(f"the run file's settings are not usable: {exc}") from None
        val_split = data.get("val_split")
        if val_split is not None and (
            isinstance(val_split, bool)
            or not isinstance(val_split, int | float)
            or not 0 <= val_split < 1
        ):
            raise RunFileError("val_split must be a number from 0 to below 1, or null")
        return cls(
            config,
            _path(data, "data", base),
            None if val_split is None else float(val_split),
            _path(data, "out", base),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RunFile:
        """Read and check ``path``; :class:`RunFileError` with a one-line reason (missing,
        not JSON, not a run file, a newer one, unknown keys, unusable settings)."""
        path = Path(path).expanduser()
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise RunFileError(f"run file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RunFileError(f"cannot read run file {path} ({type(exc).__name__})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RunFileError(
                f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        try:
            return cls.from_json(data, path.resolve().parent)
        except RunFileError as exc:
            raise RunFileError(f"{path}: {exc}") from None


def _path(data: dict[str, Any], key: str, base: Path | None) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise RunFileError(f"{key} must be a path (a non-empty string) or null")
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def torchrun_command(run_file: str | os.PathLike[str], processes: str = "gpu") -> str:
    """The shell command that runs ``run_file`` with one process per GPU of this machine
    (``processes``: a number, or ``gpu`` for every visible GPU)."""
    return shlex.join(
        [
            "torchrun",
            "--standalone",
            "--nproc-per-node",
            str(processes),
            "-m",
            "tlgui",
            "train",
            "--config",
            str(run_file),
        ]
    )


__all__ = [
    "RUN_FILE_FORMAT",
    "RUN_FILE_VERSION",
    "RunFile",
    "RunFileError",
    "torchrun_command",
]
