"""The window's messages: non-blocking error boxes, questions that scripts never wait on, and
the About box."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

_QUESTION = QMessageBox.question
# The "MainWindow" context, where lupdate files these texts (see tlgui.gui.i18n_tools).
translate = QCoreApplication.translate


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


def about_text(device_text: str) -> str:
    """The About box's text: what tlgui is, the versions of its parts (torch's read without
    loading it), the device and the licence."""
    from ..engine.about import LICENSE, component_versions

    versions = [f"{name} {version}" for name, version in component_versions().items()]
    return translate(
        "MainWindow",
        "<h3>tlgui</h3><p>Point-and-click transfer learning for image classification.</p>"
        "<p>{0}</p><p>Device: {1}</p>",
    ).format(
        "<br>".join(versions), device_text or translate("MainWindow", "not known yet")
    ) + translate("MainWindow", "<p>Licence: {0}</p>").format(LICENSE)


def show_about(parent: QWidget, device_text: str) -> None:
    """The About box (:func:`about_text`)."""
    QMessageBox.about(parent, translate("MainWindow", "About tlgui"), about_text(device_text))


def ask_stop_training(parent: QWidget) -> bool:
    """Closing mid-run: True to stop the run and quit (unattended: yes)."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = ask(
        parent,
        translate("MainWindow", "Training is running"),
        translate(
            "MainWindow",
            "Stop training and quit? The run can be continued later with File ▸ Resume Run….",
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
        translate("MainWindow", "Unsaved model"),
        translate("MainWindow", "The trained model has not been saved. Save it before quitting?"),
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
        buttons.Discard,
    )
