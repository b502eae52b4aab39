"""File ▸ Export ▸ Training script…: the recipe of the current model, or of the Train step's
settings before any training, as a standalone ``train.py`` (:mod:`tlgui.engine.codegen`).

The dialog (``codeView``) shows the script read-only (``codeViewEditor``) with Python colouring
(:class:`PythonHighlighter`), and lets the user pick the source (``codeViewSourceCombo``), the
flavour (``codeViewFlavorCombo``: PyTorch or Lightning) and the language of the comments
(``codeViewLangCombo``; the app's language at first), then Copy (``codeViewCopyButton``) or
Save (``codeViewSaveButton``). Rendering is plain string work, fast enough for the GUI
thread; nothing here imports torch.
"""

from __future__ import annotations

import keyword
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QLocale, QRegularExpression, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .settings import read_list

if TYPE_CHECKING:
    from ..engine.codegen import Recipe
    from .main_window import MainWindow

translate = QCoreApplication.translate
_KEYWORDS = keyword.kwlist  # Python's own list


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Colours keywords, names being defined, decorators, numbers, strings (triple-quoted
    ones across lines) and comments."""

    def __init__(self, document: Any) -> None:
        super().__init__(document)
        self.rules = [
            (QRegularExpression(rf"\b(?:{'|'.join(_KEYWORDS)})\b"), _format("#0033b3", True)),
            (QRegularExpression(r"\b(?:def|class)\s+(\w+)"), _format("#00627a", True)),
            (QRegularExpression(r"@[\w.]+"), _format("#9e880d")),
            (QRegularExpression(r"\b[A-Z][A-Z0-9_]{2,}\b"), _format("#871094")),
            (QRegularExpression(r"\b\d+(?:\.\d*)?(?:e-?\d+)?\b"), _format("#1750eb")),
            (QRegularExpression(r"\"[^\"\\n]*\"|'[^'\\n]*'"), _format("#067d17")),
            (QRegularExpression(r"#[^\n]*"), _format("#8c8c8c", italic=True)),
        ]
        self.docstring = _format("#067d17", italic=True)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                m = matches.next()
                group = 1 if m.lastCapturedIndex() >= 1 else 0
                self.setFormat(m.capturedStart(group), m.capturedLength(group), fmt)
        self._triple_quotes(text)

    def _triple_quotes(self, text: str) -> None:
        """Block state 1: inside a triple-quoted string that started on an earlier line."""
        start = 0 if self.previousBlockState() == 1 else text.find('"""')
        inside = self.previousBlockState() == 1
        self.setCurrentBlockState(0)
        while start >= 0:
            end = text.find('"""', start if inside else start + 3)
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.docstring)
                return
            self.setFormat(start, end + 3 - start, self.docstring)
            start, inside = text.find('"""', end + 3), False


def app_language() -> str:
    """``ja`` when the app shows Japanese (the locale its translations were chosen by), else
    ``en``."""
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"


class CodeView(QDialog):
    """The read-only training script of one of ``sources`` (``[(label, recipe)]``)."""

    def __init__(self, sources: list[tuple[str, Recipe]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeView")
        self.setWindowTitle(self.tr("Training script"))
        self.sources = sources
        self.sourceCombo = self._combo("codeViewSourceCombo", [label for label, _ in sources])
        self.flavorCombo = self._combo("codeViewFlavorCombo", ["PyTorch", "PyTorch Lightning"])
        self.langCombo = self._combo("codeViewLangCombo", ["English", "日本語"])
        self.langCombo.setCurrentIndex(1 if app_language() == "ja" else 0)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("codeViewEditor")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.editor.document())
        note = QLabel(
            self.tr(
                "A plain rendering of the recipe, without tlgui's speed-ups: run it with "
                "python train.py DATA. Its accuracy will be close to tlgui's, not identical."
            )
        )
        note.setObjectName("codeViewNote")
        note.setWordWrap(True)
        self.copyButton = self._button("codeViewCopyButton", self.tr("Copy"), self.copy)
        self.saveButton = self._button("codeViewSaveButton", self.tr("Save…"), self.save)
        close = self._button("codeViewCloseButton", self.tr("Close"), self.close)
        choices = QHBoxLayout()
        for text, combo in (
            (self.tr("Source:"), self.sourceCombo),
            (self.tr("Flavour:"), self.flavorCombo),
            (self.tr("Comments:"), self.langCombo),
        ):
            choices.addWidget(QLabel(text))
            choices.addWidget(combo)
        choices.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.copyButton, self.saveButton, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addWidget(self.editor, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.resize(900, 700)
        for combo in (self.sourceCombo, self.flavorCombo, self.langCombo):
            combo.currentIndexChanged.connect(self.render)
        self.render()

    def _combo(self, name: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItems(items)
        return combo

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    @property
    def flavor(self) -> str:
        return ("pytorch", "lightning")[self.flavorCombo.currentIndex()]

    @property
    def lang(self) -> str:
        return ("en", "ja")[self.langCombo.currentIndex()]

    def script(self) -> str:
        return self.editor.toPlainText()

    def render(self) -> None:
        from ..engine.codegen import generate

        recipe = self.sources[self.sourceCombo.currentIndex()][1]
        self.editor.setPlainText(generate(recipe, self.flavor, self.lang))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.script())

    def save(self, path: str | None = None) -> bool:
        """Write the script to ``path`` (asked for when ``None``); False when cancelled or
        it could not be written (said in a message box)."""
        from ..engine.fileio import atomic_write

        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save training script"), "train.py", self.tr("Python (*.py)")
            )
            if not path:
                return False
        text = self.script().encode("utf-8")
        try:
            atomic_write(path, lambda f: f.write(text))
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Cannot save"), f"{path}: {exc.strerror or exc}")
            return False
        return True


def script_sources(window: MainWindow) -> list[tuple[str, Recipe]]:
    """What a script can be made from: the model the Results step shows (a run trained just
    now or an opened file), then the Train step's current settings. A source the generator
    cannot render is left out, with its one-line reason when it is the only one."""
    from ..engine.codegen import CodegenError, Recipe, load_recipe

    sources: list[tuple[str, Recipe]] = []
    problems: list[str] = []
    shown = getattr(window.results_page, "source", None)
    try:
        if shown is not None and shown.bundle is not None:
            # Every bundle the Results step shows was opened by MainWindow.open_model, which
            # puts its path first in the recent models.
            recent = read_list(window.settings, "recent/models")
            name = os.path.basename(recent[0]) if recent else "model.pt"
            sources.append(
                (
                    translate("CodeView", "Model {0}").format(name),
                    Recipe.from_bundle(shown.bundle, name),
                )
            )
        elif shown is not None and shown.fit_result is not None:
            result, run_dir = shown.fit_result, window.fit_run_dir
            name = os.path.basename(run_dir) if run_dir else "run"
            if run_dir:  # its run.json: the settings and the val split
                recipe = load_recipe(run_dir)
            else:
                recipe = Recipe.from_config(result.config.to_dict(), name)
            recipe = replace(recipe, classes=tuple(result.classes))
            sources.append((translate("CodeView", "Model trained in run {0}").format(name), recipe))
    except CodegenError as exc:
        problems.append(str(exc))
    scan = getattr(window.data_page, "scan", None)
    try:
        settings = Recipe.from_config(
            window.train_page.config_dict(), "", getattr(scan, "val_fraction", None)
        )
        sources.append((translate("CodeView", "Current Train settings"), settings))
    except CodegenError as exc:
        problems.append(str(exc))
    if not sources:
        window.show_error(translate("CodeView", "Cannot make a training script"), problems[0])
    return sources


def show_training_script(window: MainWindow) -> CodeView | None:
    """Open the code view for the window's model and settings; the dialog, or None when
    there is nothing to render."""
    sources = script_sources(window)
    if not sources:
        return None
    view = CodeView(sources, window)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    return view


__all__ = [
    "CodeView",
    "PythonHighlighter",
    "app_language",
    "script_sources",
    "show_training_script",
]
