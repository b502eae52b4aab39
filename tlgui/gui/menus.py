"""The main window's actions and menus (object names ``actionOpenDataset``, ``actionOpenModel``,
``actionSaveModel``, ``resumeRunAction``, ``actionPreferences``, ``actionStartTraining``,
``actionStopTraining``, …).

:func:`build_menus` creates them as attributes of the window, like a Designer ``setupUi``:
the window keeps their state (enabled or not) and this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from .code_view import show_training_script
from .dialogs import show_about
from .export_model import export_model_dialog, track_exportable_model
from .preferences import show_preferences
from .projects import RECENT_KEY as RECENT_PROJECTS
from .projects import open_project, open_project_dialog, save_project_dialog
from .runs_view import show_runs
from .server_run import export_run_dialog
from .settings import read_list

if TYPE_CHECKING:
    from .main_window import MainWindow

Shortcut = QKeySequence.StandardKey | str | list[str] | None
# Texts are looked up in the "MainWindow" context, where lupdate files them: it cannot tell
# which class a bare ``tr()`` outside a class belongs to.
translate = QCoreApplication.translate


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
        menu.addAction(translate("MainWindow", "(none yet)")).setEnabled(False)


def build_menus(window: MainWindow) -> None:
    """Create the window's actions and its File, Train, View and Help menus."""
    w = window
    w.actionOpenDataset = _action(
        w,
        "actionOpenDataset",
        translate("MainWindow", "Open dataset folder…"),
        w.data_page.browse,
        QKeySequence.StandardKey.Open,
    )
    w.actionOpenModel = _action(
        w,
        "actionOpenModel",
        translate("MainWindow", "Open model…"),
        w.open_model_dialog,
        "Ctrl+Shift+O",
    )
    w.actionSaveModel = _action(
        w,
        "actionSaveModel",
        translate("MainWindow", "Save model as…"),
        w.save_model_dialog,
        QKeySequence.StandardKey.Save,
    )
    w.actionSaveModel.setEnabled(False)
    w.resumeRunAction = _action(
        w, "resumeRunAction", translate("MainWindow", "Resume Run…"), w.resume_run_dialog
    )
    w.resumeRunAction.setToolTip(
        translate("MainWindow", "Continue a training run that was stopped, failed or interrupted")
    )
    w.actionPreferences = _action(
        w,
        "actionPreferences",
        translate("MainWindow", "Preferences…"),
        lambda: show_preferences(w),
        QKeySequence.StandardKey.Preferences,
    )
    w.actionPreferences.setMenuRole(QAction.MenuRole.PreferencesRole)
    w.actionQuit = _action(
        w, "actionQuit", translate("MainWindow", "Quit"), w.close, QKeySequence.StandardKey.Quit
    )
    w.actionStartTraining = _action(
        w,
        "actionStartTraining",
        translate("MainWindow", "Start training"),
        w.start_training,
        ["Ctrl+Return", "Ctrl+Enter"],
    )
    w.actionStopTraining = _action(
        w, "actionStopTraining", translate("MainWindow", "Stop training"), w.training.stop, "Esc"
    )
    w.actionStopTraining.setEnabled(False)
    w.actionAbout = _action(
        w,
        "actionAbout",
        translate("MainWindow", "About tlgui"),
        lambda: show_about(w, w.device_text),
    )

    w.actionOpenProject = _action(
        w,
        "actionOpenProject",
        translate("MainWindow", "Open Project…"),
        lambda: open_project_dialog(w),
    )
    w.actionSaveProject = _action(
        w,
        "actionSaveProject",
        translate("MainWindow", "Save Project…"),
        lambda: save_project_dialog(w),
    )
    w.actionShowRuns = _action(
        w, "actionShowRuns", translate("MainWindow", "Runs…"), lambda: show_runs(w), "Ctrl+R"
    )

    file_menu = w.menuBar().addMenu(translate("MainWindow", "&File"))
    for action in (w.actionOpenDataset, w.actionOpenModel, w.actionSaveModel, w.resumeRunAction):
        file_menu.addAction(action)
    w.exportMenu = file_menu.addMenu(translate("MainWindow", "Export"))
    w.exportMenu.setObjectName("exportMenu")
    w.actionExportModel = _action(
        w, "actionExportModel", translate("MainWindow", "Model…"), lambda: export_model_dialog(w)
    )
    w.exportMenu.addAction(w.actionExportModel)
    w.actionExportTrainingScript = _action(
        w,
        "actionExportTrainingScript",
        translate("MainWindow", "Training script…"),
        lambda: show_training_script(w),
    )
    w.exportMenu.addAction(w.actionExportTrainingScript)
    track_exportable_model(w)  # actionExportModel: enabled while a model is open or trained
    w.actionExportRunFile = _action(
        w,
        "actionExportRunFile",
        translate("MainWindow", "Export run for a server…"),
        lambda: export_run_dialog(w),
    )
    file_menu.addAction(w.actionExportRunFile)
    file_menu.addSeparator()
    file_menu.addAction(w.actionOpenProject)
    file_menu.addAction(w.actionSaveProject)
    file_menu.addSeparator()
    for title, key, opener in (
        (translate("MainWindow", "Recent datasets"), "recent/datasets", w.load_dataset),
        (translate("MainWindow", "Recent models"), "recent/models", w.open_model),
        (translate("MainWindow", "Recent projects"), RECENT_PROJECTS, lambda p: open_project(w, p)),
    ):
        recent = file_menu.addMenu(title)
        recent.aboutToShow.connect(lambda m=recent, k=key, o=opener: _fill_recent(w, m, k, o))
    file_menu.addSeparator()
    file_menu.addAction(w.actionPreferences)
    file_menu.addAction(w.actionQuit)
    train_menu = w.menuBar().addMenu(translate("MainWindow", "&Train"))
    train_menu.addAction(w.actionStartTraining)
    train_menu.addAction(w.actionStopTraining)
    view_menu = w.menuBar().addMenu(translate("MainWindow", "&View"))
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
    view_menu.addSeparator()
    view_menu.addAction(w.actionShowRuns)
    w.actionModelInspector = _action(
        w,
        "actionModelInspector",
        translate("MainWindow", "Model inspector…"),
        lambda: w.train_page.show_inspector(),
        "Ctrl+I",
    )
    view_menu.addAction(w.actionModelInspector)
    w.menuBar().addMenu(translate("MainWindow", "&Help")).addAction(w.actionAbout)
