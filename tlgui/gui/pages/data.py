"""Step 1 — the dataset: pick a folder, scan it off the GUI thread, show what is in it."""

from __future__ import annotations

import contextlib
import os

from PySide6.QtCore import QEventLoop, QSettings, QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.config import DEFAULT_VAL_SPLIT
from ...engine.data import DatasetScan, scan_dataset
from .. import field_texts, jobs
from ..imaging import thumbnails
from ..widgets.tables import fit_columns_to_contents

THUMB_SIDE = 84
THUMBS_PER_CLASS = 12
IMBALANCE_LIMIT = 3.0


def _scan(path: str, val_split: float, keep_together: bool) -> DatasetScan:
    return scan_dataset(path, val_split=val_split, keep_together=keep_together)


class DataPage(QWidget):
    """Emits ``datasetLoaded(scan)`` after a successful scan and ``sampleChosen(path)`` when a
    thumbnail is clicked (the augmentation preview uses it)."""

    datasetLoaded = Signal(object)
    scanFailed = Signal(str)
    sampleChosen = Signal(str)
    classWeightRequested = Signal()
    checkDatasetRequested = Signal()  # "Check dataset" (the doctor, gui/doctor.py)
    busyChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scan: DatasetScan | None = None
        self._scan_id = 0
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QVBoxLayout(self)
        title = QLabel(self.tr("<h2>Dataset</h2>"))
        hint = QLabel(
            self.tr(
                "A folder with <b>train/</b> and <b>val/</b> sub-folders of class folders, or just "
                "one folder per class. Drop a folder anywhere on the window."
            )
        )
        hint.setWordWrap(True)
        hint.setObjectName("pageHint")
        root.addWidget(title)
        root.addWidget(hint)

        row = QHBoxLayout()
        self.folderEdit = QLineEdit()
        self.folderEdit.setObjectName("dataFolderEdit")
        self.folderEdit.setPlaceholderText(self.tr("Dataset folder…"))
        self.folderEdit.returnPressed.connect(lambda: self.load(self.folderEdit.text()))
        self.browseButton = QPushButton(self.tr("Choose folder…"))
        self.browseButton.setObjectName("browseDataButton")
        self.browseButton.clicked.connect(self.browse)
        self.valSplitSpin = QDoubleSpinBox()
        self.valSplitSpin.setObjectName("valSplitSpin")
        self.valSplitSpin.setRange(0.05, 0.5)
        self.valSplitSpin.setSingleStep(0.05)
        self.valSplitSpin.setValue(DEFAULT_VAL_SPLIT)
        self.valSplitSpin.setToolTip(
            self.tr(
                "Share of each class held out for validation when the folder has no val/ folder"
            )
        )
        row.addWidget(self.folderEdit, 1)
        row.addWidget(self.browseButton)
        row.addWidget(QLabel(self.tr("Validation share:")))
        row.addWidget(self.valSplitSpin)
        self.keepDuplicatesCheck = QCheckBox(field_texts.label("keep_duplicates_together"))
        self.keepDuplicatesCheck.setObjectName("keepDuplicatesCheck")
        self.keepDuplicatesCheck.setChecked(True)
        self.keepDuplicatesCheck.setToolTip(field_texts.help_text("keep_duplicates_together"))
        self.checkDatasetButton = QPushButton(self.tr("Check dataset…"))
        self.checkDatasetButton.setObjectName("checkDatasetButton")
        self.checkDatasetButton.setToolTip(
            self.tr("Find likely label errors, near-duplicates and outliers")
        )
        self.checkDatasetButton.clicked.connect(self.checkDatasetRequested)
        row.addWidget(self.keepDuplicatesCheck)
        row.addWidget(self.checkDatasetButton)
        root.addLayout(row)

        self.summaryLabel = QLabel(self.tr("No dataset loaded yet."))
        self.summaryLabel.setObjectName("dataSummaryLabel")
        self.summaryLabel.setWordWrap(True)
        root.addWidget(self.summaryLabel)

        self.warningFrame = QFrame()
        self.warningFrame.setObjectName("imbalanceWarning")
        # A see-through orange over the window colour, text in the palette's: readable in
        # light and dark mode alike.
        self.warningFrame.setStyleSheet(
            "#imbalanceWarning { background: rgba(253, 126, 20, 40); border: 1px solid #ffa94d;"
            " border-radius: 6px; } #imbalanceWarning QLabel { color: palette(window-text); }"
        )
        wl = QHBoxLayout(self.warningFrame)
        self.warningLabel = QLabel()
        self.warningLabel.setWordWrap(True)
        self.weightButton = QPushButton(self.tr("Use class-weighted loss"))
        self.weightButton.setObjectName("useClassWeightsButton")
        self.weightButton.clicked.connect(self.classWeightRequested)
        wl.addWidget(self.warningLabel, 1)
        wl.addWidget(self.weightButton)
        self.warningFrame.hide()
        root.addWidget(self.warningFrame)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel(self.tr("<b>Classes</b>")))
        self.classTable = QTableWidget(0, 0)
        self.classTable.setObjectName("classTable")
        self.classTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.classTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.classTable.verticalHeader().hide()
        self.classTable.setAlternatingRowColors(True)
        ll.addWidget(self.classTable, 1)
        self.skippedTitle = QLabel(self.tr("<b>Skipped files</b>"))
        ll.addWidget(self.skippedTitle)
        self.skippedList = QListWidget()
        self.skippedList.setObjectName("skippedList")
        self.skippedList.setToolTip(self.tr("Files that could not be read, with the reason"))
        ll.addWidget(self.skippedList, 1)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(
            QLabel(self.tr("<b>Examples</b> — click one to use it in the augmentation preview"))
        )
        self.thumbArea = QScrollArea()
        self.thumbArea.setWidgetResizable(True)
        self.thumbHost = QWidget()
        self.thumbLayout = QVBoxLayout(self.thumbHost)
        self.thumbLayout.addStretch(1)
        self.thumbArea.setWidget(self.thumbHost)
        rl.addWidget(self.thumbArea)
        split.addWidget(right)
        split.setSizes([380, 620])
        root.addWidget(split, 1)
        self.thumbStrips: dict[str, QListWidget] = {}

    # ------------------------------------------------------------------ actions

    def browse(self) -> None:
        start = self.folderEdit.text() or os.path.expanduser("~")
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose a dataset folder"), start)
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        """Scan ``path`` on a pool thread; the result arrives in :meth:`show_scan`."""
        path = path.strip()
        if not path:
            return
        self.folderEdit.setText(path)
        self._scan_id += 1
        scan_id = self._scan_id
        self.summaryLabel.setText(self.tr("Scanning {0}…").format(path))
        self.busyChanged.emit(True)
        jobs.submit(
            _scan,
            path,
            self.valSplitSpin.value(),
            self.keepDuplicatesCheck.isChecked(),
            done=lambda scan: self._scanned(scan_id, scan),
            failed=lambda msg: self._failed(scan_id, msg),
            owner=self,
        )

    def load_and_wait(self, path: str) -> DatasetScan | None:
        """:meth:`load` while a local event loop keeps the window live until the scan is
        shown; the scan, or None when the folder cannot be used."""
        if not str(path).strip():
            return None
        loop = QEventLoop()
        box: dict[str, DatasetScan | None] = {}

        def ended(scan: DatasetScan | None) -> None:
            box["scan"] = scan
            loop.quit()

        def failed(_message: str) -> None:
            ended(None)

        self.datasetLoaded.connect(ended)
        self.scanFailed.connect(failed)
        try:
            self.load(str(path))
            if not box:
                loop.exec()
        finally:
            self.datasetLoaded.disconnect(ended)
            self.scanFailed.disconnect(failed)
        return box.get("scan")

    def _scanned(self, scan_id: int, scan: DatasetScan) -> None:
        if scan_id != self._scan_id:  # a newer folder was picked meanwhile
            return
        self.busyChanged.emit(False)
        self.show_scan(scan)
        self.datasetLoaded.emit(scan)

    def _failed(self, scan_id: int, message: str) -> None:
        if scan_id != self._scan_id:
            return
        self.busyChanged.emit(False)
        self.summaryLabel.setText(self.tr("Cannot use this folder: {0}").format(message))
        self.scanFailed.emit(message)

    # ------------------------------------------------------------------ display

    def show_scan(self, scan: DatasetScan) -> None:
        """Show ``scan`` (from :meth:`load`, or a resumed run's), with its validation share
        when it split a flat folder."""
        self.scan = scan
        self.folderEdit.setText(scan.root)
        if scan.val_fraction is not None:
            self.set_val_split(scan.val_fraction)
        counts = scan.counts()
        splits = list(scan.splits)
        self.classTable.clear()
        headers = [self.tr("Class")] + [self._split_name(s) for s in splits] + [self.tr("Total")]
        self.classTable.setColumnCount(len(headers))
        self.classTable.setHorizontalHeaderLabels(headers)
        self.classTable.setRowCount(len(scan.classes))
        for r, cls in enumerate(scan.classes):
            self.classTable.setItem(r, 0, QTableWidgetItem(cls))
            total = 0
            for c, split in enumerate(splits, start=1):
                n = counts[cls][split]
                total += n
                item = QTableWidgetItem(str(n))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.classTable.setItem(r, c, item)
            item = QTableWidgetItem(str(total))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.classTable.setItem(r, len(splits) + 1, item)
        fit_columns_to_contents(self.classTable)

        n = {s: len(v) for s, v in scan.splits.items()}
        parts = [self.tr("{0} classes").format(len(scan.classes))]
        parts += [self.tr("{0} {1} images").format(n[s], self._split_name(s)) for s in splits]
        text = " · ".join(parts)
        if scan.val_fraction is not None:
            text += "<br>" + self.tr(
                "No val/ folder: {0:.0%} of each class was held out for validation "
                "(stratified, seeded)."
            ).format(scan.val_fraction)
        self.summaryLabel.setText(text)

        ratio = scan.imbalance_ratio()
        if ratio > IMBALANCE_LIMIT:
            self.warningLabel.setText(
                self.tr(
                    "Classes are imbalanced: the largest has {0:.1f}× the images of the smallest. "
                    "A class-weighted loss keeps the model from favouring the big class."
                ).format(ratio)
            )
            self.warningFrame.show()
        else:
            self.warningFrame.hide()

        self.skippedList.clear()
        for s in scan.skipped:
            self._list_skipped(s.path, s.reason)
        self._build_thumb_strips(scan)

    @Slot(object)
    def add_skipped(self, event) -> None:
        """A file the scan accepted but training could not read (its data is corrupt past the
        header, or it changed on disk since the scan): listed with the scan's skipped files,
        once. ``event`` is the engine's ``Skipped`` (path, reason)."""
        if self.scan is None:
            return
        for i in range(self.skippedList.count()):
            if self.skippedList.item(i).toolTip() == event.path:
                return
        self._list_skipped(event.path, event.reason)

    def _list_skipped(self, path: str, reason: str) -> None:
        root = self.scan.root if self.scan is not None else ""
        try:
            shown = os.path.relpath(path, root) if root else path
        except ValueError:  # another drive (Windows)
            shown = path
        item = QListWidgetItem(f"{shown} — {reason}")
        item.setToolTip(path)
        self.skippedList.addItem(item)
        self.skippedTitle.setText(
            self.tr("<b>Skipped files</b> ({0})").format(self.skippedList.count())
        )

    def _split_name(self, split: str) -> str:
        return {"train": self.tr("train"), "val": self.tr("val"), "test": self.tr("test")}.get(
            split, split
        )

    def _build_thumb_strips(self, scan: DatasetScan) -> None:
        for strip in self.thumbStrips.values():
            strip.parentWidget().deleteLater()
        self.thumbStrips = {}
        by_class: dict[int, list[str]] = {}
        for s in scan.splits["train"]:
            lst = by_class.setdefault(s.label, [])
            if len(lst) < THUMBS_PER_CLASS:
                lst.append(s.path)
        for label, cls in enumerate(scan.classes):
            box = QWidget()
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 6)
            bl.addWidget(QLabel(f"<b>{cls}</b>"))
            strip = QListWidget()
            strip.setObjectName(f"thumbStrip_{cls}")
            strip.setViewMode(QListView.ViewMode.IconMode)
            strip.setFlow(QListView.Flow.LeftToRight)
            strip.setWrapping(False)
            strip.setMovement(QListView.Movement.Static)
            strip.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
            strip.setFixedHeight(THUMB_SIDE + 34)
            strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            strip.setGridSize(QSize(THUMB_SIDE + 10, THUMB_SIDE + 10))
            strip.setSpacing(3)
            strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            strip.itemClicked.connect(
                lambda item: self.sampleChosen.emit(item.data(Qt.ItemDataRole.UserRole))
            )
            bl.addWidget(strip)
            self.thumbLayout.insertWidget(self.thumbLayout.count() - 1, box)
            self.thumbStrips[cls] = strip
            paths = by_class.get(label, [])
            scan_id = self._scan_id
            jobs.submit(
                thumbnails,
                paths,
                THUMB_SIDE,
                done=lambda res, s=strip, i=scan_id: self._fill_strip(i, s, res),
                owner=self,
            )

    def _fill_strip(self, scan_id: int, strip: QListWidget, result) -> None:
        if scan_id != self._scan_id or strip not in self.thumbStrips.values():
            return
        for path, qimg in result:
            if qimg is None:
                continue
            item = QListWidgetItem(QIcon(QPixmap.fromImage(qimg)), "")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(os.path.basename(path))
            strip.addItem(item)

    def set_val_split(self, share: float) -> None:
        """The validation share for folders without a val/ folder (out-of-range: ignored)."""
        if self.valSplitSpin.minimum() <= share <= self.valSplitSpin.maximum():
            self.valSplitSpin.setValue(share)

    def keep_duplicates_together(self) -> bool:
        """Whether a split made here keeps duplicate groups whole (a run's config field)."""
        return self.keepDuplicatesCheck.isChecked()

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("data/val_split", self.valSplitSpin.value())
        settings.setValue("data/keep_duplicates_together", self.keep_duplicates_together())

    def restore_settings(self, settings: QSettings) -> None:
        with contextlib.suppress(TypeError, ValueError):
            self.set_val_split(float(settings.value("data/val_split", DEFAULT_VAL_SPLIT)))
        keep = settings.value("data/keep_duplicates_together", True)
        self.keepDuplicatesCheck.setChecked(keep not in (False, "false", "0", 0))

    def thumbnail_count(self) -> int:
        return sum(s.count() for s in self.thumbStrips.values())
