"""The window's messages: non-blocking error boxes, questions that scripts never wait on, and
the About box."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__

_QUESTION = QMessageBox.question


def ask(
    parent: QWidget,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
    default: QMessageBox.StandardButton,
    unattended: QMessageBox.StandardButton,
) -> QMessageBox.StandardButton:
    """``QMessageBox.question``, except on a display nobody can see (the offscreen platform of
    scripts and UI tests) where a modal question would wait forever: there ``unattended`` is
    the answer. A test that replaces ``QMessageBox.question`` still gets asked."""
    if QMessageBox.question is _QUESTION and QGuiApplication.platformName() == "offscreen":
        return unattended
    return QMessageBox.question(parent, title, text, buttons, default)


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    """A warning box (object name ``errorBox``), window-modal but non-blocking, so a failure
    never freezes a caller (or a test); it deletes itself when closed."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_about(parent: QWidget, device_text: str) -> None:
    """Versions of tlgui, Python and Qt (and of torch once it is loaded) and the device."""
    import PySide6

    versions = [
        f"tlgui {__version__}",
        f"Python {sys.version.split()[0]}",
        f"PySide6 {PySide6.__version__}",
    ]
    if "torch" in sys.modules:
        import torch
        import torchvision

        versions += [f"PyTorch {torch.__version__}", f"torchvision {torchvision.__version__}"]
    QMessageBox.about(
        parent,
        parent.tr("About tlgui"),
        parent.tr(
            "<h3>tlgui</h3><p>Point-and-click transfer learning for image classification.</p>"
            "<p>{0}</p><p>Device: {1}</p>"
        ).format("<br>".join(versions), device_text or parent.tr("not known yet")),
    )


def ask_stop_training(parent: QWidget) -> bool:
    """Closing mid-run: True to stop the run and quit (unattended: yes)."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = ask(
        parent,
        parent.tr("Training is running"),
        parent.tr(
            "Stop training and quit? The run can be continued later with File ▸ Resume Run…."
        ),
        yes | no,
        no,
        yes,
    )
    return answer == yes


def ask_save_before_quit(parent: QWidget) -> QMessageBox.StandardButton:
    """Closing with an unsaved model: Save, Discard or Cancel (unattended: Discard)."""
    buttons = QMessageBox.StandardButton
    return ask(
        parent,
        parent.tr("Unsaved model"),
        parent.tr("The trained model has not been saved. Save it before quitting?"),
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
        buttons.Discard,
    )
