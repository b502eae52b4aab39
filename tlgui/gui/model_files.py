"""Model files for the main window: loading a bundle (a background job), saving a trained run's
model and noting it in the run folder, and the file dialogs that pick them.

Only the bundle loader imports torch, and it runs off the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from .pages.predict_jobs import ModelHandle, handle_from_bundle
from .warm_up import import_engine

MODELS_FOLDER_KEY = "paths/models"
# The "MainWindow" context, where lupdate files these texts (see tlgui.gui.i18n_tools).
translate = QCoreApplication.translate


def load_model(path: str) -> tuple[Any, ModelHandle]:
    """Job function: the bundle at ``path`` and a ready-to-predict handle for it."""
    import_engine()
    from ..engine.checkpoint import load_bundle

    bundle = load_bundle(path)
    return bundle, handle_from_bundle(bundle, os.path.basename(path))


def recorded_bundle(run_dir: str | None) -> str | None:
    """Where the run in ``run_dir`` saved its model (``out`` in its ``run.json``), if ever."""
    from ..engine.runs import RunError, RunFolder

    if run_dir is None:
        return None
    try:
        out = RunFolder(run_dir).meta().get("out")
    except RunError:
        return None
    return out if isinstance(out, str) and out else None


def save_run_model(result: Any, path: str, run_dir: str | None) -> str:
    """Save ``result`` (a ``FitResult``) as a bundle at ``path`` and note it in the run's folder,
    so resuming the run later writes the same file; returns the absolute path. ``OSError``
    when the bundle cannot be written; a damaged ``run.json`` is left as it is."""
    from ..engine.checkpoint import bundle_from_result, save_bundle
    from ..engine.runs import RunError, RunFolder

    path = os.path.abspath(path)
    save_bundle(bundle_from_result(result), path)
    if run_dir is not None:
        with contextlib.suppress(RunError, OSError):
            RunFolder(run_dir).record_bundle(path)
    return path


def choose_save_path(parent: QWidget, settings: QSettings, suggestion: str) -> str | None:
    """Ask where to save a model (``suggestion``: a full path, or a file name for the last
    models folder); the chosen path ends in ``.pt``."""
    start = (
        suggestion
        if os.path.isabs(suggestion)
        else os.path.join(
            str(settings.value(MODELS_FOLDER_KEY, os.path.expanduser("~"))), suggestion
        )
    )
    path, _ = QFileDialog.getSaveFileName(
        parent,
        translate("MainWindow", "Save model as"),
        start,
        translate("MainWindow", "tlgui model (*.pt)"),
    )
    if not path:
        return None
    if not path.endswith(".pt"):
        path += ".pt"
    settings.setValue(MODELS_FOLDER_KEY, os.path.dirname(path))
    return path


def choose_model_file(parent: QWidget, settings: QSettings) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent,
        translate("MainWindow", "Open model"),
        str(settings.value(MODELS_FOLDER_KEY, "")),
        translate("MainWindow", "tlgui model (*.pt);;All files (*)"),
    )
    if not path:
        return None
    settings.setValue(MODELS_FOLDER_KEY, os.path.dirname(path))
    return path
