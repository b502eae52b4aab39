"""The run folder: ``run.json`` and ``last.pt``, and the named writers of ``run.json`` (see
:mod:`tlgui.engine.runs`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from ..fileio import FileFormatError, atomic_write, check_format, load_torch_file
from .csv_log import METRICS_FILE, write_metrics

if TYPE_CHECKING:
    from ..config import TrainConfig

RUN_FORMAT = "tlgui-run"
STATE_FORMAT = "tlgui-run-state"
RUN_FORMAT_VERSION = 1
META_FILE = "run.json"
LAST_FILE = "last.pt"
END_STATUSES = ("finished", "cancelled", "failed")


class RunError(ValueError):
    """A run folder cannot be used (missing, damaged, from a newer tlgui); one line."""


def runs_root() -> Path:
    """Where new run folders go (see module docstring)."""
    env = os.environ.get("TLGUI_RUNS_DIR")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("tlgui", appauthor=False) / "runs"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False)
    # Non-UTF-8 file names reach here as surrogate escapes; keep them byte-exact on disk.
    atomic_write(path, lambda f: f.write(text.encode("utf-8", "surrogateescape")))


class RunFolder:
    """One run's folder: ``run.json`` (metadata, history) and ``last.pt`` (resume state)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # ------------------------------------------------------------------ creating / opening

    @classmethod
    def create(
        cls, path: str | os.PathLike[str] | None = None, root: str | os.PathLike[str] | None = None
    ) -> RunFolder:
        """Make ``path`` (or a new ``YYYYmmdd-HHMMSS[-n]`` folder under ``root``, by default
        :func:`runs_root`). An existing folder is reused only if it holds no run yet, so a run
        is never overwritten by accident."""
        if path is not None:
            folder = Path(path).expanduser()
            if (folder / META_FILE).exists():
                raise RunError(
                    f"{folder} already holds a run; resume it with --resume or "
                    "choose another --run-dir"
                )
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunError(
                    f"cannot create run folder {folder}: {exc.strerror or exc}"
                ) from None
            return cls(folder)
        root = Path(root).expanduser() if root is not None else runs_root()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            folder = root / (stamp if n == 0 else f"{stamp}-{n}")
            try:
                folder.mkdir(parents=True, exist_ok=False)
            except FileExistsError:
                continue
            except OSError as exc:
                raise RunError(
                    f"cannot create run folder under {root}: {exc.strerror or exc}"
                ) from None
            return cls(folder)
        raise RunError(f"cannot create a new run folder under {root}")

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> RunFolder:
        """An existing run folder; :class:`RunError` if it is not one."""
        folder = Path(path).expanduser()
        if not (folder / META_FILE).is_file():
            raise RunError(f"not a tlgui run folder (no {META_FILE}): {folder}")
        run = cls(folder)
        run.meta()  # validates
        return run

    # ------------------------------------------------------------------ run.json

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE

    @property
    def last_path(self) -> Path:
        return self.path / LAST_FILE

    def meta(self) -> dict[str, Any]:
        """The parsed ``run.json``; :class:`RunError` if missing, damaged or newer."""
        try:
            data = json.loads(self.meta_path.read_bytes().decode("utf-8", "surrogateescape"))
        except FileNotFoundError:
            raise RunError(f"not a tlgui run folder (no {META_FILE}): {self.path}") from None
        except (OSError, ValueError) as exc:
            raise RunError(f"damaged run file {self.meta_path} ({type(exc).__name__})") from None
        try:
            check_format(data, RUN_FORMAT, RUN_FORMAT_VERSION)
        except FileFormatError as exc:
            raise RunError(_format_message(exc, self.meta_path, "run file")) from None
        if not isinstance(data.get("config"), dict):
            raise RunError(f"damaged run file {self.meta_path} (no config)")
        return data

    def has_meta(self) -> bool:
        """Whether ``run.json`` exists (a run was started in this folder)."""
        return self.meta_path.is_file()

    def write_meta(self, **fields: Any) -> dict[str, Any]:
        """Update ``run.json`` with ``fields``; returns what was written. The named writers
        below are built on it; use them, so each piece has one writer."""
        return self._update(fields)

    def _update(self, fields: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
        """Change ``fields`` of an existing ``run.json``. A missing, damaged or newer one
        raises :class:`RunError` and is left as it is: a record is never replaced by a bare
        one (only :meth:`start` writes a new ``run.json``)."""
        data = self.meta()
        for key in drop:
            data.pop(key, None)
        data.update(fields)
        data["updated"] = _now()
        _write_json(self.meta_path, data)
        return data

    def start(
        self,
        config: TrainConfig | dict[str, Any],
        data: str | os.PathLike[str],
        val_split: float | None,
        out: str | os.PathLike[str] | None = None,
    ) -> None:
        """Write the first ``run.json`` of a new run: its settings, dataset folder, val split
        (``None`` when the dataset has its own val/) and the bundle path if already known.
        Called once, by whoever starts the run, before training; it replaces any ``run.json``
        in the folder, which :meth:`create` guarantees holds no earlier run."""
        settings = config if isinstance(config, dict) else config.to_dict()
        now = _now()
        _write_json(
            self.meta_path,
            {
                "format": RUN_FORMAT,
                "format_version": RUN_FORMAT_VERSION,
                "created": now,
                "updated": now,
                "status": "running",
                "config": settings,
                "data": os.path.abspath(data),
                "val_split": val_split,
                "out": None if out is None else os.path.abspath(out),
                "history": [],
            },
        )

    def record_resume(self, out: str | os.PathLike[str] | None = None) -> None:
        """Mark a resumed run as running again (dropping the error of the attempt before),
        and record where its bundle goes when ``out`` is given."""
        fields: dict[str, Any] = {"status": "running"}
        if out is not None:
            fields["out"] = os.path.abspath(out)
        self._update(fields, drop=("error",))

    def record_epoch(
        self,
        *,
        epoch: int,
        history: list[dict[str, Any]],
        classes: list[str],
        best_epoch: int,
        best_val_acc: float,
    ) -> None:
        """Record the progress after an epoch, once :meth:`save_state` has written its
        ``last.pt`` (so ``run.json`` never promises more epochs than can be resumed), and
        rewrite ``metrics.csv`` from the same history (:mod:`.csv_log`)."""
        data = self._update(
            {
                "status": "running",
                "epoch": epoch,
                "history": history,
                "classes": list(classes),
                "best_epoch": best_epoch,
                "best_val_acc": float(best_val_acc),
            }
        )
        write_metrics(self.path / METRICS_FILE, history, str(data["config"].get("optimizer")))

    def finish(self, status: str, error: str | None = None) -> None:
        """Record how the run ended: ``finished``, ``cancelled`` or ``failed`` (with
        ``error``, a one-line reason)."""
        if status not in END_STATUSES:
            raise ValueError(f"status must be one of {', '.join(END_STATUSES)}")
        self._update({"status": status, **({"error": error} if error is not None else {})})

    def record_bundle(self, path: str | os.PathLike[str]) -> None:
        """Record where the run's model bundle was saved (``out`` and ``checkpoint``): a
        resume writes to the same file."""
        where = os.path.abspath(path)
        self._update({"out": where, "checkpoint": where})

    # ------------------------------------------------------------------ last.pt

    def save_state(self, state: dict[str, Any]) -> None:
        """Write ``last.pt`` atomically (plain tensors and containers only)."""
        import torch

        payload = {"format": STATE_FORMAT, "format_version": RUN_FORMAT_VERSION, **state}
        atomic_write(self.last_path, lambda f: torch.save(payload, f))

    def has_state(self) -> bool:
        return self.last_path.is_file()

    def load_state(self) -> dict[str, Any]:
        """Read ``last.pt`` with ``weights_only=True``; :class:`RunError` if unusable."""
        if not self.last_path.is_file():
            raise RunError(f"{self.path} has no finished epoch to resume from")
        try:
            state = load_torch_file(self.last_path, STATE_FORMAT, RUN_FORMAT_VERSION)
        except FileNotFoundError:
            raise RunError(f"{self.path} has no finished epoch to resume from") from None
        except FileFormatError as exc:
            raise RunError(_format_message(exc, self.last_path, "resume file")) from None
        return state


def _format_message(exc: FileFormatError, path: Path, what: str) -> str:
    """The one-line message for a run folder's file that cannot be used."""
    return {
        "code": f"refused {path}: it contains code or objects that are not plain data",
        "damaged": f"damaged {what} {path} ({exc.detail})",
        "format": f"not a tlgui {what}: {path}",
        "newer": f"{path} was written by a newer tlgui (format {exc.detail}); please upgrade",
    }[exc.kind]
