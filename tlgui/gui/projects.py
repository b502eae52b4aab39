"""File ▸ Open Project… / Save Project… / Recent projects: the window's set-up as a project
file (:mod:`tlgui.engine.project`, which owns the format and its checks).

A project holds the dataset folder and its validation share (the Data step), the
augmentation (the Augment step) and the Train step's form: backbone, weights, mode and
hyper-parameters. Opening one shows all of it and scans the dataset; a dataset that moved is
asked for (a folder dialog), and a file that cannot be used gives a one-line message and
changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog

from ..engine.project import Project, ProjectError, load_project, save_project
from .settings import add_recent, read_list

if TYPE_CHECKING:
    from .main_window import MainWindow

RECENT_KEY = "recent/projects"
FILE_SUFFIX = ".tlgui.json"
translate = QCoreApplication.translate  # lupdate files these texts under "Projects"


def _file_filter() -> str:
    return translate("Projects", "tlgui projects (*.tlgui.json *.json);;All files (*)")


def current_project(window: MainWindow) -> Project:
    """The window's set-up: dataset folder and validation share, augmentation, Train form."""
    scan = window.data_page.scan
    data = scan.root if scan is not None else window.data_page.folderEdit.text().strip()
    return Project(
        data=os.path.abspath(data) if data else "",
        config=window.train_page.form.config_dict(),
        augment=window.augment_page.spec().to_dict(),
        val_split=window.data_page.valSplitSpin.value(),
    )


def save_project_to(window: MainWindow, path: str) -> bool:
    """Write the window's set-up to ``path``; a one-line message when it cannot be."""
    project = current_project(window)
    if not project.data:
        window.show_error(
            translate("Projects", "Cannot save the project"),
            translate("Projects", "Open a dataset folder first."),
        )
        return False
    try:
        save_project(path, project)
    except ProjectError as exc:
        window.show_error(translate("Projects", "Cannot save the project"), str(exc))
        return False
    add_recent(window.settings, RECENT_KEY, os.path.abspath(path))
    window.statusBar().showMessage(translate("Projects", "Project saved: {0}").format(path), 8000)
    return True


def save_project_dialog(window: MainWindow) -> bool:
    """Ask where to save the project (the last project's folder first), then save it."""
    recent = read_list(window.settings, RECENT_KEY)
    start = recent[0] if recent else str(Path.home() / f"project{FILE_SUFFIX}")
    path, _ = QFileDialog.getSaveFileName(
        window, translate("Projects", "Save project"), start, _file_filter()
    )
    if not path:
        return False
    if not path.lower().endswith(".json"):
        path += FILE_SUFFIX
    return save_project_to(window, path)


def open_project_dialog(window: MainWindow) -> bool:
    """Ask for a project file, then open it."""
    recent = read_list(window.settings, RECENT_KEY)
    start = str(Path(recent[0]).parent) if recent else str(Path.home())
    path, _ = QFileDialog.getOpenFileName(
        window, translate("Projects", "Open project"), start, _file_filter()
    )
    return bool(path) and open_project(window, path)


def _find_moved_dataset(window: MainWindow, project: Project) -> Project | None:
    """The project with its dataset where the user says it went; ``None`` if not chosen."""
    gone = Path(project.data)
    start = next((str(p) for p in gone.parents if p.is_dir()), str(Path.home()))
    path = QFileDialog.getExistingDirectory(
        window,
        translate("Projects", "The dataset {0} is gone: where is it now?").format(gone.name),
        start,
    )
    return project.with_data(path) if path else None


def open_project(window: MainWindow, path: str) -> bool:
    """Show the project in ``path`` in the window and scan its dataset; False (with a
    one-line message) when the file cannot be used, a run is active, or the moved dataset
    was not found again (then the settings are shown, the dataset is left as it was)."""
    if window.training.is_running():
        window.show_error(
            translate("Projects", "Cannot open the project"),
            translate("Projects", "Stop the training run first."),
        )
        return False
    try:
        project = load_project(path)
    except ProjectError as exc:
        window.show_error(translate("Projects", "Cannot open the project"), str(exc))
        return False
    add_recent(window.settings, RECENT_KEY, os.path.abspath(path))
    moved = not os.path.isdir(project.data)
    found = _find_moved_dataset(window, project) if moved else project
    window.augment_page.apply_config({"augment": project.augment})
    window.train_page.apply_config(project.config)
    if project.val_split is not None:
        window.data_page.set_val_split(project.val_split)
    if found is None:
        window.show_error(
            translate("Projects", "Dataset not found"),
            translate(
                "Projects", "The project's settings are shown; open its dataset folder: {0}"
            ).format(project.data),
        )
        return False
    scan = window.load_dataset(found.data)
    if scan is not None:
        text = (
            translate(
                "Projects",
                "Project opened: {0} (its dataset moved: save the project to remember where)",
            )
            if moved
            else translate("Projects", "Project opened: {0}")
        )
        window.statusBar().showMessage(text.format(os.path.basename(path)), 8000)
    return scan is not None


__all__ = [
    "RECENT_KEY",
    "current_project",
    "open_project",
    "open_project_dialog",
    "save_project_dialog",
    "save_project_to",
]
