"""Reading and writing tlgui's files safely.

Writes are atomic: a crash mid-write leaves the previous file intact. Reads of torch files go
through :func:`load_torch_file` only, which never runs code from the file
(``weights_only=True``) and checks the file's format tag and version. Torch-free at import,
so the GUI thread and the run.json writers use this module without loading torch."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_umask_lock = threading.Lock()


def _current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux's
    ``/proc/self/status``); elsewhere set and put back at once, under a lock."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` gives a new file: ``0o666 & ~umask``."""
    return 0o666 & ~_current_umask()


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[Any], None], mode: str = "wb"
) -> None:
    """Write via ``write(fileobj)`` to a temp file beside ``path``, fsync, then replace: a
    crash mid-write leaves the previous file intact. The file gets the permissions of any
    newly created file (:func:`new_file_mode`), not the owner-only ``0600`` of a temp file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, new_file_mode())
        with os.fdopen(
            fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})
        ) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class FileFormatError(Exception):
    """A tlgui file that cannot be used. ``kind`` is ``"code"`` (it holds pickled code or
    objects that are not plain data: refused, never run), ``"damaged"`` (``detail``: the
    reader's exception type), ``"format"`` (not the expected kind of file) or ``"newer"``
    (``detail``: the format version, written by a newer tlgui). Callers turn it into their own
    one-line message."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def check_format(data: Any, fmt: str, max_version: int) -> dict[str, Any]:
    """``data`` if it is a dict tagged ``format == fmt`` with an integer ``format_version`` of
    at most ``max_version``; :class:`FileFormatError` otherwise."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise FileFormatError("format")
    version = data.get("format_version")
    if not isinstance(version, int) or version > max_version:
        raise FileFormatError("newer", str(version))
    return data


def load_torch_file(path: str | os.PathLike[str], fmt: str, max_version: int) -> dict[str, Any]:
    """The dict saved in ``path`` with ``torch.save``, read with ``weights_only=True`` onto the
    CPU and checked with :func:`check_format`; :class:`FileFormatError` if it cannot be used.
    A missing file raises ``FileNotFoundError``."""
    import pickle
    import warnings

    import torch

    try:
        with warnings.catch_warnings():  # torch's notes on odd pickle protocols: we say why
            warnings.simplefilter("ignore")
            data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except pickle.UnpicklingError:
        raise FileFormatError("code") from None
    except Exception as exc:  # the weights-only unpickler raises many kinds on garbage
        raise FileFormatError("damaged", type(exc).__name__) from None
    return check_format(data, fmt, max_version)


__all__ = [
    "FileFormatError",
    "atomic_write",
    "check_format",
    "load_torch_file",
    "new_file_mode",
]
