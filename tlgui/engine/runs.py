"""Run folders: every training run keeps enough on disk to continue after a crash.

A run folder holds two files, both written atomically (:func:`~.fileio.atomic_write`):

``run.json``
    What the run is: format, config, dataset folder, val split, the ``--out`` bundle path,
    status (``running``/``finished``/``cancelled``/``failed``) and the history so far. Plain
    JSON, so a person (or the GUI's run list) can read it without torch.
``last.pt``
    The state at the end of the latest finished epoch: model, optimizer, scheduler (and AMP
    scaler), epoch, the RNG states of torch (CPU and CUDA), ``random`` and numpy, history, best
    weights, best epoch and the early-stopping counters. Only tensors and plain containers, so
    it loads with ``torch.load(weights_only=True)`` like every other file tlgui reads.

Engine API (what the CLI and the GUI call)::

    run = RunFolder.create()                       # new time-stamped folder under runs_root()
    run.write_meta(config=cfg.to_dict(), data=scan.root, val_split=0.2, out="model.pt")
    result = Trainer(scan, cfg, callbacks, run_dir=run.path).fit()   # saves last.pt per epoch

    # later, after a kill -9:
    run = RunFolder.open(path)
    meta = run.meta()                              # config, data, val_split, out
    scan = scan_dataset(meta["data"], meta["val_split"], meta["config"]["seed"])
    result = Trainer(scan, TrainConfig.from_dict(meta["config"]), callbacks,
                     run_dir=run.path, resume=True).fit()

A resumed run restores everything in ``last.pt`` and continues with the next epoch; on CPU with
the same seed it ends with the same history as a run that was never stopped. The resumed
trainer first replays the saved epochs through ``on_epoch_end`` so a listener sees the whole
run. The frozen-backbone feature cache is not saved: it is recomputed on resume (before the
RNG states are restored, so the computation does not disturb them).

The runs location is ``$TLGUI_RUNS_DIR`` if set, else the platform's user data folder
(``~/.local/share/tlgui/runs`` on Linux, ``~/Library/Application Support/tlgui/runs`` on
macOS, ``%LOCALAPPDATA%\\tlgui\\runs`` on Windows).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from .rng import global_rng_draws

RUN_FORMAT = "tlgui-run"
STATE_FORMAT = "tlgui-run-state"
RUN_FORMAT_VERSION = 1
META_FILE = "run.json"
LAST_FILE = "last.pt"


class RunError(ValueError):
    """A run folder cannot be used (missing, damaged, from a newer tlgui); one line."""


def runs_root() -> Path:
    """Where new run folders go (see module docstring)."""
    env = os.environ.get("TLGUI_RUNS_DIR")
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "tlgui" / "runs"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from .fileio import atomic_write

    text = json.dumps(data, indent=1, ensure_ascii=False)
    # Non-UTF-8 file names reach here as surrogate escapes; keep them byte-exact on disk.
    atomic_write(path, lambda f: f.write(text.encode("utf-8", "surrogateescape")))


class RunFolder:
    """One run's folder: ``run.json`` (metadata, history) and ``last.pt`` (resume state)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # ------------------------------------------------------------------ creating / opening

    @classmethod
    def create(cls, path: str | os.PathLike[str] | None = None) -> RunFolder:
        """Make ``path`` (or a new ``YYYYmmdd-HHMMSS[-n]`` folder under :func:`runs_root`).
        An existing folder is reused only if it holds no run yet, so a run is never
        overwritten by accident."""
        if path is not None:
            folder = Path(path).expanduser()
            if (folder / META_FILE).exists():
                raise RunError(f"{folder} already holds a run; resume it with --resume or "
                               "choose another --run-dir")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunError(f"cannot create run folder {folder}: "
                               f"{exc.strerror or exc}") from None
            return cls(folder)
        root = runs_root()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            folder = root / (stamp if n == 0 else f"{stamp}-{n}")
            try:
                folder.mkdir(parents=True, exist_ok=False)
            except FileExistsError:
                continue
            except OSError as exc:
                raise RunError(f"cannot create run folder under {root}: "
                               f"{exc.strerror or exc}") from None
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
            raise RunError(f"damaged run file {self.meta_path} ({type(exc).__name__})") \
                from None
        if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
            raise RunError(f"not a tlgui run file: {self.meta_path}")
        version = data.get("format_version")
        if not isinstance(version, int) or version > RUN_FORMAT_VERSION:
            raise RunError(f"{self.meta_path} was written by a newer tlgui (format "
                           f"{version}); please upgrade")
        if not isinstance(data.get("config"), dict):
            raise RunError(f"damaged run file {self.meta_path} (no config)")
        return data

    def write_meta(self, **fields: Any) -> dict[str, Any]:
        """Create or update ``run.json`` with ``fields`` (config, data, val_split, out, ...)."""
        try:
            data = self.meta()
        except RunError:
            data = {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "status": "running",
                    "history": []}
        data.update(fields)
        data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        _write_json(self.meta_path, data)
        return data

    # ------------------------------------------------------------------ last.pt

    def save_state(self, state: dict[str, Any]) -> None:
        """Write ``last.pt`` atomically (plain tensors and containers only)."""
        import torch

        from .fileio import atomic_write

        payload = {"format": STATE_FORMAT, "format_version": RUN_FORMAT_VERSION, **state}
        atomic_write(self.last_path, lambda f: torch.save(payload, f))

    def has_state(self) -> bool:
        return self.last_path.is_file()

    def load_state(self) -> dict[str, Any]:
        """Read ``last.pt`` with ``weights_only=True``; :class:`RunError` if unusable."""
        import pickle

        import torch

        if not self.last_path.is_file():
            raise RunError(f"{self.path} has no finished epoch to resume from")
        try:
            with warnings.catch_warnings():  # torch's notes on odd pickles: we say why
                warnings.simplefilter("ignore")
                state = torch.load(self.last_path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError:
            raise RunError(f"refused {self.last_path}: it contains code or objects that are "
                           "not plain data") from None
        except Exception as exc:  # garbage in many shapes
            raise RunError(f"damaged resume file {self.last_path} ({type(exc).__name__})") \
                from None
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise RunError(f"not a tlgui resume file: {self.last_path}")
        version = state.get("format_version")
        if not isinstance(version, int) or version > RUN_FORMAT_VERSION:
            raise RunError(f"{self.last_path} was written by a newer tlgui (format "
                           f"{version}); please upgrade")
        return state


# --------------------------------------------------------------------------- RNG states


def rng_state() -> dict[str, Any]:
    """The RNG states of torch (CPU, CUDA), ``random`` and numpy as tensors and plain
    containers (numpy's array becomes a tensor), so ``weights_only`` loading accepts them."""
    import torch

    version, internal, gauss = random.getstate()
    with global_rng_draws():  # never the preview's seeded state (see .rng)
        cpu = torch.get_rng_state()
    state: dict[str, Any] = {
        "torch": cpu,
        "python": [version, list(internal), gauss],
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    try:
        import numpy as np

        name, keys, pos, has_gauss, cached = np.random.get_state()
        state["numpy"] = {"name": str(name), "keys": torch.from_numpy(keys.astype(np.int64)),
                          "pos": int(pos), "has_gauss": int(has_gauss),
                          "cached": float(cached)}
    except ImportError:  # pragma: no cover - numpy ships with torch wheels
        pass
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Inverse of :func:`rng_state`."""
    import torch

    with global_rng_draws():
        torch.set_rng_state(state["torch"])
    version, internal, gauss = state["python"]
    random.setstate((int(version), tuple(int(v) for v in internal), gauss))
    cuda = state.get("cuda") or []
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    np_state = state.get("numpy")
    if np_state:
        import numpy as np

        np.random.set_state((np_state["name"], np_state["keys"].numpy().astype(np.uint32),
                             np_state["pos"], np_state["has_gauss"], np_state["cached"]))


__all__ = ["RunError", "RunFolder", "rng_state", "runs_root", "set_rng_state"]
