"""The app's read-only tables: one way to make them, one way to size their columns."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


def read_only_table(object_name: str, headers: list[str], rows: int = 0) -> QTableWidget:
    """A table with column ``headers``, no row numbers and no editing; whole rows select."""
    table = QTableWidget(rows, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return table


def fit_columns_to_contents(table: QTableWidget) -> None:
    """Every column as wide as its widest cell or header, so no text (a long class name) is
    cut to "…"; the last column also takes the room left over. A table narrower than its
    columns scrolls sideways."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.setWordWrap(False)
