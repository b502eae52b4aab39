"""What tlgui is made of: the versions of its parts and its licence, for the About box and
``tlgui --self-test``. Torch-free: a version is read from the module when it is already
imported, else from the installed package's metadata, so asking never loads torch."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from .. import __version__

LICENSE = "MIT"
"""tlgui's licence (``license`` in pyproject.toml; a test keeps the two the same)."""

# (shown name, module, distributions that may provide it)
_PARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("torch", "torch", ("torch",)),
    ("torchvision", "torchvision", ("torchvision",)),
    ("onnxruntime", "onnxruntime", ("onnxruntime", "onnxruntime-gpu")),
    ("PySide6", "PySide6", ("PySide6-Essentials", "PySide6")),
)


def version_of(module: str, distributions: tuple[str, ...] = ()) -> str:
    """``module``'s version: its ``__version__`` when imported, else the first of
    ``distributions`` that is installed; ``"not installed"`` when neither."""
    loaded = sys.modules.get(module)
    found = getattr(loaded, "__version__", None) if loaded is not None else None
    if found:
        return str(found)
    for name in distributions or (module,):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def component_versions() -> dict[str, str]:
    """``{"tlgui": ..., "Python": ..., "torch": ..., "torchvision": ..., "onnxruntime": ...,
    "PySide6": ...}`` in that order."""
    versions = {"tlgui": __version__, "Python": platform.python_version()}
    for shown, module, distributions in _PARTS:
        versions[shown] = version_of(module, distributions)
    return versions


def versions_line(versions: dict[str, str] | None = None) -> str:
    """``tlgui 0.1.0, Python 3.11.7, torch 2.14.1, ...``: the versions on one line."""
    return ", ".join(f"{k} {v}" for k, v in (versions or component_versions()).items())


__all__ = ["LICENSE", "component_versions", "version_of", "versions_line"]
