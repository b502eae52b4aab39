"""The main window's actions and menus (object names ``actionOpenDataset``, ``actionOpenModel``,
``actionSaveModel``, ``resumeRunAction``, ``actionPreferences``, ``actionStartTraining``,
``actionStopTraining``, …).

:func:`build_menus` creates them as attributes of the window, like a Designer ``setupUi``:
the window keeps their state (enabled or not) and this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from .dialogs import show_about
from .preferences import show_preferences
from .settings import read_list

if TYPE_CHECKING:
    from .main_window import MainWindow

Shortcut = QKeySequence.StandardKey | str | list[str] | None


def _action(
    window: MainWindow, name: str, text: str, slot: Callable[..., Any], shortcut: Shortcut = None
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work even where the menu bar is hidden
    return action


def _fill_recent(window: MainWindow, menu: QMenu, key: str, opener: Callable[[str], Any]) -> None:
    menu.clear()
    items = read_list(window.settings, key)
    for path in items:
        menu.addAction(path, lambda p=path: opener(p))
    if not items:
        menu.addAction(window.tr("(none yet)")).setEnabled(False)


def build_menus(window: MainWindow) -> None:
    """Create the window's actions and its File, Train, View and Help menus."""
    tr = window.tr
    w = window
    w.actionOpenDataset = _action(
        w,
        "actionOpenDataset",
        tr("Open dataset folder…"),
        w.data_page.browse,
        QKeySequence.StandardKey.Open,
    )
    w.actionOpenModel = _action(
        w, "actionOpenModel", tr("Open model…"), w.open_model_dialog, "Ctrl+Shift+O"
    )
    w.actionSaveModel = _action(
        w,
        "actionSaveModel",
        tr("Save model as…"),
        w.save_model_dialog,
        QKeySequence.StandardKey.Save,
    )
    w.actionSaveModel.setEnabled(False)
    w.resumeRunAction = _action(w, "resumeRunAction", tr("Resume Run…"), w.resume_run_dialog)
    w.resumeRunAction.setToolTip(
        tr("Continue a training run that was stopped, failed or interrupted")
    )
    w.actionPreferences = _action(
        w,
        "actionPreferences",
        tr("Preferences…"),
        lambda: show_preferences(w),
        QKeySequence.StandardKey.Preferences,
    )
    w.actionPreferences.setMenuRole(QAction.MenuRole.PreferencesRole)
    w.actionQuit = _action(w, "actionQuit", tr("Quit"), w.close, QKeySequence.StandardKey.Quit)
    w.actionStartTraining = _action(
        w,
        "actionStartTraining",
        tr("Start training"),
        w.start_training,
        ["Ctrl+Return", "Ctrl+Enter"],
    )
    w.actionStopTraining = _action(
        w, "actionStopTraining", tr("Stop training"), w.training.stop, "Esc"
    )
    w.actionStopTraining.setEnabled(False)
    w.actionAbout = _action(
        w, "actionAbout", tr("About tlgui"), lambda: show_about(w, w.device_text)
    )

    file_menu = w.menuBar().addMenu(tr("&File"))
    for action in (w.actionOpenDataset, w.actionOpenModel, w.actionSaveModel, w.resumeRunAction):
        file_menu.addAction(action)
    file_menu.addSeparator()
    for title, key, opener in (
        (tr("Recent datasets"), "recent/datasets", w.load_dataset),
        (tr("Recent models"), "recent/models", w.open_model),
    ):
        recent = file_menu.addMenu(title)
        recent.aboutToShow.connect(lambda m=recent, k=key, o=opener: _fill_recent(w, m, k, o))
    file_menu.addSeparator()
    file_menu.addAction(w.actionPreferences)
    file_menu.addAction(w.actionQuit)
    train_menu = w.menuBar().addMenu(tr("&Train"))
    train_menu.addAction(w.actionStartTraining)
    train_menu.addAction(w.actionStopTraining)
    view_menu = w.menuBar().addMenu(tr("&View"))
    for i in range(w.steps.count()):
        view_menu.addAction(
            _action(
                w,
                f"actionStep{i + 1}",
                w.steps.item(i).text().split("   ")[-1],
                lambda _checked=False, i=i: w.steps.setCurrentRow(i),
                f"Ctrl+{i + 1}",
            )
        )
    w.menuBar().addMenu(tr("&Help")).addAction(w.actionAbout)
