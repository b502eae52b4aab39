"""An icon grid of pictures whose thumbnails decode in the background: the common part of the
Results page's mistakes gallery and the dataset doctor's findings galleries."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from .. import jobs
from ..imaging import thumbnails

CHUNK = 24  # thumbnails per pool job
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
"""Where every item keeps the path of the picture it shows (:meth:`ThumbnailGrid.set_item_path`);
subclasses keep their own data at roles above it."""


class ThumbnailGrid(QListWidget):
    """A static icon grid with ``side``-pixel icons and captions that are never elided.

    :meth:`begin` clears it for a new set of items (each starts with :meth:`placeholder`);
    :meth:`load_thumbnails` decodes their pictures on the thread pool, ``CHUNK`` per job, and
    gives every item whose :meth:`item_path` (set with :meth:`set_item_path`) is the picture's
    path its icon. Thumbnails of an earlier set that arrive after :meth:`begin` are dropped.
    ``pending_thumbnails`` counts the jobs still running for the current set."""

    def __init__(self, side: int, grid_width_extra: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(side, side))
        self.setGridSize(QSize(side + grid_width_extra, side + 58))
        self.setWordWrap(True)
        # No uniform sizes: thumbnails differ in height and the caption must not be elided.
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setSpacing(4)
        self._generation = 0
        self.pending_thumbnails = 0

    @staticmethod
    def set_item_path(item: QListWidgetItem, path: str) -> None:
        """Record the picture ``item`` shows (its thumbnail is looked up by this path)."""
        item.setData(PATH_ROLE, path)

    @staticmethod
    def item_path(item: QListWidgetItem) -> str | None:
        """The picture ``item`` shows, as :meth:`set_item_path` recorded it."""
        return item.data(PATH_ROLE)

    def begin(self) -> None:
        """Clear the grid for a new set of items."""
        self._generation += 1
        self.pending_thumbnails = 0
        self.clear()

    def placeholder(self) -> QIcon:
        pixmap = QPixmap(self.side, self.side)
        pixmap.fill(Qt.GlobalColor.lightGray)
        return QIcon(pixmap)

    def load_thumbnails(self, paths: Sequence[str]) -> None:
        """Decode the thumbnails of ``paths`` (each once) for the current set's items."""
        generation = self._generation
        unique = list(dict.fromkeys(paths))
        for i in range(0, len(unique), CHUNK):
            self.pending_thumbnails += 1
            jobs.submit(
                thumbnails,
                unique[i : i + CHUNK],
                self.side,
                done=lambda res, g=generation: self._on_thumbs(g, res),
                failed=lambda _m, g=generation: self._thumb_done(g),
                owner=self,
            )

    def _thumb_done(self, generation: int) -> None:
        if generation == self._generation:
            self.pending_thumbnails = max(0, self.pending_thumbnails - 1)

    def _on_thumbs(self, generation: int, results: list[tuple[str, QImage | None]]) -> None:
        if generation != self._generation:
            return  # a newer set of items replaced these
        icons = {path: QIcon(QPixmap.fromImage(img)) for path, img in results if img is not None}
        for row in range(self.count()):
            item = self.item(row)
            icon = icons.get(self.item_path(item)) if item is not None else None
            if icon is not None:
                item.setIcon(icon)
        self._thumb_done(generation)


__all__ = ["CHUNK", "ThumbnailGrid"]
