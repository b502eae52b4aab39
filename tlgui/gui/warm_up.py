"""Heavy imports off the GUI thread, one thread at a time.

The plotting libraries and torch take seconds to import, so the window loads them in the
background once it is on screen (:func:`import_plotting`, :func:`load_engine`) and its first
paint never waits for them. Every job that uses torch calls :func:`import_engine` first: two
threads that import a package's modules for the first time at once can each be handed the
other's half-imported module (importlib breaks the lock cycle that way), which fails the job,
so first imports are serialised here.
"""

from __future__ import annotations

import threading

_first_imports = threading.Lock()
_engine_imported = False


def import_engine() -> None:
    """Import torch, torchvision and the engine's training modules (once per process)."""
    global _engine_imported
    if _engine_imported:
        return
    with _first_imports:
        if not _engine_imported:
            import torchvision.models
            import torchvision.transforms.v2  # noqa: F401

            from ..engine import trainer  # noqa: F401

            _engine_imported = True


def import_plotting() -> None:
    """Job function: import pyqtgraph (live curves) and matplotlib's Qt canvas (results)."""
    with _first_imports:
        import matplotlib.backends.backend_qtagg  # noqa: F401
        import pyqtgraph  # noqa: F401


def load_engine() -> tuple[str, dict[str, bool]]:
    """Job function: import the engine, then report the device and which backbones have
    their ImageNet weights on disk."""
    import_engine()
    from ..engine.backbones import BACKBONES
    from ..engine.trainer import device_description, resolve_device

    device = device_description(resolve_device("auto"))
    return device, {name: info.pretrained_available() for name, info in BACKBONES.items()}
