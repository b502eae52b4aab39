"""File ▸ Export ▸ Model…: the current model as TorchScript or ONNX, for use without tlgui.

The current model is the one the Predict step uses: a model opened from a file or trained just
now. The export (:mod:`tlgui.engine.export`: serialise, check on sample inputs, write the model
and its ``.json`` sidecar) runs as a background job; the window shows its one-line result in
the status bar, or the one-line reason as an error box when it failed or did not match.

Torch-free at import: the engine's exporter is imported inside the job.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog

from . import jobs
from .warm_up import import_engine

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .pages.predict_jobs import ModelHandle

EXPORTS_FOLDER_KEY = "paths/exports"
# File name endings the dialog adds: a TorchScript file is no tlgui bundle, so it gets more
# than the bundle's plain ".pt" (one typed by the user is kept).
SUFFIXES = {"onnx": ".onnx", "torchscript": ".torchscript.pt"}
translate = QCoreApplication.translate


def track_exportable_model(window: MainWindow) -> None:
    """Keep ``window.actionExportModel`` enabled exactly while the Predict step has a model
    (after a model was opened, or a run finished with one)."""
    action = window.actionExportModel

    def update(*_args: Any) -> None:
        action.setEnabled(window.predict_page.handle is not None)

    update()
    window.modelChanged.connect(update)
    window.trainingFinished.connect(update)


def export_handle(handle: ModelHandle, fmt: str, path: str) -> Any:
    """Job function: export ``handle``'s model; returns the engine's ``ExportResult``."""
    import_engine()
    from ..engine.export import ModelCard, export_model

    card = ModelCard(
        handle.backbone,
        tuple(handle.classes),
        int(handle.input_size),
        tuple(handle.mean),
        tuple(handle.std),
        float(getattr(handle.predictor, "temperature", 1.0)),
    )
    return export_model(handle.predictor.model, card, fmt, path)  # type: ignore[attr-defined]


def _no_model(window: MainWindow) -> bool:
    """True, after saying so, when the Predict step has no model to export."""
    if window.predict_page.handle is not None:
        return False
    window.show_error(
        translate("MainWindow", "Nothing to export"),
        translate("MainWindow", "Open or train a model first."),
    )
    return True


def export_current_model(window: MainWindow, fmt: str, path: str) -> jobs.Job | None:
    """Export the Predict step's model as ``fmt`` at ``path`` in the background; the job (its
    ``finished`` ends it), or None when there is no model."""
    if _no_model(window):
        return None
    handle = window.predict_page.handle
    window.stateLabel.setText(
        translate("MainWindow", "Exporting {0}…").format(os.path.basename(path))
    )
    window.actionExportModel.setEnabled(False)

    def done(result: Any) -> None:
        window.stateLabel.setText(
            translate("MainWindow", "Exported {0}").format(os.path.basename(result.path))
        )
        window.statusBar().showMessage(result.describe(), 20_000)

    def failed(message: str) -> None:
        window.stateLabel.setText(translate("MainWindow", "Ready"))
        window.show_error(translate("MainWindow", "Cannot export the model"), message)

    def finished() -> None:
        window.actionExportModel.setEnabled(window.predict_page.handle is not None)

    return jobs.submit(
        export_handle,
        handle,
        fmt,
        path,
        done=done,
        failed=failed,
        finished=finished,
        owner=window,
    )


def export_model_dialog(window: MainWindow) -> jobs.Job | None:
    """Ask where to export (the filter picks the format) and start the export."""
    if _no_model(window):
        return None
    handle = window.predict_page.handle
    filters = {
        translate("MainWindow", "ONNX model (*.onnx)"): "onnx",
        translate("MainWindow", "TorchScript model (*.pt)"): "torchscript",
    }
    folder = str(window.settings.value(EXPORTS_FOLDER_KEY, os.path.expanduser("~")))
    path, chosen = QFileDialog.getSaveFileName(
        window,
        translate("MainWindow", "Export model"),
        os.path.join(folder, handle.backbone + SUFFIXES["onnx"]),
        ";;".join(filters),
    )
    if not path:
        return None
    fmt = filters.get(chosen, "onnx")
    if not path.endswith(SUFFIXES[fmt]) and not (fmt == "torchscript" and path.endswith(".pt")):
        path += SUFFIXES[fmt]
    window.settings.setValue(EXPORTS_FOLDER_KEY, os.path.dirname(path))
    return export_current_model(window, fmt, path)
