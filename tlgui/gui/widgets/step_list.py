"""The main window's sidebar: one row per step of the flow, numbered."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListWidget, QListWidgetItem

SIDEBAR_STYLE = """
QListWidget#stepList { background: #1f2433; color: #dfe3ee; border: none; font-size: 14px;
                       padding-top: 12px; outline: none; }
QListWidget#stepList::item { padding: 12px 14px; border-left: 3px solid transparent; }
QListWidget#stepList::item:selected { background: #2c3347; color: white;
                                      border-left: 3px solid #5c7cfa; }
QListWidget#stepList::item:hover:!selected { background: #262c3d; }
"""


def make_step_list(titles: list[str]) -> QListWidget:
    """The sidebar (object name ``stepList``) with a row ``"<n>   <title>"`` per step."""
    steps = QListWidget()
    steps.setObjectName("stepList")
    steps.setFixedWidth(190)
    steps.setIconSize(QSize(20, 20))
    steps.setStyleSheet(SIDEBAR_STYLE)
    for i, title in enumerate(titles):
        steps.addItem(QListWidgetItem(f"{i + 1}   {title}"))
    return steps
