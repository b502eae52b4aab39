"""The app's read-only tables: one way to make them."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


def read_only_table(object_name: str, headers: list[str], rows: int = 0) -> QTableWidget:
    """A table with column ``headers``, no row numbers and no editing; whole rows select."""
    table = QTableWidget(rows, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return table
