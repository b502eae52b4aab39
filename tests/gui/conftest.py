"""GUI fixtures: settings redirected to a temporary folder, a real main window, synthetic
drag-and-drop, and a small untrained model bundle (no training needed to test prediction)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory: pytest.TempPathFactory):
    """Never touch a user's real settings: INI files under a fresh temporary folder."""
    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def window(qtbot):
    from tlgui.gui.main_window import MainWindow

    w = MainWindow()
    w.show()
    yield w
    # Closed here, not by qtbot.addWidget (which closes before fixtures tear down): first
    # leave nothing that would ask a modal question.
    if w.training.is_running():
        w.training.stop_and_wait()
    w.unsaved = False
    w.close()
    w.deleteLater()


def drop_paths(widget: QWidget, paths: list) -> bool:
    """Send a synthetic drag-enter + drop of local ``paths`` to ``widget``; True if accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    enter = QDragEnterEvent(
        QPoint(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


@pytest.fixture(scope="session")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained two-class efficientnet_lite0 bundle (random head): enough to exercise
    loading and prediction without spending seconds on training."""
    import torch

    from tlgui.engine.backbones import get_info
    from tlgui.engine.checkpoint import Bundle, save_bundle
    from tlgui.engine.model import build_model

    torch.manual_seed(0)
    model = build_model("efficientnet_lite0", 2, "none")
    info = get_info("efficientnet_lite0")
    path = tmp_path_factory.mktemp("model") / "colours.pt"
    save_bundle(
        Bundle(
            "efficientnet_lite0",
            ["blue", "red"],
            model.state_dict(),
            info.input_size,
            list(info.mean),
            list(info.std),
            config={"dropout": 0.2},
        ),
        path,
    )
    return path
