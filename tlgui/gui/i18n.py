"""The user-interface language: which translations exist and loading them at start.

tlgui's own translations are ``tlgui_<code>.qm`` files in :func:`~.resources.translations_dir`
(compiled from ``resources/i18n/*.ts`` by ``python -m tlgui.gui.i18n_tools``). Qt's own
(``qtbase_<code>.qm``: the buttons of message boxes, file dialogs, context menus) come with
PySide6 and are loaded beside them when they exist.

The language is chosen once, when the app starts (Preferences ▸ Language is applied at the
next start): a change in a running window would have to re-set every text already shown.
English is the source language and needs no file.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from .resources import translations_dir

SOURCE_LANGUAGE = "en"
SYSTEM = "system"  # the stored choice "follow the system locale"
PREFIX = "tlgui_"


def available_languages() -> list[str]:
    """Language codes the app can show: English, then every shipped translation."""
    folder = translations_dir()
    found = sorted(p.stem.removeprefix(PREFIX) for p in folder.glob(f"{PREFIX}*.qm"))
    return [SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE)]


def language_name(code: str) -> str:
    """A language's name in that language ("日本語"), as a language list shows it."""
    if code == SOURCE_LANGUAGE:
        return "English"
    return QLocale(code).nativeLanguageName() or code


def system_language(ui_languages: list[str] | None = None) -> str:
    """The first of the system's preferred UI languages that the app has (``ja-JP`` and
    ``ja`` both give ``ja``), else English. ``ui_languages`` defaults to the system's."""
    have = available_languages()
    for name in ui_languages if ui_languages is not None else QLocale.system().uiLanguages():
        code = name.replace("-", "_").split("_")[0].lower()
        if code in have:
            return code
    return SOURCE_LANGUAGE


def resolve(choice: str) -> str:
    """The language a stored choice means: ``system`` (or an unknown or no longer shipped
    code) follows the system locale."""
    return choice if choice in available_languages() else system_language()


def install_translators(app: QCoreApplication, choice: str = SYSTEM) -> list[QTranslator]:
    """Load and install the translations of ``choice`` (a code or ``system``) into ``app``;
    returns the installed translators (none for English). Must run before any window is
    built: texts are translated when a widget sets them."""
    code = resolve(choice)
    if choice != SYSTEM:
        QLocale.setDefault(QLocale(code))  # numbers and dates in the chosen language too
    if code == SOURCE_LANGUAGE:
        return []
    installed = []
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    sources = ((f"{PREFIX}{code}", str(translations_dir())), (f"qtbase_{code}", qt_folder))
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(name, folder) and app.installTranslator(translator):
            installed.append(translator)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo :func:`install_translators` (tests that switch languages)."""
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(QLocale.system())


__all__ = [
    "SOURCE_LANGUAGE",
    "SYSTEM",
    "available_languages",
    "install_translators",
    "language_name",
    "remove_translators",
    "resolve",
    "system_language",
]
